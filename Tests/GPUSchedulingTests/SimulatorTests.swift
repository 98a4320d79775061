import Foundation
import GPUScheduling
import Testing

@Suite("Simulating traces")
struct SimulatorTests {
    static let policies: [PolicyName] = PolicyName.allCases

    static func run(
        _ trace: Trace, _ cluster: ClusterSpec, policy: PolicyName = .fifo, placement: PlacementStrategy = .binPack,
        backfill: BackfillMode = .easy, timeScale: Double = 1
    ) throws -> SimulationResult {
        let configuration = SchedulerConfiguration(policy: policy.policy, placement: placement, backfill: backfill)
        let options = SimulationOptions(timeScale: timeScale, checkInvariants: true)
        return try Simulator(trace: trace, cluster: cluster, configuration: configuration, options: options).run()
    }

    /// Everything the report says that the schedule alone can confirm.
    static func confirm(_ result: SimulationResult, _ trace: Trace, gpus: Int, timeScale: Double = 1) {
        let again = Recomputed(result, trace: trace, timeScale: timeScale)
        let report = result.report
        #expect(again.peakGPUs <= Double(gpus) + 1e-9, "more GPUs busy than the cluster has")
        #expect(again.finished == report.jobs.finished)
        #expect(report.jobs.finished + report.jobs.unschedulable == trace.jobs.count, "every job finished or is accounted for")
        #expect(report.jobs.unfinished == 0)
        #expect(close(again.jct.reduce(0, +) / Double(max(1, again.jct.count)), report.jctSeconds.average))
        #expect(close(Recomputed.percentile(again.jct, 50), report.jctSeconds.median))
        #expect(close(Recomputed.percentile(again.jct, 99), report.jctSeconds.p99))
        #expect(close(again.delay.reduce(0, +) / Double(max(1, again.delay.count)), report.queueingDelaySeconds.average))
        #expect(close(again.makespan, report.makespanSeconds))
        #expect(close(again.busyGPUSeconds / (Double(gpus) * again.makespan), report.utilization.average))
        // GPU-seconds are conserved: what teams are charged for running is what ran.
        let charged = report.teams.reduce(0) { $0 + $1.gpuHours.used + $1.gpuHours.borrowed + $1.gpuHours.lostToPreemption }
        #expect(close(charged * 3600, again.busyGPUSeconds, relative: 1e-7))
        // No stretch starts before its job arrived.
        let submit = Dictionary(uniqueKeysWithValues: trace.jobs.map { ($0.spec.id, $0.submitTime / timeScale) })
        #expect(result.stretches.allSatisfy { $0.start >= (submit[$0.job] ?? 0) && $0.end >= $0.start })
    }

    @Test("every policy's report is recomputable from its schedule, with invariants checked after every event", arguments: policies)
    func recomputable(policy: PolicyName) throws {
        let trace = randomTrace(jobs: 400, seed: 7, meanGap: 40)
        let cluster = try ClusterSpec.uniform(gpus: 32, gpusPerNode: 8, nodesPerIsland: 2)
        let result = try Self.run(trace, cluster, policy: policy)
        Self.confirm(result, trace, gpus: 32)
        #expect(result.report.policy == policy.rawValue)
    }

