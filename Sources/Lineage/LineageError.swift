public import Foundation

/// The error Lineage throws: what was wrong, about which run or key, and how to fix it.
public struct LineageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is; stable, so callers can switch over it.
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

        /// No run, experiment or artifact with that identifier.
        public static let notFound = Code(rawValue: "notFound")
        /// The run has finished; nothing more can be logged to it.
        public static let runFinished = Code(rawValue: "runFinished")
        /// A parameter was logged twice with different values.
        public static let conflictingParameter = Code(rawValue: "conflictingParameter")
        /// A name, key or identifier is not valid.
        public static let invalidArgument = Code(rawValue: "invalidArgument")
        /// A search filter could not be parsed.
        public static let invalidFilter = Code(rawValue: "invalidFilter")
        /// The stored data could not be read back.
        public static let corruptRecord = Code(rawValue: "corruptRecord")

        /// Every code this release defines.
        public static let allCases: [Code] = [.notFound, .runFinished, .conflictingParameter, .invalidArgument, .invalidFilter, .corruptRecord]
    }

    /// What kind of problem this is.
    public var code: Code
    /// What was wrong, as a sentence.
    public var message: String
    /// What the caller can do about it.
    public var fix: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, fix: String? = nil) {
        self.code = code
        self.message = message
        self.fix = fix
    }

    /// The message and the fix as one paragraph.
    public var description: String {
        var text = message
        if !text.hasSuffix(".") { text += "." }
        if let fix { text += " Fix: \(fix)" }
        return text
    }
}

extension LineageError: LocalizedError {
    /// The ``description``, so that `localizedDescription` (what a server framework or a log line
    /// shows for any `Error`) says what happened, not "The operation could not be completed".
    public var errorDescription: String? { description }
}
