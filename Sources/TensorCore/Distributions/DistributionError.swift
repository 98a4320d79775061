public import Foundation

/// An error thrown when a probability distribution, a quantile or a random sampler is given an
/// argument outside its domain.
///
/// The error carries the name of the offending parameter, the value it was given and the rule it
/// broke, so that its ``description`` reads as a sentence that says how to fix the call:
///
/// ```swift
/// do {
///     _ = try ChiSquaredDistribution(degreesOfFreedom: -1)
/// } catch {
///     print(error)  // degreesOfFreedom must be a positive finite number, got -1.0.
/// }
/// ```
public struct DistributionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of mistake the caller made.
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

        /// A parameter of a distribution or sampler is outside its domain
        /// (for example a negative standard deviation, or zero trials to draw from).
        public static let invalidParameter = Code(rawValue: "invalidParameter")
        /// A probability passed to a quantile function is outside `0...1` or is NaN.
        public static let probabilityOutOfRange = Code(rawValue: "probabilityOutOfRange")
        /// Weights for a categorical draw are empty, negative, not finite, or sum to zero.
        public static let invalidWeights = Code(rawValue: "invalidWeights")

        /// Every code this release defines.
        public static let allCases: [Code] = [.invalidParameter, .probabilityOutOfRange, .invalidWeights]
    }

    /// The kind of mistake the caller made.
    public let code: Code
    /// The name of the argument that was rejected, as spelled at the call site
    /// (for example `"degreesOfFreedom"` or `"weights[3]"`).
    public let parameter: String
    /// The rejected value, or `nil` when no single number is to blame (for example empty weights).
    public let value: Double?
    /// The rule the argument must satisfy, phrased to complete "`parameter` must be ...".
    public let requirement: String

    /// Creates an error that describes a rejected argument.
    ///
    /// - Parameters:
    ///   - code: The kind of mistake.
    ///   - parameter: The name of the rejected argument.
    ///   - value: The rejected value, if a single number is to blame.
    ///   - requirement: The rule the argument must satisfy, completing "`parameter` must be ...".
    public init(_ code: Code, parameter: String, value: Double?, requirement: String) {
        self.code = code
        self.parameter = parameter
        self.value = value
        self.requirement = requirement
    }

    /// A sentence that names the argument, the rule it broke and the value it had,
    /// for example "degreesOfFreedom must be a positive finite number, got -1.0."
    public var description: String {
        if let value {
            return "\(parameter) must be \(requirement), got \(value)."
        }
        return "\(parameter) must be \(requirement)."
    }
}

extension DistributionError {
    /// Validates that `value` is a finite number greater than zero.
    static func requirePositiveFinite(_ value: Double, _ name: String) throws(DistributionError) {
        guard value.isFinite, value > 0 else {
            throw DistributionError(.invalidParameter, parameter: name, value: value,
                                    requirement: "a positive finite number")
        }
    }

    /// Validates that `value` is finite.
    static func requireFinite(_ value: Double, _ name: String) throws(DistributionError) {
        guard value.isFinite else {
            throw DistributionError(.invalidParameter, parameter: name, value: value,
                                    requirement: "a finite number")
        }
    }

    /// Validates that a probability lies in `0...1`.
    static func requireProbability(_ value: Double, _ name: String = "p") throws(DistributionError) {
        guard value >= 0, value <= 1 else {
            throw DistributionError(.probabilityOutOfRange, parameter: name, value: value,
                                    requirement: "a probability between 0 and 1 inclusive")
        }
    }
}

extension DistributionError: LocalizedError {
    /// The ``description``, so that `localizedDescription` (what a server framework or a log line
    /// shows for any `Error`) says what happened, not "The operation could not be completed".
    public var errorDescription: String? { description }
}
