/// Where and how a ``PostgresDatabase`` connects.
///
/// Its ``description``, its debug description and its reflection (`dump`, `Mirror`) all leave
/// the password out, so a configuration can be logged or printed safely.
public struct PostgresConfiguration: Sendable, Hashable {
    /// Whether to encrypt the connection.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP (`sslmode=disable`); the default, for servers on the same host or private network.
        case disable
        /// TLS when the server offers it (`sslmode=prefer`).
        case prefer
        /// TLS or no connection (`sslmode=require`).
        case require
    }

    /// How long a connection attempt may take when none is given: 10 seconds.
    public static let defaultConnectTimeout: Duration = .seconds(10)

    /// How long one statement waits for a lock when none is given: 5 seconds, SQLite's busy
    /// timeout, so that with the standard retry policy a store another session keeps locked is
    /// given up on after about 80 seconds on either database.
    public static let defaultLockTimeout: Duration = .seconds(5)

    /// The server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The role to log in as.
    public var username: String
    /// The role's password, if the server asks for one.
    public var password: String?
    /// The database to use.
    public var database: String
    /// Whether to encrypt the connection.
    public var tls: TLSMode
    /// How many connections the pool opens at most.
    public var maximumConnections: Int
    /// How often a transaction is tried again after a serialization failure or a lock wait that
    /// timed out.
    public var retryPolicy: TransactionRetryPolicy
    /// How long a statement waits for a lock (a row, a table, the advisory locks that serialize
    /// migrations and some writes) before PostgreSQL cancels it (`SET LOCAL lock_timeout` at the
    /// start of every transaction; between 1 ms and 2³¹ − 1 ms); the transaction
    /// is then retried under ``retryPolicy`` and, when every try timed out, fails with
    /// ``StorageError/Code/busy``. Without it a session that holds a lock (another tool's
    /// `LOCK TABLE`, a forgotten open transaction) would keep a command waiting forever.
    public var lockTimeout: Duration
    /// How long a connection attempt may take (`connect_timeout`, in seconds, in a store URL).
    public var connectTimeout: Duration
    /// The name the server shows for the connections in `pg_stat_activity`
    /// (`application_name` in a store URL); `nil` leaves the server's default.
    public var applicationName: String?

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - host: The server's host name or address.
    ///   - port: The server's port.
    ///   - username: The role to log in as.
    ///   - password: The role's password, if the server asks for one.
    ///   - database: The database to use.
    ///   - tls: Whether to encrypt the connection.
    ///   - maximumConnections: How many connections the pool opens at most (at least 2).
    ///   - retryPolicy: How often a transaction is tried again after a serialization failure or a
    ///     lock wait that timed out.
    ///   - connectTimeout: How long a connection attempt may take.
    ///   - applicationName: The name the server shows for the connections.
    ///   - lockTimeout: How long a statement waits for a lock (at least a millisecond).
    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
        tls: TLSMode = .disable, maximumConnections: Int = 8, retryPolicy: TransactionRetryPolicy = .standard,
        connectTimeout: Duration = PostgresConfiguration.defaultConnectTimeout, applicationName: String? = nil,
        lockTimeout: Duration = PostgresConfiguration.defaultLockTimeout
    ) {
        self.lockTimeout = max(lockTimeout, .milliseconds(1))
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.maximumConnections = max(2, maximumConnections)
        self.retryPolicy = retryPolicy
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
    }

    /// The store URL without the password (`***` in its place), for messages and logs.
    ///
    /// Options that differ from the defaults follow as a query: `?sslmode=require&connect_timeout=5`.
    public var redactedURL: String {
        let user = StoreURLText.percentEncoded(username)
        let hostText = host.contains(":") ? "[\(host)]" : host
        var text = "postgres://\(user)\(password == nil ? "" : ":***")@\(hostText):\(port)/\(StoreURLText.percentEncoded(database))"
        var options: [String] = []
        if tls != .disable { options.append("sslmode=\(tls.rawValue)") }
        if connectTimeout != Self.defaultConnectTimeout { options.append("connect_timeout=\(connectTimeout.components.seconds)") }
        if let applicationName { options.append("application_name=\(StoreURLText.percentEncoded(applicationName))") }
        if !options.isEmpty { text += "?" + options.joined(separator: "&") }
        return text
    }
}

extension PostgresConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The store URL without the password.
    public var description: String { redactedURL }

    /// The store URL without the password.
    public var debugDescription: String { redactedURL }

    /// The configuration's fields, with the password shown as `***`.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "host": host, "port": port, "username": username, "password": password == nil ? "nil" : "***",
            "database": database, "tls": tls, "maximumConnections": maximumConnections,
            "connectTimeout": connectTimeout, "applicationName": applicationName as Any, "lockTimeout": lockTimeout,
        ])
    }
}
