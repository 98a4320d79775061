import Foundation
import Lineage
import MLOpsStorage
import TensorCore

/// Chapter 2: a seeded training run recorded end to end, its reproducibility check, and a diff
/// against a second run whose training data changed.
struct LineageChapter: DemoChapter {
    let slug = "lineage"
    let title = "2. Lineage: a training run, recorded and explained"

    func run(in context: DemoContext) async throws -> (ChapterReport, String) {
        let store = try await SQLLineageStore(database: context.database)
        let featureSet = Array("""
            {"features": ["amount_z", "hour_sin", "hour_cos", "merchant_risk", "velocity_1h", "distance_km_z", "new_device", "card_age_z"], "label": "label"}
            """.utf8)
        let featureReceipt = try await context.artifacts.put(featureSet)
        let features = LineageArtifact(digest: featureReceipt.digest, kind: .featureSet, name: "fraud-features-v1.json", size: featureReceipt.size)

        let first = try await trainRun(name: "logistic-baseline", dataSeed: context.seed, features: features, store: store, context: context)
        let second = try await trainRun(name: "logistic-new-data", dataSeed: context.seed &+ 100, features: features, store: store, context: context)

        let runA = try await store.run(first.runID), runB = try await store.run(second.runID)
        context.ledger.recordRuns([first.runID, second.runID])
        let check = ReproducibilityCheck(run: runA)
        let diff = RunDiff(runA, runB)
        let ancestors = try await store.ancestors(of: first.model.digest)
        let events = OpenLineageExporter().events(for: runA) + OpenLineageExporter().events(for: runB)
        try context.write(try OpenLineageExporter().encode(events, jsonLines: false), to: "openlineage.json")

        var highlights = [
            String(format: "run %@: %ld epochs, final loss %.4f, AUC %.3f; data sha256:%@…, model sha256:%@…",
                   runA.name, first.losses.count, first.losses.last ?? .nan, runA.latestMetrics["auc"]?.value ?? .nan,
                   String(first.data.digest.hex.prefix(12)), String(first.model.digest.hex.prefix(12))),
            "reproducible: \(check.isReproducible ? "yes" : "no — " + check.gaps.map(\.code).joined(separator: ", "))",
            "ancestors of the model: \(ancestors.runs.count) run(s), \(ancestors.artifacts(of: .dataset).count) dataset(s), \(ancestors.artifacts(of: .featureSet).count) feature set(s)",
        ]
        if let change = diff.metricChanges.first(where: { $0.key == "auc" }), let likeliest = diff.likeliestExplanation {
            highlights.append(String(format: "a second run moved AUC by %+.4f; likeliest explanation: %@ '%@' changed", change.delta, likeliest.category.rawValue, likeliest.name))
        }
        highlights.append("\(events.count) OpenLineage events in openlineage.json")

        var body = "<p>A logistic regression trained on TensorCore, recorded with <code>RunRecorder</code>: parameters, a loss per epoch, the data set and feature set read and the model written (all by SHA-256), the environment and seeds.</p>"
        body += "<h2>Training loss</h2>" + Self.lossChart([(runA.name, first.losses, "#0969da"), (runB.name, second.losses, "#cf222e")])
        body += "<h2>Runs</h2>" + HTML.table(
            headers: ["run", "id", "auc", "final loss", "training data"],
            rows: [runA, runB].map { run in
                [run.name, run.id.value, String(format: "%.4f", run.latestMetrics["auc"]?.value ?? .nan), String(format: "%.4f", run.latestMetrics["loss"]?.value ?? .nan),
                 "sha256:" + String(run.inputs.first { $0.kind == .dataset }?.digest.hex.prefix(16) ?? "") + "…"]
            })
        body += "<h2>Reproducibility of \(HTML.escape(runA.name))</h2>"
        body += check.isReproducible ? "<p class=\"ok\">Reproducible.</p>" : "<ul>" + check.gaps.map { "<li>\(HTML.escape($0.explanation))</li>" }.joined() + "</ul>"
        body += "<h2>Why the second run differs (likeliest first)</h2>" + HTML.table(
            headers: ["#", "category", "what", "first run", "second run"],
            rows: diff.differences.enumerated().map {
                ["\($0.offset + 1)", $0.element.category.rawValue, $0.element.name, Self.short($0.element.left), Self.short($0.element.right)]
            })
        body += "<h2>Ancestors of the model</h2>" + HTML.table(
            headers: ["artifact", "kind", "digest"],
            rows: ancestors.artifacts.map { [$0.name, $0.kind.rawValue, $0.digest.description] })
        body += "<p>OpenLineage events: <a href=\"openlineage.json\">openlineage.json</a>. Try <code>mlops runs show \(runA.id) --store \(HTML.escape(context.location.description))</code>.</p>"

        let facts: [ChapterReport.Fact] = [
            .init(label: "first run", value: runA.id.value),
            .init(label: "second run", value: runB.id.value),
            .init(label: "model digest", value: first.model.digest.description),
            .init(label: "reproducible", value: check.isReproducible ? "yes" : check.gaps.map(\.code).joined(separator: ", ")),
        ]
        return (ChapterReport(slug: slug, title: title, highlights: highlights, facts: facts, files: ["openlineage.json"]), body)
    }

