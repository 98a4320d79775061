public import Logging
import ServiceLifecycle

/// Where a store lives, parsed from the one URL form every swift-mlops tool accepts.
///
/// | URL | meaning |
/// | --- | --- |
/// | `sqlite:///abs/path.sqlite` | a SQLite file at an absolute path |
/// | `sqlite:relative.sqlite` | a SQLite file relative to the current folder |
/// | `sqlite::memory:` | a private in-memory SQLite database |
/// | `postgres://user:pass@host:port/db` | a PostgreSQL database (`postgresql://` too) |
///
/// A PostgreSQL URL takes the options `sslmode=disable|prefer|require`, `connect_timeout=<seconds>`
/// and `application_name=<name>` after `?`. Its password never appears in ``description``, in
/// errors, or in a database's `location`.
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// A SQLite file.
    case sqliteFile(path: String)
    /// A private in-memory SQLite database.
    case sqliteMemory
    /// A PostgreSQL database.
    case postgres(PostgresConfiguration)

    /// The accepted forms, for error messages and help texts.
    public static let acceptedForms =
        "sqlite:///abs/path.sqlite, sqlite:relative.sqlite, sqlite::memory:, postgres://user:pass@host:port/db"

    /// Parses a store URL.
    ///
    /// A PostgreSQL URL takes these options after `?`: `sslmode` (`disable`, `prefer`,
    /// `require`), `connect_timeout` (whole seconds, as libpq reads it) and `application_name`.
    /// Reserved characters in the user name, password and database name are best
    /// percent-encoded (`%40` for `@`); a password with `@`, `/`, `?`, `#` or `:` as it is is
    /// read too, since the credentials end at the last `@` before the host.
    ///
    /// - Parameter text: The store URL.
    /// - Throws: ``StorageError`` (``StorageError/Code/invalidLocation``) that says what is wrong
    ///   and lists the accepted forms. The message never holds the URL's password.
    public init(parsing text: String) throws(StorageError) {
        let shown = StoreURLText.redacted(text)
        func invalid(_ why: String) -> StorageError {
            StorageError(
                .invalidLocation, "'\(shown)' is not a store URL: \(why)",
                fix: "use one of \(StoreLocation.acceptedForms).")
        }
        if text == "sqlite::memory:" {
            self = .sqliteMemory
        } else if text.hasPrefix("sqlite:"), text.contains("?") {
            // SQLite's own URI options (`mode=ro`, `cache=shared`) are not read here: the text
            // after `?` would silently become part of a new file's name.
            throw invalid("a sqlite: URL takes no options after '?' (a file whose name holds '?' needs another name)")
        } else if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard path.hasPrefix("/"), path.count > 1 else { throw invalid("sqlite:// takes an absolute path (three slashes in all)") }
            self = .sqliteFile(path: path)
        } else if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw invalid("the path is empty") }
            self = .sqliteFile(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try Self.parsePostgres(text, invalid: invalid))
        } else {
            throw invalid("the scheme is not sqlite or postgres")
        }
    }

    /// The options a `postgres://` URL accepts after `?`.
    static let postgresOptions = "sslmode, connect_timeout, application_name"

    private static func parsePostgres(
        _ text: String, invalid: (String) -> StorageError
    ) throws(StorageError) -> PostgresConfiguration {
        let scheme = text.hasPrefix("postgresql://") ? "postgresql://" : "postgres://"
        let parts = StoreURLText.split(text.dropFirst(scheme.count))
        let username: String
        var password: String? = nil
        if let userInfo = parts.userInfo {
            if let colon = userInfo.firstIndex(of: ":") {
                username = StoreURLText.percentDecoded(userInfo[..<colon])
                password = StoreURLText.percentDecoded(userInfo[userInfo.index(after: colon)...])
            } else {
                username = StoreURLText.percentDecoded(userInfo)
            }
        } else {
            username = ""
        }
        var rest = parts.hostAndRest
        guard !rest.contains("#") else { throw invalid("a store URL has no #fragment (write # in a password or name as %23)") }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw invalid("the database name is missing (…/dbname)") }
        let database = StoreURLText.percentDecoded(rest[rest.index(after: slash)...])
        guard !database.isEmpty else { throw invalid("the database name is empty") }
        let hostPort = rest[..<slash]
        guard !username.isEmpty else { throw invalid("the user name is missing (user@host)") }
        var host = String(hostPort)
        var port = 5432
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw invalid("an IPv6 host needs a closing ]") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()), (1...65535).contains(value) else {
                    throw invalid("the port is not a number from 1 to 65535")
                }
                port = value
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            guard let value = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(value) else {
                throw invalid("the port is not a number from 1 to 65535")
            }
            port = value
        }
        guard !host.isEmpty else { throw invalid("the host is missing") }
        guard parts.isCertain else { throw invalid("the host cannot be told apart from the credentials") }
        var tls = PostgresConfiguration.TLSMode.disable
        var connectTimeout = PostgresConfiguration.defaultConnectTimeout
        var applicationName: String? = nil
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let option = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard option.count == 2 else {
                throw invalid("the option '\(option[0])' has no value (write key=value; accepted options: \(postgresOptions))")
            }
            let value = StoreURLText.percentDecoded(option[1])
            switch option[0] {
            case "sslmode":
                guard let mode = PostgresConfiguration.TLSMode(rawValue: value) else {
                    throw invalid("sslmode must be disable, prefer or require")
                }
                tls = mode
            case "connect_timeout":
                guard let seconds = Int(value), (1...86_400).contains(seconds) else {
                    throw invalid("connect_timeout must be a whole number of seconds from 1 to 86400")
                }
                connectTimeout = .seconds(seconds)
            case "application_name":
                let printable = value.utf8.allSatisfy { (32..<127).contains($0) }
                guard !value.isEmpty, value.utf8.count <= 63, printable else {
                    throw invalid("application_name must be 1 to 63 printable ASCII characters")
                }
                applicationName = value
            default:
                var key = String(option[0].prefix(40))
                if option[0].count > 40 { key += "…" }
                throw invalid("the option '\(key)' is not known (accepted options: \(postgresOptions))")
            }
        }
        return PostgresConfiguration(
            host: host, port: port, username: username, password: password, database: database, tls: tls,
            connectTimeout: connectTimeout, applicationName: applicationName)
    }

    /// The URL of the location, with any password removed.
    public var description: String {
        switch self {
        case .sqliteFile(let path): path.hasPrefix("/") ? "sqlite://\(path)" : "sqlite:\(path)"
        case .sqliteMemory: "sqlite::memory:"
        case .postgres(let configuration): configuration.redactedURL
        }
    }

    /// The folder where the artifacts of a SQLite file store go by default: beside the file,
    /// named after it (`mlops.sqlite` → `mlops.artifacts`). `nil` for in-memory and PostgreSQL
    /// stores, which need an explicit artifact folder.
    public var defaultArtifactsPath: String? {
        guard case .sqliteFile(let path) = self else { return nil }
        let base = path.hasSuffix(".sqlite") ? String(path.dropLast(".sqlite".count)) : path
        return base + ".artifacts"
    }

    /// Opens the database the location names, for a caller that runs it itself.
    ///
    /// The database is a `Service`: its `run()` must run while the database is used
    /// (a PostgreSQL database waits for it before it lends a connection). A service adds the
    /// database to its `ServiceGroup`; a command or a test uses
    /// ``withDatabase(readOnly:logger:isolation:_:)``, which does all of this and closes the database.
    ///
    /// - Parameters:
    ///   - readOnly: open a SQLite file without ever writing to it (no WAL switch, no schema
    ///     change); PostgreSQL connections are opened as usual.
    ///   - logger: where a PostgreSQL connection pool logs (SQLite does not log).
    /// - Throws: ``StorageError`` saying why the database cannot be opened.
    public func openDatabase(readOnly: Bool = false, logger: Logger = Logger(label: "mlops.storage")) async throws -> any SQLDatabase {
        switch self {
        case .sqliteFile(let path): try await SQLiteDatabase(path: path, configuration: SQLiteConfiguration(readOnly: readOnly))
        case .sqliteMemory: try await SQLiteDatabase(path: ":memory:")
        case .postgres(let configuration):
            #if PostgreSQL
            try await PostgresDatabase(configuration: configuration, logger: logger)
            #else
            throw StorageError(
                .cannotOpen, "This build of swift-mlops leaves out PostgreSQL, so \(configuration.redactedURL) cannot be opened",
                fix: "build with the package's PostgreSQL trait (on by default), or use a sqlite: store.")
            #endif
        }
    }

    /// Opens the database, runs its `run()` beside `body`, and closes it when
    /// `body` returns or throws: how commands, tools and tests use a store.
    ///
    /// ```swift
    /// let count = try await StoreLocation(parsing: url).withDatabase { database in
    ///     try await database.read { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM notes") }
    /// }
    /// ```
    ///
    /// When this function returns or throws, no work of the database is left running: its
    /// `run()` has returned and its connections are closed. Do not keep the database past `body`.
    ///
    /// - Parameters:
    ///   - readOnly: open a SQLite file without ever writing to it (see
    ///     ``openDatabase(readOnly:logger:)``).
    ///   - logger: where a PostgreSQL connection pool logs.
    ///   - isolation: the actor `body` runs on: the caller's, so a body written on the main actor
    ///     (or any other) may use its state without sending it.
    ///   - body: the work to do with the database.
    /// - Returns: What `body` returned.
    /// - Throws: ``StorageError`` when the database cannot be opened, `run()` fails or closing
    ///   fails; otherwise what `body` threw.
    public func withDatabase<Result>(
        readOnly: Bool = false, logger: Logger = Logger(label: "mlops.storage"),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        let database = try await openDatabase(readOnly: readOnly, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self, isolation: isolation) { group in
            group.addTask { try await database.run() }
            do {
                let result = try await body(database)
                // run() ends when cancelled; it closes the database on its way out.
                group.cancelAll()
                do {
                    try await group.waitForAll()
                } catch is CancellationError {
                    // The expected way for run() to end.
                }
                try await database.close()
                return result
            } catch {
                group.cancelAll()
                try? await group.waitForAll()
                try? await database.close()
                throw error
            }
        }
    }
}
