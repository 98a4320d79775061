public import Foundation

/// What went wrong in FeatureParity: a join or report that cannot be computed from its inputs,
/// or a setting outside its range. The description says what was wrong, where, and how to fix it.
public struct FeatureParityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is; stable, so callers can switch over it.
    ///
    /// A struct with static members rather than an enum, so a release can add a code without
    /// breaking callers that switch over it (give such a `switch` a `default` case).
    public struct Code: Sendable, Hashable, RawRepresentable, Codable, CustomStringConvertible {
        /// The code's stable name, as written in logs and JSON.
        public let rawValue: String
        /// Creates a code from its stable name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The code's stable name.
        public var description: String { rawValue }

        /// A column the operation needs is missing, or has the wrong kind.
        public static let missingColumn = Code(rawValue: "missingColumn")
        /// A time value cannot be read as a time.
        public static let invalidTime = Code(rawValue: "invalidTime")
        /// A setting is outside its range (a TTL of "2x", a negative threshold).
        public static let invalidArgument = Code(rawValue: "invalidArgument")

        /// A feature that fails closed was missing or stale at request time.
        public static let failClosed = Code(rawValue: "failClosed")
        /// A serving payload breaks its contract (a missing field, a wrong type, a value out of range).
        public static let contractViolation = Code(rawValue: "contractViolation")

        /// A materialization run expected a watermark another run had already moved.
        public static let watermarkMoved = Code(rawValue: "watermarkMoved")

        /// An input file cannot be read (missing, malformed), or the output cannot be written.
        public static let fileError = Code(rawValue: "fileError")

        /// Every code this release defines.
        public static let allCases: [Code] = [.missingColumn, .invalidTime, .invalidArgument, .failClosed, .contractViolation, .watermarkMoved, .fileError]
    }

    /// What kind of problem this is.
    public var code: Code
    /// What was wrong, as a sentence.
    public var message: String
    /// Where: a file, a column, a row.
    public var location: String?
    /// What the caller can do about it.
    public var fix: String?
    /// For a file that could not be read because a column held a value of another kind than the
    /// one inferred from its first rows: that column (the join reads it again as text).
    var mistypedColumn: String?
    /// For a JSON Lines file with a key first seen after the rows its columns were fixed from:
    /// that key (the join reads the file again with it as a column of its own, as text).
    var lateKey: String?
    /// For an unreadable time in a join of tables: whether its row is one of the features' (else
    /// the events'), so a join of files can name the file.
    var inFeatures: Bool?

    /// Errors are equal when what they say is: code, message, location and fix (the markers a
    /// join of files reads are not part of it).
    public static func == (lhs: FeatureParityError, rhs: FeatureParityError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.location == rhs.location && lhs.fix == rhs.fix
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(location)
        hasher.combine(fix)
    }

    /// Creates an error.
    public init(_ code: Code, _ message: String, location: String? = nil, fix: String? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.fix = fix
    }

    /// A key or time column the events or the features (`side`) lack, with the columns they have
    /// (or that they have none: an empty file).
    static func missingColumn(_ name: String, side: String, has columns: [String]) -> FeatureParityError {
        let has = columns.isEmpty ? "they have no columns at all: is the file empty?" : "they have \(columns.joined(separator: ", "))"
        return FeatureParityError(
            .missingColumn, "The \(side) have no column '\(name)' (\(has))", location: name,
            fix: "name the \(side)' column with the right flag.")
    }

    /// Where, what, and the fix, as one sentence or two.
    public var description: String {
        var text = location.map { "\($0): " } ?? ""
        text += message
        if !text.hasSuffix(".") { text += "." }
        if let fix { text += " Fix: \(fix)" }
        return text
    }
}

extension FeatureParityError: LocalizedError {
    /// The ``description``, so that `localizedDescription` (what a server framework or a log line
    /// shows for any `Error`) says what happened, not "The operation could not be completed".
    public var errorDescription: String? { description }
}
