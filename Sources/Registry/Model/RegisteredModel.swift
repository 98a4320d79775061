public import Foundation

/// A registered model: its name, what it is for, who owns it, and its risk class. Its versions
/// are ``ModelVersion``s.
public struct RegisteredModel: Sendable, Hashable, Codable {
    /// `team/model`.
    public var name: ModelName
    /// What the model does.
    public var description: String
    /// Who answers for it.
    public var owner: String
    /// Free-form labels.
    public var tags: [String: String]
    /// How much harm it can do (decides its card's required fields and its policies).
    public var riskClass: RiskClass
    /// When it was registered.
    public var createdAt: Date
    /// Who registered it.
    public var createdBy: String
    /// The highest version number given out (0 before the first version).
    public var latestVersion: Int

    enum CodingKeys: String, CodingKey {
        case name, description, owner, tags
        case riskClass = "risk_class", createdAt = "created_at", createdBy = "created_by", latestVersion = "latest_version"
    }

    /// Creates a model record.
    public init(
        name: ModelName, description: String, owner: String, tags: [String: String], riskClass: RiskClass,
        createdAt: Date, createdBy: String, latestVersion: Int
    ) {
        self.name = name
        self.description = description
        self.owner = owner
        self.tags = tags
        self.riskClass = riskClass
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.latestVersion = latestVersion
    }
}

/// What ``RegistryStore/registerModel(_:by:)`` and ``RegistryStore/registerModel(_:firstVersion:by:)``
/// need to register a model.
public struct ModelRegistration: Sendable, Hashable {
    /// `team/model`, checked against the store's ``NamingPolicy``.
    public var name: ModelName
    /// What the model does.
    public var description: String
    /// Who answers for it (the registering principal when nil).
    public var owner: String?
    /// Free-form labels.
    public var tags: [String: String]
    /// How much harm it can do.
    public var riskClass: RiskClass

    /// Creates a registration.
    public init(name: ModelName, description: String = "", owner: String? = nil, tags: [String: String] = [:], riskClass: RiskClass = .medium) {
        self.name = name
        self.description = description
        self.owner = owner
        self.tags = tags
        self.riskClass = riskClass
    }
}

/// A model and its first version, registered together by
/// ``RegistryStore/registerModel(_:firstVersion:by:)``.
public struct RegisteredModelWithVersion: Sendable, Hashable {
    /// The model, with ``RegisteredModel/latestVersion`` 1.
    public var model: RegisteredModel
    /// Its first version.
    public var version: ModelVersion

    /// Creates the pair.
    public init(model: RegisteredModel, version: ModelVersion) {
        self.model = model
        self.version = version
    }
}
