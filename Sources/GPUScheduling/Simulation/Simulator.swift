/// Replays a trace through a ``Scheduler``: a discrete-event simulation, deterministic (the same
/// trace, cluster and configuration give the same schedule, byte for byte).
///
/// At each instant, completions are applied first, then arrivals, then one scheduling pass
/// (another follows at once while a pass preempted, so stopped jobs can land elsewhere).
public struct Simulator: Sendable {
    /// The jobs.
    public let trace: Trace
    /// The cluster.
    public let cluster: ClusterSpec
    /// The scheduler's configuration.
    public let configuration: SchedulerConfiguration
    /// How the replay runs.
    public let options: SimulationOptions

    /// Creates a simulator.
    ///
    /// - Throws: ``SchedulingError`` when the cluster is invalid or the time scale is not positive.
    public init(trace: Trace, cluster: ClusterSpec, configuration: SchedulerConfiguration, options: SimulationOptions = SimulationOptions())
        throws(SchedulingError)
    {
        try cluster.validate()
        var seen = Set<Int>()
        for job in trace.jobs where !seen.insert(job.spec.id).inserted {
            throw SchedulingError(.invalidTrace, "job ID \(job.spec.id) is used twice", fix: "give every job of the trace its own ID")
        }
        for job in trace.jobs where !(job.duration >= 0 && job.duration.isFinite && job.submitTime.isFinite) {
            throw SchedulingError(
                .invalidTrace, "job \(job.spec.id) has duration \(job.duration) at \(job.submitTime)", fix: "give finite times and durations of 0 or more")
        }
        guard options.timeScale > 0, options.timeScale.isFinite else {
            throw SchedulingError(.invalidTrace, "time scale \(options.timeScale) is not a positive number", fix: "give a time scale above 0, such as 2")
        }
        self.trace = trace
        self.cluster = cluster
        self.configuration = configuration
        self.options = options
    }

