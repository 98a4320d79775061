public import Foundation

/// An error thrown by the mergeable sketches (``KLLSketch``, ``HyperLogLog``,
/// ``HeavyHitters``, ``MomentSketch``).
///
/// Every error carries a machine-readable ``code`` and a ``message`` that reads as a
/// sentence saying what was wrong and how to fix it, so it can be logged or shown as is.
public struct SketchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    ///
    /// A struct with static members rather than an enum, so a release can add a code without
    /// breaking callers that switch over it (give such a `switch` a `default` case).
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible, Codable {
        /// The code's stable name, as written in logs and JSON.
        public let rawValue: String

        /// Creates a code from its stable name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The code's stable name.
        public var description: String { rawValue }


        /// A construction parameter (k, precision, capacity) is outside its supported range.
        public static let invalidParameter = Code(rawValue: "invalidParameter")
        /// A query argument is invalid (for example a quantile outside `[0, 1]` or a NaN split point).
        public static let invalidArgument = Code(rawValue: "invalidArgument")
        /// A query needs at least one value but the sketch is empty.
        public static let emptySketch = Code(rawValue: "emptySketch")
        /// Two sketches cannot be merged because their parameters differ.
        public static let incompatibleSketches = Code(rawValue: "incompatibleSketches")
        /// A count would exceed its representable range.
        public static let overflow = Code(rawValue: "overflow")
        /// Serialized bytes end before all fields were read.
        public static let truncated = Code(rawValue: "truncated")
        /// Serialized bytes do not start with the magic tag of the expected sketch type.
        public static let badMagic = Code(rawValue: "badMagic")
        /// Serialized bytes use a format version this code does not understand.
        public static let unsupportedVersion = Code(rawValue: "unsupportedVersion")
        /// Serialized bytes were read completely but describe an impossible sketch.
        public static let corrupted = Code(rawValue: "corrupted")

        /// Every code this release defines.
        public static let allCases: [Code] = [.invalidParameter, .invalidArgument, .emptySketch, .incompatibleSketches, .overflow, .truncated, .badMagic, .unsupportedVersion, .corrupted]
    }

    /// The kind of failure.
    public let code: Code
    /// A sentence describing what went wrong and how to fix it.
    public let message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: A sentence describing what went wrong and how to fix it.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The code and message, for logs.
    public var description: String { "SketchError.\(code.rawValue): \(message)" }
}

extension SketchError: LocalizedError {
    /// The ``description``, so that `localizedDescription` (what a server framework or a log line
    /// shows for any `Error`) says what happened, not "The operation could not be completed".
    public var errorDescription: String? { description }
}
