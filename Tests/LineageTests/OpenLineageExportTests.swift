import Foundation
import Lineage
import MLOpsStorage
import MLOpsTestSupport
import Testing

/// The official schemas, in the `shared/` folder that sits beside the repository.
let openLineageSchemas: String? = {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let folder = repository.deletingLastPathComponent().appendingPathComponent("shared/data/openlineage").path
    return FileManager.default.fileExists(atPath: "\(folder)/OpenLineage.json") ? folder : nil
}()

@Suite("OpenLineage export")
struct OpenLineageExportTests {
    static func recordedRuns() async throws -> (parent: Run, child: Run, failed: Run) {
        let store = InMemoryLineageStore()
        let sweep = try await store.startRun(RunStart(experiment: "fraud", name: "sweep", startTime: .ms(1_764_000_000_000)))
        let child = try await store.startRun(RunStart(experiment: "fraud", name: "trial-1", startTime: .ms(1_764_000_001_000), parentRunID: sweep.id))
        try await store.logParameters(["lr": 0.1, "model": "gbt"], to: child.id)
        try await store.logMetrics([MetricPoint(key: "auc", value: 0.91, timestamp: .ms(1)), MetricPoint(key: "loss", value: .nan, timestamp: .ms(1))], to: child.id)
        try await store.setEnvironment(EnvironmentSnapshot(gitCommit: String(repeating: "b", count: 40), variables: ["CUDA_VISIBLE_DEVICES": "0"]), for: child.id)
        let data = LineageArtifact(digest: Digest(of: Array("data".utf8)), kind: .dataset, name: "train.csv")
        try await store.recordArtifact(data, direction: .input, role: "training-data", run: child.id)
        try await store.recordArtifact(LineageArtifact(digest: Digest(of: Array("model".utf8)), kind: .model, name: "model.bin"), direction: .output, role: "model", run: child.id)
        try await store.finishRun(child.id, status: .finished, endTime: .ms(1_764_000_060_500))
        let failed = try await store.startRun(RunStart(experiment: "fraud", name: "trial-2", startTime: .ms(1_764_000_002_000)))
        try await store.finishRun(failed.id, status: .failed, endTime: .ms(1_764_000_003_000))
        return (try await store.run(sweep.id), try await store.run(child.id), try await store.run(failed.id))
    }

    @Test("events carry the run's life, its inputs and outputs by digest, and its facets")
    func eventShape() async throws {
        let (parent, child, failed) = try await Self.recordedRuns()
        let exporter = OpenLineageExporter()
        let events = exporter.events(for: child, parent: parent)
        let data = try exporter.encode(events, jsonLines: false)
        let json = try JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        #expect(json?.map { $0["eventType"] as? String } == ["START", "COMPLETE"])
        #expect(json?.last?["eventTime"] as? String == "2025-11-24T16:01:00.500Z")
        let inputs = json?.first?["inputs"] as? [[String: Any]]
        // Named by content alone, so writer and readers meet at one dataset; the role is the edge's.
        #expect(inputs?.first?["name"] as? String == "sha256:" + Digest(of: Array("data".utf8)).hex)
        let edge = (inputs?.first?["inputFacets"] as? [String: Any])?["mlops_edge"] as? [String: Any]
        #expect(edge?["role"] as? String == "training-data" && edge?["kind"] as? String == "dataset", "\(String(describing: inputs))")
        let outputs = json?.first?["outputs"] as? [[String: Any]]
        #expect((outputs?.first?["outputFacets"] as? [String: Any])?["mlops_edge"] != nil)
        // One file read in two roles is one dataset with both roles.
        var twice = child
        twice.edges.append(ArtifactEdge(runID: child.id, digest: Digest(of: Array("data".utf8)), direction: .input, role: "eval-data", kind: .dataset))
        let twiceJSON = try JSONSerialization.jsonObject(with: try exporter.encode(exporter.events(for: twice), jsonLines: false)) as? [[String: Any]]
        let twiceInputs = twiceJSON?.first?["inputs"] as? [[String: Any]]
        #expect(twiceInputs?.count == 1, "\(String(describing: twiceInputs))")
        let roles = ((twiceInputs?.first?["inputFacets"] as? [String: Any])?["mlops_edge"] as? [String: Any])?["roles"] as? [String]
        #expect(roles == ["eval-data", "training-data"])
        let runFacets = (json?.first?["run"] as? [String: Any])?["facets"] as? [String: Any]
        #expect(runFacets?["parent"] != nil)
        #expect(exporter.events(for: failed).count == 2)
        #expect(exporter.events(for: parent).count == 1)  // still running: START only
        let lines = String(decoding: try exporter.encode(exporter.events(for: failed), jsonLines: true), as: UTF8.self)
        #expect(lines.split(separator: "\n").count == 2)
        #expect(lines.contains("\"FAIL\""))
    }

    @Test(
        "exported events validate against the official OpenLineage schemas",
        .enabled(if: openLineageSchemas != nil, "needs shared/data/openlineage beside the repository"))
    func validatesAgainstSchemas() async throws {
        let (parent, child, failed) = try await Self.recordedRuns()
        let exporter = OpenLineageExporter()
        let events = exporter.events(for: parent) + exporter.events(for: child, parent: parent) + exporter.events(for: failed)
        let file = NSTemporaryDirectory() + "openlineage-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try exporter.encode(events, jsonLines: false).write(to: URL(fileURLWithPath: file))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts/validate_openlineage.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, file, openLineageSchemas ?? ""]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("5 events valid"), "\(text)")
    }
}
