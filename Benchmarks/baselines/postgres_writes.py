"""psycopg 3 anchors for PostgreSQL write throughput (issue #14): the same 1,000,000 metric rows as
`pg-lineage-metric-points-1M`, in batches of 10,000 (one transaction each), on the same server.

- executemany: `INSERT … VALUES (%s, …)` through `cursor.executemany` (psycopg 3 pipelines it),
  into a table with `lineage_metrics`' columns and primary key and two ordinary foreign keys: the
  schema a psycopg user would write, and the faster of the two for row-at-a-time inserts (the
  statement-level reference checks of `lineage_metrics` cost about 45 µs per statement);
- copy: `COPY … FROM STDIN` through `cursor.copy` (`write_row`) into that same table;
- copy_lineage: the same COPY into Lineage's own `lineage_metrics` table (its statement-level
  reference checks run once per COPY), under a run and a metric name of its own: the table ours
  writes to, so the fastest way a Python client has to fill it.

The server comes from MLOPS_BENCH_POSTGRES_URL or MLOPS_TEST_POSTGRES_URL.
"""
import os
import time

TOTAL, BATCH = 1_000_000, 10_000
TABLE = "bench_psycopg_metrics"


def _open():
    """A connection to the benchmark's server."""
    import psycopg
    url = os.environ.get("MLOPS_BENCH_POSTGRES_URL") or os.environ.get("MLOPS_TEST_POSTGRES_URL")
    if not url:
        raise SystemExit("set MLOPS_BENCH_POSTGRES_URL")
    return psycopg.connect(url)


def _connect():
    """A connection, with the foreign-key anchor table made afresh."""
    connection = _open()
    with connection.transaction():
        connection.execute(f"DROP TABLE IF EXISTS {TABLE}, {TABLE}_runs, {TABLE}_keys")
        # The same shape as lineage_metrics: its primary key and its two foreign keys (to the runs
        # and to the metric names), which PostgreSQL checks row by row for every writer.
        connection.execute(f"CREATE TABLE {TABLE}_runs (run_key BIGINT PRIMARY KEY)")
        connection.execute(f"CREATE TABLE {TABLE}_keys (key_id BIGINT PRIMARY KEY)")
        connection.execute(f"INSERT INTO {TABLE}_runs SELECT generate_series(0, 99)")
        connection.execute(f"INSERT INTO {TABLE}_keys VALUES (1)")
        connection.execute(f"""CREATE TABLE {TABLE} (run_key BIGINT NOT NULL REFERENCES {TABLE}_runs (run_key),
            key_id BIGINT NOT NULL REFERENCES {TABLE}_keys (key_id), step BIGINT NOT NULL,
            timestamp BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL, is_nan BIGINT NOT NULL,
            PRIMARY KEY (run_key, key_id, step, timestamp, value, is_nan))""")
    return connection


def _timed(repetitions, write_batch, connection=None, run_keys=None):
    """Seconds per repetition of writing all rows, a batch per transaction, each run under a new run_key."""
    connection = connection or _connect()
    seconds = []
    for run in range(repetitions):
        run_key, key_id = run_keys(connection, run) if run_keys else (run, 1)
        began = time.perf_counter()
        for start in range(0, TOTAL, BATCH):
            rows = [(run_key, key_id, i, i, float(i), 0) for i in range(start, start + BATCH)]
            with connection.transaction(), connection.cursor() as cursor:
                write_batch(cursor, rows)
        seconds.append(time.perf_counter() - began)
    connection.close()
    return seconds


COLUMNS = "(run_key, key_id, step, timestamp, value, is_nan)"


def executemany(data_folder, repetitions):
    return _timed(repetitions, lambda cursor, rows: cursor.executemany(
        f"INSERT INTO {TABLE} {COLUMNS} VALUES (%s, %s, %s, %s, %s, %s)", rows))


def _copy_into(table):
    def write(cursor, rows):
        with cursor.copy(f"COPY {table} {COLUMNS} FROM STDIN") as writer:
            for row in rows:
                writer.write_row(row)
    return write


def copy(data_folder, repetitions):
    return _timed(repetitions, _copy_into(TABLE))


def _lineage_run(connection, run):
    """A new run and the metric name `loss` in Lineage's tables (the Swift case made them first)."""
    with connection.transaction():
        connection.execute("INSERT INTO lineage_experiments (name, created_at) VALUES ('bench-psycopg', 0) ON CONFLICT (name) DO NOTHING")
        connection.execute("INSERT INTO lineage_metric_keys (key) VALUES ('loss') ON CONFLICT (key) DO NOTHING")
        run_key = connection.execute(
            "INSERT INTO lineage_runs (id, experiment_key, name, status, start_time) "
            "SELECT gen_random_uuid()::text, experiment_key, %s, 'running', 0 FROM lineage_experiments "
            "WHERE name = 'bench-psycopg' RETURNING run_key", (f"psycopg-{run}",)).fetchone()[0]
        key_id = connection.execute("SELECT key_id FROM lineage_metric_keys WHERE key = 'loss'").fetchone()[0]
    return run_key, key_id


def copy_lineage(data_folder, repetitions):
    return _timed(repetitions, _copy_into("lineage_metrics"), connection=_open(), run_keys=_lineage_run)
