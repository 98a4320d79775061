// consumer: a service's use of swift-mlops, built outside the repository with the package's
// traits off. It records a run in an embedded SQLite store, stores its model by digest, checks a
// feature for drift, and shows that a postgres:// store is refused with a clear error (this
// build leaves PostgreSQL out). Exits 0 when everything behaved; prints what it checked.

import DriftStats
import FeatureParity
import Foundation
import Lineage
import MLOpsStorage
import Rollout
import TensorCore

@main
struct Consumer {
    static func main() async throws {
        let folder = NSTemporaryDirectory() + "mlops-consumer-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        // Lineage on the embedded default store.
        let location = try StoreLocation(parsing: "sqlite:\(folder)/consumer.sqlite")
        let runs = try await location.withDatabase { database in
            let store = try await SQLLineageStore(database: database)
            let artifacts = try FileSystemArtifactStore(root: "\(folder)/consumer.artifacts")
            let recorder = try await RunRecorder.start(store: store, experiment: "consumer", name: "fit")
            try await recorder.logParameters(["learning_rate": .double(0.1)])
            for step in 0..<10 { try await recorder.log("loss", 1.0 / Double(step + 1), step: Int64(step)) }
            let model = try await artifacts.put(Array("{\"weights\": [1, 2, 3]}".utf8))
            try await recorder.recordOutput(LineageArtifact(digest: model.digest, kind: .model, name: "model.json", size: model.size), role: "model")
            try await recorder.finish()
            return try await store.ancestors(of: model.digest).runs.count
        }
        guard runs == 1 else { throw Failure("the model should have one producing run, found \(runs)") }
        print("lineage: 1 run recorded and traced from its model's digest")

        // Drift on seeded data.
        var random = Xoshiro256StarStar(seed: 1)
        let reference = (0..<5_000).map { _ in random.nextNormal() }
        let shifted = (0..<5_000).map { _ in random.nextNormal() + 0.5 }
        let test = try KolmogorovSmirnovTest(reference: reference, current: shifted)
        guard test.pValue < 1e-6 else { throw Failure("a 0.5σ shift in 5,000 rows was not detected (p = \(test.pValue))") }
        print(String(format: "drift: KS statistic %.3f, p-value %.2g", test.statistic, test.pValue))

        // A canary: sticky routing, its state in the embedded store, a replica that resumes it.
        let plan = try RolloutPlan(name: "ranker-v2", strategy: .canary, control: "v1", candidate: "v2", steps: [10, 50], metric: "converted")
        let canary = try await location.withDatabase { database in
            let store = try await SQLRolloutStore(database: database)
            let controller = try await RolloutController.start(plan: plan, store: store)
            let replica = try await RolloutController.resume(name: plan.name, store: store)
            let agree = (0..<1_000).allSatisfy { controller.route("user-\($0)") == replica.route("user-\($0)") }
            return (agree, (0..<1_000).filter { controller.route("user-\($0)") == 1 }.count)
        }
        guard canary.0, canary.1 > 50, canary.1 < 150 else { throw Failure("the canary routed \(canary.1) of 1,000 users to v2, replicas agreeing: \(canary.0)") }
        print("rollout: \(canary.1) of 1,000 users in the 10% canary, the same on a resumed replica")

        // A point-in-time training set: the value at or before each event, within the TTL.
        let events = try FeatureTable(columns: [("user", .categorical(CategoricalColumn(["a", "a", "b"]))), ("t", .double(DoubleColumn(values: [100, 500, 100])))])
        let features = try FeatureTable(columns: [
            ("user", .categorical(CategoricalColumn(["a", "a", "b"]))), ("ft", .double(DoubleColumn(values: [90, 200, 150]))), ("spend", .double(DoubleColumn(values: [1, 2, 3]))),
        ])
        let join = PointInTimeJoin(key: "user", eventTime: "t", featureTime: "ft", ttl: try TimeToLive(parsing: "5m"))
        let (training, _) = try join.join(events: events, features: features)
        guard Array(try training.doubleColumn(named: "spend")) == [1, 2, nil] else { throw Failure("the point-in-time join is wrong: \(training)") }
        print("features: point-in-time join kept 3 of 3 events (one without a value)")

        // Without the PostgreSQL trait, a postgres:// store is a clear error, not a crash.
        do {
            _ = try await StoreLocation(parsing: "postgres://user:secret@127.0.0.1:5432/db").openDatabase()
            throw Failure("a postgres:// store opened in a build without PostgreSQL")
        } catch let error as StorageError {
            guard error.code == .cannotOpen, !error.description.contains("secret") else {
                throw Failure("unexpected error for postgres:// without the trait: \(error)")
            }
            print("postgres:// without the PostgreSQL trait: refused (\(error.code))")
        }
        print("consumer: every check passed")
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
