/// Where a rollout stands: its plan, its step, its status and every decision so far. What a
/// ``RolloutStore`` keeps so that every replica routes alike and a restart resumes.
public struct RolloutState: Sendable, Hashable, Codable {
    /// Whether the rollout is still running.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Traffic is split by the current step.
        case running
        /// The candidate won: all traffic goes to it and the alias moved to it.
        case promoted
        /// The candidate lost: all traffic is back on the control and the alias points at it.
        case rolledBack = "rolled-back"
    }

    /// One decision of the trail.
    public struct DecisionRecord: Sendable, Hashable, Codable {
        /// When, in seconds since the Unix epoch.
        public let time: Double
        /// The step it was taken at (0-based).
        public let step: Int
        /// The look behind it.
        public let look: RolloutLook
        /// What the controller did: "advanced to step 2 (25%)", "promoted", "held".
        public let action: String
    }

    /// The plan.
    public let plan: RolloutPlan
    /// Running, promoted or rolled back.
    public internal(set) var status: Status
    /// The current step (0-based).
    public internal(set) var step: Int
    /// When the current step began, in seconds since the Unix epoch.
    public internal(set) var stepStartedAt: Double
    /// Every decision, oldest first.
    public internal(set) var decisions: [DecisionRecord]
    /// Grows by one with every stored change: the optimistic-concurrency token.
    public internal(set) var version: Int
    /// When it was created and last changed, in seconds since the Unix epoch.
    public internal(set) var createdAt: Double
    public internal(set) var updatedAt: Double

    enum CodingKeys: String, CodingKey {
        case plan, status, step, stepStartedAt, decisions, version, createdAt, updatedAt
    }

    /// Reads a stored state, checking that its step exists in its plan.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        plan = try c.decode(RolloutPlan.self, forKey: .plan)
        status = try c.decode(Status.self, forKey: .status)
        step = try c.decode(Int.self, forKey: .step)
        stepStartedAt = try c.decode(Double.self, forKey: .stepStartedAt)
        decisions = try c.decode([DecisionRecord].self, forKey: .decisions)
        version = try c.decode(Int.self, forKey: .version)
        createdAt = try c.decode(Double.self, forKey: .createdAt)
        updatedAt = try c.decode(Double.self, forKey: .updatedAt)
        guard plan.steps.indices.contains(step) else {
            throw RolloutError(.invalidPlan, "The stored rollout '\(plan.name)' is at step \(step + 1) of \(plan.steps.count)", location: plan.name, fix: "restore the store from a backup.")
        }
    }

    /// A new rollout at its first step.
    public init(plan: RolloutPlan, now: Double) {
        self.plan = plan
        status = .running
        step = 0
        stepStartedAt = now
        decisions = []
        version = 1
        createdAt = now
        updatedAt = now
    }

    /// The split traffic follows now: the step's while running, all candidate once promoted,
    /// all control once rolled back.
    public var weights: TrafficWeights {
        get throws(RolloutError) {
            switch status {
            case .running: return try plan.weights(atStep: step)
            case .promoted: return try TrafficWeights([(plan.control, 0), (plan.candidate, 100)])
            case .rolledBack: return try TrafficWeights([(plan.control, 100), (plan.candidate, 0)])
            }
        }
    }

    /// The router for the current split (fresh allocation: for two variants the same buckets
    /// as every earlier step's grown allocation, see ``BucketAllocation``). Once the rollout has
    /// ended, targeting rules no longer apply: all traffic goes to the winner.
    public func router(rules: [TargetingRule] = []) throws(RolloutError) -> Router {
        try Router(salt: plan.salt, weights: weights, rules: status == .running ? rules : [])
    }
}
