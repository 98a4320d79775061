public import Foundation

/// The error the registry throws: what was refused, which rule or principal refused it, and how
/// to fix it. A refused call changes nothing and logs nothing as done.
public struct RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
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

        /// No model, version, alias, principal or policy by that name.
        public static let notFound = Code(rawValue: "notFound")
        /// A model or principal with that name exists already.
        public static let alreadyExists = Code(rawValue: "alreadyExists")
        /// A name breaks the naming policy.
        public static let invalidName = Code(rawValue: "invalidName")
        /// A value is not acceptable (an empty reason, a bad threshold, a malformed key).
        public static let invalidArgument = Code(rawValue: "invalidArgument")
        /// The principal lacks the role the call needs (``RegistryError/role`` names it).
        public static let permissionDenied = Code(rawValue: "permissionDenied")
        /// A promotion broke the alias's policy (``RegistryError/failures`` lists every rule).
        public static let policyViolation = Code(rawValue: "policyViolation")
        /// Another promotion moved the alias first (the message names its current target).
        public static let aliasConflict = Code(rawValue: "aliasConflict")
        /// An approval's signature does not verify, has expired, or signs something else.
        public static let invalidSignature = Code(rawValue: "invalidSignature")
        /// The version is quarantined or purged and can never be promoted.
        public static let versionUnavailable = Code(rawValue: "versionUnavailable")
        /// Stored records could not be read back (edited by hand, or written by a newer build).
        public static let corruptRecord = Code(rawValue: "corruptRecord")
        /// A model bundle is damaged or does not verify.
        public static let invalidBundle = Code(rawValue: "invalidBundle")

        /// Every code this release defines.
        public static let allCases: [Code] = [
            .notFound, .alreadyExists, .invalidName, .invalidArgument, .permissionDenied, .policyViolation,
            .aliasConflict, .invalidSignature, .versionUnavailable, .corruptRecord, .invalidBundle,
        ]
    }

    /// What kind of problem this is.
    public var code: Code
    /// What was wrong, as a sentence.
    public var message: String
    /// What the caller can do about it.
    public var fix: String?
    /// The principal the call acted as, when one was refused.
    public var principal: String?
    /// The role that was missing (``Code/permissionDenied``).
    public var role: Role?
    /// Every rule a promotion broke (``Code/policyViolation``).
    public var failures: [PolicyFailure]

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, fix: String? = nil, principal: String? = nil, role: Role? = nil,
        failures: [PolicyFailure] = []
    ) {
        self.code = code
        self.message = message
        self.fix = fix
        self.principal = principal
        self.role = role
        self.failures = failures
    }

    /// The message, every failed rule, and the fix, as one paragraph.
    public var description: String {
        var text = message
        if !text.hasSuffix(".") { text += "." }
        for failure in failures { text += "\n  - \(failure.rule): \(failure.message)" }
        if let fix { text += (failures.isEmpty ? " " : "\n") + "Fix: \(fix)" }
        return text
    }
}

extension RegistryError: LocalizedError {
    /// The ``description``, so that `localizedDescription` (what a server framework or a log line
    /// shows for any `Error`) says what happened, not "The operation could not be completed".
    public var errorDescription: String? { description }
}
