public import Foundation
public import MLOpsStorage
import TensorCore

/// A principal's signed consent that one version may take one alias under one policy.
///
/// The Ed25519 signature covers ``statement``: the model, version, the version's digest, the
/// alias, the policy's hash, the principal, and the signing and expiry times. Change any of them
/// (a new version, a new policy) and the approval no longer counts. The statement's exact bytes
/// are in Documentation/Architecture.md, so another language can verify a signature.
public struct Approval: Sendable, Hashable, Codable {
    /// The model.
    public var model: ModelName
    /// The version approved.
    public var version: Int
    /// The version's ``ModelVersion/digest`` at signing.
    public var versionDigest: Digest
    /// The alias it may take.
    public var alias: String
    /// The hash of the policy it was approved under (``PromotionPolicy/hash()``).
    public var policyHash: Digest
    /// Who approved.
    public var principal: String
    /// When it was signed.
    public var signedAt: Date
    /// When it stops counting.
    public var expiresAt: Date
    /// The Ed25519 signature of ``statement`` (64 bytes).
    public var signature: Data

    enum CodingKeys: String, CodingKey {
        case model, version, alias, principal, signature
        case versionDigest = "version_digest", policyHash = "policy_hash", signedAt = "signed_at", expiresAt = "expires_at"
    }

    /// Creates an approval record (use ``sign(model:version:versionDigest:alias:policyHash:principal:key:signedAt:validFor:)``
    /// to make a new one).
    public init(
        model: ModelName, version: Int, versionDigest: Digest, alias: String, policyHash: Digest, principal: String,
        signedAt: Date, expiresAt: Date, signature: Data
    ) {
        self.model = model
        self.version = version
        self.versionDigest = versionDigest
        self.alias = alias
        self.policyHash = policyHash
        self.principal = principal
        self.signedAt = signedAt
        self.expiresAt = expiresAt
        self.signature = signature
    }

    /// The bytes the signature covers: one `key=value` line per field, in a fixed order, after a
    /// versioned header, so another language can rebuild and check them.
    public var statement: [UInt8] {
        Self.statement(
            model: model, version: version, versionDigest: versionDigest, alias: alias, policyHash: policyHash,
            principal: principal, signedAt: signedAt, expiresAt: expiresAt)
    }

    static func statement(
        model: ModelName, version: Int, versionDigest: Digest, alias: String, policyHash: Digest, principal: String,
        signedAt: Date, expiresAt: Date
    ) -> [UInt8] {
        let lines = [
            "swift-mlops approval v1",
            "model=\(model.value)",
            "version=\(version)",
            "version_digest=\(versionDigest)",
            "alias=\(alias)",
            "policy_hash=\(policyHash)",
            "principal=\(principal)",
            "signed_at_ms=\(signedAt.millisecondsSince1970)",
            "expires_at_ms=\(expiresAt.millisecondsSince1970)",
        ]
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// Signs an approval with `key`.
    ///
    /// - Parameters:
    ///   - model: the model.
    ///   - version: the version approved.
    ///   - versionDigest: the version's ``ModelVersion/digest``.
    ///   - alias: the alias it may take.
    ///   - policyHash: the hash of the alias's current policy (``PromotionPolicy/hash()``).
    ///   - principal: who approves (the key's owner).
    ///   - key: the principal's private key.
    ///   - signedAt: when it is signed (now by default; kept to the millisecond).
    ///   - validFor: how long the approval counts (7 days by default).
    public static func sign(
        model: ModelName, version: Int, versionDigest: Digest, alias: String, policyHash: Digest, principal: String,
        key: SigningKey, signedAt: Date = Date(), validFor: Duration = .seconds(7 * 24 * 3600)
    ) throws -> Approval {
        let signedAt = signedAt.registryRounded
        let seconds = Double(validFor.components.seconds) + Double(validFor.components.attoseconds) / 1e18
        let expiresAt = signedAt.addingTimeInterval(seconds).registryRounded
        let bytes = statement(
            model: model, version: version, versionDigest: versionDigest, alias: alias, policyHash: policyHash,
            principal: principal, signedAt: signedAt, expiresAt: expiresAt)
        return Approval(
            model: model, version: version, versionDigest: versionDigest, alias: alias, policyHash: policyHash,
            principal: principal, signedAt: signedAt, expiresAt: expiresAt, signature: try key.signature(for: bytes))
    }

    /// Whether the signature verifies against `publicKey` (32 raw Ed25519 bytes).
    public func verifies(with publicKey: Data) -> Bool {
        SigningKey.verify(signature: signature, of: statement, publicKey: publicKey)
    }
}