    @Test("with quotas in a cohort, every policy keeps the books (a victim preempted mid-pass is never started twice)", arguments: policies)
    func quotasAndPreemption(policy: PolicyName) throws {
        let trace = randomTrace(jobs: 250, seed: 13, meanGap: 60)
        var cluster = try ClusterSpec.uniform(gpus: 32, gpusPerNode: 8, nodesPerIsland: 2)
        cluster.teams = [
            TeamQuota(team: "a", cohort: "ml", nominal: ["gpu": 12]), TeamQuota(team: "b", cohort: "ml", nominal: ["gpu": 12], lendingLimit: 6),
            TeamQuota(team: "c", cohort: "ml", nominal: ["gpu": 8], borrowingLimit: 8, weight: 2),
        ]
        let configuration = SchedulerConfiguration(policy: policy.policy, preemption: PreemptionSettings(minimumRunTime: 60, fairSharing: policy == .drf))
        let result = try Simulator(trace: trace, cluster: cluster, configuration: configuration, options: .init(checkInvariants: true)).run()
        Self.confirm(result, trace, gpus: 32)
        if policy == .las || policy == .priority { #expect(result.report.preemptions.count > 0) }
    }

    @Test("every backfill mode and placement keeps the books", arguments: BackfillMode.allCases, PlacementStrategy.allCases)
    func modes(backfill: BackfillMode, placement: PlacementStrategy) throws {
        let trace = randomTrace(jobs: 200, seed: 11, meanGap: 30)
        let cluster = try ClusterSpec.uniform(gpus: 24, gpusPerNode: 8)
        Self.confirm(try Self.run(trace, cluster, policy: .las, placement: placement, backfill: backfill), trace, gpus: 24)
    }

    @Test("the same inputs give the same schedule, byte for byte")
    func deterministic() throws {
        let trace = randomTrace(jobs: 300, seed: 3)
        let cluster = try ClusterSpec.uniform(gpus: 16)
        let first = try Self.run(trace, cluster, policy: .las)
        let second = try Self.run(trace, cluster, policy: .las)
        #expect(first.scheduleCSV == second.scheduleCSV)
        #expect(first.report.jctSeconds == second.report.jctSeconds)
    }

    @Test("compressing time raises the load: JCT grows, and the report still checks out")
    func timeScale() throws {
        let trace = randomTrace(jobs: 200, seed: 5, meanGap: 120)
        let cluster = try ClusterSpec.uniform(gpus: 16)
        let normal = try Self.run(trace, cluster)
        let packed = try Self.run(trace, cluster, timeScale: 4)
        Self.confirm(packed, trace, gpus: 16, timeScale: 4)
        #expect(packed.report.queueingDelaySeconds.average > normal.report.queueingDelaySeconds.average)
        #expect(throws: SchedulingError.self) {
            _ = try Simulator(trace: trace, cluster: cluster, configuration: .init(), options: .init(timeScale: 0))
        }
    }

    @Test("least-attained-service cuts average JCT against FIFO on a heavy-tailed load")
    func lasBeatsFIFO() throws {
        let trace = randomTrace(jobs: 500, seed: 21, meanGap: 30)
        let cluster = try ClusterSpec.uniform(gpus: 32)
        let fifo = try Self.run(trace, cluster, policy: .fifo)
        let las = try Self.run(trace, cluster, policy: .las)
        #expect(las.report.jctSeconds.average < fifo.report.jctSeconds.average * 0.8, "LAS \(las.report.jctSeconds.average) vs FIFO \(fifo.report.jctSeconds.average)")
    }

    @Test("EASY's spare GPUs are all those free at the shadow time: jobs ending together count whatever their order in the trace")
    func reservationTies() throws {
        func job(_ id: Int, _ gpus: Int, at submit: Double, runs duration: Double) -> TraceJob {
            TraceJob(spec: JobSpec(id: id, team: "t", gpus: gpus, expectedDuration: duration), submitTime: submit, duration: duration)
        }
        // 5 GPUs. At t = 10 jobs 2 (1 GPU) and 3 (2 GPUs) run until 15 and job 1 holds 1 GPU
        // until 1000; job 4 needs 3: its reservation is at 15, when 4 GPUs are free, so one is
        // spare and the long 1-GPU job 5 backfills at 10, in either order of jobs 2 and 3.
        for swap in [false, true] {
            let tied = swap ? [job(2, 2, at: 5, runs: 5), job(3, 1, at: 5, runs: 5)] : [job(2, 1, at: 5, runs: 5), job(3, 2, at: 5, runs: 5)]
            let trace = Trace(
                jobs: [job(0, 4, at: 0, runs: 10), job(1, 1, at: 0, runs: 1_000)] + tied + [job(4, 3, at: 6, runs: 100), job(5, 1, at: 7, runs: 5_000)],
                format: .generic)
            let result = try Self.run(trace, try ClusterSpec.uniform(gpus: 5, gpusPerNode: 5), backfill: .easy)
            Self.confirm(result, trace, gpus: 5)
            let starts = Dictionary(result.stretches.map { ($0.job, $0.start) }, uniquingKeysWith: min)
            #expect(starts[5] == 10, "swap \(swap): \(starts)")
            #expect(starts[4] == 15, "swap \(swap): \(starts)")
        }
    }

