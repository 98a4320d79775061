public import Foundation
public import Lineage
public import MLOpsStorage
import TensorCore

/// One version of a registered model: the run and artifact that produced it, its feature set,
/// signature and evaluation metrics (fixed once registered, and summed up in ``digest``), its
/// card, and its status.
///
/// Maps one to one onto an MLflow model version: ``source`` is MLflow's `source`, ``runID`` its
/// `run_id`, ``status`` its `status` (``VersionStatus/ready`` is `READY`), ``tags`` its tags.
public struct ModelVersion: Sendable, Hashable, Codable {
    /// The model.
    public var model: ModelName
    /// The version number, from 1.
    public var version: Int
    /// The Lineage run that trained it.
    @ExplicitNull public var runID: RunID?
    /// The digest of the model's bytes in the artifact store.
    public var artifactDigest: Digest
    /// Where the artifact came from (MLflow's `source`, a URI).
    @ExplicitNull public var source: String?
    /// The hash of the feature set definition it was trained with.
    @ExplicitNull public var featureSetHash: String?
    /// Its inputs and outputs.
    @ExplicitNull public var signature: ModelSignature?
    /// Evaluation metrics (promotion policies compare these).
    public var metrics: [String: Double]
    /// What changed in this version.
    public var description: String
    /// Free-form labels.
    public var tags: [String: String]
    /// The model card, when one was written.
    @ExplicitNull public var card: ModelCard?
    /// Who registered it.
    public var author: String
    /// When it was registered.
    public var createdAt: Date
    /// Ready, quarantined or purged.
    public var status: VersionStatus
    /// Why it was quarantined or purged.
    @ExplicitNull public var statusReason: String?
    /// The SHA-256 of the version's fixed fields (see ``identityDigest()``): what approvals sign.
    public var digest: Digest

    enum CodingKeys: String, CodingKey {
        case model, version, source, signature, metrics, description, tags, card, author, status, digest
        case runID = "run_id", artifactDigest = "artifact_digest", featureSetHash = "feature_set_hash"
        case createdAt = "created_at", statusReason = "status_reason"
    }

    /// The tag a purged version's tombstone keeps when the version was quarantined: the
    /// quarantine's hold on the artifact's bytes outlives the purge, so the same bytes cannot come
    /// back as a new version (``RegistryStore/registerVersion(_:by:)`` refuses them).
    public static let quarantinedTag = "mlops.quarantined"

    /// Whether this version keeps its artifact's bytes from being registered again: it is
    /// quarantined, or was before it was purged.
    public var holdsItsArtifactBack: Bool {
        status == .quarantined || (status == .purged && tags[Self.quarantinedTag] != nil)
    }

    /// The fields a version never changes, as canonical JSON: sorted keys, times in whole
    /// milliseconds, no spaces.
    struct Identity: Encodable {
        var model: String
        var version: Int
        var runID: String?
        var artifactDigest: String
        var source: String?
        var featureSetHash: String?
        var signature: ModelSignature?
        var metrics: [String: Double]
        var author: String
        var createdAt: Int64

        enum CodingKeys: String, CodingKey {
            case model, version, source, signature, metrics, author
            case runID = "run_id", artifactDigest = "artifact_digest", featureSetHash = "feature_set_hash", createdAt = "created_at_ms"
        }
    }

    /// The SHA-256 of the fixed fields (model, version, run, artifact, source, feature set,
    /// signature, metrics, author, creation time), computed afresh.
    public func identityDigest() throws -> Digest {
        let identity = Identity(
            model: model.value, version: version, runID: runID?.value, artifactDigest: artifactDigest.description, source: source,
            featureSetHash: featureSetHash, signature: signature, metrics: metrics, author: author,
            createdAt: createdAt.millisecondsSince1970)
        var json = CanonicalJSONWriter()
        try identity.writeCanonicalJSON(to: &json)
        return Digest(of: json.bytes)
    }

    /// Whether the version may still be promoted.
    public var isPromotable: Bool { status == .ready }
}

/// What ``RegistryStore/registerVersion(_:by:)`` needs to register a version.
public struct VersionRegistration: Sendable, Hashable {
    /// The model (registered before).
    public var model: ModelName
    /// The Lineage run that trained it.
    public var runID: RunID?
    /// The digest of the model's bytes in the artifact store.
    public var artifactDigest: Digest
    /// Where the artifact came from (MLflow's `source`).
    public var source: String?
    /// The hash of the feature set definition.
    public var featureSetHash: String?
    /// Its inputs and outputs.
    public var signature: ModelSignature?
    /// Evaluation metrics; finite numbers only.
    public var metrics: [String: Double]
    /// What changed in this version.
    public var description: String
    /// Free-form labels.
    public var tags: [String: String]
    /// The model card.
    public var card: ModelCard?

    /// Creates a registration.
    public init(
        model: ModelName, runID: RunID? = nil, artifactDigest: Digest, source: String? = nil, featureSetHash: String? = nil,
        signature: ModelSignature? = nil, metrics: [String: Double] = [:], description: String = "", tags: [String: String] = [:],
        card: ModelCard? = nil
    ) {
        self.model = model
        self.runID = runID
        self.artifactDigest = artifactDigest
        self.source = source
        self.featureSetHash = featureSetHash
        self.signature = signature
        self.metrics = metrics
        self.description = description
        self.tags = tags
        self.card = card
    }
}

// The canonical JSON of the records every registration writes, member by member (see
// CanonicalJSONRecord): the keys in byte order, optionals as `Encodable` writes them (an
// `ExplicitNull` member as `null`, a plain optional left out).

extension ModelVersion: CanonicalJSONRecord {
    func writeCanonicalJSON(to json: inout CanonicalJSONWriter) throws {
        try json.object { json in
            json.key("artifact_digest")
            json.string(artifactDigest.description)
            json.key("author")
            json.string(author)
            json.key("card")
            try json.encodable(card, at: CodingKeys.card)
            json.key("created_at")
            json.date(createdAt)
            json.key("description")
            json.string(description)
            json.key("digest")
            json.string(digest.description)
            json.key("feature_set_hash")
            json.string(featureSetHash)
            json.key("metrics")
            try json.numbers(metrics, at: CodingKeys.metrics)
            json.key("model")
            json.string(model.value)
            json.key("run_id")
            json.string(runID?.value)
            json.key("signature")
            try json.encodable(signature, at: CodingKeys.signature)
            json.key("source")
            json.string(source)
            json.key("status")
            json.string(status.rawValue)
            json.key("status_reason")
            json.string(statusReason)
            json.key("tags")
            json.strings(tags)
            json.key("version")
            json.integer(version)
        }
    }
}

extension ModelVersion.Identity: CanonicalJSONRecord {
    func writeCanonicalJSON(to json: inout CanonicalJSONWriter) throws {
        try json.object { json in
            json.key("artifact_digest")
            json.string(artifactDigest)
            json.key("author")
            json.string(author)
            json.key("created_at_ms")
            json.integer(createdAt)
            if let featureSetHash {
                json.key("feature_set_hash")
                json.string(featureSetHash)
            }
            json.key("metrics")
            try json.numbers(metrics, at: CodingKeys.metrics)
            json.key("model")
            json.string(model)
            if let runID {
                json.key("run_id")
                json.string(runID)
            }
            if let signature {
                json.key("signature")
                try json.encodable(signature, at: CodingKeys.signature)
            }
            if let source {
                json.key("source")
                json.string(source)
            }
            json.key("version")
            json.integer(version)
        }
    }
}
