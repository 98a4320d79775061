public import Foundation
public import Lineage
public import MLOpsStorage

/// Moves one model version between registries as a single file: the manifest (model, version,
/// card, Lineage run, approvals and their keys) and the artifact's bytes, compressed with zlib
/// and sealed with a SHA-256 of the whole payload.
///
/// ```swift
/// // In the source registry:
/// try await ModelBundle.export(scorer, version: 3, from: registry, artifacts: artifacts, lineage: lineage,
///                              to: "scorer-v3.mlbundle")
/// // In the target registry, as a principal holding the register role:
/// let imported = try await ModelBundle.importBundle(at: "scorer-v3.mlbundle", into: target,
///                                                   artifacts: targetArtifacts, by: "ci-pipeline")
/// ```
///
/// Import verifies everything before it writes anything: zlib's checksum, every frame, the seal,
/// the artifact's digest against the version's, the version's digest against its fields, and
/// each approval's Ed25519 signature against the key the bundle carries. One changed byte
/// anywhere fails with ``RegistryError/Code/invalidBundle`` and leaves both stores untouched.
///
/// The imported version is a new version of the target's model (numbered there), registered by
/// the importing principal, carrying the source version's run, artifact, source, feature set,
/// signature, metrics, card and tags, plus the tags `mlops.bundle.source` (the source model,
/// version and digest) and `mlops.bundle.seal`. The approvals are not carried over: they were
/// given by the source registry's principals under its policies, and the target's governance
/// decides afresh (they stay in the bundle as evidence, and ``BundleImport/approvalsVerified``
/// counts them).
public enum ModelBundle {
    /// Writes version `version` of `model` to a new file at `path` (never over another file; a
    /// failed export leaves no file behind).
    ///
    /// - Parameters:
    ///   - model: the model.
    ///   - number: the version.
    ///   - registry: the registry it is read from (nothing in it changes).
    ///   - artifacts: the artifact store that holds the version's bytes.
    ///   - lineage: where the version's run is read from, to travel in the bundle; nil leaves it out.
    ///   - path: the bundle file to create.
    ///   - now: the export time recorded in the manifest.
    /// - Returns: the manifest written.
    /// - Throws: ``RegistryError/Code/notFound`` for an unknown model or version;
    ///   ``RegistryError/Code/versionUnavailable`` for a purged version (its bytes are gone) or a
    ///   quarantined one (held back for good);
    ///   `StorageError` when the artifact is missing or damaged, or the file cannot be written.
    @discardableResult
    public static func export(
        _ model: ModelName, version number: Int, from registry: any RegistryStore, artifacts: any ArtifactStore,
        lineage: (any LineageStore)?, to path: String, now: Date = Date()
    ) async throws -> ModelBundleManifest {
        let record = try await registry.model(model)
        let version = try await registry.version(model, number)
        guard version.status != .purged else {
            throw RegistryError(
                .versionUnavailable, "Version \(number) of '\(model)' is purged: its artifact and card are gone, so it cannot be exported",
                fix: "export a version that is not purged.")
        }
        // Quarantine holds a version back for good: a bundle would carry it, ready, to another store.
        guard version.status != .quarantined else {
            throw RegistryError(
                .versionUnavailable, "Version \(number) of '\(model)' is quarantined\(version.statusReason.map { " (\($0))" } ?? ""), so it cannot be exported",
                fix: "export a version that is not quarantined.")
        }
        let approvals = try await registry.approvals(of: model, version: number)
        var approvers: [BundledApprover] = []
        for id in Set(approvals.map(\.principal)).sorted() {
            if let key = try await registry.principal(id).publicKey { approvers.append(BundledApprover(principal: id, publicKey: key)) }
        }
        var run: Run?
        if let runID = version.runID, let lineage {
            do {
                run = try await lineage.run(runID)
            } catch let error as LineageError where error.code == .notFound {
                run = nil
            }
        }
        let manifest = ModelBundleManifest(
            exportedAt: now.registryRounded, model: record, version: version, lineageRun: run, approvals: approvals, approvers: approvers,
            aliases: try await registry.aliases(of: model).filter { $0.version == number }.map(\.alias),
            sourceAuditHead: try await registry.auditHead())
        let manifestBytes = try RegistryCoding.canonicalJSON(manifest)
        do {
            try await FileIO.writeNewFile(path) { write in
                let writer = try BundleWriter()
                try writer.writeHeader(manifest: manifestBytes, to: write)
                // The store checks the bytes against the digest after the last chunk and throws
                // when they differ: then the file is never published.
                try await artifacts.read(version.artifactDigest) { chunk in try writer.writeArtifactChunk(chunk, to: write) }
                try writer.finish(to: write)
            }
        } catch let error as StorageError where error.code == .artifactPurged {
            // Purged by another process since the version was read: said as for a purged version.
            if let now = try? await registry.version(model, number), now.status == .purged {
                throw RegistryError(
                    .versionUnavailable, "Version \(number) of '\(model)' was purged while it was being exported: its artifact and card are gone",
                    fix: "export a version that is not purged.")
            }
            throw error
        }
        return manifest
    }

