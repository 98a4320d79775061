import Foundation
import Lineage
import MLOpsStorage
import MLOpsTestSupport
@testable import Registry
import Testing

/// Bundles between two SQLite registries, and what a damaged or forged bundle gets.
@Suite("Model bundles")
struct ModelBundleTests {
    /// A source registry with one approved version of `fraud/scorer`, its artifact and run.
    struct Source {
        let registry: SQLRegistryStore
        let lineage: SQLLineageStore
        let artifacts: FileSystemArtifactStore
        let approver: SigningKey
        let weights: [UInt8]
        let version: ModelVersion

        static func make(in folder: TemporaryFolder, database: SQLiteDatabase, weights: [UInt8]) async throws -> Source {
            let registry = try await SQLRegistryStore(database: database)
            let lineage = try await SQLLineageStore(database: database)
            let artifacts = try FileSystemArtifactStore(root: folder.file("source-artifacts"))
            let approver = SigningKey()
            _ = try await registry.addPrincipal(PrincipalRegistration(id: "root", roles: [.admin, .register]), by: nil)
            _ = try await registry.addPrincipal(PrincipalRegistration(id: "alice", roles: [.approve], publicKey: approver.publicKey), by: "root")
            let model = try ModelName("fraud/scorer")
            _ = try await registry.registerModel(ModelRegistration(name: model, description: "scores card payments", riskClass: .high), by: "root")
            let run = try await lineage.startRun(RunStart(experiment: "fraud", name: "gbt", startTime: Date()))
            let digest = try await artifacts.put(weights).digest
            let version = try await registry.registerVersion(
                VersionRegistration(model: model, runID: run.id, artifactDigest: digest, metrics: ["f1": 0.91], tags: ["framework": "xgboost"]),
                by: "root")
            try await registry.setPolicy(PromotionPolicy(alias: "production", requiredApprovals: 1), by: "root", reason: "gate")
            let policy = try #require(try await registry.policy(for: model, alias: "production"))
            try await registry.submitApproval(try Approval.sign(
                model: model, version: 1, versionDigest: version.digest, alias: "production", policyHash: try policy.hash(),
                principal: "alice", key: approver, signedAt: Date(), validFor: .seconds(3600)))
            return Source(registry: registry, lineage: lineage, artifacts: artifacts, approver: approver, weights: weights, version: version)
        }
    }

