/// What a simulation produced: the report and the schedule it was computed from.
public struct SimulationResult: Sendable {
    /// The figures.
    public var report: SimulationReport
    /// Every stretch a job ran, in start order (ties by job).
    public var stretches: [ScheduleStretch]

    /// The schedule as `--schedule-out` writes it: a header, then one row per stretch.
    public var scheduleCSV: String {
        var text = ScheduleStretch.csvHeader + "\n"
        for stretch in stretches {
            text += stretch.csvRow
            text += "\n"
        }
        return text
    }
}

extension SimulationResult {
    static func build(
        trace: Trace, cluster: ClusterSpec, configuration: SchedulerConfiguration, options: SimulationOptions, stretches: [ScheduleStretch],
        finishTime: [Double], runTime: [Double], arrivalTime: [Double], unschedulable: [SimulationReport.Unschedulable],
        timeline: [(time: Double, busy: Int, queued: Int)], busyIntegral: Double, idleHeld: [String: Double],
        idleHeldCost: [String: Double], preemptions: Int, decisions: Int, schedulerSeconds: Double, fragmentation: FragmentationReport?
    ) -> SimulationResult {
        let jobs = trace.jobs
        let gpus = cluster.gpuCount
        var jct: [Double] = []
        var delay: [Double] = []
        var makespan = 0.0
        for stretch in stretches { makespan = max(makespan, stretch.end) }

        // Each team's weighted share of the cluster, over the teams in the trace.
        let teamNames = Array(Set(jobs.map(\.spec.team))).sorted()
        let weights = Dictionary(uniqueKeysWithValues: cluster.teams.map { ($0.team, $0.weight) })
        let weightSum = teamNames.reduce(0.0) { $0 + (weights[$1] ?? 1) }
        func fairShare(_ team: String) -> Double { Double(gpus) * (weights[team] ?? 1) / weightSum }

        var perTeam: [String: (jobs: Int, finished: Int, jct: Double, rho: Double)] = [:]
        var rhos: [Double] = []
        for (i, job) in jobs.enumerated() {
            perTeam[job.spec.team, default: (0, 0, 0, 0)].jobs += 1
            guard finishTime[i] >= 0 else { continue }
            let completion = finishTime[i] - arrivalTime[i]
            jct.append(completion)
            delay.append(max(0, completion - runTime[i]))
            // Time alone on the team's share: the job's duration, stretched when it needs more
            // GPUs than the share holds.
            // At least one second, so a job that runs for no time does not swamp the figures.
            let alone = max(job.duration, 1) * max(1, job.spec.gpuAmount / max(fairShare(job.spec.team), 1e-9))
            let rho = completion / alone
            rhos.append(rho)
            perTeam[job.spec.team]?.finished += 1
            perTeam[job.spec.team]?.jct += completion
            perTeam[job.spec.team]?.rho += rho
        }

        // GPU-hours by team and kind, from the stretches.
        var hours: [String: SimulationReport.GPUHours] = [:]
        var cost: [String: SimulationReport.GPUHours] = [:]
        var lostHours = 0.0
        var preempted = Set<Int>()
        let teamOfJob = Dictionary(uniqueKeysWithValues: jobs.map { ($0.spec.id, $0.spec.team) })
        for stretch in stretches {
            let team = teamOfJob[stretch.job] ?? ""
            let length = stretch.end - stretch.start
            let lost = min(length, stretch.lostSeconds) * stretch.gpus / 3600
            let kept = max(0, length - stretch.lostSeconds) * stretch.gpus / 3600
            let borrowedShare = stretch.gpus > 0 ? min(1, Double(stretch.borrowedMilli) / 1000 / stretch.gpus) : 0
            if stretch.lostSeconds > 0 || length < 0 { preempted.insert(stretch.job) }
            lostHours += lost
            hours[team, default: .zero].lostToPreemption += lost
            hours[team, default: .zero].borrowed += kept * borrowedShare
            hours[team, default: .zero].used += kept * (1 - borrowedShare)
            cost[team, default: .zero].lostToPreemption += lost * stretch.pricePerGPUHour
            cost[team, default: .zero].borrowed += kept * borrowedShare * stretch.pricePerGPUHour
            cost[team, default: .zero].used += kept * (1 - borrowedShare) * stretch.pricePerGPUHour
        }
        for (team, seconds) in idleHeld { hours[team, default: .zero].idleHeld += seconds / 3600 }
        for (team, amount) in idleHeldCost { cost[team, default: .zero].idleHeld += amount }
        // Jobs stopped by a preemption that lost nothing still count as preempted.
        var stretchCount: [Int: Int] = [:]
        for stretch in stretches { stretchCount[stretch.job, default: 0] += 1 }
        for (job, count) in stretchCount where count > 1 { preempted.insert(job) }

        var teams: [SimulationReport.Team] = []
        var teamRhos: [Double] = []
        for team in teamNames {
            let t = perTeam[team] ?? (0, 0, 0, 0)
            let averageRho = t.finished > 0 ? t.rho / Double(t.finished) : 0
            if t.finished > 0 { teamRhos.append(averageRho) }
            teams.append(
                SimulationReport.Team(
                    team: team, jobs: t.jobs, finished: t.finished, averageJCTSeconds: t.finished > 0 ? t.jct / Double(t.finished) : 0,
                    finishTimeFairness: averageRho, gpuHours: (hours[team] ?? .zero).totalled, cost: (cost[team] ?? .zero).totalled))
        }
        let sum = teamRhos.reduce(0, +)
        let squares = teamRhos.reduce(0) { $0 + $1 * $1 }
        let jain = squares > 0 ? sum * sum / (Double(teamRhos.count) * squares) : 1

        let unfinished = jobs.indices.filter { finishTime[$0] < 0 }.count - unschedulable.count
        let report = SimulationReport(
            policy: configuration.policy.name, placement: configuration.placement.rawValue, backfill: configuration.backfill.rawValue,
            traceFormat: trace.format.rawValue, timeScale: options.timeScale, nodes: cluster.nodes.count, gpus: gpus,
            jobs: .init(total: jobs.count, finished: jct.count, unschedulable: unschedulable.count, unfinished: max(0, unfinished)),
            jctSeconds: .init(jct), queueingDelaySeconds: .init(delay), makespanSeconds: makespan,
            utilization: .init(
                average: gpus > 0 && makespan > 0 ? busyIntegral / (Double(gpus) * makespan) : 0,
                timeline: Self.slices(timeline, end: makespan, points: options.timelinePoints)),
            fairness: .init(jainIndex: jain, finishTimeFairnessAverage: rhos.isEmpty ? 0 : rhos.reduce(0, +) / Double(rhos.count), finishTimeFairnessMax: rhos.max() ?? 0),
            preemptions: .init(count: preemptions, jobsPreempted: preempted.count, lostGPUHours: lostHours), teams: teams,
            totalCost: teams.reduce(0) { $0 + $1.cost.total },
            scheduler: .init(decisions: decisions, seconds: schedulerSeconds, decisionsPerSecond: schedulerSeconds > 0 ? Double(decisions) / schedulerSeconds : 0),
            unschedulableJobs: unschedulable.sorted { $0.job < $1.job }, fragmentation: fragmentation)
        let ordered = stretches.sorted { ($0.start, $0.job) < ($1.start, $1.job) }
        return SimulationResult(report: report, stretches: ordered)
    }

