import Foundation
import Lineage
import MLOpsStorage
import MLOpsTestSupport
import Testing

@Suite("Reproducibility")
struct ReproducibilityTests {
    static func edge(_ name: String, _ direction: ArtifactDirection, _ kind: ArtifactKind, run: RunID, role: String) -> ArtifactEdge {
        ArtifactEdge(runID: run, digest: Digest(of: Array(name.utf8)), direction: direction, role: role, kind: kind)
    }

    static func run(data: String = "train-v1", commit: String = "c1", dirty: Bool = false, lr: Double = 0.1, seed: UInt64 = 42, features: String = "fs-v1") -> Run {
        let id = RunID()
        return Run(
            id: id, experiment: "e", name: "r", status: .finished, startTime: .ms(0), endTime: .ms(1),
            parameters: ["lr": .double(lr), "depth": 6],
            latestMetrics: ["auc": MetricPoint(key: "auc", value: 0.9 + lr, timestamp: .ms(1))],
            environment: EnvironmentSnapshot(gitCommit: commit, gitDirty: dirty, swiftVersion: "6.3", seeds: ["split": seed]),
            edges: [
                edge(data, .input, .dataset, run: id, role: "training-data"),
                edge(features, .input, .featureSet, run: id, role: "features"),
                edge("model", .output, .model, run: id, role: "model"),
            ])
    }

    @Test("a complete run is reproducible")
    func complete() {
        #expect(ReproducibilityCheck(run: Self.run()).isReproducible)
    }

    @Test("missing pieces are named")
    func gaps() {
        var run = Self.run(dirty: true)
        run.environment?.seeds = [:]
        run.edges = []
        run.status = .failed
        let codes = ReproducibilityCheck(run: run).gaps.map(\.code)
        #expect(codes == ["no-inputs", "dirty-tree", "no-seeds", "not-finished", "no-outputs"])
        run.environment = nil
        #expect(ReproducibilityCheck(run: run).gaps.map(\.code).contains("no-environment"))
    }

    @Test("a diff ranks data before code before parameters before seeds")
    func diffRanking() {
        let a = Self.run()
        let b = Self.run(data: "train-v2", commit: "c2", lr: 0.2, seed: 7, features: "fs-v2")
        let diff = RunDiff(a, b)
        #expect(diff.differences.map(\.category) == [.data, .featureSet, .code, .parameter, .seed])
        #expect(diff.likeliestExplanation?.name == "training-data")
        #expect(diff.metricChanges.first?.key == "auc")
        #expect(abs((diff.metricChanges.first?.delta ?? 0) - 0.1) < 1e-12)
        #expect(RunDiff(a, a).differences.isEmpty)
    }

    @Test("a diff sees one more shard read in a role, and a parameter typed differently with the same text")
    func diffShardsAndTypes() {
        var a = Self.run(), b = Self.run()
        a.edges.append(Self.edge("shard-1", .input, .dataset, run: a.id, role: "shard"))
        a.edges.append(Self.edge("shard-2", .input, .dataset, run: a.id, role: "shard"))
        b.edges.append(Self.edge("shard-2", .input, .dataset, run: b.id, role: "shard"))
        a.parameters["depth"] = .string("6")
        let diff = RunDiff(a, b)
        let shards = diff.differences.first { $0.category == .data && $0.name == "shard" }
        #expect(shards?.left?.components(separatedBy: ", ").count == 2, "\(diff.differences)")
        #expect(shards?.right == "sha256:" + Digest(of: Array("shard-2".utf8)).hex)
        let depth = diff.differences.first { $0.category == .parameter && $0.name == "depth" }
        #expect(depth?.left == "6 (string)" && depth?.right == "6 (int)", "\(diff.differences)")
        // The same shards in another order are no difference.
        var c = Self.run()
        c.edges.append(Self.edge("shard-2", .input, .dataset, run: c.id, role: "shard"))
        c.edges.append(Self.edge("shard-1", .input, .dataset, run: c.id, role: "shard"))
        #expect(RunDiff(a, c).differences.filter { $0.category == .data }.isEmpty)
    }
}

@Suite("Lineage records as JSON")
struct LineageRecordJSONTests {
    @Test("an artifact's JSON has every key, an unknown size or URI as null, and reads back the same")
    func artifactKeysAreStable() throws {
        let bare = LineageArtifact(digest: Digest(of: Array("m".utf8)), kind: .model, name: "model.bin")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(bare), as: UTF8.self)
        #expect(text.contains("\"size\":null") && text.contains("\"uri\":null"), "\(text)")
        #expect(try JSONDecoder().decode(LineageArtifact.self, from: Data(text.utf8)) == bare)
        let full = LineageArtifact(digest: bare.digest, kind: .dataset, name: "d.csv", size: 12, uri: "s3://b/d.csv")
        #expect(try JSONDecoder().decode(LineageArtifact.self, from: try encoder.encode(full)) == full)
        // Written before the change, without the keys: still read.
        let old = #"{"digest":"sha256:\#(bare.digest.hex)","kind":"model","name":"model.bin"}"#
        #expect(try JSONDecoder().decode(LineageArtifact.self, from: Data(old.utf8)) == bare)
    }
}
