#if PostgreSQL
public import Logging
internal import PostgresNIO
import Synchronization

/// A store on a PostgreSQL server, for several services sharing one store (postgres-nio's pool).
///
/// - Writes run as `SERIALIZABLE` transactions; when PostgreSQL aborts one to keep it
///   serializable (SQLSTATE 40001 or 40P01) it is retried per
///   ``PostgresConfiguration/retryPolicy``.
/// - Reads run as `REPEATABLE READ READ ONLY` transactions: one consistent snapshot.
/// - Migrations take a transaction-scoped advisory lock, so services starting together migrate
///   one after the other.
public final class PostgresDatabase: SQLDatabase {
    /// How the database was reached.
    public let configuration: PostgresConfiguration
    /// The store URL, password removed.
    public let location: String
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger
    private let closed = Mutex(false)

    /// The PostgreSQL dialect.
    public var dialect: SQLDialect { .postgresql }

    /// Connects to the server and checks that the database answers.
    ///
    /// - Throws: ``StorageError`` (``StorageError/Code/connectionFailed``) when the server cannot be
    ///   reached in `connectTimeout`, refuses the login or has no such database.
    public init(
        configuration: PostgresConfiguration, connectTimeout: Duration = .seconds(10),
        logger: Logger = PostgresDatabase.defaultLogger
    ) async throws {
        self.configuration = configuration
        self.location = configuration.redactedURL
        self.logger = logger
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
        let location = location
        // One direct connection first: a wrong password or a missing database fails at once with
        // the server's reason, instead of the pool retrying until the timeout.
        do {
            try await withDeadline(connectTimeout, location: location) {
                var probeConfiguration = PostgresConnection.Configuration(
                    host: configuration.host, port: configuration.port, username: configuration.username,
                    password: configuration.password, database: configuration.database, tls: .disable)
                switch configuration.tls {
                case .disable: break
                case .prefer: probeConfiguration.tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
                case .require: probeConfiguration.tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                }
                let probe = try await PostgresConnection.connect(configuration: probeConfiguration, id: 0, logger: logger)
                try await probe.close()
            }
        } catch {
            throw PostgresErrorMapping.storageError(error, sql: nil, location: location) as? StorageError
                ?? StorageError(
                    .connectionFailed, "Cannot connect to \(location): \(error)", location: location,
                    fix: "check that the server runs and that host, port and TLS mode in the store URL are right.")
        }
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        self.client = client
        self.runner = Task { await client.run() }
    }

    deinit { runner.cancel() }

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

    public func close() async throws {
        closed.withLock { $0 = true }
        runner.cancel()
    }

    private func transaction<Result: Sendable>(
        begin: String, _ body: @Sendable (any SQLConnection) async throws -> Result
    ) async throws -> Result {
        let location = location
        let logger = logger
        guard !closed.withLock({ $0 }) else {
            throw StorageError(.closed, "The store \(location) is closed", location: location, fix: "open it again before using it.")
        }
        return try await configuration.retryPolicy.run(isRetryable: PostgresErrorMapping.isRetryable) {
            do {
                return try await client.withConnection { raw in
                    let connection = PostgresSQLConnection(connection: raw, logger: logger, location: location)
                    try await connection.executeScript(begin)
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
