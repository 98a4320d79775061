import Foundation
import GPUScheduling

/// GPUScheduling's cases: the admission decision rate with a long queue, and replaying the
/// Philly list (read + simulate, in process) next to the naive Python replay.
enum GPUCases {
    /// The public traces beside the repository (`../shared/data/gpu-traces`).
    static var traces: String {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return repository.deletingLastPathComponent().appendingPathComponent("shared/data/gpu-traces").path
    }

    /// 1,000 nodes of 8 GPUs, each with 1 to 3 GPUs already taken, and 10,000 waiting jobs of 1
    /// to 8 GPUs with CPU requests all different (so no two share a shape and every decision
    /// searches the cluster rather than reusing an earlier answer). One pass considers every
    /// waiting job: items = decisions.
    static func decisions(_ arguments: Arguments) async throws -> Measurement {
        let cluster = try ClusterSpec.uniform(gpus: 8000, gpusPerNode: 8, nodesPerIsland: 4, nodesPerRack: 16)
        var base = try Scheduler(cluster: cluster, configuration: SchedulerConfiguration(backfill: .greedy, preemption: .disabled))
        for node in 0..<1000 {
            try base.submit(JobSpec(id: node, team: "fill", gpus: 1 + node % 3, workers: 1), at: 0)
        }
        _ = try base.schedule(at: 0)
        for i in 0..<10_000 {
            let gpus = 6 + i % 3
            try base.submit(JobSpec(id: 1000 + i, team: "team-\(i % 7)", gpus: gpus, workers: 1, cpuMilli: 1 + i), at: 1)
        }
        var scheduler = base
        var decisions = 0
        let measurement = try await Measurement.repeated(
            arguments.repetitions, items: 10_000,
            prepare: {
                scheduler = base
                scheduler.markChanged()
            },
            {
                let before = scheduler.decisionCount
                _ = try scheduler.schedule(at: 2)
                decisions = scheduler.decisionCount - before
            })
        guard decisions == 10_000 else { throw BenchmarkFailure("a pass made \(decisions) decisions, not 10,000") }
        return measurement
    }

    static func replay(_ policy: PolicyName, _ arguments: Arguments) async throws -> Measurement {
        let path = "\(traces)/philly-jobs.csv"
        var jobs = 0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 82_247) {
            let trace = try TraceReader.read(path: path)
            let cluster = try ClusterSpec.uniform(gpus: 512)
            let configuration = SchedulerConfiguration(policy: policy.policy, backfill: .greedy)
            let result = try Simulator(trace: trace, cluster: cluster, configuration: configuration, options: .init(checkInvariants: false)).run()
            jobs = result.report.jobs.finished
        }
        guard jobs == 82_247 else { throw BenchmarkFailure("the replay finished \(jobs) of 82,247 jobs") }
        return measurement
    }

    static func replayFIFO(_ arguments: Arguments) async throws -> Measurement { try await replay(.fifo, arguments) }
    static func replaySJF(_ arguments: Arguments) async throws -> Measurement { try await replay(.sjf, arguments) }
}
