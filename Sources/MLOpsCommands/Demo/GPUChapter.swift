import Foundation
import GPUScheduling
import TensorCore

/// Chapter 5: the demo's teams retrain and evaluate their models on a small shared GPU cluster.
/// A day of seeded jobs, most of them from one heavy team, is replayed under FIFO and under
/// dominant-resource fair share; the chapter compares completion times per team, fairness and
/// cost, and writes each schedule and a utilisation plot.
struct GPUChapter: DemoChapter {
    let slug = "gpu"
    let title = "5. GPU scheduling: three teams' retraining and evaluation jobs under two policies"

    /// Four 8-GPU nodes in two NVLink islands; the three teams' quotas fill the cluster, in one cohort.
    static func cluster() -> ClusterSpec {
        ClusterSpec(
            nodes: (0..<4).map { i in
                NodeSpec(name: "gpu-\(i)", gpuModel: "A100", gpus: 8, island: "nvlink-\(i / 2)", rack: "rack-0", pricePerGPUHour: 2.5)
            },
            teams: [
                TeamQuota(team: "fraud", cohort: "ml", nominal: ["A100": 12]),
                TeamQuota(team: "search", cohort: "ml", nominal: ["A100": 12]),
                TeamQuota(team: "vision", cohort: "ml", nominal: ["A100": 8]),
            ])
    }

    /// A day of jobs: each team's retraining gangs (8 or 16 GPUs, 2–6 hours) and many
    /// short evaluations (1–2 GPUs, 5–40 minutes), arriving at random through the day.
    static func trace(seed: UInt64) -> Trace {
        var generator = Xoshiro256StarStar(seed: seed)
        func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
        var jobs: [TraceJob] = []
        // Vision is the heavy user: four times the others' jobs.
        let teams = [("fraud", 1), ("search", 1), ("vision", 4)]
        for (t, (team, load)) in teams.enumerated() {
            for k in 0..<(4 * load) {
                let gpus = (k + t) % 3 == 0 ? 16 : 8
                let duration = (3600 * (2 + 4 * uniform())).rounded()
                let spec = JobSpec(id: 0, team: team, gpus: gpus, workers: gpus / 8, checkpointInterval: 900, expectedDuration: duration)
                jobs.append(TraceJob(spec: spec, submitTime: (86_400 * uniform()).rounded(), duration: duration, name: "\(team)/retrain-\(k)"))
            }
            for k in 0..<(40 * load) {
                let duration = (300 + 2100 * uniform()).rounded()
                let spec = JobSpec(id: 0, team: team, gpus: 1 + Int(uniform() * 2), checkpointInterval: nil, expectedDuration: duration)
                jobs.append(TraceJob(spec: spec, submitTime: (86_400 * uniform()).rounded(), duration: duration, name: "\(team)/eval-\(k)"))
            }
        }
        jobs.sort { ($0.submitTime, $0.name ?? "") < ($1.submitTime, $1.name ?? "") }
        let origin = jobs.first?.submitTime ?? 0
        for i in jobs.indices {
            jobs[i].spec.id = i
            jobs[i].submitTime -= origin
        }
        return Trace(jobs: jobs, format: .generic)
    }

