#if PostgreSQL
internal import PostgresNIO

/// Turns postgres-nio errors into ``StorageError``s that say what to do.
enum PostgresErrorMapping {
    static func isRetryable(_ error: any Error) -> Bool {
        (error as? StorageError)?.code == .serializationFailure
    }

    /// The error a caller sees: database errors become ``StorageError``s, anything else
    /// (an error from the caller's own body) is returned unchanged.
    static func storageError(_ error: any Error, sql: String?, location: String) -> any Error {
        if let error = error as? StorageError { return error }
        return mapped(error, sql: sql, location: location) ?? error
    }

    private static func mapped(_ error: any Error, sql: String?, location: String) -> StorageError? {
        if let error = error as? NIOSSLError {
            return StorageError(
                .connectionFailed, "TLS with \(location) failed: \(error)", location: location,
                fix: "use sslmode=disable for a server without TLS, or check its certificate.")
        }
        guard let error = error as? PSQLError else {
            // Not the database's: an error thrown by the caller's own transaction body passes through.
            return nil
        }
        if let info = error.serverInfo {
            let state = info[.sqlState] ?? "?????"
            let message = [info[.message], info[.detail], info[.hint]].compactMap { $0 }.joined(separator: "; ")
            switch state {
            case "40001", "40P01":
                return StorageError(
                    .serializationFailure, "PostgreSQL aborted a transaction that conflicted with another: \(message)",
                    location: location, sql: sql, databaseCode: state,
                    fix: "retry the operation; if it keeps failing, fewer concurrent writers on the same rows help.")
            case let code where code.hasPrefix("23"):
                return StorageError(
                    .constraintViolation, "A constraint refused the write: \(message)", location: location, sql: sql,
                    databaseCode: state, fix: "check the values against the table's keys and constraints.")
            case let code where code.hasPrefix("28") || code == "3D000":
                return StorageError(
                    .connectionFailed, "PostgreSQL refused the login: \(message)", location: location, databaseCode: state,
                    fix: "check the user, password and database name in the store URL.")
            default:
                return StorageError(
                    .sqlFailed, "PostgreSQL refused a statement: \(message)", location: location, sql: sql, databaseCode: state)
            }
        }
        let underlying = error.underlying.map { " (\($0))" } ?? ""
        return StorageError(
            .connectionFailed, "The connection to \(location) failed: \(error.code)\(underlying)", location: location, sql: sql,
            fix: "check that the server runs and that host, port and TLS mode in the store URL are right.")
    }
}
#endif