    @Test("EASY backfill starts the blocked large job by its reservation; greedy lets small jobs delay it")
    func reservationBound() throws {
        func job(_ id: Int, _ gpus: Int, at submit: Double, runs duration: Double) -> TraceJob {
            TraceJob(spec: JobSpec(id: id, team: "t", gpus: gpus, expectedDuration: duration), submitTime: submit, duration: duration)
        }
        let trace = Trace(
            jobs: [
                job(0, 6, at: 0, runs: 100),  // holds 6 of 8 GPUs until t = 100
                job(1, 8, at: 1, runs: 50),  // the large job: reservation at t = 100
                job(2, 2, at: 2, runs: 500),  // would end at 502: must not start before job 1 under EASY
                job(3, 2, at: 3, runs: 50),  // ends at 53, before the reservation: backfills
            ], format: .generic)
        let cluster = try ClusterSpec.uniform(gpus: 8)
        func starts(_ mode: BackfillMode) throws -> [Int: Double] {
            let result = try Self.run(trace, cluster, backfill: mode)
            Self.confirm(result, trace, gpus: 8)
            return Dictionary(result.stretches.map { ($0.job, $0.start) }, uniquingKeysWith: min)
        }
        let easy = try starts(.easy)
        #expect(easy[1] == 100)
        #expect(easy[3] == 3)
        #expect(easy[2] == 150)
        let greedy = try starts(.greedy)
        #expect(greedy[2] == 2)
        #expect(greedy[1] == 502)
        let strict = try starts(.none)
        #expect(strict[3] == 150 || strict[3] == 100, "strict order holds job 3 behind job 1: \(strict)")
    }

    @Test(
        "with durations unknown an EASY reservation lends none of its GPUs, whichever running job is looked at first",
        arguments: [[0, 1], [1, 0]])
    func unknownDurationsLendNothing(order: [Int]) throws {
        // Jobs 0 and 1 run with unknown ends (listed in either order); job 2 waits for 4 GPUs with
        // 3 free. Counting job 0's 10 GPUs as ending first used to leave 9 "spare", so job 3 took
        // the 3 free GPUs and job 2 waited for job 0 (t = 1000) instead of job 1 (t = 100).
        let running = [(10, 1000.0), (3, 100.0)]
        var jobs: [TraceJob] = order.enumerated().map { id, index in
            TraceJob(spec: JobSpec(id: id, team: "a", gpus: running[index].0, expectedDuration: nil), submitTime: 0, duration: running[index].1)
        }
        jobs.append(TraceJob(spec: JobSpec(id: 2, team: "a", gpus: 4, expectedDuration: nil), submitTime: 1, duration: 100))
        jobs.append(TraceJob(spec: JobSpec(id: 3, team: "a", gpus: 3, expectedDuration: nil), submitTime: 2, duration: 5000))
        let trace = Trace(jobs: jobs, format: .generic)
        let result = try Self.run(trace, try ClusterSpec.uniform(gpus: 16), backfill: .easy)
        Self.confirm(result, trace, gpus: 16)
        let starts = Dictionary(result.stretches.map { ($0.job, $0.start) }, uniquingKeysWith: min)
        #expect(starts[2] == 100, "the reserved job waits only for the job that frees enough GPUs: \(starts)")
        #expect((starts[3] ?? 0) >= 100, "nothing passes a reservation whose time is unknown: \(starts)")
    }

