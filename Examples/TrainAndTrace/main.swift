// train-and-trace: a Swift training loop that records its run through the Lineage API, then asks
// where its model came from and whether the run can be reproduced.
//
//   swift run train-and-trace [folder] [--store URL] [--experiment NAME]
//
// folder defaults to a new temporary folder; the store to a SQLite file in it. Several copies may
// run at once on one folder and one store (the multi-process tests do).

import Foundation
import Lineage
import MLOpsStorage
import TensorCore

/// The value after `name` in `arguments`, removing both; `nil` when the option is absent.
func option(_ name: String, in arguments: inout [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(index...(index + 1)) }
    return arguments[index + 1]
}
var arguments = Array(CommandLine.arguments.dropFirst())
let storeURL = option("--store", in: &arguments)
let experiment = option("--experiment", in: &arguments) ?? "line-fit"
let folder = arguments.first ?? NSTemporaryDirectory() + "train-and-trace-\(UUID().uuidString)"
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)

// 1. One store for records (SQLite unless --store names another) and one for bytes (content-addressed).
// withDatabase opens the store, runs it beside the body (PostgreSQL's connection pool needs that)
// and closes it afterwards.
let location = try StoreLocation(parsing: storeURL ?? "sqlite:\(folder)/lineage.sqlite")
try await location.withDatabase { database in
    let store = try await SQLLineageStore(database: database)
    let artifacts = try FileSystemArtifactStore(root: "\(folder)/lineage.artifacts")

    // 2. Seeded data: y = 3x - 1 + noise. The CSV's digest names the data set.
    let seed: UInt64 = 7
    var generator = Xoshiro256StarStar(seed: seed)
    let xs = (0..<2_000).map { _ in generator.nextUniform() * 4 - 2 }
    let ys = xs.map { 3 * $0 - 1 + 0.3 * generator.nextNormal() }
    let csv = "x,y\n" + zip(xs, ys).map { "\($0),\($1)" }.joined(separator: "\n")
    let data = try await artifacts.put(Array(csv.utf8))

    // 3. The run: parameters, the data read, one loss per epoch, the model written.
    let recorder = try await RunRecorder.start(
        store: store, experiment: experiment, name: "sgd", environment: EnvironmentCapture(seeds: ["data": seed]))
    let learningRate = 0.1
    try await recorder.logParameters(["optimizer": "sgd", "learning_rate": .double(learningRate), "epochs": 40])
    try await recorder.recordInput(LineageArtifact(digest: data.digest, kind: .dataset, name: "line.csv", size: data.size), role: "training-data")
    var slope = 0.0, intercept = 0.0
    for epoch in 0..<40 {
        var gradSlope = 0.0, gradIntercept = 0.0, loss = 0.0
        for (x, y) in zip(xs, ys) {
            let error = slope * x + intercept - y
            gradSlope += error * x
            gradIntercept += error
            loss += error * error
        }
        let n = Double(xs.count)
        slope -= learningRate * gradSlope / n
        intercept -= learningRate * gradIntercept / n
        try await recorder.log("mse", loss / n, step: Int64(epoch))   // buffered, no store round trip
    }
    let model = try await artifacts.put(Array("{\"slope\": \(slope), \"intercept\": \(intercept)}".utf8))
    try await recorder.recordOutput(LineageArtifact(digest: model.digest, kind: .model, name: "line-model.json", size: model.size), role: "model")
    try await recorder.finish()
    print(String(format: "trained: slope %.3f, intercept %.3f (true 3, -1)", slope, intercept))

    // 4. Provenance: what the model came from.
    let ancestors = try await store.ancestors(of: model.digest)
    for run in ancestors.runs {
        print("model \(model.digest.description.prefix(19))… was written by run \(run.name) (\(run.id))")
    }
    for dataset in ancestors.artifacts(of: .dataset) {
        print("  which read \(dataset.name) \(dataset.digest.description.prefix(19))…")
    }

    // 5. Reproducibility: what a rebuild would still need.
    let run = try await store.run(recorder.runID)
    let check = ReproducibilityCheck(run: run)
    print("reproducible: \(check.isReproducible ? "yes" : "no")")
    for gap in check.gaps { print("  missing: \(gap.explanation)") }
    print("final mse \(String(format: "%.4f", run.latestMetrics["mse"]?.value ?? .nan)) after \(try await store.metricHistory(of: run.id, key: "mse").count) logged epochs")
}
