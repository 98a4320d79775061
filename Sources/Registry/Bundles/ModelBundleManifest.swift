public import Foundation
public import Lineage
public import MLOpsStorage

/// What a model bundle says about the version it carries: the model, the version with its card,
/// the Lineage run that trained it, the approvals it received and the keys that verify them.
///
/// Written by ``ModelBundle/export(_:version:from:artifacts:lineage:to:now:)`` and checked in
/// full by ``ModelBundle/verify(at:)`` before anything of a bundle is imported.
public struct ModelBundleManifest: Sendable, Hashable, Codable {
    /// The bundle format this build writes and reads.
    public static let currentFormat = 1

    /// The bundle format.
    public var format: Int
    /// When the bundle was written.
    public var exportedAt: Date
    /// The model as registered in the source registry.
    public var model: RegisteredModel
    /// The version, with its card, metrics, signature and ``ModelVersion/digest``.
    public var version: ModelVersion
    /// The Lineage run that trained the version (parameters, metrics, environment, inputs and
    /// outputs), when the source registry could read it.
    @ExplicitNull public var lineageRun: Run?
    /// The approvals the version received in the source registry.
    public var approvals: [Approval]
    /// The public keys of the approvals' principals, which verify their signatures.
    public var approvers: [BundledApprover]
    /// The source registry's aliases that pointed at the version when it was exported.
    public var aliases: [String]
    /// The source registry's audit head when the bundle was written, to anchor the bundle in its trail.
    public var sourceAuditHead: AuditHead

    enum CodingKeys: String, CodingKey {
        case format, model, version, approvals, approvers, aliases
        case exportedAt = "exported_at", lineageRun = "lineage_run", sourceAuditHead = "source_audit_head"
    }

    /// Creates a manifest.
    public init(
        exportedAt: Date, model: RegisteredModel, version: ModelVersion, lineageRun: Run?, approvals: [Approval],
        approvers: [BundledApprover], aliases: [String], sourceAuditHead: AuditHead
    ) {
        self.format = Self.currentFormat
        self.exportedAt = exportedAt
        self.model = model
        self.version = version
        self.lineageRun = lineageRun
        self.approvals = approvals
        self.approvers = approvers
        self.aliases = aliases
        self.sourceAuditHead = sourceAuditHead
    }

    /// Every reason the manifest contradicts itself or the artifact that came with it (empty
    /// when it is consistent): a version digest that is not the digest of its fields, an
    /// artifact whose digest is not the version's, an approval whose signature does not verify.
    public func problems(artifactDigest: Digest) -> [String] {
        var problems: [String] = []
        if format != Self.currentFormat {
            problems.append("the bundle format is \(format); this build reads format \(Self.currentFormat)")
        }
        if model.name != version.model {
            problems.append("the manifest's model is \(model.name) but its version belongs to \(version.model)")
        }
        if (try? version.identityDigest()) != version.digest {
            problems.append("version \(version.version)'s digest \(version.digest) is not the digest of its fields")
        }
        if artifactDigest != version.artifactDigest {
            problems.append("the artifact's bytes hash to \(artifactDigest), not to the version's artifact \(version.artifactDigest)")
        }
        if version.status == .purged {
            problems.append("the version is purged: a bundle never carries a purged version")
        }
        if let run = lineageRun, run.id != version.runID {
            problems.append("the bundled Lineage run is \(run.id), not the version's run \(version.runID.map { "\($0)" } ?? "(none)")")
        }
        let keys = Dictionary(approvers.map { ($0.principal, $0.publicKey) }, uniquingKeysWith: { first, _ in first })
        for approval in approvals {
            let subject = "the approval by \(approval.principal) for \(approval.alias)"
            if approval.model != version.model || approval.version != version.version || approval.versionDigest != version.digest {
                problems.append("\(subject) signs \(approval.model) version \(approval.version) (\(approval.versionDigest)), not this version")
            } else if let key = keys[approval.principal] {
                if !approval.verifies(with: key) { problems.append("\(subject) has a signature that does not verify with its key") }
            } else {
                problems.append("\(subject) has no public key in the bundle")
            }
        }
        return problems
    }
}

/// A principal's public key, carried in a bundle to verify its approvals.
public struct BundledApprover: Sendable, Hashable, Codable {
    /// The principal.
    public var principal: String
    /// Its Ed25519 public key (32 bytes) in the source registry.
    public var publicKey: Data

    enum CodingKeys: String, CodingKey {
        case principal
        case publicKey = "public_key"
    }

    /// Creates an entry.
    public init(principal: String, publicKey: Data) {
        self.principal = principal
        self.publicKey = publicKey
    }
}
