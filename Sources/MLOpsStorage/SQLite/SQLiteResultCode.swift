internal import CSQLite

/// Turns SQLite result codes into ``StorageError``s that say what to do.
enum SQLiteResultCode {
    /// Whether the primary code is SQLITE_BUSY or SQLITE_LOCKED: another connection holds a lock.
    static func isBusy(_ code: Int32) -> Bool {
        let primary = code & 0xff
        return primary == SQLITE_BUSY || primary == SQLITE_LOCKED
    }

    static func error(
        code: Int32, message: String, path: String, sql: String?
    ) -> StorageError {
        let primary = code & 0xff
        let databaseCode = "SQLITE \(code)"
        // SQLITE_READONLY_ROLLBACK (SQLITE_READONLY | 3 << 8; the macro is not imported): a
        // read-only connection met a hot journal left by a writer that died mid-transaction.
        if code == SQLITE_READONLY | (3 << 8) {
            return StorageError(
                .interruptedWrite,
                "\(path) holds a write that was interrupted (its process died), and a read-only open cannot roll it back; nothing committed is lost",
                location: path, sql: sql, databaseCode: databaseCode,
                fix: "run a command that writes the store, such as `mlops store migrate --store sqlite:\(path)`: it rolls the unfinished write back first; then read again.")
        }
        switch primary {
        case SQLITE_NOTADB:
            return StorageError(
                .notADatabase, "\(path) is not a SQLite database; it was not changed", location: path,
                databaseCode: databaseCode,
                fix: "point --store at a swift-mlops store, or at a path that does not exist yet.")
        case SQLITE_CORRUPT:
            return StorageError(
                .notADatabase, "\(path) is a corrupt SQLite database (\(message))", location: path, sql: sql,
                databaseCode: databaseCode, fix: "restore it from a backup; `sqlite3 \(path) .recover` salvages what is still readable into a new database.")
        case SQLITE_BUSY, SQLITE_LOCKED:
            return StorageError(
                .busy, "Another connection kept \(path) locked (\(message))", location: path, sql: sql,
                databaseCode: databaseCode,
                fix: "retry later, raise the busy timeout, or find the process holding a long write transaction.")
        case SQLITE_CONSTRAINT:
            return StorageError(
                .constraintViolation, "A constraint refused the write: \(message)", location: path, sql: sql,
                databaseCode: databaseCode, fix: "check the values against the table's keys and constraints.")
        case SQLITE_CANTOPEN:
            return StorageError(
                .cannotOpen, "Cannot open or create \(path) (\(message))", location: path, databaseCode: databaseCode,
                fix: "check that the folder exists, is writable, and that the path is not a folder.")
        case SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH:
            return StorageError(
                .cannotOpen, "\(path) cannot be written (\(message))", location: path, sql: sql,
                databaseCode: databaseCode, fix: "make the file and its folder writable by this process.")
        case SQLITE_FULL, SQLITE_IOERR:
            return StorageError(
                .fileSystem, "Reading or writing \(path) failed (\(message))", location: path, sql: sql,
                databaseCode: databaseCode, fix: "check free disk space and the health of the file system.")
        default:
            return StorageError(
                .sqlFailed, "SQLite refused a statement: \(message)", location: path, sql: sql, databaseCode: databaseCode)
        }
    }
}
