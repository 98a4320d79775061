public import MLOpsStorage

/// The `lineage` module's tables.
///
/// Runs carry an integer surrogate key (`run_key`) that the high-volume tables (metrics, params,
/// tags, edges) reference, and metric names are interned in `lineage_metric_keys`, so a metric
/// row is five integers and a double. Metric points live in a table clustered by
/// `(run_key, key_id, step, timestamp, value, is_nan)` (SQLite `WITHOUT ROWID`):
/// a series is read in order with no second index to maintain on every insert, and a point
/// logged twice identically is stored once, as in MLflow. SQLite turns a bound NaN into NULL, so
/// a NaN is stored as value 0 with `is_nan = 1` and read back as NaN. On PostgreSQL (from
/// version 3) the points' run and name are checked by statement-level triggers instead of
/// foreign keys, once per statement rather than per row, with the same SQLSTATE 23503; runs and
/// metric names may then be deleted or re-keyed only under READ COMMITTED.
///
/// Times (`start_time`, `end_time`, `timestamp`, `created_at`) are integer milliseconds since the
/// Unix epoch; the public API speaks `Date` and converts at the store's edge, rounding to the
/// nearest millisecond.
///
/// NaN is NULL wherever a filter compares numbers, on both databases alike: a NaN parameter keeps
/// its text (`nan`) with a NULL `value_number`, and a NaN latest metric has a NULL `value`. A run's
/// parent is kept by id (`parent_run_id`), so a run imported before its parent keeps the link.
public enum LineageSchema {
    /// The migrations.
    public static let schema = SQLSchema(module: "lineage", migrations: [
                SQLMigration(version: 1, name: "create runs, params, metrics, artifacts and edges") { d in
                    """
                    CREATE TABLE lineage_experiments (
                        experiment_key \(d.autoIncrementPrimaryKey),
                        name TEXT NOT NULL UNIQUE,
                        created_at \(d.integerType) NOT NULL
                    );
                    CREATE TABLE lineage_runs (
                        run_key \(d.autoIncrementPrimaryKey),
                        id TEXT NOT NULL UNIQUE,
                        experiment_key \(d.integerType) NOT NULL REFERENCES lineage_experiments (experiment_key),
                        name TEXT NOT NULL,
                        status TEXT NOT NULL,
                        start_time \(d.integerType) NOT NULL,
                        end_time \(d.integerType),
                        owner TEXT,
                        parent_run_key \(d.integerType) REFERENCES lineage_runs (run_key),
                        environment TEXT
                    );
                    CREATE INDEX lineage_runs_start ON lineage_runs (start_time);
                    CREATE INDEX lineage_runs_experiment ON lineage_runs (experiment_key, start_time);
                    CREATE TABLE lineage_params (
                        run_key \(d.integerType) NOT NULL REFERENCES lineage_runs (run_key),
                        key TEXT NOT NULL,
                        value_type TEXT NOT NULL,
                        value_text TEXT NOT NULL,
                        value_number \(d.realType),
                        PRIMARY KEY (run_key, key)
                    );
                    CREATE INDEX lineage_params_key ON lineage_params (key, value_text);
                    CREATE TABLE lineage_tags (
                        run_key \(d.integerType) NOT NULL REFERENCES lineage_runs (run_key),
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (run_key, key)
                    );
                    CREATE TABLE lineage_metric_keys (
                        key_id \(d.autoIncrementPrimaryKey),
                        key TEXT NOT NULL UNIQUE
                    );
                    CREATE TABLE lineage_metrics (
                        run_key \(d.integerType) NOT NULL REFERENCES lineage_runs (run_key),
                        key_id \(d.integerType) NOT NULL REFERENCES lineage_metric_keys (key_id),
                        step \(d.integerType) NOT NULL,
                        timestamp \(d.integerType) NOT NULL,
                        value \(d.realType) NOT NULL,
                        is_nan \(d.integerType) NOT NULL,
                        PRIMARY KEY (run_key, key_id, step, timestamp, value, is_nan)
                    )\(d.clusteredTableSuffix);
                    CREATE TABLE lineage_latest_metrics (
                        run_key \(d.integerType) NOT NULL REFERENCES lineage_runs (run_key),
                        key TEXT NOT NULL,
                        step \(d.integerType) NOT NULL,
                        timestamp \(d.integerType) NOT NULL,
                        value \(d.realType),
                        PRIMARY KEY (run_key, key)
                    );
                    CREATE INDEX lineage_latest_metrics_key ON lineage_latest_metrics (key, value);
                    CREATE TABLE lineage_artifacts (
                        digest TEXT PRIMARY KEY,
                        kind TEXT NOT NULL,
                        name TEXT NOT NULL,
                        size \(d.integerType),
                        uri TEXT
                    );
                    CREATE TABLE lineage_edges (
                        run_key \(d.integerType) NOT NULL REFERENCES lineage_runs (run_key),
                        digest TEXT NOT NULL REFERENCES lineage_artifacts (digest),
                        direction TEXT NOT NULL,
                        role TEXT NOT NULL,
                        PRIMARY KEY (run_key, digest, direction)
                    );
                    CREATE INDEX lineage_edges_digest ON lineage_edges (digest, direction);
                    """
                },
                // PostgreSQL stored NaN parameters as NaN, which it orders above every number and
                // finds equal to itself; SQLite stored them as NULL. NULL on both now.
                SQLMigration(version: 2, name: "parent runs kept by id; NaN parameters without a number", script: { _ in
                    """
                    ALTER TABLE lineage_runs ADD COLUMN parent_run_id TEXT;
                    UPDATE lineage_runs SET parent_run_id = (SELECT p.id FROM lineage_runs p WHERE p.run_key = lineage_runs.parent_run_key)
                    WHERE parent_run_key IS NOT NULL;
                    UPDATE lineage_params SET value_number = NULL
                    WHERE value_type = 'double' AND value_text IN ('nan', '-nan', 'snan', '-snan');
                    """
                }),
                SQLMigration(version: 3, name: "metric points checked against runs and names once a statement (PostgreSQL)") { connection in
                    guard connection.dialect == .postgresql else { return }
                    let schema = try await connection.queryScalar(String.self, "SELECT current_schema()")
                    for statement in MetricReferenceChecks.postgresStatements(schema: schema) {
                        _ = try await connection.execute(statement)
                    }
                },
            ])
}
