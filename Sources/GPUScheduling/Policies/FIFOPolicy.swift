/// First in, first out: jobs in submission order. Never preempts on its own account.
public struct FIFOPolicy: SchedulingPolicy {
    /// Creates the policy.
    public init() {}
    /// `fifo`.
    public var name: String { "fifo" }
    /// Submission time, then ID.
    public func queueKey(for job: JobSpec, _ context: PolicyContext) -> QueueKey {
        QueueKey(context.submitTime, 0, job: job.id)
    }
}