    /// Runs the replay to its end.
    ///
    /// - Returns: The report and the schedule it was computed from.
    /// - Throws: ``SchedulingError`` when a job is malformed or an invariant breaks.
    public func run() throws(SchedulingError) -> SimulationResult {
        var scheduler = try Scheduler(cluster: cluster, configuration: configuration)
        let jobs = trace.jobs
        let n = jobs.count
        let arrivalTime = jobs.map { $0.submitTime / options.timeScale }
        let arrivals = (0..<n).sorted { (arrivalTime[$0], $0) < (arrivalTime[$1], $1) }
        let row = Dictionary(uniqueKeysWithValues: jobs.enumerated().map { ($0.element.spec.id, $0.offset) })

        var completions = CompletionQueue()
        var generation = Array(repeating: 0, count: n)
        var openStart = Array(repeating: -1.0, count: n)
        var openStretch = Array(repeating: -1, count: n)
        var finishTime = Array(repeating: -1.0, count: n)
        var runTime = Array(repeating: 0.0, count: n)
        var unschedulable: [SimulationReport.Unschedulable] = []
        var stretches: [ScheduleStretch] = []
        var timeline: [(time: Double, busy: Int, queued: Int)] = []
        var idleHeld: [String: Double] = [:]
        var idleHeldCost: [String: Double] = [:]
        var busyIntegral = 0.0
        var preemptionCount = 0
        var queued = 0
        var nextArrival = 0
        var clockTime = 0.0
        var last = 0.0
        var lastHeld: (team: String, milli: Int, price: Double)?
        var fragmentation: FragmentationReport?
        let lastArrival = arrivalTime.max() ?? 0
        let prices = cluster.nodes.map(\.pricePerGPUHour)
        let nodeNames = cluster.nodes.map(\.name)
        let averagePrice = Self.averagePrice(cluster)

        func price(_ placement: Placement) -> Double {
            var sum = 0.0
            var count = 0
            for worker in placement.workers {
                sum += prices[worker.node] * Double(worker.gpus.count)
                count += worker.gpus.count
            }
            return count == 0 ? 0 : sum / Double(count)
        }

        while true {
            // A preempted job's completion no longer happens: its entry is dropped before the
            // next instant is chosen, so no pass runs at that time (QA sweep: a pass at the
            // stale time preempted a job when nothing arrived or completed).
            while let entry = completions.first, entry.generation != generation[row[entry.job] ?? 0] { _ = completions.pop() }
            guard nextArrival < n || !completions.isEmpty else { break }
            let nextCompletion = completions.first?.time ?? .infinity
            let now = min(nextArrival < n ? arrivalTime[arrivals[nextArrival]] : .infinity, nextCompletion)
            // What held between the last instant and this one.
            let busyMilli = scheduler.state.totalMilli - scheduler.freeMilli
            busyIntegral += Double(busyMilli) / 1000 * (now - last)
            if let held = lastHeld {
                idleHeld[held.team, default: 0] += Double(held.milli) / 1000 * (now - last)
                idleHeldCost[held.team, default: 0] += Double(held.milli) / 1000 * (now - last) / 3600 * held.price
            }
            last = now

            while let entry = completions.first, entry.time <= now {
                _ = completions.pop()
                let i = row[entry.job] ?? 0
                guard entry.generation == generation[i] else { continue }
                try scheduler.finish(entry.job, at: now)
                runTime[i] += now - openStart[i]
                stretches[openStretch[i]].end = now
                finishTime[i] = now
                openStart[i] = -1
            }
            while nextArrival < n, arrivalTime[arrivals[nextArrival]] <= now {
                let i = arrivals[nextArrival]
                nextArrival += 1
                if let reason = try scheduler.submit(jobs[i].spec, at: now) {
                    unschedulable.append(.init(job: jobs[i].spec.id, reason: reason))
                } else {
                    queued += 1
                }
            }
            var passes = 0
            while true {
                let started = ContinuousClock.now
                let decisions = try scheduler.schedule(at: now)
                clockTime += Self.seconds(ContinuousClock.now - started)
                passes += 1
                var preempted = false
                for decision in decisions {
                    switch decision {
                    case .started(let id, let placement, _):
                        let i = row[id] ?? 0
                        queued -= 1
                        let remaining = max(0, jobs[i].duration - (scheduler.savedProgress(id) ?? 0))
                        openStart[i] = now
                        openStretch[i] = stretches.count
                        stretches.append(
                            ScheduleStretch(
                                job: id, start: now, end: now, gpus: jobs[i].spec.gpuAmount, nodes: placement.nodes.map { nodeNames[$0] },
                                lostSeconds: 0, borrowedMilli: scheduler.borrowedMilli(of: id), pricePerGPUHour: price(placement)))
                        completions.push(.init(time: now + remaining, job: id, generation: generation[i]))
                    case .preempted(let id, _, let lost):
                        let i = row[id] ?? 0
                        queued += 1
                        preempted = true
                        preemptionCount += 1
                        generation[i] += 1
                        runTime[i] += now - openStart[i]
                        stretches[openStretch[i]].end = now
                        stretches[openStretch[i]].lostSeconds = lost
                        openStart[i] = -1
                    }
                }
                if !preempted || passes >= 64 { break }
            }
            if let reserved = scheduler.reservation, let i = row[reserved.job] {
                lastHeld = (jobs[i].spec.team, reserved.heldMilli, averagePrice)
            } else {
                lastHeld = nil
            }
            timeline.append((now, scheduler.state.totalMilli - scheduler.freeMilli, queued))
            if options.checkInvariants {
                let problems = scheduler.invariantProblems()
                if !problems.isEmpty {
                    throw SchedulingError(
                        .invariantViolated, problems.prefix(5).joined(separator: "; "), location: "t=\(now)",
                        fix: "this is a bug in GPUScheduling: report it with the trace and cluster")
                }
            }
            if now == lastArrival && fragmentation == nil && nextArrival == n && Self.hasFractions(jobs) {
                fragmentation = scheduler.state.fragmentation(mix: Self.mix(jobs), time: now, pendingJobs: queued)
            }
        }

        if options.checkInvariants {
            // GPU-seconds are conserved: what the schedule says ran is what the cluster was busy.
            let scheduled = stretches.reduce(0.0) { $0 + ($1.end - $1.start) * $1.gpus }
            if abs(scheduled - busyIntegral) > 1e-6 * max(1, busyIntegral) {
                throw SchedulingError(
                    .invariantViolated, "the schedule holds \(scheduled) GPU-seconds but the cluster was busy for \(busyIntegral)",
                    fix: "this is a bug in GPUScheduling: report it with the trace and cluster")
            }
            let refused = Set(unschedulable.map(\.job))
            if let stuck = (0..<n).first(where: { i in finishTime[i] < 0 && !refused.contains(jobs[i].spec.id) }) {
                throw SchedulingError(
                    .invariantViolated, "job \(jobs[stuck].spec.id) neither finished nor was found unschedulable",
                    fix: "this is a bug in GPUScheduling: report it with the trace and cluster")
            }
        }
        return SimulationResult.build(
            trace: trace, cluster: cluster, configuration: configuration, options: options, stretches: stretches,
            finishTime: finishTime, runTime: runTime, arrivalTime: arrivalTime, unschedulable: unschedulable, timeline: timeline,
            busyIntegral: busyIntegral, idleHeld: idleHeld, idleHeldCost: idleHeldCost, preemptions: preemptionCount,
            decisions: scheduler.decisionCount, schedulerSeconds: clockTime, fragmentation: fragmentation)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    static func averagePrice(_ cluster: ClusterSpec) -> Double {
        let gpus = cluster.gpuCount
        guard gpus > 0 else { return 0 }
        return cluster.nodes.reduce(0) { $0 + $1.pricePerGPUHour * Double($1.gpus) } / Double(gpus)
    }

    static func hasFractions(_ jobs: [TraceJob]) -> Bool { jobs.contains { $0.spec.gpuMilli < 1000 } }

    /// The trace's GPU requests by shape, weighted by how often each occurs.
    static func mix(_ jobs: [TraceJob]) -> [(request: PlacementRequest, weight: Double)] {
        var counts: [PlacementRequest: Int] = [:]
        for job in jobs where job.spec.gpus > 0 { counts[PlacementRequest(job.spec), default: 0] += 1 }
        return Scheduler.weightedMix(counts, top: Int.max)
    }
}
