import DriftStats
import Foundation
import Lineage
import MLOpsStorage
import Registry

/// Whether a command only reads a store or also writes it.
enum StoreAccess: Sendable, Equatable {
    /// Reading never writes: the store must exist already; a SQLite file is opened read-only (it
    /// is never created, switched to WAL or migrated) and no schema is migrated.
    case read
    /// The store is created when missing and its schemas are migrated before use.
    case write
    /// A change that can only succeed on a store that exists already (every registry change but
    /// the first principal's needs a principal the store holds): a store that holds nothing yet (a
    /// missing, empty or table-less SQLite file, a PostgreSQL database without tables) is refused
    /// as for ``read``, nothing created, with `fix` as the advice; otherwise as ``write``.
    case update(fix: String)

    /// Whether this is ``update(fix:)``.
    var isUpdate: Bool {
        if case .update = self { return true }
        return false
    }

    /// How a registry change on a store that holds nothing yet is refused: the registry begins
    /// with its first admin.
    static let registryChange = StoreAccess.update(
        fix: "a new registry begins with its first admin: `mlops principals add ID --role admin --store URL`")
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
    ///     opens for writing, creating a missing SQLite file with every known schema (see
    ///     `SQLiteDatabase.create(path:schemas:)`); ``StoreAccess/update(fix:)``
    ///     opens an existing store for writing.
    ///   - body: The command's work.
    /// - Returns: What `body` returned.
    /// - Throws: ``CommandFailure`` (exit 2) when a read or an update finds no store, or a write
    ///   finds another tool's database (see ``checkBeforeOpening(_:access:)``); `StorageError` when
    ///   the store cannot be opened; what `body` threw.
    static func withDatabase<Result>(
        at location: StoreLocation, access: StoreAccess, _ body: (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        try await checkBeforeOpening(location, access: access)
        if access != .read, case .sqliteFile(let path) = location {
            // A new file store appears whole, every product's tables in it, or not at all: a
            // command killed while creating it leaves no half-made store behind, at most a
            // hidden draft, which a later writing command removes once it is an hour old.
            if access == .write { _ = try await SQLiteDatabase.create(path: path, schemas: KnownSchemas.all) }
            SQLiteDatabase.removeAbandonedDrafts(of: path)
        }
        return try await location.withDatabase(readOnly: access == .read) { database in
            try await body(database)
        }
    }

    /// What ``withDatabase(at:access:_:)`` checks before it opens (and perhaps creates) the store,
    /// changing nothing: a missing SQLite file where one must exist, a folder, another tool's
    /// database (SQLite or PostgreSQL), a registry change in a store that holds nothing yet, and
    /// for a file to create, a parent folder that is missing or cannot be written.
    /// A command that writes files of its own before the store opens (the demo) calls it first.
    ///
    /// - Throws: ``CommandFailure`` (exit 2) naming the problem and its fix.
    static func checkBeforeOpening(_ location: StoreLocation, access: StoreAccess) async throws {
        if case .sqliteFile(let path) = location, !FileManager.default.fileExists(atPath: path) || (access.isUpdate && Self.isEmptyFile(path)) {
            // (An empty file is no store either: a change refused in it must not leave it one.)
            switch access {
            case .read:
                throw CommandFailure.usage(
                    "error: there is no store at \(path); nothing was created. Fix: check --store, or create one with `mlops store migrate --store \(location)`.")
            case .update(let fix):
                throw CommandFailure.usage("error: there is no store at \(path); nothing was created or changed. Fix: check --store; \(fix).")
            case .write:
                break
            }
        }
        if case .sqliteFile(let path) = location {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                // The suggestion written as a URL that parses back to a file in that folder.
                let suggested = StoreLocation.sqliteFile(path: (path.hasSuffix("/") ? path : path + "/") + "mlops.sqlite")
                throw CommandFailure.usage("error: \(path) is a folder, not a SQLite store file. Fix: point --store at a file, such as \(suggested).")
            }
            if let type = FileIO.fileType(path), FileIO.isDevice(type) {
                throw CommandFailure.usage("error: \(path) is a device, not a SQLite store file; nothing was read or written. Fix: point --store at a file, such as sqlite:mlops.sqlite.")
            }
        }
        if access != .read, case .postgres = location {
            // The same two refusals as for a SQLite file, judged on a read-only connection of
            // their own before anything is created: another tool's database, and a registry
            // change in a database that holds nothing yet.
            let tables = try await location.withDatabase(readOnly: true) { try await tableNames($0) }
            if isForeign(tables) {
                throw CommandFailure.usage(
                    "error: \(location) is a PostgreSQL database with tables of its own (\(tables.count) in its current schema) and none of swift-mlops' schemas, so it is not a swift-mlops store; nothing was written. Fix: point --store at a swift-mlops store, or at an empty database to create one.")
            }
            if case .update(let fix) = access, tables.isEmpty {
                throw CommandFailure.usage("error: there is no store at \(location) (a PostgreSQL database without tables); nothing was created or changed. Fix: check --store; \(fix).")
            }
        }
        if access != .read, case .sqliteFile(let path) = location {
            if !FileManager.default.fileExists(atPath: path), let problem = FileWriteProblem.at(path) {
                throw CommandFailure.usage("error: cannot create the store \(path): \(problem); nothing was created. Fix: check --store, or create the folder first.")
            }
            try await refuseForeignDatabase(at: location, path: path)
            if case .update(let fix) = access, try await holdsNoTables(at: location, path: path) {
                // A SQLite file without a single table is no store either: migrating it only to
                // refuse the change would leave it one.
                throw CommandFailure.usage("error: there is no store at \(path) (a SQLite file without tables); nothing was created or changed. Fix: check --store; \(fix).")
            }
        }
    }

