#if PostgreSQL
public import Logging
internal import PostgresNIO
import ServiceLifecycle
import Synchronization

/// A store on a PostgreSQL server, for several services sharing one store (postgres-nio's pool).
///
/// - Writes run as `SERIALIZABLE` transactions; when PostgreSQL aborts one to keep it
///   serializable (SQLSTATE 40001 or 40P01) it is retried per
///   ``PostgresConfiguration/retryPolicy``.
/// - Reads run as `REPEATABLE READ READ ONLY` transactions: one consistent snapshot.
/// - Migrations take a transaction-scoped advisory lock, so services starting together migrate
///   one after the other.
///
/// Lifecycle: the connection pool works inside ``run()``, which the owner runs (a
/// `ServiceGroup`, a task group, or ``StoreLocation/withDatabase(readOnly:logger:isolation:_:)``); the
/// initializer starts no task. A transaction asked for before `run()` starts waits for it, up to
/// ``PostgresConfiguration/connectTimeout``, and then fails with
/// ``StorageError/Code/notRunning``. ``close()`` stops `run()` after the transactions in
/// progress have finished, and returns when it has.
public final class PostgresDatabase: SQLDatabase, SQLNotificationSource {
    /// How the database was reached.
    public let configuration: PostgresConfiguration
    /// The statement that starts every transaction's lock limit: `SET LOCAL`, so it holds for the
    /// transaction alone and works through a pooler such as PgBouncer in transaction mode (which
    /// refuses run-time settings in the startup message). Made once, here.
    let lockTimeoutStatement: String
    /// The store URL, password removed.
    public let location: String
    private let client: PostgresClient
    private let logger: Logger
    private let state = Mutex(LifecycleState())

    /// The PostgreSQL dialect.
    public var dialect: SQLDialect { .postgresql }

    /// Connects to the server and checks that the database answers.
    ///
    /// One connection is made directly, so a wrong password or a missing database fails here
    /// with the server's reason; the pool's connections are made once ``run()`` runs.
    ///
    /// - Parameters:
    ///   - configuration: Where and how to connect.
    ///   - connectTimeout: How long the first connection may take; `nil` takes
    ///     ``PostgresConfiguration/connectTimeout``.
    ///   - logger: Where the connection pool logs.
    /// - Throws: ``StorageError`` (``StorageError/Code/connectionFailed``) when the server cannot be
    ///   reached in time, refuses the login or has no such database. The error never holds the
    ///   password.
    public convenience init(
        configuration: PostgresConfiguration, connectTimeout: Duration? = nil,
        logger: Logger = PostgresDatabase.defaultLogger
    ) async throws {
        var adjusted = configuration
        if let connectTimeout { adjusted.connectTimeout = connectTimeout }
        try await self.init(settings: adjusted, logger: logger)
    }

