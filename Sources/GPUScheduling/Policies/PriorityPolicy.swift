/// Highest ``JobSpec/priority`` first, FIFO within a priority; a waiting job may preempt running
/// jobs of strictly lower priority.
public struct PriorityPolicy: SchedulingPolicy {
    /// Creates the policy.
    public init() {}
    /// `priority`.
    public var name: String { "priority" }
    /// Negated priority, then submission time.
    public func queueKey(for job: JobSpec, _ context: PolicyContext) -> QueueKey {
        QueueKey(-Double(job.priority), context.submitTime, job: job.id)
    }
    /// The job's priority.
    public func preemptionRank(of job: JobSpec, _ context: PolicyContext) -> Int? { job.priority }
}