    struct TrainedRun {
        let runID: RunID
        let data: LineageArtifact
        let model: LineageArtifact
        let losses: [Double]
    }

    /// One recorded training run: data into the artifact store, training with a metric per epoch, model out.
    func trainRun(name: String, dataSeed: UInt64, features: LineageArtifact, store: SQLLineageStore, context: DemoContext) async throws -> TrainedRun {
        let data = DemoTraining.dataSet(rows: 4_000, seed: dataSeed)
        let dataReceipt = try await context.artifacts.put(Array(data.csv.utf8))
        let dataArtifact = LineageArtifact(digest: dataReceipt.digest, kind: .dataset, name: "transactions-\(dataSeed).csv", size: dataReceipt.size)
        let recorder = try await RunRecorder.start(
            store: store, experiment: "fraud-demo", name: name, owner: "mlops demo", tags: ["team": "fraud"],
            environment: EnvironmentCapture(variableNames: ["CUDA_VISIBLE_DEVICES"], seeds: ["data": dataSeed, "init": 0]))
        let learningRate = 0.5, epochs = 60
        try await recorder.logParameters(["model": "logistic", "learning_rate": .double(learningRate), "epochs": .int(Int64(epochs)), "rows": .int(Int64(data.rows))])
        try await recorder.recordInput(dataArtifact, role: "training-data")
        try await recorder.recordInput(features, role: "features")
        var losses: [Double] = []
        let trained = try await DemoTraining.train(data, learningRate: learningRate, epochs: epochs) { step in
            losses.append(step.loss)
            try await recorder.log("loss", step.loss, step: Int64(step.epoch))
            try await recorder.log("accuracy", step.accuracy, step: Int64(step.epoch))
        }
        try await recorder.log("auc", DemoTraining.auc(scores: trained.scores, labels: data.labels), step: Int64(epochs))
        let modelBytes = Array(("{\"weights\": [" + trained.weights.map { String(format: "%.8f", $0) }.joined(separator: ", ") + "], \"bias\": \(String(format: "%.8f", trained.bias))}").utf8)
        let modelReceipt = try await context.artifacts.put(modelBytes)
        let model = LineageArtifact(digest: modelReceipt.digest, kind: .model, name: "\(name).json", size: modelReceipt.size)
        try await recorder.recordOutput(model, role: "model")
        try await recorder.finish()
        return TrainedRun(runID: recorder.runID, data: dataArtifact, model: model, losses: losses)
    }

    /// A value for a table cell: digests shortened to their first 16 hex digits.
    static func short(_ value: String?) -> String {
        guard let value else { return "—" }
        return value.hasPrefix("sha256:") && value.count > 23 ? String(value.prefix(23)) + "…" : value
    }

    /// An inline SVG line chart of loss curves; no scripts, no network.
    static func lossChart(_ series: [(String, [Double], String)]) -> String {
        let width = 640.0, height = 240.0, margin = 36.0
        let all = series.flatMap(\.1).filter(\.isFinite)
        guard let high = all.max(), let low = all.min(), high > low else { return "" }
        let steps = Double(max(1, (series.map(\.1.count).max() ?? 1) - 1))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"training loss per epoch\">"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#fff\"/>"
        svg += "<line x1=\"\(margin)\" y1=\"\(height - margin)\" x2=\"\(width - 8)\" y2=\"\(height - margin)\" stroke=\"#888\"/><line x1=\"\(margin)\" y1=\"8\" x2=\"\(margin)\" y2=\"\(height - margin)\" stroke=\"#888\"/>"
        svg += "<text x=\"\(margin)\" y=\"\(height - 10)\" font-size=\"11\">epoch 0</text><text x=\"\(width - 60)\" y=\"\(height - 10)\" font-size=\"11\">epoch \(Int(steps))</text>"
        svg += String(format: "<text x=\"2\" y=\"16\" font-size=\"11\">%.3f</text><text x=\"2\" y=\"%.0f\" font-size=\"11\">%.3f</text>", high, height - margin, low)
        for (index, (name, values, color)) in series.enumerated() {
            let points = values.enumerated().map { step, value in
                String(format: "%.1f,%.1f", margin + (width - margin - 8) * Double(step) / steps, 8 + (height - margin - 8) * (high - value) / (high - low))
            }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>"
            svg += "<text x=\"\(width - 220)\" y=\"\(24 + 16 * index)\" font-size=\"12\" fill=\"\(color)\">\(HTML.escape(name))</text>"
        }
        return svg + "</svg>"
    }
}
