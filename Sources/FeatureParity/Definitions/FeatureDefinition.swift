import Foundation
import MLOpsStorage

/// One feature, defined once for training and serving: what it is, who owns it, how old its
/// value may be, what to serve when it is missing or stale, and the transformation that computes
/// it from source columns (``FeatureExpression``, evaluated identically offline and online).
///
/// ``contentHash`` fingerprints everything that changes the values (name, type, transformation,
/// its version, parameters, TTL and missing-value policy; not the owner or description), so a
/// model's lineage can record exactly which features it was trained on, and a server that computes
/// a feature with another hash is detected.
public struct FeatureDefinition: Sendable, Hashable, Codable {
    /// What to serve when the value is missing or older than the TTL.
    public enum MissingPolicy: Sendable, Hashable, Codable {
        /// Serve this value instead (and count it as a fallback).
        case defaultValue(Double)
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
    public let transformation: FeatureExpression
    /// The transformation's version: raise it when code outside the expression changes the values.
    public let version: Int

    /// A definition.
    ///
    /// - Throws: ``FeatureParityError/Code/invalidArgument`` for an empty name or entity, a
    ///   version below 1, or a non-finite default.
    public init(
        name: String, entity: String, owner: String, description: String = "", ttl: TimeToLive, missing: MissingPolicy,
        transformation: FeatureExpression, version: Int = 1
    ) throws(FeatureParityError) {
        guard !name.isEmpty, !entity.isEmpty else {
            throw FeatureParityError(.invalidArgument, "A feature needs a name and an entity", location: name, fix: "name both, such as spend_ratio of user_id.")
        }
        guard version >= 1 else { throw FeatureParityError(.invalidArgument, "Version \(version) of '\(name)' is below 1", location: name, fix: "start at 1.") }
        if case .defaultValue(let value) = missing, !value.isFinite {
            throw FeatureParityError(.invalidArgument, "The default of '\(name)' is \(value)", location: name, fix: "give a finite default, or fail closed.")
        }
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
        case name, entity, owner, description, ttl, missing, transformation, version
    }

    /// Reads a stored definition and checks it as the initializer does.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            name: try c.decode(String.self, forKey: .name), entity: try c.decode(String.self, forKey: .entity), owner: try c.decode(String.self, forKey: .owner),
            description: try c.decode(String.self, forKey: .description), ttl: try c.decode(TimeToLive.self, forKey: .ttl),
            missing: try c.decode(MissingPolicy.self, forKey: .missing), transformation: try c.decode(FeatureExpression.self, forKey: .transformation),
            version: try c.decode(Int.self, forKey: .version))
    }

    /// The text the content hash is computed from.
    public var canonicalText: String {
        let policy: String
        switch missing {
        case .defaultValue(let value): policy = "default(\(value))"
        case .failClosed: policy = "fail-closed"
        }
        // Names carry their length, so no name can imitate the separators of another field.
        return "feature:\(name.utf8.count):\(name);entity:\(entity.utf8.count):\(entity);type:double;version:\(version);ttl:\(ttl.microseconds);missing:\(policy);transformation:\(transformation.canonicalText)"
    }

    /// SHA-256 of ``canonicalText``, in hexadecimal.
    public var contentHash: String { Digest(of: Array(canonicalText.utf8)).hex }
}