    func run(in context: DemoContext) async throws -> (ChapterReport, String) {
        let cluster = Self.cluster()
        let trace = Self.trace(seed: context.seed)
        var traceCSV = "submit_time,duration_s,gpus,team,gang,checkpoint_s,name\n"
        for job in trace.jobs {
            traceCSV += "\(Int(job.submitTime)),\(Int(job.duration)),\(job.spec.gpus),\(job.spec.team),\(job.spec.workers.map(String.init) ?? ""),\(job.spec.checkpointInterval.map { String(Int($0)) } ?? "none"),\(job.name ?? "")\n"
        }
        try context.write(Array(traceCSV.utf8), to: "gpu-trace.csv")

        var results: [(PolicyName, SimulationResult)] = []
        for policy in [PolicyName.fifo, .drf] {
            let configuration = SchedulerConfiguration(policy: policy.policy)
            let result = try Simulator(trace: trace, cluster: cluster, configuration: configuration, options: .init(checkInvariants: true)).run()
            try context.write(Array(result.scheduleCSV.utf8), to: "gpu-schedule-\(policy.rawValue).csv")
            try context.write(Array(UtilizationPlot.svg(result.report).utf8), to: "gpu-\(policy.rawValue).svg")
            results.append((policy, result))
        }
        func hours(_ seconds: Double) -> String { String(format: "%.2f h", seconds / 3600) }
        let fifo = results[0].1.report
        let drf = results[1].1.report
        let highlights = [
            "\(trace.jobs.count) jobs of 3 teams on 32 GPUs (vision submits two thirds): average JCT \(hours(fifo.jctSeconds.average)) under FIFO, \(hours(drf.jctSeconds.average)) under fair share (DRF)",
            "per team, FIFO → DRF: " + zip(fifo.teams, drf.teams).map { "\($0.team) \(hours($0.averageJCTSeconds)) → \(hours($1.averageJCTSeconds))" }.joined(separator: ", ") + String(format: "; Jain's index %.3f → %.3f", fifo.fairness.jainIndex, drf.fairness.jainIndex),
        ]
        var body = "<p>Each team retrains its models in 8- and 16-GPU gangs (kept inside one NVLink island when they fit) and evaluates them with short 1–2 GPU jobs. Quotas: fraud 12, search 12, vision 8 GPUs, lent to each other within one cohort. Vision submits two thirds of the jobs. The same day of jobs (<a href=\"gpu-trace.csv\">gpu-trace.csv</a>) is replayed under FIFO, where the heavy team's backlog delays everyone, and under dominant-resource fair share, where the team with the smallest share goes next; every figure can be recomputed from the schedules.</p>"
        body += "<h2>The two policies side by side</h2>" + HTML.table(
            headers: ["", "FIFO", "dominant-resource fair share"],
            rows: [
                ["average JCT", hours(fifo.jctSeconds.average), hours(drf.jctSeconds.average)],
                ["median JCT", hours(fifo.jctSeconds.median), hours(drf.jctSeconds.median)],
                ["p99 JCT", hours(fifo.jctSeconds.p99), hours(drf.jctSeconds.p99)],
                ["average queueing delay", hours(fifo.queueingDelaySeconds.average), hours(drf.queueingDelaySeconds.average)],
                ["utilisation", String(format: "%.1f%%", fifo.utilization.average * 100), String(format: "%.1f%%", drf.utilization.average * 100)],
                ["Jain's index over teams", String(format: "%.3f", fifo.fairness.jainIndex), String(format: "%.3f", drf.fairness.jainIndex)],
                ["preemptions (GPU-hours lost)", "\(fifo.preemptions.count) (\(String(format: "%.1f", fifo.preemptions.lostGPUHours)))", "\(drf.preemptions.count) (\(String(format: "%.1f", drf.preemptions.lostGPUHours)))"],
                ["total cost at 2.50 per GPU-hour", String(format: "%.2f", fifo.totalCost), String(format: "%.2f", drf.totalCost)],
                ["schedule", "gpu-schedule-fifo.csv", "gpu-schedule-drf.csv"],
            ])
        for (policy, result) in results {
            let report = result.report
            body += "<h2>\(policy == .fifo ? "FIFO" : "Fair share (DRF)"): utilisation and queue</h2>"
            body += "<p><img src=\"gpu-\(policy.rawValue).svg\" alt=\"utilisation and queue length under \(policy.rawValue)\"></p>"
            body += HTML.table(
                headers: ["team", "jobs", "average JCT", "finish-time fairness", "GPU-h used", "borrowed", "idle-held", "lost", "cost"],
                rows: report.teams.map {
                    [
                        $0.team, "\($0.jobs)", hours($0.averageJCTSeconds), String(format: "%.2f", $0.finishTimeFairness),
                        String(format: "%.1f", $0.gpuHours.used), String(format: "%.1f", $0.gpuHours.borrowed), String(format: "%.1f", $0.gpuHours.idleHeld),
                        String(format: "%.1f", $0.gpuHours.lostToPreemption), String(format: "%.2f", $0.cost.total),
                    ]
                })
        }
        body += "<p>Try <code>mlops gpu simulate --trace gpu-trace.csv --gpus 32 --policy las</code>, or replay the Philly list: <code>mlops gpu simulate --trace philly-jobs.csv --gpus 512 --policy las</code>.</p>"
        let facts: [ChapterReport.Fact] = [
            .init(label: "average JCT, FIFO", value: hours(fifo.jctSeconds.average)),
            .init(label: "average JCT, fair share", value: hours(drf.jctSeconds.average)),
            .init(label: "utilisation, FIFO / DRF", value: String(format: "%.1f%% / %.1f%%", fifo.utilization.average * 100, drf.utilization.average * 100)),
        ]
        let files = ["gpu-trace.csv", "gpu-schedule-fifo.csv", "gpu-schedule-drf.csv", "gpu-fifo.svg", "gpu-drf.svg"]
        return (ChapterReport(slug: slug, title: title, highlights: highlights, facts: facts, files: files), body)
    }
}
