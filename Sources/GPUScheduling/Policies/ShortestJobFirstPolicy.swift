/// Shortest expected duration first (jobs without one go last, FIFO among themselves). Never
/// preempts on its own account.
public struct ShortestJobFirstPolicy: SchedulingPolicy {
    /// Creates the policy.
    public init() {}
    /// `sjf`.
    public var name: String { "sjf" }
    /// Expected duration (infinite when unknown), then submission time.
    public func queueKey(for job: JobSpec, _ context: PolicyContext) -> QueueKey {
        QueueKey(job.expectedDuration ?? .infinity, context.submitTime, job: job.id)
    }
}
