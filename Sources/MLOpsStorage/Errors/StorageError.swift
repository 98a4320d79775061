/// The error every part of MLOpsStorage throws: what went wrong, where, and how to fix it.
///
/// Its ``description`` reads as a sentence that can go straight into a log or a terminal:
///
/// ```
/// /data/mlops.sqlite is not a SQLite database (the file starts with other bytes). It was not
/// changed. Fix: point --store at a swift-mlops store, or at a path that does not exist yet.
/// ```
public struct StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; stable across releases, so callers can switch over it.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A store URL or path could not be understood.
        case invalidLocation
        /// A database or folder could not be opened or created.
        case cannotOpen
        /// A file exists at the path but is not a SQLite database.
        case notADatabase
        /// The store was written by a newer schema version than this build knows.
        case schemaTooNew
        /// A migration list is malformed or a migration step failed.
        case migrationFailed
        /// Another writer held the database for longer than the retry policy allows.
        case busy
        /// PostgreSQL aborted a transaction to keep it serializable, more often than the retry policy allows.
        case serializationFailure
        /// A constraint (unique key, foreign key, not null, check) refused the write.
        case constraintViolation
        /// A SQL statement failed for another reason.
        case sqlFailed
        /// The database server could not be reached or dropped the connection.
        case connectionFailed
        /// A value read from the database did not have the expected type.
        case decodingFailed
        /// The store was used after it was closed.
        case closed
        /// A digest string is not a valid SHA-256 digest.
        case invalidDigest
        /// No artifact with the digest is in the store.
        case artifactNotFound
        /// The artifact's bytes were purged; only its tombstone remains.
        case artifactPurged
        /// The artifact's stored bytes do not match its digest, or cannot be decompressed.
        case artifactCorrupt
        /// Reading or writing a file failed.
        case fileSystem
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong, as a sentence.
    public var message: String
    /// Where it happened: a file path or a store URL (passwords removed).
    public var location: String?
    /// The SQL statement that failed, when a statement failed.
    public var sql: String?
    /// The database's own result code (SQLite extended result code or PostgreSQL SQLSTATE).
    public var databaseCode: String?
    /// What the caller can do about it.
    public var fix: String?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, location: String? = nil, sql: String? = nil,
        databaseCode: String? = nil, fix: String? = nil
    ) {
        self.code = code
        self.message = message
        self.location = location
        self.sql = sql
        self.databaseCode = databaseCode
        self.fix = fix
    }

    /// The whole error as one readable paragraph: the message, the place, the statement and the fix.
    public var description: String {
        var text = message
        if let location, !message.contains(location) { text += " (at \(location))" }
        if !text.hasSuffix(".") { text += "." }
        if let databaseCode { text += " Database code: \(databaseCode)." }
        if let sql { text += " Statement: \(sql.count > 300 ? String(sql.prefix(300)) + "…" : sql)" }
        if let fix { text += " Fix: \(fix)" }
        return text
    }
}
