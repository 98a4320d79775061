import Foundation
import Lineage
import MLOpsStorage
import Testing

/// The behaviour every LineageStore must show; run by each implementation's suite below.
enum LineageStoreConformance {
    static func artifact(_ name: String, _ kind: ArtifactKind) -> LineageArtifact {
        LineageArtifact(digest: Digest(of: Array(name.utf8)), kind: kind, name: name, size: Int64(name.utf8.count))
    }

    /// A unique experiment name, so checks can share one PostgreSQL database.
    static func experiment(_ label: String) -> String { "\(label)-\(UUID().uuidString.prefix(8))" }

    static func recordsARunCompletely(_ store: any LineageStore) async throws {
        let experiment = experiment("complete")
        let run = try await store.startRun(RunStart(experiment: experiment, name: "gbt", startTime: 1_000, owner: "ana", tags: ["team": "fraud"]))
        #expect(run.status == .running)
        try await store.logParameters(["model": "gbt", "depth": 6, "lr": 0.05, "early_stop": true], to: run.id)
        try await store.logParameters(["model": "gbt"], to: run.id)  // the same value again is fine
        try await store.logMetrics([
            MetricPoint(key: "loss", value: 0.9, step: 0, timestamp: 1_001),
            MetricPoint(key: "loss", value: 0.5, step: 1, timestamp: 1_002),
            MetricPoint(key: "loss", value: .nan, step: 2, timestamp: 1_003),
            MetricPoint(key: "auc", value: 0.93, step: 2, timestamp: 1_003),
        ], to: run.id)
        try await store.logMetrics([MetricPoint(key: "loss", value: 0.7, step: 1, timestamp: 999)], to: run.id)  // older: not latest
        let data = artifact("train.csv", .dataset)
        let model = artifact("model.bin", .model)
        try await store.recordArtifact(data, direction: .input, role: "training-data", run: run.id)
        try await store.recordArtifact(model, direction: .output, role: "model", run: run.id)
        try await store.setEnvironment(EnvironmentSnapshot(gitCommit: String(repeating: "a", count: 40), gitDirty: false, seeds: ["split": 42]), for: run.id)
        try await store.setTags(["team": "risk", "stage": "dev"], on: run.id)
        try await store.finishRun(run.id, status: .finished, endTime: 2_000)

        let stored = try await store.run(run.id)
        #expect(stored.experiment == experiment)
        #expect(stored.status == .finished)
        #expect(stored.endTime == 2_000)
        #expect(stored.owner == "ana")
        #expect(stored.tags == ["team": "risk", "stage": "dev"])
        #expect(stored.parameters == ["model": "gbt", "depth": 6, "lr": 0.05, "early_stop": true])
        #expect(stored.latestMetrics["auc"]?.value == 0.93)
        #expect(stored.latestMetrics["loss"]?.value.isNaN == true)
        #expect(stored.latestMetrics["loss"]?.step == 2)
        #expect(stored.inputs.map(\.digest) == [data.digest])
        #expect(stored.inputs.first?.kind == .dataset)
        #expect(stored.outputs.map(\.digest) == [model.digest])
        #expect(stored.environment?.seeds == ["split": 42])
        let history = try await store.metricHistory(of: run.id, key: "loss")
        #expect(history.map(\.step) == [0, 1, 1, 2])
        #expect(history.last?.value.isNaN == true)
        #expect(try await store.artifact(model.digest) == model)
    }

    static func refusesBadWrites(_ store: any LineageStore) async throws {
        let run = try await store.startRun(RunStart(experiment: experiment("bad"), name: "r", startTime: 5))
        try await store.logParameters(["lr": 0.1], to: run.id)
        do {
            try await store.logParameters(["lr": 0.2, "depth": 3], to: run.id)
            Issue.record("a conflicting parameter was accepted")
        } catch let error as LineageError {
            #expect(error.code == .conflictingParameter)
            #expect(error.description.contains("0.1") && error.description.contains("0.2"))
        }
        // The failed call wrote nothing, not even the new key.
        #expect(try await store.run(run.id).parameters == ["lr": 0.1])
        await expectCode(.notFound) { try await store.logMetrics([MetricPoint(key: "x", value: 1, timestamp: 1)], to: RunID()) }
        await expectCode(.notFound) { _ = try await store.run(RunID()) }
        await expectCode(.invalidArgument) { try await store.logMetrics([MetricPoint(key: "", value: 1, timestamp: 1)], to: run.id) }
        try await store.finishRun(run.id, status: .failed, endTime: 6)
        await expectCode(.runFinished) { try await store.logMetrics([MetricPoint(key: "x", value: 1, timestamp: 7)], to: run.id) }
        await expectCode(.runFinished) { try await store.finishRun(run.id, status: .finished, endTime: 8) }
        await expectCode(.runFinished) { try await store.recordArtifact(artifact("late", .model), direction: .output, role: "model", run: run.id) }
    }

