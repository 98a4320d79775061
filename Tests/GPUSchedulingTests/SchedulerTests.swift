import GPUScheduling
import Testing

@Suite("Scheduler decisions")
struct SchedulerTests {
    static func node(_ gpus: Int = 8) -> ClusterSpec { ClusterSpec(nodes: [NodeSpec(name: "n0", gpuModel: "gpu", gpus: gpus)]) }

    // MARK: Never waiting for ever

    @Test(
        "a job that can never fit is unschedulable at once, with the reason",
        arguments: [
            (JobSpec.gpus(0, 9), "needs 9 GPUs"),
            (JobSpec(id: 0, team: "t", gpus: 8, workers: 1, tolerations: []), ""),
            (JobSpec(id: 0, team: "t", gpus: 2, gpuModels: ["H100"]), "GPU model H100"),
            (JobSpec(id: 0, team: "t", gpus: 2, nodeSelector: ["pool": "x"]), "node selector pool=x"),
            (JobSpec(id: 0, team: "t", gpus: 1, cpuMilli: 1_000_000), "CPU"),
        ])
    func neverFits(job: JobSpec, reason: String) throws {
        var cluster = ClusterSpec(nodes: [
            NodeSpec(name: "a", gpuModel: "gpu", gpus: 4, cpuMilli: 64000, memoryMiB: 100_000),
            NodeSpec(name: "b", gpuModel: "gpu", gpus: 4, cpuMilli: 64000, memoryMiB: 100_000),
        ])
        cluster.nodes[1].island = "i1"
        var scheduler = try Scheduler(cluster: cluster)
        let why = try scheduler.submit(job, at: 0)
        if reason.isEmpty {
            // A single 8-GPU worker on 4-GPU nodes.
            #expect(why?.contains("a worker needs 8 GPUs but the largest node it may use has 4") == true, "\(why ?? "nil")")
        } else {
            #expect(why?.contains(reason) == true, "\(why ?? "nil")")
        }
        #expect(scheduler.jobState(0) == .unschedulable)
        #expect(scheduler.unschedulableReason(of: 0) == why)
        #expect(try scheduler.schedule(at: 0).isEmpty)
    }

    @Test("a job beyond its team's quota and what it may borrow is unschedulable; limits on both sides count")
    func beyondQuota() throws {
        var cluster = Self.node()
        cluster.teams = [
            TeamQuota(team: "a", cohort: "c", nominal: ["gpu": 3]),
            TeamQuota(team: "b", cohort: "c", nominal: ["gpu": 3], lendingLimit: 1),
            TeamQuota(team: "d", cohort: "e", nominal: ["gpu": 1], borrowingLimit: 0),
            TeamQuota(team: "f", cohort: "e", nominal: ["gpu": 1]),
        ]
        var scheduler = try Scheduler(cluster: cluster)
        // a: 3 of its own, and b lends at most 1.
        #expect(try scheduler.submit(.gpus(0, 5, team: "a"), at: 0)?.contains("quota") == true)
        #expect(try scheduler.submit(.gpus(1, 4, team: "a"), at: 0) == nil)
        // b: 3 of its own, a lends all 3.
        #expect(try scheduler.submit(.gpus(2, 6, team: "b"), at: 0) == nil)
        // d may not borrow at all; a team without a cohort has only its own.
        #expect(try scheduler.submit(.gpus(3, 2, team: "d"), at: 0)?.contains("quota") == true)
        #expect(try scheduler.submit(.gpus(4, 2, team: "f"), at: 0) == nil)
        // A team with no quota at all is limited by the cluster alone.
        #expect(try scheduler.submit(.gpus(5, 8, team: "free"), at: 0) == nil)
    }

