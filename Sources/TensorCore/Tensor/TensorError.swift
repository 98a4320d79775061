public import Foundation

/// The error tensor operations and kernels throw: what was wrong with the input and how to fix it.
public struct TensorError: Error, Sendable, Hashable, CustomStringConvertible {
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

        /// Two shapes do not fit (element count, broadcasting, matrix product).
        public static let shapeMismatch = Code(rawValue: "shapeMismatch")
        /// The operation needs at least one value (or one non-NaN value).
        public static let empty = Code(rawValue: "empty")
        /// An argument is outside its allowed range (a quantile outside [0, 1], unsorted edges...).
        public static let invalidArgument = Code(rawValue: "invalidArgument")
        /// An index is outside the tensor.
        public static let indexOutOfRange = Code(rawValue: "indexOutOfRange")

        /// Every code this release defines.
        public static let allCases: [Code] = [.shapeMismatch, .empty, .invalidArgument, .indexOutOfRange]
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

extension TensorError: LocalizedError {
    /// The ``description``, so that `localizedDescription` (what a server framework or a log line
    /// shows for any `Error`) says what happened, not "The operation could not be completed".
    public var errorDescription: String? { description }
}
