import Foundation

/// An error thrown by the mergeable sketches (``KLLSketch``, ``HyperLogLog``,
/// ``HeavyHitters``, ``MomentSketch``).
///
/// Every error carries a machine-readable ``code`` and a ``message`` that reads as a
/// sentence saying what was wrong and how to fix it, so it can be logged or shown as is.
public struct SketchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        /// A construction parameter (k, precision, capacity) is outside its supported range.
        case invalidParameter
        /// A query argument is invalid (for example a quantile outside `[0, 1]` or a NaN split point).
        case invalidArgument
        /// A query needs at least one value but the sketch is empty.
        case emptySketch
        /// Two sketches cannot be merged because their parameters differ.
        case incompatibleSketches
        /// A count would exceed its representable range.
        case overflow
        /// Serialized bytes end before all fields were read.
        case truncated
        /// Serialized bytes do not start with the magic tag of the expected sketch type.
        case badMagic
        /// Serialized bytes use a format version this code does not understand.
        case unsupportedVersion
        /// Serialized bytes were read completely but describe an impossible sketch.
        case corrupted
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
