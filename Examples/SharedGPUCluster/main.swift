// shared-gpu-cluster: three teams share a small GPU cluster under quotas. A Swift program feeds
// the scheduler submissions and completions and prints what it decides: a gang job kept inside
// one NVLink island on borrowed quota, a job that can never fit, a high-priority job that
// preempts the fewest victims, and the preempted gang resuming from its checkpoint.
//
//   swift run shared-gpu-cluster

import GPUScheduling

// Four 8-GPU A100 nodes in two NVLink islands; quotas that add up to the cluster, in one cohort.
let cluster = ClusterSpec(
    nodes: (0..<4).map { i in
        NodeSpec(name: "a100-\(i)", gpuModel: "A100", gpus: 8, cpuMilli: 96_000, memoryMiB: 1_048_576, island: "nvlink-\(i / 2)", rack: "rack-0", pricePerGPUHour: 2.5)
    },
    teams: [
        TeamQuota(team: "vision", cohort: "research", nominal: ["A100": 12]),
        TeamQuota(team: "nlp", cohort: "research", nominal: ["A100": 10]),
        TeamQuota(team: "platform", cohort: "research", nominal: ["A100": 10], weight: 2),
    ])
var scheduler = try Scheduler(cluster: cluster, configuration: SchedulerConfiguration(policy: PriorityPolicy()))
var names: [Int: String] = [:]

@MainActor func describe(_ placement: Placement) -> String {
    let nodes = placement.nodes.map { cluster.nodes[$0] }
    let islands = Set(nodes.compactMap(\.island)).sorted()
    return "\(nodes.map(\.name).joined(separator: ", ")) (island \(islands.joined(separator: ", ")))"
}

@MainActor func submit(_ job: JobSpec, named name: String, at time: Double) throws {
    names[job.id] = name
    if let reason = try scheduler.submit(job, at: time) {
        print("t=\(Int(time))s  \(name): unschedulable: \(reason)")
    }
}

@MainActor func schedule(at time: Double) throws {
    for decision in try scheduler.schedule(at: time) {
        switch decision {
        case .started(let job, let placement, let model):
            let borrowed = scheduler.borrowedMilli(of: job)
            let note = borrowed > 0 ? ", \(borrowed / 1000) GPUs borrowed from the cohort" : ""
            print("t=\(Int(time))s  \(names[job] ?? "?") started on \(model): \(describe(placement))\(note)")
        case .preempted(let job, let by, let lost):
            print("t=\(Int(time))s  \(names[job] ?? "?") preempted for \(names[by] ?? "?"), \(Int(lost)) s of work lost since its checkpoint")
        }
    }
}

// t = 0: vision's 16-GPU training gang (2 workers of 8, checkpointing every 15 minutes), an
// nlp fine-tune, a platform job, and a request no island can hold.
try submit(JobSpec(id: 1, team: "vision", gpus: 16, workers: 2, checkpointInterval: 900, expectedDuration: 36_000), named: "vision/train", at: 0)
try submit(JobSpec(id: 2, team: "nlp", gpus: 4, checkpointInterval: 600, expectedDuration: 7_200), named: "nlp/finetune", at: 0)
try submit(JobSpec(id: 3, team: "platform", gpus: 2, expectedDuration: 3_600), named: "platform/indexer", at: 0)
try submit(JobSpec(id: 4, team: "nlp", gpus: 24, workers: 3, colocation: .island), named: "nlp/too-big", at: 0)
try schedule(at: 0)

// t = 30 min: nlp's evaluation (no checkpoints) fills most of what is left.
try submit(JobSpec(id: 5, team: "nlp", gpus: 8, checkpointInterval: nil, expectedDuration: 3_600), named: "nlp/eval", at: 1_800)
try schedule(at: 1_800)

// t = 1 h: an urgent platform job at high priority; the cluster is full. It fits platform's own
// quota, so it may preempt: the victim is a job running on borrowed quota (another team's job
// within its own quota is never taken), the one that loses least work since its checkpoint.
try submit(JobSpec(id: 6, team: "platform", gpus: 8, priority: 10, expectedDuration: 1_800), named: "platform/hotfix", at: 3_600)
try schedule(at: 3_600)

// The hotfix and the indexer finish; the vision gang resumes from its last checkpoint.
try scheduler.finish(3, at: 3_700)
try scheduler.finish(6, at: 5_400)
try schedule(at: 5_400)
print("vision/train resumes with \(Int(scheduler.savedProgress(1) ?? 0)) s of its work kept")

let problems = scheduler.invariantProblems()
print(problems.isEmpty ? "invariants hold: no GPU over-allocated, quotas respected" : "INVARIANTS BROKEN: \(problems)")