    @Test("a preempted job resumes from its last checkpoint and the lost work is charged")
    func checkpointLoss() throws {
        var low = JobSpec(id: 0, team: "low", gpus: 8, priority: 0, checkpointInterval: 300, expectedDuration: 2000)
        low.preemptible = true
        let high = JobSpec(id: 1, team: "high", gpus: 8, priority: 5, expectedDuration: 100)
        let trace = Trace(
            jobs: [TraceJob(spec: low, submitTime: 0, duration: 2000), TraceJob(spec: high, submitTime: 1000, duration: 100)], format: .generic)
        let cluster = try ClusterSpec.uniform(gpus: 8, pricePerGPUHour: 2)
        let result = try Self.run(trace, cluster, policy: .priority)
        Self.confirm(result, trace, gpus: 8)
        let lowStretches = result.stretches.filter { $0.job == 0 }
        // Ran 0–1000 (checkpoint at 900, 100 s lost), high ran 1000–1100, low resumed for 1,100 s.
        #expect(lowStretches.map(\.start) == [0, 1100])
        #expect(lowStretches.map(\.end) == [1000, 2200])
        #expect(lowStretches[0].lostSeconds == 100)
        #expect(result.report.preemptions.count == 1)
        #expect(close(result.report.preemptions.lostGPUHours, 100 * 8 / 3600))
        let lowTeam = try #require(result.report.teams.first { $0.team == "low" })
        #expect(close(lowTeam.gpuHours.lostToPreemption, 800.0 / 3600))
        #expect(close(lowTeam.cost.total, (2100.0 * 8 / 3600) * 2))
    }

    @Test("a preempted job's old completion time is no event: nothing is scheduled then, so a cool-down ends at the next real arrival or completion")
    func staleCompletionIsNoEvent() throws {
        // QA sweep: job 0 is preempted at 700; its completion at 1000 used to run a pass, in
        // which job 3 preempted job 1 (whose cool-down had ended at 850), although nothing
        // arrived or completed at 1000.
        let trace = try TraceReader.parse("""
            submit_time,duration_s,gpus,team,priority
            0,1000,4,a,0
            650,5000,4,a,0
            700,5000,4,a,5
            710,100,4,a,3
            """)
        let configuration = SchedulerConfiguration(policy: PolicyName.priority.policy, preemption: PreemptionSettings(minimumRunTime: 200))
        let result = try Simulator(trace: trace, cluster: try ClusterSpec.uniform(gpus: 8), configuration: configuration, options: .init(checkInvariants: true)).run()
        Self.confirm(result, trace, gpus: 8)
        let stretches = result.stretches.map { [$0.job, Int($0.start), Int($0.end)] }
        #expect(stretches.contains([1, 650, 5650]), "job 1 runs uninterrupted: \(stretches)")
        #expect(stretches.contains([3, 5650, 5750]), "job 3 starts when job 1 completes: \(stretches)")
        #expect(!result.stretches.contains { $0.start == 1000 || $0.end == 1000 }, "no event at 1000: \(stretches)")
        #expect(!result.report.utilization.timeline.contains { $0.time == 1000 })
        #expect(result.report.preemptions.count == 1)
    }

    @Test("DRF reads every team's share again after a start that preempted another team's job")
    func fairShareAfterReclaim() throws {
        // QA sweep: job 3 (team b) reclaims b's quota by preempting team a's borrowed job 1; a's
        // share then is 4/16/2 = 0.125 against b's 3/16, so a's job 4 is next. The victim team's
        // share was left at its value before the preemption, and b's job 5 went first.
        let trace = try TraceReader.parse("""
            submit_time,duration_s,gpus,team,preemptible
            0,10000,4,a,false
            0,10000,3,a,true
            0,10000,1,b,true
            1000,10000,2,b,true
            1000,500,1,a,true
            1000,500,1,b,true
            """)
        let cluster = try ClusterSpec.decodeJSON(Data("""
            {"nodes": [{"name": "n", "gpus": 16}],
             "teams": [{"name": "a", "cohort": "x", "quota": {"*": 4}, "weight": 2},
                       {"name": "b", "cohort": "x", "quota": {"*": 4}}]}
            """.utf8))
        let configuration = SchedulerConfiguration(policy: PolicyName.drf.policy)
        let result = try Simulator(trace: trace, cluster: cluster, configuration: configuration, options: .init(checkInvariants: true)).run()
        Self.confirm(result, trace, gpus: 16)
        let starts = Dictionary(grouping: result.stretches, by: \.job).mapValues { $0.map(\.start) }
        #expect(starts[3] == [1000] && starts[1]?.count == 2, "job 3 reclaims by preempting job 1: \(starts)")
        #expect(starts[4] == [1000], "team a's job is next: \(starts)")
        #expect(starts[5] == [1500], "\(starts)")
    }