    /// Whether the SQLite file at `path` (not empty: that case is handled before) is a database
    /// without a single table, judged read-only; a file the read-only open cannot judge is left
    /// to the writing open.
    static func holdsNoTables(at location: StoreLocation, path: String) async throws -> Bool {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 else { return false }
        let tables = try? await location.withDatabase(readOnly: true) { try await tableNames($0) }
        return tables?.isEmpty == true
    }

    /// Whether the store at `location` holds nothing yet: a SQLite file that is missing, empty or
    /// without a table, or a PostgreSQL database without a table in its current schema (judged
    /// on a read-only connection). An in-memory database always starts empty.
    static func holdsNothing(at location: StoreLocation) async throws -> Bool {
        switch location {
        case .sqliteFile(let path):
            if !FileManager.default.fileExists(atPath: path) || isEmptyFile(path) { return true }
            return try await holdsNoTables(at: location, path: path)
        case .postgres:
            return try await location.withDatabase(readOnly: true) { try await tableNames($0) }.isEmpty
        default:
            return true
        }
    }

    /// Whether `path` is a regular file of 0 bytes.
    static func isEmptyFile(_ path: String) -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return attributes?[.type] as? FileAttributeType == .typeRegular && attributes?[.size] as? Int == 0
    }

    /// Refuses to write to a SQLite file that holds tables of its own and none of swift-mlops'
    /// schemas (an MLflow database, say): creating our tables in it, or switching it to WAL,
    /// would change a file that is not ours. The check opens the file read-only, so it changes
    /// nothing either; a missing or empty file, or one with our schemas, passes; a file that is
    /// not SQLite throws ``StorageError/Code/notADatabase``.
    static func refuseForeignDatabase(at location: StoreLocation, path: String) async throws {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 else { return }
        // A file the read-only open cannot judge (a hot journal a killed writer left, which only
        // a writer can roll back; damage) is left to the writing open, which reports it.
        // A file that is not SQLite at all is refused here too, with the error the writing open
        // would give.
        let foreign: Bool?
        do {
            foreign = try await location.withDatabase(readOnly: true) { try await holdsForeignTables($0) }
        } catch let error as StorageError where error.code == .notADatabase {
            throw error
        } catch {
            foreign = nil
        }
        if foreign == true {
            throw CommandFailure.usage(
                "error: \(path) is a SQLite database with tables of its own and none of swift-mlops' schemas, so it is not a swift-mlops store; nothing was written. Fix: point --store at a swift-mlops store, or at a new file to create one.")
        }
    }

    /// Whether the database holds tables and none of them is swift-mlops' migration record: another
    /// tool's database. Judged in one read transaction, so a migration committing meanwhile (which
    /// creates its tables and records them together) is seen whole or not at all.
    static func holdsForeignTables(_ database: any SQLDatabase) async throws -> Bool {
        isForeign(try await tableNames(database))
    }

    /// Whether a database with these tables is another tool's: it has tables, and swift-mlops'
    /// migration record is not one of them.
    static func isForeign(_ tables: [String]) -> Bool {
        !tables.isEmpty && !tables.contains(SQLMigrator.table)
    }

    /// The names of the database's tables (PostgreSQL: those of its current schema, from the
    /// catalog, which lists tables the user may not read too; `information_schema` would hide
    /// them), read in one read transaction.
    static func tableNames(_ database: any SQLDatabase) async throws -> [String] {
        try await database.read { connection in
            let sql = connection.dialect == .postgresql
                ? "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
                : "SELECT name FROM sqlite_master WHERE type = 'table'"
            return try await connection.query(sql).map { try $0.decode(String.self, at: 0) }
        }
    }

    /// Runs `body` with a product's store at `location`: `open` builds it on the database,
    /// migrating its schema only when `migrate` is true (writing), never when reading.
    ///
    /// - Throws: As ``withDatabase(at:access:_:)``, and what `open` throws when the store's
    ///   schema cannot be used.
    static func withStore<Store, Result>(
        at location: StoreLocation, access: StoreAccess,
        open: (_ database: any SQLDatabase, _ migrate: Bool) async throws -> Store,
        _ body: (Store) async throws -> Result
    ) async throws -> Result {
        try await withDatabase(at: location, access: access) { database in
            try await body(try await open(database, access != .read))
        }
    }
}

extension StoreOptions {
    /// Runs `body` with the Lineage store of `--store` (see ``StoreSession/withStore(at:access:open:_:)``).
    func withLineageStore<Result>(_ access: StoreAccess, _ body: (SQLLineageStore) async throws -> Result) async throws -> Result {
        try await StoreSession.withStore(at: location, access: access, open: { try await SQLLineageStore(database: $0, migrate: $1) }, body)
    }

    /// Runs `body` with the drift baselines of `--store`.
    func withBaselineStore<Result>(_ access: StoreAccess, _ body: (SQLBaselineStore) async throws -> Result) async throws -> Result {
        try await StoreSession.withStore(at: location, access: access, open: { try await SQLBaselineStore(database: $0, migrate: $1) }, body)
    }

    /// Runs `body` with the model registry of `--store`.
    func withRegistryStore<Result>(_ access: StoreAccess, _ body: (SQLRegistryStore) async throws -> Result) async throws -> Result {
        try await StoreSession.withStore(at: location, access: access, open: { try await SQLRegistryStore(database: $0, migrate: $1) }, body)
    }
}