    static func searchesWithFiltersOrderAndPages(_ store: any LineageStore) async throws {
        let experiment = experiment("search")
        var ids: [RunID] = []
        for index in 0..<12 {
            let run = try await store.startRun(RunStart(experiment: experiment, name: "run-\(index)", startTime: Int64(100 + index), tags: ["team": index % 2 == 0 ? "fraud" : "growth"]))
            try await store.logParameters(["model": index % 3 == 0 ? "gbt" : "lr", "depth": .int(Int64(index))], to: run.id)
            try await store.logMetrics([MetricPoint(key: "auc", value: 0.80 + Double(index) / 100, step: 0, timestamp: 1)], to: run.id)
            if index == 11 { try await store.logMetrics([MetricPoint(key: "val/auc", value: 0.5, step: 0, timestamp: 1)], to: run.id) }
            ids.append(run.id)
        }
        func names(_ filter: String?, orderBy: [String] = [], limit: Int = 100) async throws -> [String] {
            try await store.searchRuns(RunQuery(experiment: experiment, filter: filter, orderBy: orderBy, limit: limit)).runs.map(\.name)
        }
        #expect(try await names("metrics.auc > 0.885 and params.model = 'gbt'") == ["run-9"])
        #expect(try await names("metrics.auc >= 0.9 and tags.team = \"fraud\"", orderBy: ["metrics.auc desc"]) == ["run-10"])
        #expect(try await names("params.depth < 2 or params.depth >= 11", orderBy: ["params.depth asc"]) == ["run-11", "run-0", "run-1"].sorted { $0 == "run-0" || ($0 == "run-1" && $1 == "run-11") })
        #expect(try await names("params.model in ('gbt') and not tags.team = 'growth'", orderBy: ["attributes.start_time asc"]) == ["run-0", "run-6"])
        #expect(try await names("attributes.name like 'RUN-1%'", orderBy: ["attributes.name"]) == ["run-1", "run-10", "run-11"])
        #expect(try await names("metrics.`val/auc` < 0.6") == ["run-11"])
        #expect(try await names("metrics.missing > 0").isEmpty)
        #expect(try await names(nil).first == "run-11")  // newest first by default
        // Pages: 5 + 5 + 2, no run twice.
        var seen: [String] = []
        var token: String? = nil
        repeat {
            let page = try await store.searchRuns(RunQuery(experiment: experiment, orderBy: ["metrics.auc desc"], limit: 5, pageToken: token))
            seen += page.runs.map(\.name)
            token = page.nextPageToken
        } while token != nil
        #expect(seen == (0..<12).reversed().map { "run-\($0)" })
        await expectCode(.invalidArgument) { _ = try await store.searchRuns(RunQuery(pageToken: "garbage")) }
    }