    /// Reads the bundle at `path` through and checks all of it, writing nothing.
    ///
    /// - Throws: ``RegistryError/Code/invalidBundle`` saying what does not verify;
    ///   `StorageError` when the file cannot be read.
    public static func verify(at path: String) throws -> VerifiedBundle {
        try read(at: path) { _ in }
    }

    /// Verifies the bundle at `path`, then registers its version in `registry` (and the model,
    /// when the registry does not have it, in the same transaction) as `actor`, with the
    /// artifact's bytes put in `artifacts`. Imports of one bundle at once each add a version: the
    /// model is registered by one of them.
    ///
    /// - Throws: ``RegistryError/Code/invalidBundle`` (nothing written);
    ///   ``RegistryError/Code/permissionDenied`` when `actor` does not hold ``Role/register``
    ///   (nothing written); what registering the model or version throws.
    public static func importBundle(
        at path: String, into registry: any RegistryStore, artifacts: any ArtifactStore, by actor: String
    ) async throws -> BundleImport {
        // Reading and hashing the whole file is long work: done on a thread of its own, not on
        // one of the cooperative pool's.
        let verified = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<VerifiedBundle, any Error>) in
            DispatchQueue.global().async { continuation.resume(with: Result { try verify(at: path) }) }
        }
        return try await importBundle(verified, at: path, into: registry, artifacts: artifacts, by: actor)
    }

    /// Imports the bundle at `path` that ``verify(at:)`` already read through (`verified`),
    /// without verifying it a second time first: its bytes are still checked as they stream into
    /// the artifact store, and a file that changed since (another seal) writes nothing.
    ///
    /// - Throws: as ``importBundle(at:into:artifacts:by:)``.
    public static func importBundle(
        _ verified: VerifiedBundle, at path: String, into registry: any RegistryStore, artifacts: any ArtifactStore, by actor: String
    ) async throws -> BundleImport {
        let manifest = verified.manifest
        try await registry.requireRole(.register, of: actor, toDo: "import a model version")

        let source = manifest.version
        var tags = source.tags
        tags["mlops.bundle.source"] = "\(source.model)@\(source.version) \(source.digest)"
        tags["mlops.bundle.seal"] = verified.seal
        let versionRegistration = VersionRegistration(
            model: source.model, runID: source.runID, artifactDigest: source.artifactDigest, source: source.source,
            featureSetHash: source.featureSetHash, signature: source.signature, metrics: source.metrics,
            description: source.description, tags: tags, card: source.card)

        // The bytes first: a failure from here on leaves at most unreferenced content in the
        // artifact store, never a record. Read again as they stream in, and checked again:
        // should the file have changed since the first read, the put throws and stores nothing.
        // The version is recorded while the store holds its bytes against a purge of the same
        // bytes (``ArtifactStore/put(streaming:thenHolding:)``).
        let (imported, modelRegistered) = try await artifacts.put(streaming: { writer in
            let again = try read(at: path) { chunk in try writer.write(chunk) }
            guard again.seal == verified.seal else {
                throw BundleFormat.damaged("the file changed while it was being imported")
            }
        }, thenHolding: { receipt in
            guard receipt.digest == verified.artifactDigest else {
                throw BundleFormat.damaged("the artifact store computed \(receipt.digest), not \(verified.artifactDigest)")
            }
            let model = manifest.model
            return try await registry.registerVersion(
                versionRegistration,
                creatingModel: ModelRegistration(name: model.name, description: model.description, owner: model.owner, tags: model.tags, riskClass: model.riskClass),
                by: actor)
        }, ifStoredThrows: { digest in try await registry.hasLiveVersion(usingArtifact: digest) })
        return BundleImport(
            manifest: manifest, version: imported, modelRegistered: modelRegistered, approvalsVerified: manifest.approvals.count,
            artifactSize: verified.artifactSize, seal: verified.seal)
    }

    /// Reads and checks the bundle at `path`, handing the artifact's bytes to `artifact`.
    private static func read(at path: String, artifact: (UnsafeRawBufferPointer) throws -> Void) throws -> VerifiedBundle {
        guard let fileSize = FileIO.size(path) else {
            throw StorageError(.fileSystem, "There is no bundle at \(path)", location: path, fix: "check the path.")
        }
        let reader = try BundleReader(fileSize: fileSize)
        try FileIO.readChunks(of: path) { chunk in try reader.consume(file: chunk, artifact: artifact) }
        let (digest, size) = try reader.finish()
        let manifest: ModelBundleManifest
        do {
            manifest = try RegistryCoding.makeDecoder().decode(ModelBundleManifest.self, from: Data(reader.manifestBytes))
        } catch {
            throw BundleFormat.damaged("the manifest cannot be read (\(error))")
        }
        let problems = manifest.problems(artifactDigest: digest)
        guard problems.isEmpty else {
            throw RegistryError(
                .invalidBundle, "The bundle does not verify: \(problems.joined(separator: "; "))",
                fix: "export it again from the source registry; a bundle edited after export never verifies.")
        }
        return VerifiedBundle(
            manifest: manifest, artifactDigest: digest, artifactSize: Int64(size),
            seal: Digest(sha256Bytes: reader.seal).hex)
    }
}

