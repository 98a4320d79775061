internal import CSQLite
import Foundation
import Synchronization

/// The embedded default store: a SQLite file through the system's libsqlite3.
///
/// - The file is switched to WAL journaling, so readers run beside the one writer and several
///   processes can share the file.
/// - Writes take the lock up front (`BEGIN IMMEDIATE`); a writer that finds another process
///   holding it waits up to ``SQLiteConfiguration/busyTimeout``, then the transaction is retried
///   per ``SQLiteConfiguration/retryPolicy``.
/// - Foreign keys are enforced, `synchronous = NORMAL` (durable across process crashes; the
///   last transactions may roll back after a power loss, never corrupting the file).
/// - Each connection keeps a cache of prepared statements.
///
/// - The write-ahead log is checkpointed (`PASSIVE`) on a connection of its own once it passes
///   1,000 pages, beside the writer instead of inside the commit that took it there; a writer
///   that never pauses checkpoints itself at 4,000 (see "Checkpoints run beside the writer" in
///   Documentation/Architecture.md).
///
/// SQLite calls run on a thread of the connection's own, and callers suspend while it works or
/// waits for another process's lock (up to the busy timeout); only transactions marked
/// ``SQLTransactionDuration/brief`` run on the caller's thread, and never wait there for a lock.
/// Cancelling a task interrupts its statement, or its wait for a connection, and the call throws
/// `CancellationError`.
public final class SQLiteDatabase: SQLDatabase {
    /// The file's path, or `:memory:`.
    public let path: String
    /// The store URL of the file.
    public let location: String
    /// The configuration the database was opened with.
    public let configuration: SQLiteConfiguration
    private let writers: ResourcePool<SQLiteConnection>
    /// How many brief transactions found a lock held and moved to their connection's thread
    /// (for tests).
    let briefFallbacks = Atomic<Int>(0)
    private let readers: ResourcePool<SQLiteConnection>
    /// Checkpoints the write-ahead log beside the writer; nil for a read-only or in-memory database.
    let checkpointer: SQLiteCheckpointer?
    /// How many checkpoints a committing writer ran itself (for tests).
    let inlineCheckpoints = Atomic<Int>(0)

    /// The SQLite dialect.
    public var dialect: SQLDialect { .sqlite }

    /// Opens the SQLite file at `path`, creating it when it does not exist.
    ///
    /// Pass `":memory:"` for a private in-memory database (one connection; gone when closed).
    ///
    /// - Throws: ``StorageError`` with ``StorageError/Code/notADatabase`` for a file that is not
    ///   SQLite (the file is left as it was), ``StorageError/Code/cannotOpen`` for a path that
    ///   cannot be created or written.
    public init(path: String, configuration: SQLiteConfiguration = SQLiteConfiguration()) async throws {
        self.path = path
        self.configuration = configuration
        // What the connections open with: the caller's configuration, and for a read-only file
        // that SQLite can leave as it found it, the read-write handle under query_only.
        var adjusted = configuration
        if adjusted.readOnly && path != ":memory:" {
            adjusted.opensWritableToLeaveNoSideFiles = Self.canLeaveNoSideFiles(path)
        }
        let configuration = adjusted
        let location = path == ":memory:" ? "sqlite::memory:" : (path.hasPrefix("/") ? "sqlite://\(path)" : "sqlite:\(path)")
        self.location = location
        // Connections opened later (readers) must reach the same file even if the process changes
        // its working folder: resolve a relative path once, now.
        let path = path == ":memory:" || path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let writer: SQLiteConnection
        do {
            writer = try await SQLiteConnection.open(path: path, location: path, create: true, configuration: configuration)
        } catch let error where configuration.readOnly && !configuration.opensWritableToLeaveNoSideFiles && path != ":memory:" {
            // A WAL-mode file read without write access to it or its folder: SQLite cannot make
            // the -shm file its readers share. With no -wal file (or an empty one), every commit
            // is in the file itself, which is then read as it is (immutable); with one, it cannot
            // be read here. A rollback journal beside it (a writer killed mid-transaction) is
            // reported as it is; an empty one holds nothing to roll back (SQLite does not count
            // it as hot) and is passed over.
            if Self.holdsBytes(path + "-journal") || !FileManager.default.isReadableFile(atPath: path) {
                throw error
            }
            guard !Self.holdsBytes(path + "-wal") else {
                throw StorageError(
                    .cannotOpen,
                    "\(location) cannot be read without write access to its folder: its write-ahead log (\(path)-wal) holds commits not yet in the file, and SQLite must create \(path)-shm to read them (\(error))",
                    location: location, fix: "read it as a user who may write its folder, or have its owner run any writing mlops command on it first, which folds the log into the file.")
            }
            var immutable = configuration
            immutable.opensImmutable = true
            writer = try await SQLiteConnection.open(path: path, location: path, create: false, configuration: immutable)
        }
        if !configuration.readOnly {
            do {
                try await writer.enableWriteAheadLog(retryPolicy: configuration.retryPolicy)
            } catch {
                await writer.close()
                throw error
            }
        }
        let created = Mutex<SQLiteConnection?>(writer)
        writers = ResourcePool(capacity: 1) {
            // The first lease takes the connection opened above; the pool never makes a second one.
            guard let connection = created.withLock({ $0.take() }) else {
                throw StorageError(.closed, "The writer connection to \(location) is gone", location: location)
            }
            return connection
        }
        checkpointer = path == ":memory:" || configuration.readOnly ? nil : SQLiteCheckpointer(path: path, configuration: configuration)
        if path == ":memory:" || configuration.readOnly {
            // Every connection to ":memory:" is a separate database, and a read-only file needs
            // no separate readers: reads share the one connection.
            readers = writers
        } else {
            readers = ResourcePool(capacity: configuration.maximumReaders) {
                let reader = try await SQLiteConnection.open(path: path, location: path, create: false, configuration: configuration)
                do {
                    try await reader.perform { try $0.run("PRAGMA query_only = ON") }
                } catch {
                    await reader.close()
                    throw error
                }
                return reader
            }
        }
    }