    /// Time-weighted averages of a step function over equal slices of [0, end].
    static func slices(_ steps: [(time: Double, busy: Int, queued: Int)], end: Double, points: Int) -> [SimulationReport.TimelinePoint] {
        guard end > 0, points > 0, !steps.isEmpty else { return [] }
        let width = end / Double(points)
        var result: [SimulationReport.TimelinePoint] = []
        var s = 0
        for k in 0..<points {
            let from = Double(k) * width
            let to = k == points - 1 ? end : from + width
            var busy = 0.0
            var queued = 0.0
            var t = from
            while t < to {
                // The step in force at `t`: the last at or before it (none before the first).
                while s + 1 < steps.count && steps[s + 1].time <= t { s += 1 }
                let inForce = steps[s].time <= t
                let nextChange = inForce ? (s + 1 < steps.count ? steps[s + 1].time : to) : steps[s].time
                let next = min(nextChange, to)
                if inForce {
                    busy += Double(steps[s].busy) / 1000 * (next - t)
                    queued += Double(steps[s].queued) * (next - t)
                }
                t = next
            }
            let length = max(to - from, 1e-12)
            result.append(.init(time: from, busyGPUs: busy / length, queuedJobs: queued / length))
        }
        return result
    }
}

extension SimulationReport.GPUHours {
    static let zero = SimulationReport.GPUHours(used: 0, borrowed: 0, idleHeld: 0, lostToPreemption: 0, total: 0)

    var totalled: SimulationReport.GPUHours {
        var copy = self
        copy.total = used + borrowed + idleHeld + lostToPreemption
        return copy
    }
}
