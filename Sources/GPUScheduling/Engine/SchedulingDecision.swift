/// Something the scheduler did.
public enum SchedulingDecision: Sendable, Hashable {
    /// A job started (or resumed) with every worker placed.
    case started(job: Int, placement: Placement, gpuModel: String)
    /// A running job was stopped so that `by` could start; it lost `lostSeconds` of work since
    /// its last checkpoint and is back in the queue.
    case preempted(job: Int, by: Int, lostSeconds: Double)
}

/// Where a job stands.
public enum JobState: String, Sendable, Hashable, Codable {
    /// Waiting to start (or to resume after a preemption).
    case pending
    /// Holding its GPUs.
    case running
    /// Done.
    case finished
    /// Can never start here: ``Scheduler/submit(_:at:)`` returned the reason, and
    /// ``Scheduler/unschedulableReason(of:)`` gives it again.
    case unschedulable
    /// Taken out by ``Scheduler/cancel(_:at:)``.
    case cancelled
}
