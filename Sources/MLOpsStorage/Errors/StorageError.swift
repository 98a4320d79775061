public import Foundation

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
    ///
    /// A struct with static members rather than an enum, so a release can add a code without
    /// breaking callers that switch over it (give such a `switch` a `default` case).
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The code's stable name, as written in logs and JSON.
        public let rawValue: String

        /// Creates a code from its stable name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The code's stable name.
        public var description: String { rawValue }

        /// A store URL or path could not be understood.
        public static let invalidLocation = Code(rawValue: "invalidLocation")
        /// A database or folder could not be opened or created.
        public static let cannotOpen = Code(rawValue: "cannotOpen")
        /// A file exists at the path but is not a SQLite database.
        public static let notADatabase = Code(rawValue: "notADatabase")
        /// The store was written by a newer schema version than this build knows.
        public static let schemaTooNew = Code(rawValue: "schemaTooNew")
        /// The store's schema is older than this build reads (or missing), and it was opened
        /// without migrating.
        public static let schemaTooOld = Code(rawValue: "schemaTooOld")
        /// A migration list is malformed or a migration step failed.
        public static let migrationFailed = Code(rawValue: "migrationFailed")
        /// Another writer held the database for longer than the retry policy allows.
        public static let busy = Code(rawValue: "busy")
        /// PostgreSQL aborted a transaction to keep it serializable, more often than the retry policy allows.
        public static let serializationFailure = Code(rawValue: "serializationFailure")
        /// A constraint (unique key, foreign key, not null, check) refused the write.
        public static let constraintViolation = Code(rawValue: "constraintViolation")
        /// A SQL statement failed for another reason.
        public static let sqlFailed = Code(rawValue: "sqlFailed")
        /// The database server could not be reached or dropped the connection.
        public static let connectionFailed = Code(rawValue: "connectionFailed")
        /// A value read from the database did not have the expected type.
        public static let decodingFailed = Code(rawValue: "decodingFailed")
        /// The store was used after it was closed.
        public static let closed = Code(rawValue: "closed")
        /// A database was used while its `run()` was not running (never started), or `run()` was
        /// called a second time.
        public static let notRunning = Code(rawValue: "notRunning")
        /// A write was asked of a store opened read-only.
        public static let readOnly = Code(rawValue: "readOnly")
        /// A digest string is not a valid SHA-256 digest.
        public static let invalidDigest = Code(rawValue: "invalidDigest")
        /// No artifact with the digest is in the store.
        public static let artifactNotFound = Code(rawValue: "artifactNotFound")
        /// The artifact's bytes were purged; only its tombstone remains.
        public static let artifactPurged = Code(rawValue: "artifactPurged")
        /// The artifact's stored bytes do not match its digest, or cannot be decompressed.
        public static let artifactCorrupt = Code(rawValue: "artifactCorrupt")
        /// Reading or writing a file failed.
        public static let fileSystem = Code(rawValue: "fileSystem")

        /// A write was cut short (its process died) and left a rollback journal that only a
        /// connection allowed to write can roll back; a read-only open cannot read until then.
        public static let interruptedWrite = Code(rawValue: "interruptedWrite")

        /// Every code this release defines.
        public static let allCases: [Code] = [.invalidLocation, .cannotOpen, .interruptedWrite, .notADatabase, .schemaTooNew, .schemaTooOld, .migrationFailed, .busy, .serializationFailure, .constraintViolation, .sqlFailed, .connectionFailed, .decodingFailed, .closed, .notRunning, .readOnly, .invalidDigest, .artifactNotFound, .artifactPurged, .artifactCorrupt, .fileSystem]
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

extension StorageError {
    /// The error with every occurrence of `secret` (as it is and percent-encoded) replaced by
    /// `***`: a last guard that keeps a password out of messages built from other errors' text.
    ///
    /// The (already redacted) location is kept as it is, and secrets shorter than eight
    /// characters are left alone, as they would mangle ordinary words of the message.
    func removingSecret(_ secret: String?) -> StorageError {
        guard let secret, secret.count >= 8 else { return self }
        let forms = Set([secret, StoreURLText.percentEncoded(secret)])
        let kept = location
        func scrub(_ text: String) -> String {
            let parts = kept.map { text.components(separatedBy: $0) } ?? [text]
            let scrubbed = parts.map { part in forms.reduce(part) { $0.replacingOccurrences(of: $1, with: "***") } }
            return scrubbed.joined(separator: kept ?? "")
        }
        var copy = self
        copy.message = scrub(message)
        copy.fix = fix.map(scrub)
        return copy
    }
}

extension StorageError {
    /// Whether the database reported damaged data: SQLite's `SQLITE_CORRUPT` (extended codes
    /// included, written `SQLITE 11`, `SQLITE 267`, …) or PostgreSQL's SQLSTATE class XX001/XX002
    /// (data or index corrupted). A store check reports it as a finding, not as bad input.
    package var reportsCorruption: Bool {
        guard let databaseCode else { return false }
        if databaseCode.hasPrefix("SQLITE "), let code = Int32(databaseCode.dropFirst("SQLITE ".count)) { return code & 0xff == 11 }
        return databaseCode == "XX001" || databaseCode == "XX002"
    }
}

extension StorageError: LocalizedError {
    /// The ``description``, so that `localizedDescription` (what a server framework or a log line
    /// shows for any `Error`) says what happened, not "The operation could not be completed".
    public var errorDescription: String? { description }
}
