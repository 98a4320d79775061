import Foundation
public import MLOpsStorage

/// A ``BaselineStore`` in a SQL database through MLOpsStorage: the embedded SQLite store by
/// default, PostgreSQL when several services share baselines.
///
/// Each save is one write transaction that reads the latest version and inserts the next, so
/// two replicas saving at once get versions n and n + 1, never the same number: SQLite runs
/// write transactions one at a time (`BEGIN IMMEDIATE`), and PostgreSQL's serializable
/// isolation fails one of two overlapping saves with a serialization error, which
/// MLOpsStorage retries (the concurrent-save conformance test runs on both).
public struct SQLBaselineStore: BaselineStore {
    /// The database.
    public let database: any SQLDatabase

    /// The `driftstats` module's tables.
    public static let schema = SQLSchema(module: "driftstats", migrations: [
        SQLMigration(version: 1, name: "create drift baselines") { d in
            """
            CREATE TABLE drift_baselines (
                name TEXT NOT NULL,
                version \(d.integerType) NOT NULL,
                created_at \(d.integerType) NOT NULL,
                row_count \(d.integerType) NOT NULL,
                note TEXT,
                profile \(d.blobType) NOT NULL,
                PRIMARY KEY (name, version)
            );
            """
        },
    ])

    /// Opens the store, migrating the database to this build's schema unless `migrate` is false.
    ///
    /// With `migrate: false` nothing is changed: the baseline tables must exist at the version
    /// this build knows (reading tools open the store this way).
    ///
    /// - Parameters:
    ///   - database: The database that holds the baselines.
    ///   - migrate: Whether to bring the tables to this build's version first.
    /// - Throws: `StorageError` (`schemaTooNew`) when the database was written by a newer
    ///   build; with `migrate: false`, `StorageError` (`schemaTooOld`) when the tables are missing
    ///   or older. Nothing is read or changed then.
    public init(database: any SQLDatabase, migrate: Bool = true) async throws {
        self.database = database
        try await database.prepare(Self.schema, migrate: migrate)
    }

    /// Saves `profile` as the next version of `name` (see ``BaselineStore/save(_:as:note:)``).
    public func save(_ profile: DatasetProfile, as name: String, note: String?) async throws -> StoredBaseline {
        try BaselineNames.validate(name)
        let bytes = [UInt8](try profile.encoded())
        let createdAt = BaselineNames.now()
        let version = try await database.write { db in
            let latest = try await db.queryFirst("SELECT MAX(version) AS latest FROM drift_baselines WHERE name = ?", [.text(name)])
            var next = 1
            if case .integer(let value)? = latest?["latest"] { next = Int(value) + 1 }
            try await db.execute(
                "INSERT INTO drift_baselines (name, version, created_at, row_count, note, profile) VALUES (?, ?, ?, ?, ?, ?)",
                [.text(name), .integer(Int64(next)), .integer(createdAt), .integer(Int64(profile.rowCount)), note.map(SQLValue.text) ?? .null, .blob(bytes)])
            return next
        }
        return StoredBaseline(name: name, version: version, createdAt: createdAt, note: note, profile: profile)
    }

    /// The latest version of `name` (see ``BaselineStore/latest(_:)``).
    public func latest(_ name: String) async throws -> StoredBaseline {
        try await load("WHERE name = ? ORDER BY version DESC LIMIT 1", [.text(name)]) ?? { throw BaselineNames.notFound(name) }()
    }

    /// One version of `name` (see ``BaselineStore/baseline(_:version:)``).
    public func baseline(_ name: String, version: Int) async throws -> StoredBaseline {
        try await load("WHERE name = ? AND version = ?", [.text(name), .integer(Int64(version))]) ?? { throw BaselineNames.notFound(name, version: version) }()
    }

    /// Every name with its latest version (see ``BaselineStore/list()``).
    public func list() async throws -> [BaselineSummary] {
        try await database.read { db in
            let rows = try await db.query(
                """
                SELECT b.name, b.version, b.created_at, b.row_count FROM drift_baselines b
                WHERE b.version = (SELECT MAX(version) FROM drift_baselines WHERE name = b.name)
                ORDER BY b.name
                """, [])
            return try rows.map { row in
                BaselineSummary(
                    name: try row.decode(String.self, "name"), latestVersion: Int(try row.decode(Int64.self, "version")),
                    createdAt: try row.decode(Int64.self, "created_at"), rowCount: Int(try row.decode(Int64.self, "row_count")))
            }
        }
        // In Swift's order, as the in-memory store lists: PostgreSQL's ORDER BY follows the
        // database's collation, which may differ (ICU en-US sets `a_b` before `a-b`).
        .sorted { $0.name < $1.name }
    }

    private func load(_ clause: String, _ arguments: [SQLValue]) async throws -> StoredBaseline? {
        let row = try await database.read { db in
            try await db.queryFirst("SELECT name, version, created_at, note, profile FROM drift_baselines \(clause)", arguments)
        }
        guard let row else { return nil }
        guard case .blob(let bytes) = row["profile"] else {
            throw DriftError(.invalidProfile, "The stored baseline's profile is not a blob", fix: "re-save the baseline.")
        }
        var note: String?
        if case .text(let text) = row["note"] { note = text }
        return StoredBaseline(
            name: try row.decode(String.self, "name"), version: Int(try row.decode(Int64.self, "version")),
            createdAt: try row.decode(Int64.self, "created_at"), note: note,
            profile: try DatasetProfile(encoded: Data(bytes)))
    }
}
