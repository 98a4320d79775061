/// Dominant-resource fair share: at each step the team with the smallest weighted dominant share
/// (its largest share of GPUs, CPU or memory in use, divided by its weight) gets the next start;
/// within a team, jobs go in submission order.
///
/// Preempting to restore fair shares is ``PreemptionSettings/fairSharing``; it is off by default.
public struct DominantResourceFairnessPolicy: SchedulingPolicy {
    /// Creates the policy.
    public init() {}
    /// `drf`.
    public var name: String { "drf" }
    /// Submission time within the team.
    public func queueKey(for job: JobSpec, _ context: PolicyContext) -> QueueKey {
        QueueKey(context.submitTime, 0, job: job.id)
    }
    /// Teams interleave by share.
    public var ordersByTeamShare: Bool { true }
}
