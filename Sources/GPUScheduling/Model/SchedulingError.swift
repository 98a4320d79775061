public import Foundation

/// What went wrong in GPUScheduling: a bad cluster or quota description, a malformed trace row,
/// or a call the scheduler cannot honour.
///
/// Its description reads as a sentence that says what was wrong, where, and how to fix it.
public struct SchedulingError: Error, Sendable, Hashable, CustomStringConvertible {
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

        /// A cluster description is wrong (no nodes, a negative count, a duplicate name).
        public static let invalidCluster = Code(rawValue: "invalidCluster")
        /// A team's quota is wrong (more than the cluster has, a lending limit above the quota).
        public static let invalidQuota = Code(rawValue: "invalidQuota")
        /// A job is wrong (no GPUs and no CPU, a fraction outside (0, 1], a gang that does not divide).
        public static let invalidJob = Code(rawValue: "invalidJob")
        /// A trace file cannot be read or a row of it is malformed.
        public static let invalidTrace = Code(rawValue: "invalidTrace")
        /// A job ID is unknown to the scheduler, or submitted twice.
        public static let unknownJob = Code(rawValue: "unknownJob")
        /// A time went backwards.
        public static let timeWentBackwards = Code(rawValue: "timeWentBackwards")
        /// An invariant check failed: a bug in the scheduler, reported instead of crashing.
        public static let invariantViolated = Code(rawValue: "invariantViolated")

        /// Every code this release defines.
        public static let allCases: [Code] = [
            .invalidCluster, .invalidQuota, .invalidJob, .invalidTrace, .unknownJob, .timeWentBackwards, .invariantViolated,
        ]
    }

    /// What kind of problem this is.
    public var code: Code
    /// What was wrong, as a sentence.
    public var message: String
    /// Where: a file and line, a node or a job.
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

extension SchedulingError: LocalizedError {
    /// The ``description``, so that `localizedDescription` (what a server framework or a log line
    /// shows for any `Error`) says what happened, not "The operation could not be completed".
    public var errorDescription: String? { description }
}