    /// Whether something other than an empty regular file is at `path` (a side file that
    /// matters: an empty `-wal` or `-journal` holds no commits).
    private static func holdsBytes(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        return info.st_mode & S_IFMT != S_IFREG || info.st_size > 0
    }

    /// Whether a read-only open of `path` may open the file read-write under `query_only` so
    /// that nothing is left beside it: no `-wal`, `-shm` or `-journal` file there now (so no
    /// other connection uses it in WAL mode, and no hot journal waits to be rolled back, which a
    /// writable connection would do on its first read), and write access to the file and its
    /// folder (where SQLite creates and removes the side files). The file itself is not opened
    /// here: closing another descriptor of it would drop this process's locks on it.
    static func canLeaveNoSideFiles(_ path: String) -> Bool {
        let manager = FileManager.default
        for suffix in ["-wal", "-shm", "-journal"] where manager.fileExists(atPath: path + suffix) { return false }
        return access(path, W_OK) == 0 && access(PathText.folder(of: path), W_OK) == 0
    }

    public func read<Result: Sendable>(
        _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result {
        try await transaction(on: readers, begin: "BEGIN DEFERRED", .unbounded, body)
    }

    /// A read that, when `duration` is ``SQLTransactionDuration/brief``, runs on the caller's
    /// thread (see ``SQLTransactionDuration``); if it meets a lock another process holds, it
    /// runs again on the connection's thread, so its body may run twice.
    public func read<Result: Sendable>(
        expecting duration: SQLTransactionDuration, _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result {
        try await transaction(on: readers, begin: "BEGIN DEFERRED", duration, body)
    }

    public func write<Result: Sendable>(
        _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result {
        try await transaction(on: writers, begin: "BEGIN IMMEDIATE", .unbounded, body)
    }

    /// A plain ``write(_:)``: SQLite's `BEGIN IMMEDIATE` already lets one writer in at a time,
    /// and each sees what the previous one committed.
    public func write<Result: Sendable>(
        serializedBy lock: String, _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result {
        try await write(body)
    }

    /// A plain write (SQLite serializes every writer already); when `duration` is
    /// ``SQLTransactionDuration/brief`` it runs on the caller's thread, and moves to the
    /// connection's thread only when another process holds the write lock.
    public func write<Result: Sendable>(
        serializedBy lock: String, expecting duration: SQLTransactionDuration,
        _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result {
        try await transaction(on: writers, begin: "BEGIN IMMEDIATE", duration, body)
    }

    /// Leases a connection from `pool`, runs `body` between `begin` and COMMIT (ROLLBACK when it
    /// throws), and retries the whole transaction while SQLite answers busy.
    ///
    /// A brief transaction first runs on the caller's thread with lock waits off; when SQLite
    /// answers busy there it has been rolled back, and it runs again on the connection's thread.
    private func transaction<Result: Sendable>(
        on pool: ResourcePool<SQLiteConnection>, begin: String, _ duration: SQLTransactionDuration,
        _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result {
        try await configuration.retryPolicy.run(isRetryable: Self.isBusy) {
            try await pool.withResource(onClosed: closedError) { connection in
                let result = try await run(begin: begin, duration, body, on: connection)
                // Only the writer's commits add to the log (a reader's gauge stays at 0).
                if pool === writers, let checkpointer, checkpointer.afterCommit(walPages: connection.walPages) {
                    // Through `perform`, so on the connection's thread: a checkpoint ends with an fsync.
                    inlineCheckpoints.add(1, ordering: .relaxed)
                    await checkpointer.waitUntilIdle()
                    await connection.checkpoint()
                    // Until the next commit reports the log's size, take it as copied: a write
                    // that changes nothing must not checkpoint again. (A checkpoint that could
                    // not finish is found by the next commit, whose size is still large.)
                    connection.resetWALGauge()
                }
                return result
            }
        }
    }

    /// The transaction on `connection`: a brief one on the caller's thread first, falling back
    /// to the connection's thread when SQLite answers busy there; any other on the connection's
    /// thread, where its statements are plain calls, not a round trip each (see
    /// SQLiteConnectionExecutor).
    private func run<Result: Sendable>(
        begin: String, _ duration: SQLTransactionDuration, _ body: @Sendable (any SQLConnection) async throws -> Result,
        on connection: SQLiteConnection
    ) async throws -> Result {
        if duration == .brief {
            let attempt = try await connection.runningInline(isBusy: Self.isBusy) {
                try await Self.run(begin: begin, body, on: connection)
            }
            if let result = attempt { return result }
            briefFallbacks.add(1, ordering: .relaxed)
        }
        return try await withTaskExecutorPreference(connection.executor) {
            try await Self.run(begin: begin, body, on: connection)
        }
    }

    /// `begin`, `body`, then COMMIT, or ROLLBACK when anything throws.
    private static func run<Result: Sendable>(
        begin: String, _ body: @Sendable (any SQLConnection) async throws -> Result, on connection: SQLiteConnection
    ) async throws -> Result {
        try await connection.perform { try $0.executeTransactionControl(begin) }
        do {
            let result = try await body(connection)
            try await connection.perform(cancellable: false) { try $0.executeTransactionControl("COMMIT") }
            return result
        } catch {
            // Not cancellable: a cancelled transaction must still roll back. SQLite may have
            // rolled back already (an interrupted write does), so a failure is fine.
            _ = try? await connection.perform(cancellable: false) { try $0.run("ROLLBACK") }
            throw error
        }
    }

    public func migrate(_ schemas: [SQLSchema]) async throws -> MigrationReport {
        let location = location
        return try await write { connection in
            try await SQLMigrator.migrate(schemas, on: connection, location: location)
        }
    }

    public func checkIntegrity() async throws -> [String] {
        try await read { connection in
            var problems: [String] = []
            for row in try await connection.query("PRAGMA integrity_check") {
                if case .text(let text) = row.values.first, text != "ok" { problems.append("integrity: \(text)") }
            }
            for row in try await connection.query("PRAGMA foreign_key_check") {
                problems.append("foreign key: table \(row.values.first.map { "\($0)" } ?? "?") row \(row.values.dropFirst().first.map { "\($0)" } ?? "?") points at a missing row")
            }
            return problems
        }
    }

    public func close() async throws {
        await checkpointer?.close()
        for connection in writers.close() { await connection.close() }
        for connection in readers.close() { await connection.close() }
    }

    private func closedError() -> any Error {
        StorageError(.closed, "The store \(location) is closed", location: location, fix: "open it again before using it.")
    }

    private static func isBusy(_ error: any Error) -> Bool {
        (error as? StorageError)?.code == .busy
    }
}
