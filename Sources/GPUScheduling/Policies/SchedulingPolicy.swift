/// The order in which waiting jobs are considered, and which running jobs a waiting one may
/// preempt: the part of scheduling that differs between FIFO, priority, fair share,
/// least-attained-service and shortest-job-first. Placement, quotas, backfill and preemption
/// mechanics are shared (``Scheduler``).
///
/// Conform a type of your own to add a policy; the scheduler calls it only on a job's way into
/// the queue (``queueKey(for:_:)``) and when weighing a preemption (``preemptionRank(of:_:)``),
/// so a policy never sits on the per-decision path.
public protocol SchedulingPolicy: Sendable {
    /// The policy's name in reports and on the command line (`fifo`, `las`).
    var name: String { get }

    /// Where a job goes in the queue: smaller keys are considered first. Called when the job is
    /// submitted and again each time it is preempted.
    func queueKey(for job: JobSpec, _ context: PolicyContext) -> QueueKey

    /// Whether the scheduler interleaves teams by their weighted dominant share (fair share)
    /// rather than walking one queue in key order; within a team, keys still order the jobs.
    var ordersByTeamShare: Bool { get }

    /// A waiting job may preempt a running one only when its rank is strictly greater. `nil`:
    /// the policy itself never preempts (quota reclaiming still may).
    func preemptionRank(of job: JobSpec, _ context: PolicyContext) -> Int?
}

extension SchedulingPolicy {
    /// Policies walk one queue unless they say otherwise.
    public var ordersByTeamShare: Bool { false }
    /// Policies do not preempt unless they say otherwise.
    public func preemptionRank(of job: JobSpec, _ context: PolicyContext) -> Int? { nil }
}

/// What a policy knows about a job besides its request.
public struct PolicyContext: Sendable, Hashable {
    /// When the job was submitted (seconds).
    public var submitTime: Double
    /// When it last entered the queue: its submission, or its last preemption.
    public var enqueueTime: Double
    /// GPU-seconds it has received so far, including work lost to preemption.
    public var attainedService: Double
}

/// A position in the queue: compared by `primary`, then `secondary`, then the job's ID.
public struct QueueKey: Sendable, Hashable, Comparable {
    /// Compared first.
    public var primary: Double
    /// Compared when `primary` ties.
    public var secondary: Double
    /// The job's ID, so the order is total and runs are deterministic.
    public var job: Int

    /// Creates a key.
    public init(_ primary: Double, _ secondary: Double, job: Int) {
        self.primary = primary
        self.secondary = secondary
        self.job = job
    }

    /// Lexicographic order.
    public static func < (lhs: QueueKey, rhs: QueueKey) -> Bool {
        (lhs.primary, lhs.secondary, lhs.job) < (rhs.primary, rhs.secondary, rhs.job)
    }
}
