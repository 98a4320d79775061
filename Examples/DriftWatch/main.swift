// drift-watch: a simulated serving loop. Request handlers on several tasks record each
// request's features into a streaming profile; every window the profile is compared with a
// baseline stored in SQLite, and the decision is printed with its reason. Traffic starts to
// drift at window 5 (payment amounts grow, a new country appears).
//
//   swift run drift-watch [folder]      (default: a new temporary folder)

import DriftStats
import Foundation
import MLOpsStorage
import TensorCore

let folder = CommandLine.arguments.dropFirst().first ?? NSTemporaryDirectory() + "drift-watch-\(UUID().uuidString)"
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)

/// One request's features.
struct Request: Sendable {
    let amount: Double
    let country: String
    let latencyMilliseconds: Double
}

/// Simulated traffic: log-normal amounts, five countries, gamma-ish latency. From `driftsAt`
/// on, amounts are 40 % larger and 15 % of requests come from a new country.
func request(_ random: inout Xoshiro256StarStar, drifted: Bool) -> Request {
    let countries = ["DE", "FR", "GB", "NL", "US"]
    var country = countries[Int(random.next() % 5)]
    if drifted && random.nextUniform() < 0.15 { country = "BR" }
    let amount = exp(3 + 0.7 * random.nextNormal()) * (drifted ? 1.4 : 1)
    let latency = 20 + 5 * abs(random.nextNormal())
    return Request(amount: amount, country: country, latencyMilliseconds: latency)
}

let schema: [(name: String, kind: ColumnKind)] = [("amount", .double), ("country", .categorical), ("latency_ms", .double)]

// 1. The baseline: a profile of the training period, stored under a name in SQLite.
let database = try await StoreLocation(parsing: "sqlite:\(folder)/baselines.sqlite").openDatabase()
let baselines = try await SQLBaselineStore(database: database)
var training = try DatasetProfile(schema: schema)
var random = Xoshiro256StarStar(seed: 1)
for _ in 0..<100_000 {
    let r = request(&random, drifted: false)
    training.update(column: 0, r.amount)
    training.update(column: 1, r.country)
    training.update(column: 2, r.latencyMilliseconds)
}
let saved = try await baselines.save(training, as: "payments", note: "training period")
print("baseline \(saved.name) v\(saved.version): \(training.rowCount) requests profiled")

// 2. Serving: 8 handler tasks record into one profiler (no lock waits, no actor hops).
// The windows use the baseline's sketch sizes, so their profiles compare like for like.
let profiler = try StreamingProfiler(schema: schema, settings: training.settings)
let comparison = try ProfileComparison(configuration: DriftConfiguration(
    columnMethods: ["amount": .kolmogorovSmirnov],
    minimumEffect: MinimumEffect(numeric: 0.1, categorical: 0.05)))
let driftsAt = 5
for window in 1...8 {
    await withTaskGroup(of: Void.self) { group in
        for handler in 0..<8 {
            group.addTask {
                var random = Xoshiro256StarStar(seed: UInt64(window * 100 + handler))
                for _ in 0..<2_500 {
                    let r = request(&random, drifted: window >= driftsAt)
                    profiler.record { profile in
                        profile.update(column: 0, r.amount)
                        profile.update(column: 1, r.country)
                        profile.update(column: 2, r.latencyMilliseconds)
                    }
                }
            }
        }
    }
    // 3. Every window: compare with the stored baseline and act on the decision.
    let baseline = try await baselines.latest("payments")
    let report = comparison.compare(reference: baseline.profile, current: try profiler.drain())
    print("window \(window): \(report.drifted ? "DRIFT" : "ok   ") \(report.dataset.reason)")
    for column in report.columns where column.status != .stable {
        print("    \(column.name): \(column.reason)")
    }
    if window == 1, let amount = report.columns.first(where: { $0.name == "amount" }), let resolution = amount.resolution {
        // What "ok" means for this window: the smallest shift its check could have flagged.
        print("    amount \(resolution.summary)")
    }
    for issue in report.allIssues { print("    quality: \(issue)") }
}
try await database.close()
print("baselines in \(folder)/baselines.sqlite")
