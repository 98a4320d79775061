/// What a principal may do. Every mutating registry call names the role it needs and checks it
/// against the acting principal's roles, in the store.
public struct Role: Sendable, Hashable, Comparable, RawRepresentable, Codable, CustomStringConvertible {
    /// The role's stable name.
    public let rawValue: String

    /// Creates a role from its name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Register models and versions, and edit their cards.
    public static let register = Role(rawValue: "register")
    /// Sign approvals of promotions.
    public static let approve = Role(rawValue: "approve")
    /// Move aliases: promote and roll back.
    public static let promote = Role(rawValue: "promote")
    /// Add principals, set policies, quarantine and purge versions.
    public static let admin = Role(rawValue: "admin")

    /// The roles this release defines.
    public static let allCases: [Role] = [.register, .approve, .promote, .admin]

    public var description: String { rawValue }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }
}