    static func walksProvenance(_ store: any LineageStore) async throws {
        // raw -> [clean] -> features -> [train] -> model -> [evaluate] -> report
        //                  labels ----/
        let experiment = experiment("provenance")
        let raw = artifact("raw-\(experiment)", .dataset), features = artifact("features-\(experiment)", .dataset)
        let labels = artifact("labels-\(experiment)", .dataset), model = artifact("model-\(experiment)", .model)
        let report = artifact("report-\(experiment)", .evaluation), unrelated = artifact("other-\(experiment)", .dataset)
        func step(_ name: String, inputs: [LineageArtifact], outputs: [LineageArtifact]) async throws -> RunID {
            let run = try await store.startRun(RunStart(experiment: experiment, name: name, startTime: 1))
            for input in inputs { try await store.recordArtifact(input, direction: .input, role: input.name, run: run.id) }
            for output in outputs { try await store.recordArtifact(output, direction: .output, role: output.name, run: run.id) }
            try await store.finishRun(run.id, status: .finished, endTime: 2)
            return run.id
        }
        let clean = try await step("clean", inputs: [raw], outputs: [features])
        let train = try await step("train", inputs: [features, labels], outputs: [model])
        let evaluate = try await step("evaluate", inputs: [model, features], outputs: [report])
        _ = try await step("unrelated", inputs: [unrelated], outputs: [])

        let ancestors = try await store.ancestors(of: model.digest)
        #expect(Set(ancestors.runs.map(\.id)) == [clean, train])
        #expect(Set(ancestors.artifacts.map(\.digest)) == [raw.digest, features.digest, labels.digest, model.digest])
        #expect(ancestors.artifacts(of: .dataset).count == 3)

        let descendants = try await store.descendants(of: raw.digest)
        #expect(Set(descendants.runs.map(\.id)) == [clean, train, evaluate])
        #expect(Set(descendants.artifacts.map(\.digest)).isSuperset(of: [model.digest, report.digest]))
        #expect(!descendants.artifacts.map(\.digest).contains(unrelated.digest))

        let leaf = try await store.descendants(of: report.digest)
        #expect(leaf.runs.isEmpty)
        let unknown = try await store.ancestors(of: Digest(of: Array("never recorded".utf8)))
        #expect(unknown.runs.isEmpty && unknown.artifacts.isEmpty)
    }

    static func importsWholeRuns(_ store: any LineageStore) async throws {
        let id = RunID()
        let run = Run(
            id: id, experiment: experiment("import"), name: "imported", status: .finished, startTime: 10, endTime: 20, owner: "ml",
            tags: ["source": "mlflow"], parameters: ["lr": 0.1, "zip": "007"],
            edges: [ArtifactEdge(runID: id, digest: Digest(of: Array("imported-data".utf8)), direction: .input, role: "training-data", kind: .dataset)])
        let points = [MetricPoint(key: "loss", value: 0.5, step: 1, timestamp: 11), MetricPoint(key: "loss", value: 0.4, step: 2, timestamp: 12),
                      MetricPoint(key: "loss", value: 0.4, step: 2, timestamp: 12)]
        try await store.importRun(run, metrics: points)
        let stored = try await store.run(id)
        #expect(stored.status == .finished && stored.endTime == 20)
        #expect(stored.parameters == ["lr": 0.1, "zip": "007"])
        #expect(stored.latestMetrics["loss"]?.value == 0.4)
        #expect(stored.inputs.count == 1)
        #expect(try await store.metricHistory(of: id, key: "loss").count == 2)  // the identical point once
        await expectCode(.invalidArgument) { try await store.importRun(run, metrics: []) }
        // A run that cannot be written leaves nothing behind.
        var broken = run
        broken.id = RunID()
        await expectCode(.invalidArgument) { try await store.importRun(broken, metrics: [MetricPoint(key: "", value: 1, timestamp: 1)]) }
        await expectCode(.notFound) { _ = try await store.run(broken.id) }
        await expectCode(.invalidArgument) { _ = try await store.searchRuns(RunQuery(pageToken: "o9223372036854775807")) }
    }

    static func runAll(_ store: any LineageStore) async throws {
        try await importsWholeRuns(store)
        try await recordsARunCompletely(store)
        try await refusesBadWrites(store)
        try await searchesWithFiltersOrderAndPages(store)
        try await walksProvenance(store)
    }

    static func expectCode(_ code: LineageError.Code, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected a \(code) error")
        } catch let error as LineageError {
            #expect(error.code == code, "\(error)")
        } catch {
            Issue.record("expected a LineageError \(code), got \(error)")
        }
    }
}

@Suite("Lineage stores")
struct LineageStoreTests {
    @Test("the in-memory store passes the conformance suite")
    func inMemory() async throws {
        try await LineageStoreConformance.runAll(InMemoryLineageStore())
    }

    @Test("the SQL store on SQLite passes the conformance suite")
    func sqlite() async throws {
        let folder = NSTemporaryDirectory() + "lineage-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try await SQLiteDatabase(path: "\(folder)/lineage.sqlite")
        try await LineageStoreConformance.runAll(try await SQLLineageStore(database: database))
        try await database.close()
    }

    @Test(
        "the SQL store on PostgreSQL passes the conformance suite",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"))
    func postgres() async throws {
        let database = try await StoreLocation(parsing: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? "").openDatabase()
        try await LineageStoreConformance.runAll(try await SQLLineageStore(database: database))
        try await database.close()
    }
}
