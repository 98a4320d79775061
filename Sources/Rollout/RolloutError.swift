public import Foundation

/// What went wrong in Rollout: a plan, weights or policy that cannot work, an unknown variant, a
/// malformed events file, or a stored state that changed under the caller.
///
/// Configuration is checked when a plan, router or policy is built, never at request time: a
/// router that exists routes every request. The description says what was wrong, where, and how
/// to fix it.
public struct RolloutError: Error, Sendable, Hashable, CustomStringConvertible {
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

        /// Weights that do not sum to 100, a negative weight, a duplicate or empty variant name.
        public static let invalidWeights = Code(rawValue: "invalidWeights")
        /// A variant name the plan or router does not know.
        public static let unknownVariant = Code(rawValue: "unknownVariant")
        /// A unit key (the user id routing is sticky on) that is empty.
        public static let emptyUnitKey = Code(rawValue: "emptyUnitKey")
        /// An analysis policy that cannot work: α outside (0, 1), a minimum above the maximum,
        /// a threshold outside its range.
        public static let invalidPolicy = Code(rawValue: "invalidPolicy")
        /// A rollout plan that cannot work: no steps, steps that shrink the candidate, a bad strategy.
        public static let invalidPlan = Code(rawValue: "invalidPlan")
        /// An events file (or a row of it) that cannot be replayed.
        public static let invalidEvents = Code(rawValue: "invalidEvents")
        /// A rollout with this name is not stored.
        public static let rolloutNotFound = Code(rawValue: "rolloutNotFound")
        /// The stored rollout changed since the caller read it (another replica moved it first).
        public static let stateConflict = Code(rawValue: "stateConflict")
        /// A rollout that has ended (promoted or rolled back) cannot take this change.
        public static let rolloutEnded = Code(rawValue: "rolloutEnded")

        /// Every code this release defines.
        public static let allCases: [Code] = [
            .invalidWeights, .unknownVariant, .emptyUnitKey, .invalidPolicy, .invalidPlan, .invalidEvents, .rolloutNotFound,
            .stateConflict, .rolloutEnded,
        ]
    }

    /// What kind of problem this is.
    public var code: Code
    /// What was wrong, as a sentence.
    public var message: String
    /// Where: a file and row, a field of a policy, a variant.
    public var location: String?
    /// What the caller can do about it.
    public var fix: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, location: String? = nil, fix: String? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.fix = fix
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

extension RolloutError: LocalizedError {
    /// The ``description``, so that `localizedDescription` (what a server framework or a log line
    /// shows for any `Error`) says what happened, not "The operation could not be completed".
    public var errorDescription: String? { description }
}
