import Foundation
public import Lineage
import MLOpsStorage
import Testing

/// The behaviour every ``LineageStore`` must show: ``checks``, which each implementation's tests
/// pass to a parameterized test.
public enum LineageStoreConformance {
    static func artifact(_ name: String, _ kind: ArtifactKind) -> LineageArtifact {
        LineageArtifact(digest: Digest(of: Array(name.utf8)), kind: kind, name: name, size: Int64(name.utf8.count))
    }

    /// A unique experiment name, so checks can share one PostgreSQL database.
    static func experiment(_ label: String) -> String { "\(label)-\(UUID().uuidString.prefix(8))" }

    static func recordsARunCompletely(_ store: any LineageStore) async throws {
        let experiment = experiment("complete")
        let run = try await store.startRun(RunStart(experiment: experiment, name: "gbt", startTime: .ms(1_000), owner: "ana", tags: ["team": "fraud"]))
        #expect(run.status == .running)
        try await store.logParameters(["model": "gbt", "depth": 6, "lr": 0.05, "early_stop": true], to: run.id)
        try await store.logParameters(["model": "gbt"], to: run.id)  // the same value again is fine
        try await store.logMetrics([
            MetricPoint(key: "loss", value: 0.9, step: 0, timestamp: .ms(1_001)),
            MetricPoint(key: "loss", value: 0.5, step: 1, timestamp: .ms(1_002)),
            MetricPoint(key: "loss", value: .nan, step: 2, timestamp: .ms(1_003)),
            MetricPoint(key: "auc", value: 0.93, step: 2, timestamp: .ms(1_003)),
        ], to: run.id)
        try await store.logMetrics([MetricPoint(key: "loss", value: 0.7, step: 1, timestamp: .ms(999))], to: run.id)  // older: not latest
        let data = artifact("train.csv", .dataset)
        let model = artifact("model.bin", .model)
        try await store.recordArtifact(data, direction: .input, role: "training-data", run: run.id)
        try await store.recordArtifact(model, direction: .output, role: "model", run: run.id)
        try await store.setEnvironment(EnvironmentSnapshot(gitCommit: String(repeating: "a", count: 40), gitDirty: false, seeds: ["split": 42]), for: run.id)
        try await store.setTags(["team": "risk", "stage": "dev"], on: run.id)
        try await store.finishRun(run.id, status: .finished, endTime: .ms(2_000))

        let stored = try await store.run(run.id)
        #expect(stored.experiment == experiment)
        #expect(stored.status == .finished)
        #expect(stored.endTime == .ms(2_000))
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

    /// Batches large enough for PostgreSQL's COPY path: a batch with no repeats, one that repeats
    /// a point inside itself, and a retried batch each keep every distinct point once, in order.
    static func storesLargeBatchesOnce(_ store: any LineageStore) async throws {
        let run = try await store.startRun(RunStart(experiment: experiment("batches"), name: "points", startTime: .ms(1_000)))
        func point(_ step: Int) -> MetricPoint {
            MetricPoint(key: "loss", value: step % 97 == 0 ? .nan : Double(step) / 8, step: Int64(step), timestamp: .ms(2_000 + Int64(step)))
        }
        let first = (0..<1_200).map(point)
        try await store.logMetrics(first, to: run.id)
        try await store.logMetrics(first, to: run.id)  // retried whole: nothing twice
        var repeating = (1_200..<2_000).map(point)
        repeating.insert(point(1_500), at: 100)  // the same point twice in one batch
        repeating.append(point(10))  // and one stored before
        try await store.logMetrics(repeating, to: run.id)
        let history = try await store.metricHistory(of: run.id, key: "loss")
        #expect(history.count == 2_000)
        #expect(history.map(\.step) == (0..<2_000).map(Int64.init))
        #expect(history.allSatisfy { $0.step % 97 == 0 ? $0.value.isNaN : $0.value == Double($0.step) / 8 })
        #expect(try await store.run(run.id).latestMetrics["loss"]?.step == 1_999)
    }

    static func refusesBadWrites(_ store: any LineageStore) async throws {
        let run = try await store.startRun(RunStart(experiment: experiment("bad"), name: "r", startTime: .ms(5)))
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
        await expectCode(.notFound) { try await store.logMetrics([MetricPoint(key: "x", value: 1, timestamp: .ms(1))], to: RunID()) }
        await expectCode(.notFound) { _ = try await store.run(RunID()) }
        await expectCode(.invalidArgument) { try await store.logMetrics([MetricPoint(key: "", value: 1, timestamp: .ms(1))], to: run.id) }
        try await store.finishRun(run.id, status: .failed, endTime: .ms(6))
        await expectCode(.runFinished) { try await store.logMetrics([MetricPoint(key: "x", value: 1, timestamp: .ms(7))], to: run.id) }
        await expectCode(.runFinished) { try await store.finishRun(run.id, status: .finished, endTime: .ms(8)) }
        await expectCode(.runFinished) { try await store.recordArtifact(artifact("late", .model), direction: .output, role: "model", run: run.id) }
    }

    static func searchesWithFiltersOrderAndPages(_ store: any LineageStore) async throws {
        let experiment = experiment("search")
        var ids: [RunID] = []
        for index in 0..<12 {
            let run = try await store.startRun(RunStart(experiment: experiment, name: "run-\(index)", startTime: .ms(Int64(100 + index)), tags: ["team": index % 2 == 0 ? "fraud" : "growth"]))
            try await store.logParameters(["model": index % 3 == 0 ? "gbt" : "lr", "depth": .int(Int64(index))], to: run.id)
            try await store.logMetrics([MetricPoint(key: "auc", value: 0.80 + Double(index) / 100, step: 0, timestamp: .ms(1))], to: run.id)
            if index == 11 { try await store.logMetrics([MetricPoint(key: "val/auc", value: 0.5, step: 0, timestamp: .ms(1))], to: run.id) }
            ids.append(run.id)
        }
        func names(_ filter: String?, orderBy: [String] = [], limit: Int = 100) async throws -> [String] {
            try await store.searchRuns(RunQuery(experiment: experiment, filter: filter, orderBy: orderBy, limit: limit)).runs.map(\.name)
        }
        #expect(try await names("metrics.auc > 0.885 and params.model = 'gbt'") == ["run-9"])
        #expect(try await names("metrics.auc >= 0.9 and tags.team = \"fraud\"", orderBy: ["metrics.auc desc"]) == ["run-10"])
        #expect(try await names("params.depth < 2 or params.depth >= 11", orderBy: ["params.depth asc"]) == ["run-11", "run-0", "run-1"].sorted { $0 == "run-0" || ($0 == "run-1" && $1 == "run-11") })
        #expect(try await names("params.model in ('gbt') and not tags.team = 'growth'", orderBy: ["attributes.start_time asc"]) == ["run-0", "run-6"])
        #expect(try await names("attributes.name ilike 'RUN-1%'", orderBy: ["attributes.name"]) == ["run-1", "run-10", "run-11"])
        #expect(try await names("attributes.name like 'RUN-1%'").isEmpty)  // like is case-sensitive
        #expect(try await names("attributes.name like 'run-1_'", orderBy: ["attributes.name"]) == ["run-10", "run-11"])
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
            let run = try await store.startRun(RunStart(experiment: experiment, name: name, startTime: .ms(1)))
            for input in inputs { try await store.recordArtifact(input, direction: .input, role: input.name, run: run.id) }
            for output in outputs { try await store.recordArtifact(output, direction: .output, role: output.name, run: run.id) }
            try await store.finishRun(run.id, status: .finished, endTime: .ms(2))
            return run.id
        }
        let cleaningLog = artifact("cleaning-log-\(experiment)", .other)
        let clean = try await step("clean", inputs: [raw], outputs: [features, cleaningLog])
        let train = try await step("train", inputs: [features, labels], outputs: [model])
        let evaluate = try await step("evaluate", inputs: [model, features], outputs: [report])
        _ = try await step("unrelated", inputs: [unrelated], outputs: [])

        // Upward: what the model came from. The cleaning log, a sibling output of a run upstream,
        // is not part of it.
        let ancestors = try await store.ancestors(of: model.digest)
        #expect(Set(ancestors.runs.map(\.id)) == [clean, train])
        #expect(Set(ancestors.artifacts.map(\.digest)) == [raw.digest, features.digest, labels.digest, model.digest])
        #expect(ancestors.artifacts(of: .dataset).count == 3)
        #expect(Set(ancestors.edges.map { "\($0.runID == clean ? "clean" : "train") \($0.direction) \($0.digest.hex.prefix(8))" }) == [
            "clean input \(raw.digest.hex.prefix(8))", "clean output \(features.digest.hex.prefix(8))",
            "train input \(features.digest.hex.prefix(8))", "train input \(labels.digest.hex.prefix(8))", "train output \(model.digest.hex.prefix(8))",
        ])

        // Downward: what came from the raw data. The labels, another input of a run downstream,
        // did not come from it.
        let descendants = try await store.descendants(of: raw.digest)
        #expect(Set(descendants.runs.map(\.id)) == [clean, train, evaluate])
        #expect(Set(descendants.artifacts.map(\.digest)) == [raw.digest, features.digest, cleaningLog.digest, model.digest, report.digest])
        #expect(!descendants.edges.contains { $0.digest == labels.digest })
        #expect(descendants.edges.filter { $0.runID == evaluate }.count == 3)  // reads model and features, writes the report

        let leaf = try await store.descendants(of: report.digest)
        #expect(leaf.runs.isEmpty)
        let unknown = try await store.ancestors(of: Digest(of: Array("never recorded".utf8)))
        #expect(unknown.runs.isEmpty && unknown.artifacts.isEmpty)
    }

    static func importsWholeRuns(_ store: any LineageStore) async throws {
        let id = RunID()
        let run = Run(
            id: id, experiment: experiment("import"), name: "imported", status: .finished, startTime: .ms(10), endTime: .ms(20), owner: "ml",
            tags: ["source": "mlflow"], parameters: ["lr": 0.1, "zip": "007"],
            edges: [ArtifactEdge(runID: id, digest: Digest(of: Array("imported-data".utf8)), direction: .input, role: "training-data", kind: .dataset)])
        let points = [MetricPoint(key: "loss", value: 0.5, step: 1, timestamp: .ms(11)), MetricPoint(key: "loss", value: 0.4, step: 2, timestamp: .ms(12)),
                      MetricPoint(key: "loss", value: 0.4, step: 2, timestamp: .ms(12))]
        #expect(try await store.importRun(run, metrics: points))
        let stored = try await store.run(id)
        #expect(stored.status == .finished && stored.endTime == .ms(20))
        #expect(stored.parameters == ["lr": 0.1, "zip": "007"])
        #expect(stored.latestMetrics["loss"]?.value == 0.4)
        #expect(stored.inputs.count == 1)
        #expect(try await store.metricHistory(of: id, key: "loss").count == 2)  // the identical point once
        // A second import of the same id is "already present", and changes nothing.
        var changed = run
        changed.name = "changed"
        #expect(try await store.importRun(changed, metrics: []) == false)
        #expect(try await store.run(id).name == "imported")
        #expect(try await store.metricHistory(of: id, key: "loss").count == 2)
        // A run that cannot be written leaves nothing behind.
        var broken = run
        broken.id = RunID()
        await expectCode(.invalidArgument) { try await store.importRun(broken, metrics: [MetricPoint(key: "", value: 1, timestamp: .ms(1))]) }
        await expectCode(.notFound) { _ = try await store.run(broken.id) }
        await expectCode(.invalidArgument) { _ = try await store.searchRuns(RunQuery(pageToken: "o9223372036854775807")) }
    }

    static func keepsParentLinksInAnyOrder(_ store: any LineageStore) async throws {
        let experiment = experiment("parents")
        let parentID = RunID(), childID = RunID()
        // The child comes first: its parent is not in the store yet.
        #expect(try await store.importRun(Run(id: childID, experiment: experiment, name: "child", status: .finished, startTime: .ms(1), endTime: .ms(2), parentRunID: parentID), metrics: []))
        #expect(try await store.run(childID).parentRunID == parentID)
        #expect(try await store.importRun(Run(id: parentID, experiment: experiment, name: "parent", status: .finished, startTime: .ms(3), endTime: .ms(4)), metrics: []))
        let child = try await store.run(childID)
        #expect(child.parentRunID == parentID)
        #expect(try await store.run(try #require(child.parentRunID)).name == "parent")
        // A started run's parent must exist.
        await expectCode(.notFound) { _ = try await store.startRun(RunStart(experiment: experiment, name: "orphan", startTime: .ms(5), parentRunID: RunID())) }
        let started = try await store.startRun(RunStart(experiment: experiment, name: "trial", startTime: .ms(6), parentRunID: parentID))
        #expect(try await store.run(started.id).parentRunID == parentID)
    }

    /// NaN parameters and metrics round-trip as NaN and compare as IEEE 754 says, on every store.
    static func comparesNaNLikeIEEE(_ store: any LineageStore) async throws {
        let experiment = experiment("nan")
        var ids: [String: RunID] = [:]
        for (name, lr, loss) in [("nan", Double.nan, Double.nan), ("high", 0.7, 0.2), ("low", 0.1, 0.9)] {
            let run = try await store.startRun(RunStart(experiment: experiment, name: name, startTime: .ms(1)))
            try await store.logParameters(["lr": .double(lr)], to: run.id)
            try await store.logMetrics([MetricPoint(key: "loss", value: loss, timestamp: .ms(1))], to: run.id)
            ids[name] = run.id
        }
        let stored = try await store.run(try #require(ids["nan"]))
        guard case .double(let lr)? = stored.parameters["lr"] else {
            Issue.record("lr came back as \(String(describing: stored.parameters["lr"]))")
            return
        }
        #expect(lr.isNaN)
        #expect(stored.latestMetrics["loss"]?.value.isNaN == true)
        func names(_ filter: String, orderBy: [String] = ["attributes.name"]) async throws -> [String] {
            try await store.searchRuns(RunQuery(experiment: experiment, filter: filter, orderBy: orderBy)).runs.map(\.name)
        }
        for field in ["params.lr", "metrics.loss"] {
            #expect(try await names("\(field) > 0.5") == [field == "params.lr" ? "high" : "low"], "\(field)")
            #expect(try await names("\(field) < 0.5") == [field == "params.lr" ? "low" : "high"], "\(field)")
            #expect(try await names("\(field) >= -1000 or \(field) <= -1000") == ["high", "low"], "\(field)")
            #expect(try await names("\(field) = 0.7 or \(field) = 0.2") == ["high"], "\(field)")
            #expect(try await names("\(field) in (0.1, 0.9)") == ["low"], "\(field)")
            #expect(try await names("\(field) != 0.7 and \(field) != 0.2") == ["low", "nan"], "\(field)")
            #expect(try await names("\(field) not in (0.7, 0.2)") == ["low", "nan"], "\(field): not in means != each, NaN included")
            #expect(try await names("not \(field) > 0.5") == [field == "params.lr" ? "low" : "high", "nan"], "\(field)")
        }
        // In an ordering a NaN metric comes last, like a missing one.
        #expect(try await names("attributes.name != ''", orderBy: ["metrics.loss desc"]) == ["low", "high", "nan"])
        #expect(try await names("attributes.name != ''", orderBy: ["metrics.loss asc"]) == ["high", "low", "nan"])
    }

    /// Text compares by code point; `like` is case-sensitive, `ilike` folds ASCII letters only.
    static func comparesTextByCodePoint(_ store: any LineageStore) async throws {
        let experiment = experiment("text")
        let words = ["Zebra", "apple", "Ärger", "ärger", "\u{e9}clair", "e\u{301}clair", "APPLE"]
        for (index, word) in words.enumerated() {
            let run = try await store.startRun(RunStart(experiment: experiment, name: "w\(index)", startTime: .ms(Int64(index)), tags: ["word": word]))
            try await store.logParameters(["word": .string(word)], to: run.id)
        }
        func matching(_ filter: String, orderBy: [String] = ["tags.word"]) async throws -> [String] {
            try await store.searchRuns(RunQuery(experiment: experiment, filter: filter, orderBy: orderBy)).runs.compactMap { $0.tags["word"] }
        }
        // Code-point order: uppercase ASCII, lowercase ASCII, then Latin-1 letters; a decomposed é
        // (e + U+0301) sorts with the e's.
        let sorted = ["APPLE", "Zebra", "apple", "e\u{301}clair", "Ärger", "ärger", "\u{e9}clair"]
        #expect(try await matching("tags.word != ''").elementsEqualByScalars(sorted))
        #expect(try await matching("tags.word != ''", orderBy: ["params.word desc"]).elementsEqualByScalars(sorted.reversed()))
        #expect(try await matching("tags.word > 'Zebra' and tags.word < 'ärger'").elementsEqualByScalars(["apple", "e\u{301}clair", "Ärger"]))
        #expect(try await matching("params.word >= 'a' and params.word < 'f'").elementsEqualByScalars(["apple", "e\u{301}clair"]))
        // No normalization: the precomposed é matches only itself.
        #expect(try await matching("tags.word = '\u{e9}clair'").elementsEqualByScalars(["\u{e9}clair"]))
        #expect(try await matching("tags.word in ('e\u{301}clair')").elementsEqualByScalars(["e\u{301}clair"]))
        // like: case-sensitive, `_` is one code point.
        #expect(try await matching("tags.word like 'apple'").elementsEqualByScalars(["apple"]))
        #expect(try await matching("tags.word like 'ä%'").elementsEqualByScalars(["ärger"]))
        #expect(try await matching("tags.word like 'e_clair'").elementsEqualByScalars(["e\u{301}clair"]))
        #expect(try await matching("tags.word like '_clair'").elementsEqualByScalars(["\u{e9}clair"]))
        #expect(try await matching("params.word like '%ger'").elementsEqualByScalars(["Ärger", "ärger"]))
        // ilike: ASCII letters fold, others do not.
        #expect(try await matching("tags.word ilike 'apple'").elementsEqualByScalars(["APPLE", "apple"]))
        #expect(try await matching("tags.word ilike 'ÄRGER'").elementsEqualByScalars(["Ärger"]))
        #expect(try await matching("params.word ilike 'ärGER'").elementsEqualByScalars(["ärger"]))
        #expect(try await matching("attributes.name ilike 'W1' or attributes.name like 'W1'").elementsEqualByScalars(["apple"]))
        // Wildcard characters of other pattern languages are plain characters.
        #expect(try await matching("tags.word like '*' or tags.word like '?pple' or tags.word like '[a]pple'").isEmpty)
    }

    /// Filters too deep or too large are refused with a typed error, long flat chains are not.
    static func boundsFilters(_ store: any LineageStore) async throws {
        let experiment = experiment("bounds")
        for index in 0..<5 {
            let run = try await store.startRun(RunStart(experiment: experiment, name: "r\(index)", startTime: .ms(Int64(index))))
            try await store.logParameters(["i": .int(Int64(index))], to: run.id)
        }
        func names(_ filter: RunFilter) async throws -> [String] {
            var query = try RunQuery(experiment: experiment, orderBy: ["attributes.name"])
            query.filter = filter
            return try await store.searchRuns(query).runs.map(\.name)
        }
        let leaf = RunFilter.comparison(.parameter("i"), .greaterOrEqual, .number(3))
        // Built in code, past the depth limit: a typed error, no crash.
        var deep = leaf
        for _ in 0..<1_000 { deep = .not(deep) }
        await expectCode(.invalidFilter) { _ = try await names(deep) }
        var deepest = leaf
        for _ in 0..<RunFilter.maximumNestingDepth { deepest = .not(deepest) }
        #expect(try await names(deepest) == ["r3", "r4"])  // 64 nots: an even number
        // Parsed filters at the parser's limit, alternating `and` and `or`, and `not` and `or`:
        // deeper than SQLite parses in one expression, so the SQL store moves groups into CTEs.
        var alternating = "params.i = 4"
        for _ in 0..<(RunFilter.maximumNestingDepth / 2) { alternating = "params.i = 100 or (params.i >= 0 and (\(alternating)))" }
        #expect(try await names(try RunFilter(parsing: alternating)) == ["r4"])
        var negated = "params.i = 4"
        for _ in 0..<(RunFilter.maximumNestingDepth / 4) { negated = "not (params.i = 100 or not (\(negated)))" }
        #expect(try await names(try RunFilter(parsing: negated)) == ["r4"])
        // A long flat chain, parsed (balanced) and built in code (left-deep): no depth at all.
        // 1,500 terms is beyond SQLite's expression depth of 1,000, were the SQL nested per term.
        let terms = (0..<1_500).map { "params.i = \($0 % 7 == 3 ? 1 : 100 + $0)" }
        #expect(try await names(try RunFilter(parsing: terms.joined(separator: " or "))) == ["r1"])
        let chain = (0..<1_500).map { RunFilter.comparison(.parameter("i"), .notEqual, .number(Double(10 + $0))) }
            .reduce(leaf) { .and($0, $1) }
        #expect(try await names(chain) == ["r3", "r4"])
        // Too many values: refused before any SQL is made.
        let huge = RunFilter.comparison(.parameter("i"), .in, .list((0...RunFilter.maximumValueCount).map { .number(Double($0)) }))
        await expectCode(.invalidFilter) { _ = try await names(huge) }
        // Shapes the parser never makes are refused alike on every store.
        await expectCode(.invalidFilter) { _ = try await names(.comparison(.parameter("i"), .in, .list([]))) }
        await expectCode(.invalidFilter) { _ = try await names(.comparison(.parameter("i"), .equal, .list([.number(1)]))) }
        await expectCode(.invalidFilter) { _ = try await names(.comparison(.metric("m"), .like, .string("a%"))) }
        await expectCode(.invalidFilter) { _ = try await names(.comparison(.parameter("i"), .notEqual, .number(.nan))) }
    }

    /// Lists far beyond SQLite's and PostgreSQL's argument limits (32,766 and 65,535) in one call.
    static func handlesListsBeyondArgumentLimits(_ store: any LineageStore) async throws {
        let run = try await store.startRun(RunStart(experiment: experiment("many"), name: "wide", startTime: .ms(1)))
        let parameters = Dictionary(uniqueKeysWithValues: (0..<70_000).map { ("p\($0)", ParameterValue.int(Int64($0))) })
        try await store.logParameters(parameters, to: run.id)
        try await store.logParameters(parameters, to: run.id)  // the same values again: checked in chunks
        let points = (0..<33_000).map { MetricPoint(key: "m\($0)", value: Double($0), step: 1, timestamp: .ms(2)) }
        try await store.logMetrics(points, to: run.id)
        let stored = try await store.run(run.id)
        #expect(stored.parameters.count == 70_000)
        #expect(stored.parameters["p69999"] == .int(69_999))
        #expect(stored.latestMetrics.count == 33_000)
        #expect(stored.latestMetrics["m32999"]?.value == 32_999)
        #expect(try await store.metricHistory(of: run.id, key: "m123").map(\.value) == [123])
    }

    /// Text with a NUL character is refused by every store alike (PostgreSQL cannot store it).
    static func refusesNULCharacters(_ store: any LineageStore) async throws {
        let experiment = experiment("nul")
        await expectCode(.invalidArgument) { _ = try await store.startRun(RunStart(experiment: experiment, name: "a\0b", startTime: .ms(1))) }
        let run = try await store.startRun(RunStart(experiment: experiment, name: "ok", startTime: .ms(1)))
        await expectCode(.invalidArgument) { try await store.logParameters(["model": "g\0bt"], to: run.id) }
        await expectCode(.invalidArgument) { try await store.logMetrics([MetricPoint(key: "lo\0ss", value: 1, timestamp: .ms(1))], to: run.id) }
        await expectCode(.invalidArgument) { try await store.setTags(["team\0": "x"], on: run.id) }
        await expectCode(.invalidArgument) { try await store.recordArtifact(artifact("data", .dataset), direction: .input, role: "tr\0ain", run: run.id) }
        await expectCode(.invalidArgument) { try await store.importRun(Run(id: RunID(), experiment: experiment, name: "x", status: .finished, startTime: .ms(1), tags: ["a": "\0"]), metrics: []) }
        let stored = try await store.run(run.id)
        #expect(stored.parameters.isEmpty && stored.tags.isEmpty && stored.latestMetrics.isEmpty && stored.edges.isEmpty)
    }

    /// Times are `Date`s, kept to the millisecond (rounded to the nearest) by every store.
    static func keepsTimesToTheMillisecond(_ store: any LineageStore) async throws {
        let experiment = experiment("times")
        let start = Date(timeIntervalSince1970: 1_764_000_000.1234)  // …000.123 after rounding
        let run = try await store.startRun(RunStart(experiment: experiment, name: "t", startTime: start))
        #expect(run.startTime == .ms(1_764_000_000_123))
        try await store.logMetrics([
            MetricPoint(key: "loss", value: 1, step: 0, timestamp: Date(timeIntervalSince1970: 1_764_000_001.0006)),
            // The same millisecond after rounding, logged later: the later one is the latest.
            MetricPoint(key: "loss", value: 2, step: 0, timestamp: Date(timeIntervalSince1970: 1_764_000_001.0009)),
        ], to: run.id)
        try await store.finishRun(run.id, status: .finished, endTime: Date(timeIntervalSince1970: 1_764_000_002.0004))
        let stored = try await store.run(run.id)
        #expect(stored.startTime == .ms(1_764_000_000_123))
        #expect(stored.endTime == .ms(1_764_000_002_000))
        #expect(stored.latestMetrics["loss"]?.timestamp == .ms(1_764_000_001_001))
        #expect(stored.latestMetrics["loss"]?.value == 2)
        #expect(try await store.metricHistory(of: run.id, key: "loss").map(\.timestamp) == [.ms(1_764_000_001_001), .ms(1_764_000_001_001)])
        // Filters compare times in milliseconds since the Unix epoch.
        let found = try await store.searchRuns(RunQuery(experiment: experiment, filter: "attributes.start_time = 1764000000123 and attributes.end_time < 1764000002001"))
        #expect(found.runs.map(\.id) == [run.id])
        let imported = Run(id: RunID(), experiment: experiment, name: "i", status: .finished, startTime: Date(timeIntervalSince1970: 5.0004), endTime: Date(timeIntervalSince1970: 6.0006))
        try await store.importRun(imported, metrics: [MetricPoint(key: "x", value: 1, timestamp: Date(timeIntervalSince1970: 7.0007))])
        let back = try await store.run(imported.id)
        #expect(back.startTime == .ms(5_000) && back.endTime == .ms(6_001))
        #expect(back.latestMetrics["x"]?.timestamp == .ms(7_001))
    }

    /// Every check, each a test case of its own: pass them to a parameterized test.
    /// `datasets.name`, `datasets.digest` and `datasets.context` compare the datasets a run read
    /// (any of them), as MLflow's dataset filters do; other inputs and outputs do not count.
    static func filtersOnDatasets(_ store: any LineageStore) async throws {
        let experiment = experiment("datasets")
        func artifact(_ name: String, _ kind: ArtifactKind) -> LineageArtifact {
            LineageArtifact(digest: Digest(of: Array("\(name)-\(experiment)".utf8)), kind: kind, name: name)
        }
        let train = artifact("transactions-2026", .dataset), holdout = artifact("holdout-2026", .dataset), model = artifact("scorer", .model)
        var started: [String: RunID] = [:]
        for name in ["a", "b", "c", "d"] {
            started[name] = try await store.startRun(RunStart(experiment: experiment, name: name, startTime: .ms(1))).id
        }
        let (a, b, c) = (try #require(started["a"]), try #require(started["b"]), try #require(started["c"]))
        try await store.recordArtifact(train, direction: .input, role: "training-data", run: a)
        try await store.recordArtifact(holdout, direction: .input, role: "evaluation-data", run: a)
        try await store.recordArtifact(model, direction: .output, role: "model", run: a)
        try await store.recordArtifact(holdout, direction: .input, role: "evaluation-data", run: b)
        try await store.recordArtifact(model, direction: .input, role: "base-model", run: c)
        func names(_ filter: String) async throws -> [String] {
            try await store.searchRuns(RunQuery(experiment: experiment, filter: filter, orderBy: ["attributes.name"])).runs.map(\.name)
        }
        #expect(try await names("datasets.name = 'transactions-2026'") == ["a"])
        #expect(try await names("datasets.name LIKE '%-2026'") == ["a", "b"])
        #expect(try await names("dataset.context = 'evaluation-data'") == ["a", "b"])
        #expect(try await names("datasets.digest = '\(train.digest.hex)'") == ["a"])
        #expect(try await names("datasets.digest = '\(train.digest)'") == ["a"], "the sha256: form")
        #expect(try await names("datasets.digest IN ('\(holdout.digest.hex)')") == ["a", "b"])
        #expect(try await names("datasets.name = 'scorer'") == [], "a model is not a dataset")
        #expect(try await names("datasets.name IS NULL") == ["c", "d"])
        // MLflow's meaning: some dataset the run read is in none of the list; runs without one never match.
        #expect(try await names("datasets.name NOT IN ('transactions-2026')") == ["a", "b"])
        #expect(try await names("datasets.name NOT IN ('transactions-2026', 'holdout-2026')") == [])
        #expect(try await names("attributes.name NOT IN ('a', 'b')") == ["c", "d"])
        #expect(try await names("not datasets.context = 'training-data'") == ["b", "c", "d"])
        await expectCode(.invalidFilter) { _ = try RunQuery(filter: "datasets.size = '1'") }
        await expectCode(.invalidFilter) { _ = try RunQuery(orderBy: ["datasets.name"]) }
    }

    /// Orderings place values, then NaN metrics, then missing values, in both directions (MLflow's
    /// placement); missing parameters and tags go last both ways.
    static func ordersNaNBetweenNumbersAndMissing(_ store: any LineageStore) async throws {
        let experiment = experiment("order")
        for (name, loss, team) in [("x", 0.1, "risk"), ("y", 0.5, "fraud"), ("z", Double.nan, "ops"), ("w", nil, nil)] as [(String, Double?, String?)] {
            let run = try await store.startRun(RunStart(experiment: experiment, name: name, startTime: .ms(1)))
            if let loss { try await store.logMetrics([MetricPoint(key: "loss", value: loss, timestamp: .ms(1))], to: run.id) }
            if let team { try await store.setTags(["team": team], on: run.id) }
        }
        func names(_ ordering: String) async throws -> [String] {
            try await store.searchRuns(RunQuery(experiment: experiment, orderBy: [ordering, "attributes.name"])).runs.map(\.name)
        }
        #expect(try await names("metrics.loss ASC") == ["x", "y", "z", "w"])
        #expect(try await names("metrics.loss DESC") == ["y", "x", "z", "w"])
        #expect(try await names("tags.team ASC") == ["y", "z", "x", "w"])
        #expect(try await names("tags.team DESC") == ["x", "z", "y", "w"])
    }

    public static let checks: [ConformanceCheck<any LineageStore>] = [
        ConformanceCheck("imports whole runs", importsWholeRuns),
        ConformanceCheck("records a run completely", recordsARunCompletely),
        ConformanceCheck("refuses bad writes", refusesBadWrites),
        ConformanceCheck("stores large batches once", storesLargeBatchesOnce),
        ConformanceCheck("searches with filters, order and pages", searchesWithFiltersOrderAndPages),
        ConformanceCheck("walks provenance", walksProvenance),
        ConformanceCheck("keeps parent links in any order", keepsParentLinksInAnyOrder),
        ConformanceCheck("compares NaN like IEEE", comparesNaNLikeIEEE),
        ConformanceCheck("compares text by code point", comparesTextByCodePoint),
        ConformanceCheck("bounds filters", boundsFilters),
        ConformanceCheck("handles lists beyond argument limits", handlesListsBeyondArgumentLimits),
        ConformanceCheck("refuses NUL characters", refusesNULCharacters),
        ConformanceCheck("keeps times to the millisecond", keepsTimesToTheMillisecond),
        ConformanceCheck("filters on the datasets a run read", filtersOnDatasets),
        ConformanceCheck("orders NaN between numbers and missing values", ordersNaNBetweenNumbersAndMissing),
    ]

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

extension Array where Element == String {
    /// Equal text by Unicode scalars, without `String`'s canonical equivalence (which would find
    /// a precomposed é equal to e + U+0301).
    func elementsEqualByScalars(_ other: some Sequence<String>) -> Bool {
        elementsEqual(other) { $0.unicodeScalars.elementsEqual($1.unicodeScalars) }
    }
}
