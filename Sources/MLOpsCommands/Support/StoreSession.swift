import DriftStats
import Foundation
import Lineage
import MLOpsStorage

/// Whether a command only reads a store or also writes it.
enum StoreAccess: Sendable {
    /// Reading never writes: the store must exist already; a SQLite file is opened read-only (it
    /// is never created, switched to WAL or migrated) and no schema is migrated.
    case read
    /// The store is created when missing and its schemas are migrated before use.
    case write
}

/// Opens a store for one command and always closes it: the one way commands reach a store.
///
/// Each helper opens the database (through ``StoreLocation/withDatabase(readOnly:logger:isolation:_:)``, which
/// runs the database's lifecycle beside the body), builds the product store a command needs,
/// runs the command's body, and closes everything when the body returns or throws.
enum StoreSession {
    /// Runs `body` with the database at `location`.
    ///
    /// - Parameters:
    ///   - location: The store.
    ///   - access: ``StoreAccess/read`` opens an existing store read-only; ``StoreAccess/write``
    ///     opens (creating a SQLite file when missing) for writing.
    ///   - body: The command's work.
    /// - Returns: What `body` returned.
    /// - Throws: ``CommandFailure`` (exit 2) when a read finds no SQLite file at the path;
    ///   `StorageError` when the store cannot be opened; what `body` threw.
    static func withDatabase<Result>(
        at location: StoreLocation, access: StoreAccess, _ body: (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        if access == .read, case .sqliteFile(let path) = location, !FileManager.default.fileExists(atPath: path) {
            throw CommandFailure.usage(
                "error: there is no store at \(path); nothing was created. Fix: check --store, or create one with `mlops store migrate --store \(location)`.")
        }
        return try await location.withDatabase(readOnly: access == .read) { database in
            try await body(database)
        }
    }

    /// Runs `body` with the Lineage store at `location`: never migrated when reading, migrated
    /// to the latest Lineage schema when writing.
    ///
    /// - Throws: As ``withDatabase(at:access:_:)``, and `LineageError` when the store's schema
    ///   cannot be used.
    static func withLineageStore<Result>(
        at location: StoreLocation, access: StoreAccess, _ body: (SQLLineageStore) async throws -> Result
    ) async throws -> Result {
        try await withDatabase(at: location, access: access) { database in
            try await body(try await SQLLineageStore(database: database, migrate: access == .write))
        }
    }

    /// Runs `body` with the drift baselines at `location`: never migrated when reading,
    /// migrated when writing.
    ///
    /// - Throws: As ``withDatabase(at:access:_:)``, and `DriftError` when the store's schema
    ///   cannot be used.
    static func withBaselineStore<Result>(
        at location: StoreLocation, access: StoreAccess, _ body: (SQLBaselineStore) async throws -> Result
    ) async throws -> Result {
        try await withDatabase(at: location, access: access) { database in
            try await body(try await SQLBaselineStore(database: database, migrate: access == .write))
        }
    }
}

extension StoreOptions {
    /// Runs `body` with the Lineage store of `--store` (see ``StoreSession/withLineageStore(at:access:_:)``).
    func withLineageStore<Result>(_ access: StoreAccess, _ body: (SQLLineageStore) async throws -> Result) async throws -> Result {
        try await StoreSession.withLineageStore(at: location, access: access, body)
    }

    /// Runs `body` with the drift baselines of `--store` (see ``StoreSession/withBaselineStore(at:access:_:)``).
    func withBaselineStore<Result>(_ access: StoreAccess, _ body: (SQLBaselineStore) async throws -> Result) async throws -> Result {
        try await StoreSession.withBaselineStore(at: location, access: access, body)
    }
}
