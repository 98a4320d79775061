public import Foundation

/// The error DriftStats throws: what was wrong with the samples or the settings, and how to fix it.
public struct DriftError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is.
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

        /// A sample has no usable (non-NaN) value.
        public static let emptySample = Code(rawValue: "emptySample")
        /// A setting is outside its range.
        public static let invalidArgument = Code(rawValue: "invalidArgument")
        /// Stored profile bytes are not a profile this build can read.
        public static let invalidProfile = Code(rawValue: "invalidProfile")
        /// No baseline is stored under a name.
        public static let baselineNotFound = Code(rawValue: "baselineNotFound")

        /// Every code this release defines.
        public static let allCases: [Code] = [.emptySample, .invalidArgument, .invalidProfile, .baselineNotFound]
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

extension DriftError: LocalizedError {
    /// The ``description``, so that `localizedDescription` (what a server framework or a log line
    /// shows for any `Error`) says what happened, not "The operation could not be completed".
    public var errorDescription: String? { description }
}