    @Test("a team borrows only what the others lend: its own lendable share does not count, whether one job or several ask (second recompute sweep)")
    func lendingLimitAtAdmission() throws {
        for lending in [0.0, 2.0] {
            var cluster = ClusterSpec(nodes: [NodeSpec(name: "n0", gpuModel: "gpu", gpus: 8), NodeSpec(name: "n1", gpuModel: "gpu", gpus: 8)])
            cluster.teams = [
                TeamQuota(team: "a", cohort: "c", nominal: ["gpu": 8], borrowingLimit: 8, lendingLimit: 8),
                TeamQuota(team: "b", cohort: "c", nominal: ["gpu": 8], borrowingLimit: 8, lendingLimit: lending),
            ]
            var scheduler = try Scheduler(cluster: cluster)
            for id in 0..<3 { #expect(try scheduler.submit(.gpus(id, 4, team: "a"), at: 0) == nil) }
            let started = try scheduler.schedule(at: 0).compactMap { decision -> Int? in
                if case .started(let job, _, _) = decision { return job }
                return nil
            }
            // 8 of a's own; b lends 0 or 2, less than the third job's 4: it waits.
            #expect(started.sorted() == [0, 1], "lending \(lending): \(started)")
            #expect(scheduler.jobState(2) != .unschedulable)
        }
    }

    @Test("an invalid job or a time going backwards is an error, not a decision")
    func invalidCalls() throws {
        var scheduler = try Scheduler(cluster: Self.node())
        #expect(throws: SchedulingError.self) { try scheduler.submit(JobSpec(id: 0, team: "", gpus: 1), at: 0) }
        #expect(throws: SchedulingError.self) { try scheduler.submit(JobSpec(id: 0, team: "t", gpus: 2, gpuMilli: 500), at: 0) }
        #expect(throws: SchedulingError.self) { try scheduler.submit(JobSpec(id: 0, team: "t", gpus: 3, workers: 2), at: 0) }
        try scheduler.submit(.gpus(1, 1), at: 5)
        #expect(throws: SchedulingError.self) { try scheduler.submit(.gpus(1, 1), at: 6) }
        #expect(throws: SchedulingError.self) { try scheduler.schedule(at: 4) }
        #expect(throws: SchedulingError.self) { try scheduler.finish(99, at: 7) }
        #expect(throws: SchedulingError.self) { try scheduler.schedule(at: .nan) }
    }

    // MARK: Gangs

    @Test("gangs get every worker or none: two gangs that cannot both fit never hold GPUs in part")
    func gangsAllOrNothing() throws {
        var scheduler = try Scheduler(cluster: try ClusterSpec.uniform(gpus: 8, gpusPerNode: 4))
        try scheduler.submit(.gpus(0, 6, workers: 3), at: 0)
        try scheduler.submit(.gpus(1, 6, workers: 3), at: 0)
        #expect(try scheduler.schedule(at: 0).startedJobs == [0])
        #expect(scheduler.placement(of: 1) == nil)
        #expect(scheduler.freeMilli == 2000)
        #expect(scheduler.invariantProblems().isEmpty)
        try scheduler.finish(0, at: 10)
        #expect(try scheduler.schedule(at: 10).startedJobs == [1])
        #expect(scheduler.placement(of: 1)?.workers.count == 3)
        #expect(scheduler.invariantProblems().isEmpty)
    }

    // MARK: Preemption

    @Test("preemption takes the fewest victims, those losing least work since their checkpoint first")
    func minimalVictims() throws {
        var scheduler = try Scheduler(cluster: Self.node(), configuration: .init(policy: PriorityPolicy()))
        // Three low-priority jobs of 2, 2 and 4 GPUs: the 2-GPU ones checkpoint every 100 s,
        // the 4-GPU one never does. A 4-GPU high-priority job arrives at t = 1,050.
        var a = JobSpec.gpus(0, 2)
        a.checkpointInterval = 100
        var b = JobSpec.gpus(1, 2)
        b.checkpointInterval = 100
        var c = JobSpec.gpus(2, 4)
        c.checkpointInterval = nil
        for job in [a, b, c] { try scheduler.submit(job, at: 0) }
        #expect(try scheduler.schedule(at: 0).startedJobs == [0, 1, 2])
        try scheduler.submit(.gpus(3, 4, priority: 5), at: 1050)
        let decisions = try scheduler.schedule(at: 1050)
        // Stopping c loses 1,050 s × 4 GPUs; stopping a and b loses 50 s × 2 GPUs each.
        #expect(Set(decisions.preemptedJobs) == [0, 1])
        #expect(decisions.startedJobs == [3])
        for case .preempted(_, let by, let lost) in decisions {
            #expect(by == 3 && lost == 50)
        }
        #expect(scheduler.savedProgress(0) == 1000)
        #expect(scheduler.jobState(2) == .running)
        #expect(scheduler.invariantProblems().isEmpty)
    }

    @Test("no preemption when the waiting job still could not start")
    func noUselessPreemption() throws {
        var scheduler = try Scheduler(cluster: Self.node(), configuration: .init(policy: PriorityPolicy()))
        var pinned = JobSpec.gpus(0, 4, priority: 1)
        pinned.preemptible = false
        try scheduler.submit(pinned, at: 0)
        try scheduler.submit(.gpus(1, 4), at: 0)
        _ = try scheduler.schedule(at: 0)
        try scheduler.submit(.gpus(2, 8, priority: 9), at: 5000)
        let decisions = try scheduler.schedule(at: 5000)
        #expect(decisions.preemptedJobs.isEmpty)
        #expect(scheduler.runningJobs == [0, 1])
    }

    @Test("a job inside its cool-down is not a victim; after it, it is")
    func coolDown() throws {
        let settings = PreemptionSettings(minimumRunTime: 600)
        var scheduler = try Scheduler(cluster: Self.node(), configuration: .init(policy: PriorityPolicy(), preemption: settings))
        try scheduler.submit(.gpus(0, 8), at: 0)
        _ = try scheduler.schedule(at: 0)
        try scheduler.submit(.gpus(1, 8, priority: 1), at: 599)
        #expect(try scheduler.schedule(at: 599).preemptedJobs.isEmpty)
        #expect(try scheduler.schedule(at: 600).preemptedJobs == [0])
        #expect(scheduler.runningJobs == [1])
    }

    @Test("fair-share preemption that compares shares before admission loops; the final-share rule does not")
    func preemptionLoop() throws {
        func preemptions(naive: Bool) throws -> Int {
            var settings = PreemptionSettings(minimumRunTime: 0, fairSharing: true)
            settings.naiveFairSharing = naive
            var scheduler = try Scheduler(cluster: Self.node(), configuration: .init(policy: DominantResourceFairnessPolicy(), preemption: settings))
            try scheduler.submit(.gpus(0, 8, team: "a"), at: 0)
            _ = try scheduler.schedule(at: 0)
            try scheduler.submit(.gpus(1, 8, team: "b"), at: 1)
            var count = 0
            for step in 0..<100 {
                count += try scheduler.schedule(at: 1 + Double(step)).preemptedJobs.count
                #expect(scheduler.invariantProblems().isEmpty)
            }
            return count
        }
        // Naive: b (share 0) stops a (share 1), then a (now 0) stops b, for ever.
        #expect(try preemptions(naive: true) >= 99)
        // After admission b's share would be 1, not below a's 0 once a is stopped: never.
        #expect(try preemptions(naive: false) == 0)
    }

    @Test("fair-share preemption still acts when it truly helps")
    func fairSharePreemptionHelps() throws {
        let settings = PreemptionSettings(minimumRunTime: 0, fairSharing: true)
        var scheduler = try Scheduler(cluster: Self.node(), configuration: .init(policy: DominantResourceFairnessPolicy(), preemption: settings))
        for id in 0..<4 { try scheduler.submit(.gpus(id, 2, team: "a"), at: 0) }
        _ = try scheduler.schedule(at: 0)
        try scheduler.submit(.gpus(10, 2, team: "b"), at: 1)
        let decisions = try scheduler.schedule(at: 1)
        // a holds 8/8; b at 2/8 after admission stays below a's 6/8 without one job.
        #expect(decisions.preemptedJobs.count == 1)
        #expect(decisions.startedJobs == [10])
    }

    // MARK: Quotas

    @Test("a team borrows its cohort's unused quota, and the lender reclaims it by preemption")
    func borrowAndReclaim() throws {
        var cluster = Self.node()
        cluster.teams = [TeamQuota(team: "a", cohort: "c", nominal: ["gpu": 4]), TeamQuota(team: "b", cohort: "c", nominal: ["gpu": 4])]
        var scheduler = try Scheduler(cluster: cluster, configuration: .init(preemption: PreemptionSettings(minimumRunTime: 0)))
        try scheduler.submit(.gpus(0, 6, team: "a"), at: 0)
        #expect(try scheduler.schedule(at: 0).startedJobs == [0])
        #expect(scheduler.borrowedMilli(of: 0) == 2000)
        try scheduler.submit(.gpus(1, 4, team: "b"), at: 10)
        let decisions = try scheduler.schedule(at: 10)
        #expect(decisions.preemptedJobs == [0])
        #expect(decisions.startedJobs == [1])
        #expect(scheduler.invariantProblems().isEmpty)
        // a's job waits: 6 no longer fits the cohort while b uses its 4.
        #expect(scheduler.jobState(0) == .pending)
    }

    @Test("a job preempts only to run within its team's quota, and never takes another team's job that runs within its own")
    func preemptionRespectsQuotas() throws {
        var cluster = Self.node()
        cluster.teams = [TeamQuota(team: "a", cohort: "c", nominal: ["gpu": 4]), TeamQuota(team: "b", cohort: "c", nominal: ["gpu": 4])]
        var scheduler = try Scheduler(cluster: cluster, configuration: .init(policy: PriorityPolicy(), preemption: PreemptionSettings(minimumRunTime: 0)))
        try scheduler.submit(.gpus(0, 2, team: "a"), at: 0)
        try scheduler.submit(.gpus(1, 2, team: "a"), at: 0)
        try scheduler.submit(.gpus(2, 4, team: "b"), at: 0)
        #expect(try scheduler.schedule(at: 0).startedJobs == [0, 1, 2])
        // a's urgent 6-GPU job would borrow 2 even after stopping a's own jobs: no preemption.
        try scheduler.submit(.gpus(3, 6, team: "a", priority: 9), at: 10)
        #expect(try scheduler.schedule(at: 10).preemptedJobs.isEmpty)
        // a's urgent 4-GPU job fits a's quota once a's own jobs stop; b's job, within b's quota,
        // is never a victim of another team's rank.
        try scheduler.submit(.gpus(4, 4, team: "a", priority: 9), at: 20)
        let decisions = try scheduler.schedule(at: 20)
        #expect(Set(decisions.preemptedJobs) == [0, 1])
        #expect(decisions.startedJobs == [4])
        #expect(scheduler.jobState(2) == .running)
        #expect(scheduler.invariantProblems().isEmpty)
    }

    @Test("without reclaiming, the lender waits for the borrower to finish")
    func noReclaim() throws {
        var cluster = Self.node()
        cluster.teams = [TeamQuota(team: "a", cohort: "c", nominal: ["gpu": 4]), TeamQuota(team: "b", cohort: "c", nominal: ["gpu": 4])]
        var scheduler = try Scheduler(cluster: cluster, configuration: .init(preemption: PreemptionSettings(reclaimQuota: false)))
        try scheduler.submit(.gpus(0, 6, team: "a"), at: 0)
        _ = try scheduler.schedule(at: 0)
        try scheduler.submit(.gpus(1, 4, team: "b"), at: 10)
        #expect(try scheduler.schedule(at: 10).isEmpty)
        try scheduler.submit(.gpus(2, 2, team: "b"), at: 11)
        // 2 fit the cluster and b's quota, and the cohort (6 + 2 = 8).
        #expect(try scheduler.schedule(at: 11).startedJobs == [2])
        #expect(scheduler.invariantProblems().isEmpty)
    }

    /// Three teams of 8 GPUs in one cohort on 24 GPUs; `b` lends at most `bLends`, `c` at most `cLends`.
    private static func threeTeams(bLends: Double, cLends: Double? = nil) -> ClusterSpec {
        var cluster = ClusterSpec(nodes: (0..<3).map { NodeSpec(name: "n\($0)", gpuModel: "gpu", gpus: 8) })
        cluster.teams = [
            TeamQuota(team: "a", cohort: "k", nominal: ["gpu": 8]),
            TeamQuota(team: "b", cohort: "k", nominal: ["gpu": 8], lendingLimit: bLends),
            TeamQuota(team: "c", cohort: "k", nominal: ["gpu": 8], lendingLimit: cLends),
        ]
        return cluster
    }

    @Test("a team lends only quota it leaves unused: one running at its whole quota lends nothing, whatever its lending limit (Kueue; QA sweep)")
    func busyTeamLendsNothing() throws {
        var scheduler = try Scheduler(cluster: Self.threeTeams(bLends: 2))
        try scheduler.submit(.gpus(0, 8, team: "c"), at: 0)
        try scheduler.submit(.gpus(1, 8, team: "a"), at: 0)
        try scheduler.submit(.gpus(2, 2, team: "a"), at: 0)
        try scheduler.submit(.gpus(3, 2, team: "a"), at: 0)
        // a: 8 of its own and b's 2; c uses all of its 8, so it lends none of them.
        #expect(try scheduler.schedule(at: 0).startedJobs == [0, 1, 2])
        #expect(scheduler.borrowedMilli(of: 2) == 2000)
        #expect(scheduler.jobState(3) == .pending)
        #expect(scheduler.invariantProblems().isEmpty)
        // When c's job ends, c's quota is unused and lent: a's last job starts.
        try scheduler.finish(0, at: 5)
        #expect(try scheduler.schedule(at: 5).startedJobs == [3])
        #expect(scheduler.invariantProblems().isEmpty)
    }

    @Test("a job admitted on borrowed quota that runs within its team's quota now is no other team's victim (verification sweep)")
    func staleBorrowingIsNoVictim() throws {
        var cluster = ClusterSpec(nodes: [NodeSpec(name: "n0", gpuModel: "gpu", gpus: 14)])
        cluster.teams = [
            TeamQuota(team: "a", cohort: "k", nominal: ["gpu": 4]), TeamQuota(team: "b", cohort: "k", nominal: ["gpu": 4]),
            TeamQuota(team: "c", cohort: "k", nominal: ["gpu": 2]),
        ]
        var scheduler = try Scheduler(cluster: cluster, configuration: .init(preemption: PreemptionSettings(minimumRunTime: 0)))
        try scheduler.submit(.gpus(0, 4, team: "a"), at: 0)
        try scheduler.submit(.gpus(3, 4, team: "c"), at: 0)  // c borrows 2
        try scheduler.submit(.gpus(6, 4, team: "d"), at: 0)  // d has no quota
        #expect(try scheduler.schedule(at: 0).startedJobs == [0, 3, 6])
        try scheduler.submit(.gpus(1, 2, team: "a"), at: 2)  // a borrows 2 for now
        #expect(try scheduler.schedule(at: 2).startedJobs == [1])
        #expect(scheduler.borrowedMilli(of: 1) == 2000)
        try scheduler.finish(0, at: 5)  // a runs 2 of its 4: job 1 runs within a's quota now
        try scheduler.submit(.gpus(7, 4, team: "d"), at: 5)
        #expect(try scheduler.schedule(at: 5).startedJobs == [7])
        // b reclaims 2 GPUs: c, the team that borrows, gives them up, though a's job would lose less work.
        try scheduler.submit(.gpus(4, 2, team: "b"), at: 10)
        let decisions = try scheduler.schedule(at: 10)
        #expect(decisions.preemptedJobs == [3])
        #expect(decisions.startedJobs == [4])
        #expect(scheduler.jobState(1) == .running)
        #expect(scheduler.invariantProblems().isEmpty)
    }

    @Test("a lender going past its guaranteed quota while others borrow reclaims by preemption, though the cohort's total would fit")
    func lenderReclaimsPastGuaranteed() throws {
        var scheduler = try Scheduler(
            cluster: Self.threeTeams(bLends: 2, cLends: 2), configuration: .init(preemption: PreemptionSettings(minimumRunTime: 0)))
        // a: its 8 and the 2 + 2 that b and c lend (12 of the pool's 12).
        for id in 0..<4 { try scheduler.submit(.gpus(id, 3, team: "a"), at: 0) }
        #expect(try scheduler.schedule(at: 0).startedJobs == [0, 1, 2, 3])
        #expect(scheduler.invariantProblems().isEmpty)
        // b takes its whole 8 back: 20 GPUs of the cohort's 24 would fit, but b's 2 above its
        // guaranteed 6 are the ones a borrows, so one of a's borrowing jobs is stopped first.
        try scheduler.submit(.gpus(4, 8, team: "b"), at: 10)
        let decisions = try scheduler.schedule(at: 10)
        #expect(decisions.preemptedJobs.count == 1)
        #expect(decisions.preemptedJobs.allSatisfy { scheduler.jobState($0) == .pending })
        #expect(decisions.startedJobs == [4])
        #expect(scheduler.invariantProblems().isEmpty)
    }
}
