import Foundation
import MLOpsStorage
public import TensorCore

/// One feature, defined once for training and serving: what it is, who owns it, how old its
/// value may be, what to serve when it is missing or stale, and the transformation that computes
/// it from source columns — a ``FeatureExpression`` for a number, a ``CategoryExpression`` for a
/// category — evaluated identically offline and online.
///
/// ``contentHash`` fingerprints everything that changes the values (name, type, transformation,
/// its version, parameters, TTL and missing-value policy; not the owner or description), so a
/// model's lineage can record exactly which features it was trained on, and a server that computes
/// a feature with another hash is detected.
public struct FeatureDefinition: Sendable, Hashable, Codable {
    /// What kind of value a feature has.
    public enum ValueType: String, Sendable, Hashable, Codable {
        /// A number (a double in training sets and payloads).
        case number
        /// A category (text).
        case category
    }

    /// How a feature is computed from its sources.
    public enum Transformation: Sendable, Hashable {
        /// A number, by a numeric expression.
        case number(FeatureExpression)
        /// A category, by a categorical expression.
        case category(CategoryExpression)

        /// The source columns it reads, sorted.
        public var columns: [String] {
            switch self {
            case .number(let e): e.columns
            case .category(let e): e.columns
            }
        }

        /// The value for one entity (online); nil when missing.
        public func evaluate(_ values: [String: FeatureValue]) -> FeatureValue? {
            switch self {
            case .number(let e): e.evaluate(values.compactMapValues(\.number)).map(FeatureValue.number)
            case .category(let e): e.evaluate(values).map(FeatureValue.text)
            }
        }

        /// The column for every row of `table` (offline): numbers as a double column, categories
        /// as a categorical one.
        public func evaluate(_ table: FeatureTable) throws(FeatureParityError) -> Column {
            switch self {
            case .number(let e): .double(DoubleColumn(try e.evaluate(table)))
            case .category(let e): .categorical(CategoricalColumn(try e.evaluate(table)))
            }
        }

        var canonicalText: String {
            switch self {
            case .number(let e): e.canonicalText
            case .category(let e): e.canonicalText
            }
        }
    }

    /// What to serve when the value is missing or older than the TTL.
    public enum MissingPolicy: Sendable, Hashable, Codable {
        /// Serve this value instead (and count it as a fallback): a number for a number feature,
        /// text for a category.
        case defaultValue(FeatureValue)
        /// Refuse to serve: the request fails with ``FeatureParityError/Code/failClosed``.
        case failClosed
    }

    /// The feature's name (a column name in training sets and payloads).
    public let name: String
    /// The entity it describes (its key column), such as `user_id`.
    public let entity: String
    /// Who answers for it.
    public let owner: String
    /// What it means, in a sentence.
    public let description: String
    /// How old a value may be when used.
    public let ttl: TimeToLive
    /// What to serve when it is missing or stale.
    public let missing: MissingPolicy
    /// How it is computed.
    public let transformation: Transformation
    /// The transformation's version: raise it when code outside the expression changes the values.
    public let version: Int

    /// The kind of value it has.
    public var type: ValueType {
        switch transformation {
        case .number: .number
        case .category: .category
        }
    }

    /// A number feature.
    ///
    /// - Throws: ``FeatureParityError/Code/invalidArgument`` for an empty name or entity, a
    ///   version below 1, or a default that is not a finite number.
    public init(
        name: String, entity: String, owner: String, description: String = "", ttl: TimeToLive, missing: MissingPolicy,
        transformation: FeatureExpression, version: Int = 1
    ) throws(FeatureParityError) {
        try self.init(name: name, entity: entity, owner: owner, description: description, ttl: ttl, missing: missing, computing: .number(transformation), version: version)
    }

    /// A category feature.
    ///
    /// - Throws: ``FeatureParityError/Code/invalidArgument`` for an empty name or entity, a
    ///   version below 1, a default that is not text, or an invalid expression (see
    ///   ``CategoryExpression/validate()``).
    public init(
        name: String, entity: String, owner: String, description: String = "", ttl: TimeToLive, missing: MissingPolicy,
        category: CategoryExpression, version: Int = 1
    ) throws(FeatureParityError) {
        try self.init(name: name, entity: entity, owner: owner, description: description, ttl: ttl, missing: missing, computing: .category(category), version: version)
    }

