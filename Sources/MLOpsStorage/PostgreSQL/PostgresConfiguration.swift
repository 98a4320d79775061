/// Where and how a ``PostgresDatabase`` connects.
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
    /// How often a serialization failure is retried.
    public var retryPolicy: TransactionRetryPolicy

    /// Creates a configuration.
    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
        tls: TLSMode = .disable, maximumConnections: Int = 8, retryPolicy: TransactionRetryPolicy = .standard
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.maximumConnections = max(2, maximumConnections)
        self.retryPolicy = retryPolicy
    }

    /// The store URL without the password, for messages and logs.
    public var redactedURL: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }
}
