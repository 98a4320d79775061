public import Logging

/// Where a store lives, parsed from the one URL form every swift-mlops tool accepts.
///
/// | URL | meaning |
/// | --- | --- |
/// | `sqlite:///abs/path.sqlite` | a SQLite file at an absolute path |
/// | `sqlite:relative.sqlite` | a SQLite file relative to the current folder |
/// | `sqlite::memory:` | a private in-memory SQLite database |
/// | `postgres://user:pass@host:port/db` | a PostgreSQL database (`postgresql://` too; `?sslmode=disable\|prefer\|require`) |
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
    /// - Throws: ``StorageError`` (``StorageError/Code/invalidLocation``) that lists the accepted forms.
    public init(parsing text: String) throws(StorageError) {
        func invalid(_ why: String) -> StorageError {
            StorageError(
                .invalidLocation, "'\(text)' is not a store URL: \(why)",
                fix: "use one of \(StoreLocation.acceptedForms).")
        }
        if text == "sqlite::memory:" {
            self = .sqliteMemory
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

    private static func parsePostgres(
        _ text: String, invalid: (String) -> StorageError
    ) throws(StorageError) -> PostgresConfiguration {
        let scheme = text.hasPrefix("postgresql://") ? "postgresql://" : "postgres://"
        var rest = text.dropFirst(scheme.count)
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw invalid("the database name is missing (…/dbname)") }
        let database = String(rest[rest.index(after: slash)...])
        guard !database.isEmpty else { throw invalid("the database name is empty") }
        let authority = rest[..<slash]
        var userInfo: Substring = ""
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
        }
        let username: String
        var password: String? = nil
        if let colon = userInfo.firstIndex(of: ":") {
            username = percentDecoded(userInfo[..<colon])
            password = percentDecoded(userInfo[userInfo.index(after: colon)...])
        } else {
            username = percentDecoded(userInfo)
        }
        guard !username.isEmpty else { throw invalid("the user name is missing (user@host)") }
        var host = String(hostPort)
        var port = 5432
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw invalid("an IPv6 host needs a closing ]") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()), (1...65535).contains(value) else { throw invalid("the port is not a number from 1 to 65535") }
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
        var tls = PostgresConfiguration.TLSMode.disable
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw invalid("the query part '\(pair)' is not key=value") }
            switch parts[0] {
            case "sslmode":
                guard let mode = PostgresConfiguration.TLSMode(rawValue: String(parts[1])) else {
                    throw invalid("sslmode must be disable, prefer or require")
                }
                tls = mode
            default:
                throw invalid("the option '\(parts[0])' is not known (only sslmode is)")
            }
        }
        return PostgresConfiguration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
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

    /// Opens the database the location names.
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
}