    /// A feature of either type.
    ///
    /// - Throws: ``FeatureParityError/Code/invalidArgument`` as the typed initializers do.
    public init(
        name: String, entity: String, owner: String, description: String = "", ttl: TimeToLive, missing: MissingPolicy,
        computing transformation: Transformation, version: Int = 1
    ) throws(FeatureParityError) {
        guard !name.isEmpty, !entity.isEmpty else {
            throw FeatureParityError(.invalidArgument, "A feature needs a name and an entity", location: name, fix: "name both, such as spend_ratio of user_id.")
        }
        guard version >= 1 else { throw FeatureParityError(.invalidArgument, "Version \(version) of '\(name)' is below 1", location: name, fix: "start at 1.") }
        switch (transformation, missing) {
        case (.number, .defaultValue(.number(let value))) where !value.isFinite:
            throw FeatureParityError(.invalidArgument, "The default of '\(name)' is \(value)", location: name, fix: "give a finite default, or fail closed.")
        case (.number, .defaultValue(.text(let text))):
            throw FeatureParityError(.invalidArgument, "The default of number feature '\(name)' is the text '\(text)'", location: name, fix: "give a number.")
        case (.category, .defaultValue(.number(let value))):
            throw FeatureParityError(.invalidArgument, "The default of category feature '\(name)' is the number \(value)", location: name, fix: "give a category (text).")
        default:
            break
        }
        if case .category(let expression) = transformation { try expression.validate() }
        self.name = name
        self.entity = entity
        self.owner = owner
        self.description = description
        self.ttl = ttl
        self.missing = missing
        self.transformation = transformation
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case name, entity, owner, description, ttl, missing, type, transformation, version
    }

    /// Reads a stored definition and checks it as the initializer does (`type` defaults to `number`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decodeIfPresent(ValueType.self, forKey: .type) ?? .number
        let transformation: Transformation = switch type {
        case .number: .number(try c.decode(FeatureExpression.self, forKey: .transformation))
        case .category: .category(try c.decode(CategoryExpression.self, forKey: .transformation))
        }
        try self.init(
            name: try c.decode(String.self, forKey: .name), entity: try c.decode(String.self, forKey: .entity), owner: try c.decode(String.self, forKey: .owner),
            description: try c.decode(String.self, forKey: .description), ttl: try c.decode(TimeToLive.self, forKey: .ttl),
            missing: try c.decode(MissingPolicy.self, forKey: .missing), computing: transformation,
            version: try c.decode(Int.self, forKey: .version))
    }

    /// Writes the definition: its fields, `type`, and the transformation's expression.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(entity, forKey: .entity)
        try c.encode(owner, forKey: .owner)
        try c.encode(description, forKey: .description)
        try c.encode(ttl, forKey: .ttl)
        try c.encode(missing, forKey: .missing)
        try c.encode(type, forKey: .type)
        switch transformation {
        case .number(let e): try c.encode(e, forKey: .transformation)
        case .category(let e): try c.encode(e, forKey: .transformation)
        }
        try c.encode(version, forKey: .version)
    }

    /// The text the content hash is computed from.
    public var canonicalText: String {
        let policy: String
        switch missing {
        case .defaultValue(.number(let value)): policy = "default(\(value))"
        case .defaultValue(.text(let text)): policy = "default(\(text.utf8.count):\(text))"
        case .failClosed: policy = "fail-closed"
        }
        // Names carry their length, so no name can imitate the separators of another field.
        let typeName = type == .number ? "double" : "category"
        return "feature:\(name.utf8.count):\(name);entity:\(entity.utf8.count):\(entity);type:\(typeName);version:\(version);ttl:\(ttl.microseconds);missing:\(policy);transformation:\(transformation.canonicalText)"
    }

    /// SHA-256 of ``canonicalText``, in hexadecimal.
    public var contentHash: String { Digest(of: Array(canonicalText.utf8)).hex }
}
