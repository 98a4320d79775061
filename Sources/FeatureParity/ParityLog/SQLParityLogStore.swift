import Foundation
public import MLOpsStorage

/// A ``ParityLogStore`` in a SQL database through MLOpsStorage (SQLite by default, PostgreSQL
/// when replicas share one log). A batch is one transaction: a crash leaves all of it or none.
public struct SQLParityLogStore: ParityLogStore {
    /// The database.
    public let database: any SQLDatabase

    /// The `featureparity` module's tables.
    public static let schema = SQLSchema(module: "featureparity", migrations: [
        SQLMigration(version: 1, name: "create the parity log") { d in
            """
            CREATE TABLE parity_log (
                id \(d.autoIncrementPrimaryKey),
                served_at \(d.realType) NOT NULL,
                entity TEXT NOT NULL,
                as_of \(d.realType) NOT NULL,
                feature_set_hash TEXT NOT NULL,
                feature_values TEXT NOT NULL
            );
            CREATE INDEX parity_log_served_at ON parity_log (served_at);
            """
        },
    ])

    /// Opens the store, migrating the database to this build's schema unless `migrate` is false.
    ///
    /// - Throws: `StorageError` (`schemaTooNew`) when a newer build wrote the database; with
    ///   `migrate: false`, `StorageError` (`schemaTooOld`) when the table is missing or older.
    public init(database: any SQLDatabase, migrate: Bool = true) async throws {
        self.database = database
        try await database.prepare(Self.schema, migrate: migrate)
    }

    public func append(_ records: [ParityRecord]) async throws {
        guard !records.isEmpty else { return }
        if let bad = records.first(where: { !$0.servedAt.isFinite || !$0.asOf.isFinite }) {
            throw FeatureParityError(.invalidArgument, "A parity record of '\(bad.entity)' has a non-finite time", location: bad.entity, fix: "log finite times.")
        }
        let rows: [[SQLValue]] = try records.map { record in
            // JSON has no NaN: missing values are null, and non-finite ones are dropped to null too.
            [.real(record.servedAt), .text(record.entity), .real(record.asOf), .text(record.featureSetHash), .text(try FeatureValuesJSON.encode(record.values))]
        }
        try await database.write { db in
            try await db.executeBatch("INSERT INTO parity_log (served_at, entity, as_of, feature_set_hash, feature_values) VALUES (?, ?, ?, ?, ?)", rows)
        }
    }

    public func records(featureSetHash: String?, since: Double, limit: Int) async throws -> [ParityRecord] {
        var sql = "SELECT served_at, entity, as_of, feature_set_hash, feature_values FROM parity_log WHERE served_at >= ?"
        var arguments: [SQLValue] = [.real(since)]
        if let featureSetHash {
            sql += " AND feature_set_hash = ?"
            arguments.append(.text(featureSetHash))
        }
        sql += " ORDER BY served_at, id LIMIT ?"
        arguments.append(.integer(Int64(Swift.max(0, limit))))
        let (query, values) = (sql, arguments)
        let rows = try await database.read { db in try await db.query(query, values) }
        return try rows.map { row in
            let text = try row.decode(String.self, "feature_values")
            let values: [String: FeatureValue?]
            do {
                values = try FeatureValuesJSON.decode(text)
            } catch {
                throw FeatureParityError(.invalidArgument, "A stored parity record's values cannot be read: \(error)", fix: "restore the store from a backup.")
            }
            return ParityRecord(
                entity: try row.decode(String.self, "entity"), servedAt: try row.decode(Double.self, "served_at"), asOf: try row.decode(Double.self, "as_of"),
                featureSetHash: try row.decode(String.self, "feature_set_hash"), values: values)
        }
    }

    public func count() async throws -> Int {
        let row = try await database.read { db in try await db.queryFirst("SELECT COUNT(*) AS n FROM parity_log", []) }
        guard let row else { return 0 }
        return Int(try row.decode(Int64.self, "n"))
    }
}