    @Test("an unschedulable job is reported with its reason and the rest of the trace runs")
    func unschedulableInTrace() throws {
        var trace = randomTrace(jobs: 50, seed: 9)
        trace.jobs[10].spec.gpus = 64
        trace.jobs[10].spec.workers = nil
        let result = try Self.run(trace, try ClusterSpec.uniform(gpus: 16))
        #expect(result.report.unschedulableJobs.map(\.job) == [10])
        #expect(result.report.unschedulableJobs[0].reason.contains("needs 64 GPUs"))
        Self.confirm(result, trace, gpus: 16)
    }

    @Test("the Philly list's first 3,000 jobs replay under every policy and check out", .enabled(if: gpuTraces != nil), arguments: policies)
    func phillyPrefix(policy: PolicyName) throws {
        let text = try String(contentsOfFile: "\(gpuTraces ?? "")/philly-jobs.csv", encoding: .utf8)
        let prefix = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(3001).joined(separator: "\n")
        let trace = try TraceReader.parse(prefix)
        let result = try Self.run(trace, try ClusterSpec.uniform(gpus: 96), policy: policy)
        Self.confirm(result, trace, gpus: 96)
    }

    @Test("on the Alibaba 2023 snapshot, fragmentation-aware packing leaves fewer GPUs unusable than first-fit", .enabled(if: gpuTraces != nil))
    func alibabaFragmentation() throws {
        let folder = gpuTraces ?? ""
        let trace = try TraceReader.read(path: "\(folder)/alibaba-openb-2023-pods.csv")
        let cluster = try ClusterSpec.read(path: "\(folder)/alibaba-openb-2023-gpu-nodes.csv")
        let aware = try FillStudy(trace: trace, cluster: cluster, placement: .fragmentationAware).run()
        let firstFit = try FillStudy(trace: trace, cluster: cluster, placement: .firstFit).run()
        #expect(aware.final.fragmentation.unusableGPUs < firstFit.final.fragmentation.unusableGPUs - 40, "aware \(aware.final), first-fit \(firstFit.final)")
        #expect(aware.final.failedJobs < firstFit.final.failedJobs)
        #expect(aware.final.allocatedGPUs > firstFit.final.allocatedGPUs)
        // What was placed plus what failed is what arrived.
        for report in [aware, firstFit] {
            #expect(close(report.final.allocatedGPUs + report.final.failedGPUs, 6086.8, relative: 1e-9))
            #expect(report.levels.map(\.arrivedShare).allSatisfy { $0 >= 0.5 })
        }
    }

    @Test("a fill study drops jobs that find no room and counts them")
    func fillStudy() throws {
        // Three 0.6-GPU jobs and a whole-GPU job on two GPUs: the third fraction cannot share.
        let jobs = [600, 600, 600, 1000].enumerated().map { i, milli in
            TraceJob(spec: JobSpec(id: i, team: "t", gpus: 1, gpuMilli: milli), submitTime: Double(i), duration: 10)
        }
        let report = try FillStudy(trace: Trace(jobs: jobs, format: .generic), cluster: try ClusterSpec.uniform(gpus: 2), placement: .firstFit).run()
        #expect(report.final.failedJobs == 2)
        #expect(close(report.final.allocatedGPUs, 1.2))
        #expect(close(report.final.fragmentation.freeGPUs, 0.8))
        #expect(report.final.fragmentation.partiallyUsedGPUs == 2)
    }
}
