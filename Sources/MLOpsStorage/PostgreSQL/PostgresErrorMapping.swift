#if PostgreSQL
internal import PostgresNIO

/// Turns postgres-nio errors into ``StorageError``s that say what to do.
enum PostgresErrorMapping {
    /// Serialization failures and lock waits that timed out: both are safe to retry from the start.
    static func isRetryable(_ error: any Error) -> Bool {
        let code = (error as? StorageError)?.code
        return code == .serializationFailure || code == .busy
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
            case "55P03":
                return StorageError(
                    .busy, "Another session kept a lock \(location) needs (\(message))", location: location, sql: sql,
                    databaseCode: state,
                    fix: "retry later; if it stays locked, look in pg_stat_activity for the session holding the lock (a long transaction, or one left idle in transaction) and end it.")
            case let code where code.hasPrefix("23"):
                return StorageError(
                    .constraintViolation, "A constraint refused the write: \(message)", location: location, sql: sql,
                    databaseCode: state, fix: "check the values against the table's keys and constraints.")
            case "42501":
                return StorageError(
                    .sqlFailed, "PostgreSQL refused a statement: \(message)", location: location, sql: sql, databaseCode: state,
                    fix: "the store URL's user lacks a privilege there: a store's tables are created by its first writer, which needs CREATE on the schema (`GRANT CREATE ON SCHEMA public TO <user>`, or a database the user owns), and every user then needs SELECT, INSERT, UPDATE and DELETE on them.")
            case let code where code.hasPrefix("28") || code == "3D000":
                return StorageError(
                    .connectionFailed, "PostgreSQL refused the login: \(message)", location: location, databaseCode: state,
                    fix: "check the user, password and database name in the store URL.")
            default:
                return StorageError(
                    .sqlFailed, "PostgreSQL refused a statement: \(message)", location: location, sql: sql, databaseCode: state)
            }
        }
        switch error.code {
        case .authMechanismRequiresPassword:
            return StorageError(
                .connectionFailed, "\(location) asks for a password and the store URL gives none", location: location,
                fix: "put the password in the URL: postgres://USER:PASSWORD@HOST:PORT/DATABASE (percent-encode @, : and / in it).")
        case .sslUnsupported:
            return StorageError(
                .connectionFailed, "\(location) does not offer TLS, and the store URL requires it (sslmode=require)", location: location,
                fix: "enable TLS on the server, or use sslmode=prefer or sslmode=disable where the network is trusted.")
        default:
            break
        }
        let underlying = error.underlying.map { " (\($0))" } ?? ""
        return StorageError(
            .connectionFailed, "The connection to \(location) failed: \(error.code)\(underlying)", location: location, sql: sql,
            fix: "check that the server runs and that host, port and TLS mode in the store URL are right.")
    }
}
#endif
