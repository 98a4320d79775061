/// How a ``Scheduler`` decides: the ordering policy, placement, backfill and preemption.
public struct SchedulerConfiguration: Sendable {
    /// The order waiting jobs are considered in, and which may preempt which.
    public var policy: any SchedulingPolicy
    /// How nodes and GPUs are chosen among those that fit.
    public var placement: PlacementStrategy
    /// What happens behind a job that cannot start.
    public var backfill: BackfillMode
    /// When running jobs may be stopped for waiting ones.
    public var preemption: PreemptionSettings

    /// Creates a configuration; by default FIFO, bin-packing, EASY backfill, preemption on.
    public init(
        policy: any SchedulingPolicy = FIFOPolicy(), placement: PlacementStrategy = .binPack, backfill: BackfillMode = .easy,
        preemption: PreemptionSettings = PreemptionSettings()
    ) {
        self.policy = policy
        self.placement = placement
        self.backfill = backfill
        self.preemption = preemption
    }
}

/// What the scheduler does with the jobs behind one that cannot start for lack of room.
public enum BackfillMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Nothing behind it starts (strict order): no job can be passed, but GPUs sit idle.
    case none
    /// EASY backfill: the first job that cannot start gets a reservation, the earliest time
    /// running jobs' expected ends free enough GPUs for it; a job behind it starts only if it
    /// leaves that reservation whole (it ends before then, or uses GPUs the reserved job will
    /// not need). The reserved job is guaranteed to start by its reservation when durations are
    /// known upper bounds; with durations unknown, nothing may use the GPUs it waits for. The
    /// reservation counts GPUs in the job's pools (not CPU or memory, and not which topology
    /// domain they sit in), so a gang that must fit one island may start after it.
    case easy
    /// Any job that fits starts, whatever it passes: the most use, but a large job can wait
    /// for ever behind a stream of small ones.
    case greedy
}

/// When a running job may be stopped so that a waiting one can start.
///
/// Whatever the settings, a job is preempted only when every victim chosen together lets the
/// waiting job start at once (never to admit a job that still could not start), victims are
/// the fewest that suffice with the least work lost since their last checkpoint first, and a
/// job that has run less than ``minimumRunTime`` since it (re)started is never a victim. Quotas
/// bound preemption as in Kueue: a job preempts only to run within its team's nominal quota
/// (never to borrow), and a job running within its own team's quota is never taken by another
/// team, so reclaiming, ranks and shares cannot undo each other.
public struct PreemptionSettings: Sendable, Hashable {
    /// Whether preemption happens at all.
    public var enabled: Bool
    /// Seconds a job runs, after it starts or resumes, before it may be preempted: the cool-down
    /// that keeps jobs from being stopped over and over. It doubles with each preemption the job
    /// has suffered, so however rules combine, a job preempted again and again soon runs long
    /// enough to finish (with a cool-down of 0, only the loop-free rules stand between jobs).
    public var minimumRunTime: Double
    /// Whether a team within its nominal quota may preempt other teams' jobs that run on
    /// borrowed quota in its cohort (Kueue's reclaim within cohort).
    public var reclaimQuota: Bool
    /// Whether a team may preempt another team's jobs to restore fair shares (with
    /// ``DominantResourceFairnessPolicy``). Allowed only when the waiting team's weighted share,
    /// counting the job, stays strictly below the victim team's share without the victim — the
    /// rule that makes "A preempts B, then B preempts A" impossible.
    public var fairSharing: Bool
    /// Test hook: compare shares before the admission instead of after (the naive rule that loops).
    package var naiveFairSharing: Bool = false

    /// Creates settings; by default preemption is on with a 10-minute cool-down, quota
    /// reclaiming on, fair-share preemption off.
    public init(enabled: Bool = true, minimumRunTime: Double = 600, reclaimQuota: Bool = true, fairSharing: Bool = false) {
        self.enabled = enabled
        self.minimumRunTime = minimumRunTime
        self.reclaimQuota = reclaimQuota
        self.fairSharing = fairSharing
    }

    /// No preemption at all.
    public static let disabled = PreemptionSettings(enabled: false)
}
