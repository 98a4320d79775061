/// Tiresias's discretised least-attained-service: jobs sit in queues by the GPU-seconds they
/// have received (below the first threshold, below the second, …), the least-served queue goes
/// first, FIFO (by last entry) within a queue, and a waiting job may preempt running jobs of a
/// more-served queue. Needs no durations, and lets short jobs pass long ones.
///
/// A job's queue only moves one way, towards more service, so a pair of jobs cannot preempt
/// each other back and forth; ``PreemptionSettings/minimumRunTime`` bounds how often any one
/// job is stopped.
public struct LeastAttainedServicePolicy: SchedulingPolicy {
    /// Queue boundaries in GPU-seconds, ascending.
    public var thresholds: [Double]

    /// Creates the policy; the default boundaries are 1 and 10 GPU-hours.
    public init(thresholds: [Double] = [3_600, 36_000]) {
        self.thresholds = thresholds.sorted()
    }

    /// `las`.
    public var name: String { "las" }

    /// The queue a job with `attained` GPU-seconds is in (0 is the least served).
    public func level(attained: Double) -> Int {
        var level = 0
        while level < thresholds.count && attained >= thresholds[level] { level += 1 }
        return level
    }

    /// Queue level, then when the job last entered the queue.
    public func queueKey(for job: JobSpec, _ context: PolicyContext) -> QueueKey {
        QueueKey(Double(level(attained: context.attainedService)), context.enqueueTime, job: job.id)
    }

    /// Less-served queues rank higher.
    public func preemptionRank(of job: JobSpec, _ context: PolicyContext) -> Int? {
        -level(attained: context.attainedService)
    }
}
