import CAllocationCounter
import Foundation
import Rollout
import TensorCore

/// Rollout's cases: a routing decision, recording an outcome, and replaying 10 million logged
/// events through the analysis policy (read + analyse, in process).
enum RolloutCases {
    /// 10 million routing decisions over 1 million distinct user ids (each routed ten times, in a
    /// shuffled order): hash, bucket, variant. Also counts the heap allocations made while routing.
    static func route(_ arguments: Arguments) async throws -> Measurement {
        let router = try Router(salt: "ranker-2026-12", weights: try TrafficWeights(parsing: "control=95,candidate=5"))
        return try await routing(arguments) { router.variantIndex(for: $0) }
    }

    /// The same through a ``RouterHandle`` (what a service reads while weights may change).
    static func routeThroughHandle(_ arguments: Arguments) async throws -> Measurement {
        let handle = RouterHandle(try Router(salt: "ranker-2026-12", weights: try TrafficWeights(parsing: "control=95,candidate=5")))
        return try await routing(arguments) { handle.variantIndex(for: $0) }
    }

    /// Times 10 million calls of `route` (a 95/5 split) and counts the allocations they make.
    static func routing(_ arguments: Arguments, _ route: (String) -> Int) async throws -> Measurement {
        let keys = (0..<1_000_000).map { "user-\($0 &* 2_654_435_761 % 1_000_003)" }
        var candidate = 0
        var allocations: UInt64 = 0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 10_000_000) {
            candidate = 0
            let before = try Measurement.allocationCount()
            for _ in 0..<10 {
                for key in keys { candidate &+= route(key) }
            }
            allocations = mlops_allocation_count() - before
        }
        guard candidate > 400_000 && candidate < 600_000 else { throw BenchmarkFailure("\(candidate) of 10M decisions went to the 5% candidate") }
        return measurement.with(extra: ["allocations": Double(allocations)])
    }

    /// 10 million outcomes recorded (variant, metric, value), one thread.
    static func recordOutcome(_ arguments: Arguments) async throws -> Measurement {
        var allocations: UInt64 = 0
        var recorder = try EvidenceRecorder(variants: ["control", "candidate"], metrics: ["converted"])
        let measurement = try await Measurement.repeated(
            arguments.repetitions, items: 10_000_000,
            prepare: { recorder = try EvidenceRecorder(variants: ["control", "candidate"], metrics: ["converted"]) },
            {
                let before = try Measurement.allocationCount()
                for i in 0..<10_000_000 { recorder.recordOutcome(variant: i & 1, metric: 0, value: Double(i % 10 == 0 ? 1 : 0)) }
                allocations = mlops_allocation_count() - before
            })
        guard recorder.evidence(variant: 0)?.outcomes[0].count == 5_000_000 else { throw BenchmarkFailure("outcomes were lost") }
        return measurement.with(extra: ["allocations": Double(allocations)])
    }

    /// `mlops rollout analyze` in process: read 10 million events (CSV), replay them through the
    /// default policy looking every 1,000 events, encode the result.
    static func analyze(_ arguments: Arguments) async throws -> Measurement {
        let path = "\(arguments.dataFolder)/rollout-events-10M.csv"
        guard FileManager.default.fileExists(atPath: path) else { throw BenchmarkFailure("missing \(path); Benchmarks/run generates it") }
        var looks = 0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 10_000_000) {
            // What `mlops rollout analyze` reads: the unit column is left out unless --check-units.
            let schema: [String: ColumnKind] = ["variant": .categorical, "converted": .double]
            let table = try CSVReader.readAll(path: path, options: CSVReadOptions(schema: schema, columns: ["timestamp", "variant", "converted"])).0
            let events = try RolloutEvents(table: table, metric: "converted")
            let result = try EventReplay(control: "control", candidate: "candidate", policy: AnalysisPolicy()).run(events)
            looks = result.looks.count
            _ = try JSONEncoder().encode(result)
        }
        guard looks == 10_000 else { throw BenchmarkFailure("the replay took \(looks) looks, not 10,000 (did it stop early?)") }
        return measurement
    }
}
