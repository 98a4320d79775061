public import MLOpsStorage
public import Foundation

/// Someone (a person or a pipeline) who acts on the registry: its roles, and the Ed25519 public
/// key its approvals are verified with.
public struct Principal: Sendable, Hashable, Codable {
    /// The principal's identifier (`alice`, `ci@fraud`).
    public var id: String
    /// What it may do.
    public var roles: Set<Role>
    /// Its Ed25519 public key (32 bytes), nil for a principal that never approves.
    @ExplicitNull public var publicKey: Data?
    /// When it was added.
    public var createdAt: Date
    /// Who added it (nil for the first principal, which bootstraps the registry).
    @ExplicitNull public var createdBy: String?

    enum CodingKeys: String, CodingKey {
        case id, roles
        case publicKey = "public_key", createdAt = "created_at", createdBy = "created_by"
    }

    /// Creates a principal record.
    public init(id: String, roles: Set<Role>, publicKey: Data?, createdAt: Date, createdBy: String?) {
        self.id = id
        self.roles = roles
        self.publicKey = publicKey
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    /// Encodes the roles in their sorted order, so the same principal always encodes to the same
    /// bytes (a `Set` iterates in an order that changes from process to process).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(roles.sorted(), forKey: .roles)
        try container.encode(_publicKey, forKey: .publicKey)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(_createdBy, forKey: .createdBy)
    }

    /// Whether the principal holds `role` (``Role/admin`` does not imply the others: roles are
    /// granted one by one, so an auditor can see who may do what).
    public func holds(_ role: Role) -> Bool { roles.contains(role) }
}

/// What ``RegistryStore/addPrincipal(_:by:)`` needs to add a principal.
public struct PrincipalRegistration: Sendable, Hashable {
    /// The identifier: 1 to 128 letters, digits, `.`, `_`, `-` and `@`.
    public var id: String
    /// Its roles.
    public var roles: Set<Role>
    /// Its Ed25519 public key (32 bytes), needed to approve.
    public var publicKey: Data?

    /// Creates a registration.
    public init(id: String, roles: Set<Role>, publicKey: Data? = nil) {
        self.id = id
        self.roles = roles
        self.publicKey = publicKey
    }
}