    private init(settings configuration: PostgresConfiguration, logger: Logger) async throws {
        let connectTimeout = configuration.connectTimeout
        self.configuration = configuration
        self.lockTimeoutStatement = "SET LOCAL lock_timeout = '\(Self.milliseconds(configuration.lockTimeout))ms'"
        self.location = configuration.redactedURL
        self.logger = logger
        let startupParameters: [(String, String)] = configuration.applicationName.map { [("application_name", $0)] } ?? []
        var clientConfiguration = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: .disable)
        switch configuration.tls {
        case .disable: clientConfiguration.tls = .disable
        case .prefer: clientConfiguration.tls = .prefer(.makeClientConfiguration())
        case .require: clientConfiguration.tls = .require(.makeClientConfiguration())
        }
        clientConfiguration.options.maximumConnections = configuration.maximumConnections
        clientConfiguration.options.connectTimeout = connectTimeout
        clientConfiguration.options.additionalStartupParameters = startupParameters
        let location = location
        let password = configuration.password
        // One direct connection first: a wrong password or a missing database fails at once with
        // the server's reason, instead of the pool retrying until the timeout.
        do {
            try await withDeadline(connectTimeout, location: location) {
                var probeConfiguration = PostgresConnection.Configuration(
                    host: configuration.host, port: configuration.port, username: configuration.username,
                    password: configuration.password, database: configuration.database, tls: .disable)
                probeConfiguration.options.additionalStartupParameters = startupParameters
                switch configuration.tls {
                case .disable: break
                case .prefer: probeConfiguration.tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
                case .require: probeConfiguration.tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                }
                let probe = try await PostgresConnection.connect(configuration: probeConfiguration, id: 0, logger: logger)
                try await probe.close()
            }
        } catch {
            let mapped = PostgresErrorMapping.storageError(error, sql: nil, location: location) as? StorageError
                ?? StorageError(
                    .connectionFailed, "Cannot connect to \(location): \(error)", location: location,
                    fix: "check that the server runs and that host, port and TLS mode in the store URL are right.")
            throw mapped.removingSecret(password)
        }
        client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
    }

    /// The logger used when none is given: warnings and errors only, since the pool reports
    /// every connection attempt at info level.
    public static var defaultLogger: Logger {
        var logger = Logger(label: "mlops.storage.postgres")
        logger.logLevel = .warning
        return logger
    }

    public func read<Result: Sendable>(
        _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result {
        try await transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    public func write<Result: Sendable>(
        _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result {
        try await transaction(begin: "BEGIN ISOLATION LEVEL SERIALIZABLE", body)
    }

    public func write<Result: Sendable>(
        serializedBy lock: String, _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result {
        let key = Self.advisoryLockKey(lock)
        // READ COMMITTED: after waiting for the lock, each statement sees what the previous
        // holder committed (a SERIALIZABLE snapshot would be taken before the wait).
        return try await transaction(begin: "BEGIN ISOLATION LEVEL READ COMMITTED") { connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock(?)", [.integer(key)])
            return try await body(connection)
        }
    }

    /// A duration in whole milliseconds within what PostgreSQL's timeouts take: at least 1 (0
    /// would switch the timeout off), at most 2³¹ − 1.
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let total = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return Int64(Swift.max(1, Swift.min(Double(Int32.max), total.rounded(.down))))
    }

    /// The advisory lock key of a lock name: FNV-1a (64 bits) of `swift-mlops:` and the name,
    /// the same in every process and release.
    static func advisoryLockKey(_ name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "swift-mlops:\(name)".utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    public func migrate(_ schemas: [SQLSchema]) async throws -> MigrationReport {
        let location = location
        // READ COMMITTED: after waiting for the lock, the next statement sees what the previous
        // migrator committed. The lock key is fixed: "mlops" in ASCII.
        return try await transaction(begin: "BEGIN ISOLATION LEVEL READ COMMITTED") { connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock(465357836403)", [])
            return try await SQLMigrator.migrate(schemas, on: connection, location: location)
        }
    }

    public func checkIntegrity() async throws -> [String] {
        try await read { connection in
            var problems: [String] = []
            let invalidIndexes = try await connection.query(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT i.indisvalid AND n.nspname = current_schema()")
            for row in invalidIndexes {
                problems.append("index \(row.values.first.map { "\($0)" } ?? "?") is invalid (an interrupted CREATE INDEX CONCURRENTLY); rebuild it with REINDEX")
            }
            return problems
        }
    }

    // MARK: Lifecycle

    /// Runs the connection pool until the task is cancelled, the service group shuts down
    /// gracefully, or ``close()`` is called; then closes the database.
    ///
    /// On a graceful shutdown or ``close()``, transactions in progress finish first (the pool
    /// itself also stops on a graceful shutdown, so a `ServiceGroup` should list the database
    /// before the services that use it: they are shut down first). On cancellation the pool
    /// stops at once.
    ///
    /// - Throws: ``StorageError`` (``StorageError/Code/notRunning``) when `run()` is running
    ///   already, (``StorageError/Code/closed``) when the database was closed.
    public func run() async throws {
        let refusal: StorageError? = state.withLock { state in
            switch state.phase {
            case .idle:
                state.phase = .starting
                return nil
            case .starting, .running:
                return StorageError(
                    .notRunning, "run() of the store \(location) is running already", location: location,
                    fix: "run a database once, in one task group or service group.")
            case .closed:
                return closedError()
            }
        }
        if let refusal { throw refusal }
        let client = client
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Transactions are admitted from here on. The pool's run() begins a few
                // instructions later; nothing here wakes a waiting transaction (they poll), so
                // none can reach the pool first and make postgres-nio warn that run() was not called.
                self.markPoolStarted()
                await client.run()
            }
            await waitForStopRequest()
            await waitForTransactionsInProgress()
            group.cancelAll()
        }
        let closers = state.withLock { state in
            state.phase = .closed
            defer { state.closeWaiters = [] }
            return state.closeWaiters
        }
        for closer in closers { closer.resume() }
    }

    /// Closes the database: stops ``run()`` once the transactions in progress have finished and
    /// returns when it has. Later calls throw ``StorageError/Code/closed``.
    ///
    /// Closing twice is harmless. Do not call it from inside a ``read(_:)`` or ``write(_:)``
    /// body: it would wait for that body to finish.
    public func close() async throws {
        enum Next { case done, waitForRun(CheckedContinuation<Void, Never>?) }
        let next: Next = state.withLock { state in
            switch state.phase {
            case .idle:
                state.phase = .closed
                return .done
            case .starting, .running:
                state.stopRequested = true
                defer { state.stopWaiter = nil }
                return .waitForRun(state.stopWaiter)
            case .closed:
                return .done
            }
        }
        guard case .waitForRun(let stopWaiter) = next else { return }
        stopWaiter?.resume()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = state.withLock { state in
                if case .closed = state.phase { return true }
                state.closeWaiters.append(continuation)
                return false
            }
            if finished { continuation.resume() }
        }
    }

    /// Whether ``run()`` is running (for tests).
    var isRunning: Bool {
        state.withLock { state in
            switch state.phase {
            case .starting, .running: true
            case .idle, .closed: false
            }
        }
    }

    /// Suspends until ``close()`` is called, the service group shuts down gracefully, or the
    /// task is cancelled.
    private func waitForStopRequest() async {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let stopNow = state.withLock { state in
                        if state.stopRequested || Task.isCancelled { return true }
                        state.stopWaiter = continuation
                        return false
                    }
                    if stopNow { continuation.resume() }
                }
            } onGracefulShutdown: {
                self.requestStop()
            }
        } onCancel: {
            self.requestStop()
        }
    }

    private func requestStop() {
        let waiter = state.withLock { state in
            state.stopRequested = true
            defer { state.stopWaiter = nil }
            return state.stopWaiter
        }
        waiter?.resume()
    }

    /// Suspends until no transaction is in progress, or the task is cancelled.
    private func waitForTransactionsInProgress() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state in
                    if state.transactionsInProgress == 0 || Task.isCancelled { return true }
                    state.drainWaiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.drainWaiter = nil }
                return state.drainWaiter
            }
            waiter?.resume()
        }
    }

    /// Admits transactions from now on.
    private func markPoolStarted() {
        state.withLock { state in
            if case .starting = state.phase { state.phase = .running }
        }
    }

    /// Counts a transaction in, once ``run()`` runs: at once when it does, after waiting for it
    /// (up to the connect timeout) when it has not started yet.
    private func enterTransaction() async throws {
        enum Admission { case go, wait, refuse(StorageError) }
        let deadline = ContinuousClock.now + configuration.connectTimeout
        while true {
            let admission: Admission = state.withLock { state in
                switch state.phase {
                case .running where !state.stopRequested:
                    state.transactionsInProgress += 1
                    return .go
                case .running, .closed:
                    return .refuse(closedError())
                case .idle, .starting:
                    return .wait
                }
            }
            switch admission {
            case .go:
                return
            case .refuse(let error):
                throw error
            case .wait:
                // Polled rather than woken: a wake-up from run() could let this transaction
                // reach the pool before the pool's own run() has begun.
                guard ContinuousClock.now < deadline else { throw notRunningError() }
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    private func leaveTransaction() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.transactionsInProgress -= 1
            guard state.transactionsInProgress == 0 else { return nil }
            defer { state.drainWaiter = nil }
            return state.drainWaiter
        }
        waiter?.resume()
    }

    private func notRunningError() -> StorageError {
        StorageError(
            .notRunning,
            "The store \(location) was used, but its run() did not start within \(configuration.connectTimeout), so it has no connections",
            location: location,
            fix: "run the database in a ServiceGroup or a task group, or open it with StoreLocation.withDatabase { … }.")
    }

    private func closedError() -> StorageError {
        StorageError(.closed, "The store \(location) is closed", location: location, fix: "open it again before using it.")
    }

    // MARK: Notifications

    /// Listens on `channel` on a connection of its own from the pool (held until this returns).
    public func listen(
        on channel: String, onListening: @Sendable () async throws -> Void, onNotification: @Sendable (String) async throws -> Void
    ) async throws {
        try NotificationChannel.check(channel, location: location)
        // Admitted like a transaction (waits for run(), refused once closed), but not counted as
        // one: a listener runs until cancelled, and close() must not wait for it.
        try await enterTransaction()
        leaveTransaction()
        let location = location
        do {
            try await client.withConnection { raw in
                try await raw.listen(on: channel) { notifications in
                    try await onListening()
                    for try await notification in notifications {
                        try await onNotification(notification.payload)
                    }
                }
            }
        } catch {
            if Task.isCancelled { return }
            throw PostgresErrorMapping.storageError(error, sql: "LISTEN \(channel)", location: location)
        }
        if !Task.isCancelled {
            throw StorageError(
                .connectionFailed, "The connection listening on '\(channel)' closed", location: location,
                fix: "listen again; the database may have been closed or the server restarted.")
        }
    }

    // MARK: Transactions

    private func transaction<Result: Sendable>(
        begin: String, _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result {
        let location = location
        let logger = logger
        let limit = lockTimeoutStatement
        try await enterTransaction()
        defer { leaveTransaction() }
        return try await configuration.retryPolicy.run(isRetryable: PostgresErrorMapping.isRetryable) {
            do {
                return try await client.withConnection { raw in
                    let connection = PostgresSQLConnection(connection: raw, logger: logger, location: location)
                    try await connection.executeScript(begin)
                    try await connection.executeScript(limit)
                    do {
                        let result = try await body(connection)
                        try await connection.executeScript("COMMIT")
                        return result
                    } catch {
                        try? await connection.executeScript("ROLLBACK")
                        throw error
                    }
                }
            } catch {
                throw PostgresErrorMapping.storageError(error, sql: nil, location: location)
            }
        }
    }
}

/// Where a ``PostgresDatabase`` is in its life, behind its mutex.
private struct LifecycleState {
    /// Not run yet; run() called, pool not started yet; pool running; closed.
    enum Phase { case idle, starting, running, closed }
    var phase = Phase.idle
    /// close(), a graceful shutdown or cancellation asked run() to stop.
    var stopRequested = false
    /// run(), waiting for a stop request.
    var stopWaiter: CheckedContinuation<Void, Never>?
    var transactionsInProgress = 0
    /// run(), waiting for the transactions in progress before it stops the pool.
    var drainWaiter: CheckedContinuation<Void, Never>?
    /// close() calls waiting for run() to return.
    var closeWaiters: [CheckedContinuation<Void, Never>] = []
}

/// Runs `operation`, throwing ``StorageError/Code/connectionFailed`` when it takes longer than `limit`.
func withDeadline<Result: Sendable>(
    _ limit: Duration, location: String, _ operation: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else {
            throw StorageError(
                .connectionFailed, "No answer from \(location) within \(limit)", location: location,
                fix: "check that the server runs, that host and port are right, and that no firewall drops the connection.")
        }
        return result
    }
}
#endif
