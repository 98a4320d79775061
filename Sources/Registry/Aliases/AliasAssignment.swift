public import MLOpsStorage
public import Foundation

/// Which version an alias of a model points at now.
public struct AliasAssignment: Sendable, Hashable, Codable {
    /// The model.
    public var model: ModelName
    /// The alias (`production`, `champion`, any name).
    public var alias: String
    /// The version it points at.
    public var version: Int
    /// How many times the alias has moved (1 after its first promotion).
    public var revision: Int
    /// When it last moved.
    public var assignedAt: Date
    /// Who moved it.
    public var assignedBy: String

    enum CodingKeys: String, CodingKey {
        case model, alias, version, revision
        case assignedAt = "assigned_at", assignedBy = "assigned_by"
    }

    /// Creates an assignment record.
    public init(model: ModelName, alias: String, version: Int, revision: Int, assignedAt: Date, assignedBy: String) {
        self.model = model
        self.alias = alias
        self.version = version
        self.revision = revision
        self.assignedAt = assignedAt
        self.assignedBy = assignedBy
    }
}

/// One move of an alias, kept forever: what it pointed at before and after, who moved it, why.
public struct AliasHistoryEntry: Sendable, Hashable, Codable {
    /// How an alias moved.
    public struct Action: Sendable, Hashable, RawRepresentable, Codable, CustomStringConvertible {
        /// The action's stable name.
        public let rawValue: String
        /// Creates an action from its name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// A promotion that passed the alias's policy.
        public static let promote = Action(rawValue: "promote")
        /// A return to the previous holder.
        public static let rollback = Action(rawValue: "rollback")
        public var description: String { rawValue }
    }

    /// The alias's revision after this move.
    public var revision: Int
    /// The version the alias pointed at after the move.
    public var version: Int
    /// The version it pointed at before (nil for its first promotion).
    @ExplicitNull public var previousVersion: Int?
    /// Promotion or rollback.
    public var action: Action
    /// Who moved it.
    public var principal: String
    /// Why.
    public var reason: String
    /// When.
    public var at: Date

    enum CodingKeys: String, CodingKey {
        case revision, version, action, principal, reason, at
        case previousVersion = "previous_version"
    }

    /// Creates a history entry.
    public init(revision: Int, version: Int, previousVersion: Int?, action: Action, principal: String, reason: String, at: Date) {
        self.revision = revision
        self.version = version
        self.previousVersion = previousVersion
        self.action = action
        self.principal = principal
        self.reason = reason
        self.at = at
    }
}

/// What a promotion expects the alias to point at when it moves it (compare-and-set): when two
/// promotions race, the one whose expectation no longer holds is refused with
/// ``RegistryError/Code/aliasConflict`` naming the alias's current target.
public enum AliasExpectation: Sendable, Hashable {
    /// Move it whatever it points at.
    case any
    /// Move it only if it is not set yet.
    case unset
    /// Move it only if it points at this version.
    case version(Int)

    func holds(for current: Int?) -> Bool {
        switch self {
        case .any: true
        case .unset: current == nil
        case .version(let expected): current == expected
        }
    }
}

// The canonical JSON of the records every promotion writes, member by member (see
// CanonicalJSONRecord): the keys in byte order.

extension AliasAssignment: CanonicalJSONRecord {
    func writeCanonicalJSON(to json: inout CanonicalJSONWriter) throws {
        json.object { json in
            json.key("alias")
            json.string(alias)
            json.key("assigned_at")
            json.date(assignedAt)
            json.key("assigned_by")
            json.string(assignedBy)
            json.key("model")
            json.string(model.value)
            json.key("revision")
            json.integer(revision)
            json.key("version")
            json.integer(version)
        }
    }
}

extension AliasHistoryEntry: CanonicalJSONRecord {
    func writeCanonicalJSON(to json: inout CanonicalJSONWriter) throws {
        json.object { json in
            json.key("action")
            json.string(action.rawValue)
            json.key("at")
            json.date(at)
            json.key("previous_version")
            json.integer(previousVersion)
            json.key("principal")
            json.string(principal)
            json.key("reason")
            json.string(reason)
            json.key("revision")
            json.integer(revision)
            json.key("version")
            json.integer(version)
        }
    }
}