    @Test("a version moves to another registry with its card, run, metrics and artifact")
    func roundTrip() async throws {
        try await withTemporaryFolder { folder in
            let sourceDatabase = try await SQLiteDatabase(path: folder.file("source.sqlite"))
            let weights = (0..<3_000_000).map { UInt8(truncatingIfNeeded: ($0 * 7919) >> 5) }
            let source = try await Source.make(in: folder, database: sourceDatabase, weights: weights)
            let path = folder.file("scorer.mlbundle")
            let manifest = try await ModelBundle.export(
                try ModelName("fraud/scorer"), version: 1, from: source.registry, artifacts: source.artifacts, lineage: source.lineage, to: path)
            #expect(manifest.lineageRun?.id == source.version.runID)
            #expect(manifest.approvals.map(\.principal) == ["alice"])
            #expect(try #require(FileIO.size(path)) < Int64(weights.count), "the bundle is not compressed")

            let targetDatabase = try await SQLiteDatabase(path: folder.file("target.sqlite"))
            let target = try await SQLRegistryStore(database: targetDatabase)
            _ = try await target.addPrincipal(PrincipalRegistration(id: "ops", roles: [.admin, .register]), by: nil)
            let artifacts = try FileSystemArtifactStore(root: folder.file("target-artifacts"))
            let imported = try await ModelBundle.importBundle(at: path, into: target, artifacts: artifacts, by: "ops")
            #expect(imported.modelRegistered && imported.version.version == 1 && imported.version.author == "ops")
            #expect(imported.version.runID == source.version.runID && imported.version.metrics == ["f1": 0.91])
            #expect(try await target.model(try ModelName("fraud/scorer")).riskClass == .high)
            #expect(try await artifacts.read(source.version.artifactDigest) == weights)
            #expect(try await target.auditEntries(after: 0, limit: 100).map(\.action).suffix(2) == ["model.register", "version.register"])

            // A file that changed after it was verified writes nothing: the seal is checked again
            // as the bytes stream in.
            let other = folder.file("other.mlbundle")
            try await ModelBundle.export(try ModelName("fraud/scorer"), version: 1, from: target, artifacts: artifacts, lineage: nil, to: other)
            let stale = try ModelBundle.verify(at: path)
            let head = try await target.auditHead()
            let stored = try await artifacts.allDigests()
            await #expect(throws: RegistryError.self) {
                _ = try await ModelBundle.importBundle(stale, at: other, into: target, artifacts: artifacts, by: "ops")
            }
            #expect(try await target.auditHead() == head)
            #expect(try await artifacts.allDigests() == stored)
            try await sourceDatabase.close()
            try await targetDatabase.close()
        }
    }

    @Test("every single changed byte of a bundle is refused, naming the damage")
    func everyChangedByteIsRefused() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("source.sqlite"))
            let source = try await Source.make(in: folder, database: database, weights: Array("tiny model".utf8))
            let path = folder.file("scorer.mlbundle")
            try await ModelBundle.export(try ModelName("fraud/scorer"), version: 1, from: source.registry, artifacts: source.artifacts, lineage: nil, to: path)
            let original = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            let damaged = folder.file("damaged.mlbundle")
            for position in original.indices {
                for flip: UInt8 in [0x01, 0x80] {
                    var bytes = original
                    bytes[position] ^= flip
                    try Data(bytes).write(to: URL(fileURLWithPath: damaged))
                    do {
                        _ = try ModelBundle.verify(at: damaged)
                        Issue.record("a bundle with byte \(position) xor \(flip) verified")
                    } catch let error as RegistryError {
                        #expect(error.code == .invalidBundle, "\(error)")
                    }
                }
            }
            // Truncated, lengthened, empty, and not a bundle at all.
            for bytes in [Array(original.dropLast(1)), original + [0], [], Array("just a text file\n".utf8) + Array(repeating: 0, count: 40)] {
                try Data(bytes).write(to: URL(fileURLWithPath: damaged))
                #expect(throws: RegistryError.self) { _ = try ModelBundle.verify(at: damaged) }
            }
            try await database.close()
        }
    }

    @Test("a re-sealed bundle whose approval or version was edited does not verify")
    func forgedContentsAreRefused() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("source.sqlite"))
            let source = try await Source.make(in: folder, database: database, weights: Array("model bytes".utf8))
            let path = folder.file("scorer.mlbundle")
            let manifest = try await ModelBundle.export(
                try ModelName("fraud/scorer"), version: 1, from: source.registry, artifacts: source.artifacts, lineage: nil, to: path)

            // Someone who knows the format rewrites the bundle and seals it again.
            func forge(_ edited: ModelBundleManifest, artifact: [UInt8]) async throws -> String {
                let forged = folder.file("forged-\(UUID().uuidString).mlbundle")
                try await FileIO.writeNewFile(forged) { write in
                    let writer = try BundleWriter()
                    try writer.writeHeader(manifest: try RegistryCoding.canonicalJSON(edited), to: write)
                    try artifact.withUnsafeBytes { try writer.writeArtifactChunk($0, to: write) }
                    try writer.finish(to: write)
                }
                return forged
            }
            #expect(try ModelBundle.verify(at: try await forge(manifest, artifact: source.weights)).manifest == manifest, "an unedited re-seal should verify")
            var betterMetrics = manifest
            betterMetrics.version.metrics["f1"] = 0.99
            var otherKey = manifest
            otherKey.approvers = [BundledApprover(principal: "alice", publicKey: SigningKey().publicKey)]
            var otherAlias = manifest
            otherAlias.approvals[0].alias = "staging"
            var purged = manifest
            purged.version.status = .purged
            #expect(otherKey.approvers != manifest.approvers)
            let cases: [(String, String)] = [
                ("better metrics", try await forge(betterMetrics, artifact: source.weights)),
                ("another approver's key", try await forge(otherKey, artifact: source.weights)),
                ("an approval for another alias", try await forge(otherAlias, artifact: source.weights)),
                ("other artifact bytes", try await forge(manifest, artifact: Array("other bytes".utf8))),
                ("a purged version", try await forge(purged, artifact: source.weights)),
            ]
            for (what, forged) in cases {
                do {
                    _ = try ModelBundle.verify(at: forged)
                    Issue.record("a bundle with \(what) verified")
                } catch let error as RegistryError {
                    #expect(error.code == .invalidBundle && error.message.contains("does not verify"), "\(what): \(error)")
                }
            }
            try await database.close()
        }
    }

    @Test("a purged version cannot be exported, and a failed export leaves no file")
    func purgedVersionsStay() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("source.sqlite"))
            let source = try await Source.make(in: folder, database: database, weights: Array("pii-trained".utf8))
            let model = try ModelName("fraud/scorer")
            _ = try await source.registry.purge(model, version: 1, by: "root", reason: "trained on PII")
            let path = folder.file("scorer.mlbundle")
            await #expect(throws: RegistryError.self) {
                try await ModelBundle.export(model, version: 1, from: source.registry, artifacts: source.artifacts, lineage: nil, to: path)
            }
            #expect(!FileManager.default.fileExists(atPath: path))
            // An artifact missing from the store fails the export and leaves nothing behind.
            let digest = Digest(of: Array("never stored".utf8))
            _ = try await source.registry.registerVersion(VersionRegistration(model: model, artifactDigest: digest), by: "root")
            await #expect(throws: (any Error).self) {
                try await ModelBundle.export(model, version: 2, from: source.registry, artifacts: source.artifacts, lineage: nil, to: path)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("scorer") }.isEmpty)
            try await database.close()
        }
    }
}