/// A bundle that ``ModelBundle/verify(at:)`` read through and found intact.
public struct VerifiedBundle: Sendable, Hashable, Codable {
    /// What the bundle says.
    public var manifest: ModelBundleManifest
    /// The digest of the artifact's bytes (the version's artifact digest).
    public var artifactDigest: Digest
    /// The artifact's size in bytes.
    public var artifactSize: Int64
    /// The seal: the SHA-256 of the whole payload, in hex.
    public var seal: String

    enum CodingKeys: String, CodingKey {
        case manifest, seal
        case artifactDigest = "artifact_digest", artifactSize = "artifact_size"
    }
}

/// What ``ModelBundle/importBundle(at:into:artifacts:by:)`` did.
public struct BundleImport: Sendable, Hashable, Codable {
    /// The bundle's manifest.
    public var manifest: ModelBundleManifest
    /// The version registered in the target registry.
    public var version: ModelVersion
    /// Whether the model itself was registered by the import (it was missing).
    public var modelRegistered: Bool
    /// How many approval signatures in the bundle verified (not carried over; see ``ModelBundle``).
    public var approvalsVerified: Int
    /// The artifact's size in bytes.
    public var artifactSize: Int64
    /// The bundle's seal, in hex.
    public var seal: String

    enum CodingKeys: String, CodingKey {
        case manifest, version, seal
        case modelRegistered = "model_registered", approvalsVerified = "approvals_verified", artifactSize = "artifact_size"
    }
}
