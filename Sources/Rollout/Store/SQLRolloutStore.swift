public import MLOpsStorage
import Foundation

/// A ``RolloutStore`` in a SQL database through MLOpsStorage: the embedded SQLite store by
/// default, PostgreSQL when replicas share one rollout.
///
/// One row per rollout holds the state as JSON next to its version and status. An update is one
/// write transaction that reads the stored version and writes the next only if it is still the
/// one the caller read, so of two replicas deciding at once exactly one wins and the other gets
/// ``RolloutError/Code/stateConflict``; a crash mid-write leaves the previous state whole.
public struct SQLRolloutStore: RolloutStore {
    /// The database.
    public let database: any SQLDatabase

    /// The `rollout` module's tables.
    public static let schema = SQLSchema(module: "rollout", migrations: [
        SQLMigration(version: 1, name: "create rollout states") { d in
            """
            CREATE TABLE rollout_states (
                name TEXT NOT NULL PRIMARY KEY,
                version \(d.integerType) NOT NULL,
                status TEXT NOT NULL,
                updated_at \(d.realType) NOT NULL,
                state TEXT NOT NULL
            );
            """
        },
    ])

    /// Opens the store, migrating the database to this build's schema unless `migrate` is false.
    ///
    /// - Throws: `StorageError` (`schemaTooNew`) when a newer build wrote the database; with
    ///   `migrate: false`, `StorageError` (`schemaTooOld`) when the tables are missing or older.
    public init(database: any SQLDatabase, migrate: Bool = true) async throws {
        self.database = database
        try await database.prepare(Self.schema, migrate: migrate)
    }

    public func create(_ plan: RolloutPlan, now: Double) async throws -> RolloutState {
        let state = RolloutState(plan: plan, now: now)
        let text = try Self.encode(state)
        try await database.write { db in
            if try await db.queryFirst("SELECT version FROM rollout_states WHERE name = ?", [.text(plan.name)]) != nil {
                throw RolloutStoreRules.exists(plan.name)
            }
            _ = try await db.execute(
                "INSERT INTO rollout_states (name, version, status, updated_at, state) VALUES (?, ?, ?, ?, ?)",
                [.text(plan.name), .integer(Int64(state.version)), .text(state.status.rawValue), .real(now), .text(text)])
        }
        return state
    }

    public func state(of name: String) async throws -> RolloutState {
        let row = try await database.read { db in try await db.queryFirst("SELECT state FROM rollout_states WHERE name = ?", [.text(name)]) }
        guard let row else { throw RolloutStoreRules.notFound(name) }
        return try Self.decode(try row.decode(String.self, "state"), name: name)
    }

    public func update(_ state: RolloutState, now: Double) async throws -> RolloutState {
        let name = state.plan.name
        return try await database.write { db in
            guard let row = try await db.queryFirst("SELECT state FROM rollout_states WHERE name = ?", [.text(name)]) else {
                throw RolloutStoreRules.notFound(name)
            }
            let stored = try Self.decode(try row.decode(String.self, "state"), name: name)
            let next = try RolloutStoreRules.next(state, replacing: stored, now: now)
            let changed = try await db.execute(
                "UPDATE rollout_states SET version = ?, status = ?, updated_at = ?, state = ? WHERE name = ? AND version = ?",
                [.integer(Int64(next.version)), .text(next.status.rawValue), .real(now), .text(try Self.encode(next)), .text(name), .integer(Int64(stored.version))])
            guard changed == 1 else {
                throw RolloutError(.stateConflict, "Rollout '\(name)' changed while it was being updated", location: name, fix: "read the state again and redo the change.")
            }
            return next
        }
    }

    public func list() async throws -> [RolloutState] {
        let rows = try await database.read { db in try await db.query("SELECT name, state FROM rollout_states ORDER BY name", []) }
        // In Swift's order, as the in-memory store lists: PostgreSQL's ORDER BY follows the
        // database's collation, which may differ (ICU en-US sets `a_b` before `a-b`).
        return try rows.map { row in try Self.decode(try row.decode(String.self, "state"), name: try row.decode(String.self, "name")) }
            .sorted { $0.plan.name < $1.plan.name }
    }

    static func encode(_ state: RolloutState) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(state), as: UTF8.self)
    }

    static func decode(_ text: String, name: String) throws -> RolloutState {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return try decoder.decode(RolloutState.self, from: Data(text.utf8))
        } catch {
            throw RolloutError(.invalidPlan, "The stored state of rollout '\(name)' cannot be read: \(error)", location: name, fix: "restore the store from a backup.")
        }
    }
}
