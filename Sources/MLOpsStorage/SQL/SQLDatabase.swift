public import ServiceLifecycle

/// A SQL database that swift-mlops stores are written on: SQLite or PostgreSQL behind one API.
///
/// All access is closure-scoped. ``read(_:)`` lends a connection inside a read transaction (one
/// consistent snapshot); ``write(_:)`` lends one inside a write transaction that commits when
/// the body returns and rolls back when it throws.
///
/// ```swift
/// let database = try await StoreLocation(parsing: "sqlite:mlops.sqlite").openDatabase()
/// try await database.write { db in
///     try await db.execute("INSERT INTO notes(id, text) VALUES (?, ?)", [1, "hello"])
/// }
/// let count = try await database.read { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM notes") }
/// ```
///
/// Thread safety: a database is `Sendable`; any number of tasks may call it at once. Writes are
/// serialized; on SQLite reads run beside the writer (WAL).
///
/// Lifecycle: a database is a swift-service-lifecycle `Service`. Its `run()` does the
/// database's background work (PostgreSQL's connection pool) until the task running it is
/// cancelled or the service group shuts down gracefully, then closes the database. Use
/// ``StoreLocation/withDatabase(readOnly:logger:isolation:_:)`` to open, run and close one around a
/// piece of work, or add the database to a `ServiceGroup` in a service. One exception to
/// structured work: a SQLite database checkpoints its write-ahead log on a task of its own
/// between commits (so that no commit waits for the checkpoint's fsyncs); `close()`, and so the
/// end of `run()`, stops that task and waits for it.
public protocol SQLDatabase: Service {
    /// The SQL dialect, for migrations that differ between drivers.
    var dialect: SQLDialect { get }

    /// Where the database is, as a store URL with any password removed.
    var location: String { get }

    /// Runs `body` inside a read-only transaction and returns its result.
    func read<Result: Sendable>(
        _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result

    /// Runs `body` inside a write transaction: committed when it returns, rolled back when it throws.
    ///
    /// When another writer holds the database (SQLite `SQLITE_BUSY`) or PostgreSQL aborts the
    /// transaction to keep it serializable, the whole body is run again, a bounded number of
    /// times (see ``TransactionRetryPolicy``). Keep side effects outside the database out of
    /// the body, or make them safe to repeat.
    func write<Result: Sendable>(
        _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result

    /// Runs `body` inside a write transaction that waits for every other transaction serialized
    /// by the same `lock` and then sees everything they committed.
    ///
    /// For writes that all touch one hot row (an append-only chain's head, a counter): under
    /// PostgreSQL's `SERIALIZABLE` isolation, plain ``write(_:)``s that read and extend the same
    /// row abort each other and retry, and under load can run out of retries. Here they queue
    /// instead: PostgreSQL takes a transaction-scoped advisory lock named after `lock` in a
    /// `READ COMMITTED` transaction, so each statement after the lock sees what the previous
    /// holder committed. SQLite serializes every writer already (`BEGIN IMMEDIATE`).
    ///
    /// - Parameters:
    ///   - lock: names the queue; writers with different names do not wait for each other.
    ///   - body: the transaction's work.
    func write<Result: Sendable>(
        serializedBy lock: String, _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result

    /// ``read(_:)``, with a hint of how long `body` runs (see ``SQLTransactionDuration``).
    ///
    /// The default implementation ignores the hint. A brief SQLite read that meets a lock held
    /// by another process (rare: WAL recovery) is run again on the connection's thread, so the
    /// body may run twice; keep it free of side effects.
    func read<Result: Sendable>(
        expecting duration: SQLTransactionDuration, _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result

    /// ``write(serializedBy:_:)``, with a hint of how long `body` runs (see
    /// ``SQLTransactionDuration``).
    ///
    /// The default implementation ignores the hint. As with every write, the body may run more
    /// than once: a brief SQLite write that finds another process holding the lock is rolled
    /// back and run again on the connection's thread.
    func write<Result: Sendable>(
        serializedBy lock: String, expecting duration: SQLTransactionDuration,
        _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result

    /// Brings the schemas up to their latest versions, in one transaction that concurrent
    /// migrators (other processes included) take one at a time.
    ///
    /// - Throws: ``StorageError`` (``StorageError/Code/schemaTooNew``) when the database holds a
    ///   newer version of a schema than `schemas` knows; nothing is changed then.
    @discardableResult
    func migrate(_ schemas: [SQLSchema]) async throws -> MigrationReport

    /// Checks the database's integrity and returns the problems found (empty when healthy).
    func checkIntegrity() async throws -> [String]

    /// Closes every connection. Calls made afterwards throw ``StorageError/Code/closed``.
    ///
    /// When `run()` is running, it is asked to stop, and `close()` returns once it has: work in
    /// progress finishes first, and nothing of the database is left running afterwards. Closing
    /// twice is harmless. Do not call it from inside a ``read(_:)`` or ``write(_:)`` body.
    func close() async throws
}

extension SQLDatabase {
    public func read<Result: Sendable>(
        expecting duration: SQLTransactionDuration, _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result {
        try await read(body)
    }

    public func write<Result: Sendable>(
        serializedBy lock: String, expecting duration: SQLTransactionDuration,
        _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result {
        try await write(serializedBy: lock, body)
    }
}
