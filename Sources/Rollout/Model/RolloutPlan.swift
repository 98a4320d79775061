/// What a rollout is: which variant replaces which, how traffic moves to it, how it is judged,
/// and which registry alias moves when it ends.
///
/// A plan is checked when it is made: steps that shrink the candidate, an unknown strategy
/// setting or an impossible policy are a ``RolloutError`` here, never at request time.
public struct RolloutPlan: Sendable, Hashable, Codable {
    /// How traffic moves to the candidate.
    public enum Strategy: String, Sendable, Hashable, Codable, CaseIterable {
        /// The candidate's share grows through ``RolloutPlan/steps`` (5%, 25%, 50%, 100%).
        case canary
        /// All traffic switches at once (steps `[100]`); a rollback switches it back.
        case blueGreen = "blue-green"
        /// A fixed split for the whole experiment (one step).
        case abTest = "ab-test"
        /// The challenger gets a fixed share next to the champion until the test decides (one step).
        case championChallenger = "champion-challenger"
    }

    /// The rollout's name, unique in its store.
    public let name: String
    /// The strategy.
    public let strategy: Strategy
    /// The variant serving today (the champion, blue).
    public let control: String
    /// The variant under test (the challenger, green).
    public let candidate: String
    /// The candidate's share in percent at each step; never decreasing (only-forward moves).
    public let steps: [Double]
    /// The salt of the sticky hash: keep it for the rollout's life.
    public let salt: String
    /// The outcome metric the test judges.
    public let metric: String
    /// How each look is judged.
    public let policy: AnalysisPolicy
    /// The model and alias to move on promotion and back on rollback (nil: no registry).
    public let registry: RegistryTarget?
    /// Seconds each step bakes before the canary may grow to the next (a promotion or a
    /// rollback does not wait for it).
    public let minimumStepSeconds: Double

    /// The registry model and versions a rollout moves between.
    public struct RegistryTarget: Sendable, Hashable, Codable {
        /// The model's name in the registry.
        public let model: String
        /// The alias serving traffic (`production`).
        public let alias: String
        /// The control's version.
        public let controlVersion: Int
        /// The candidate's version.
        public let candidateVersion: Int

        /// A target moving `alias` of `model` between two versions.
        public init(model: String, alias: String = "production", controlVersion: Int, candidateVersion: Int) {
            self.model = model
            self.alias = alias
            self.controlVersion = controlVersion
            self.candidateVersion = candidateVersion
        }
    }

    /// A plan.
    ///
    /// - Parameters:
    ///   - name: The rollout's name, unique in its store.
    ///   - strategy: How traffic moves to the candidate.
    ///   - control: The variant serving today.
    ///   - candidate: The variant under test.
    ///   - salt: The sticky hash's salt (default: the name).
    ///   - metric: The outcome metric the test judges.
    ///   - policy: How each look is judged.
    ///   - registry: The alias to move on promotion and back on rollback, if any.
    ///   - minimumStepSeconds: Seconds each step bakes before the canary grows.
    ///   - steps: The candidate's percentages; defaults by strategy: canary `[5, 25, 50, 100]`,
    ///     blue-green `[100]`, A/B and champion-challenger `[50]`.
    /// - Throws: ``RolloutError/Code/invalidPlan`` for an empty name, equal variant names,
    ///   decreasing steps or a step outside (0, 100]; ``RolloutError/Code/invalidWeights`` for a
    ///   step finer than 0.01%; ``RolloutError/Code/invalidPolicy`` for the policy.
    public init(
        name: String, strategy: Strategy, control: String, candidate: String, steps: [Double]? = nil, salt: String? = nil, metric: String,
        policy: AnalysisPolicy = AnalysisPolicy(), registry: RegistryTarget? = nil, minimumStepSeconds: Double = 0
    ) throws(RolloutError) {
        guard minimumStepSeconds >= 0, minimumStepSeconds.isFinite else {
            throw RolloutError(.invalidPlan, "A step cannot bake for \(minimumStepSeconds) seconds", location: "minimumStepSeconds", fix: "give 0 or more seconds.")
        }
        guard !name.isEmpty, name.utf8.count <= 200 else {
            throw RolloutError(.invalidPlan, "A rollout needs a name of 1 to 200 bytes", fix: "name it, such as ranker-v7-canary.")
        }
        try TrafficWeights.validateName(control)
        try TrafficWeights.validateName(candidate)
        guard control != candidate else {
            throw RolloutError(.invalidPlan, "The control and the candidate are both '\(control)'", location: name, fix: "name two different variants.")
        }
        guard !metric.isEmpty else { throw RolloutError(.invalidPlan, "The plan names no metric", location: name, fix: "name the outcome the test judges, such as converted.") }
        let chosen: [Double]
        switch (strategy, steps) {
        case (_, let given?): chosen = given
        case (.canary, nil): chosen = [5, 25, 50, 100]
        case (.blueGreen, nil): chosen = [100]
        case (.abTest, nil), (.championChallenger, nil): chosen = [50]
        }
        guard !chosen.isEmpty else { throw RolloutError(.invalidPlan, "The plan has no steps", location: name, fix: "give the candidate's share at each step, such as 5,25,50,100.") }
        for (i, step) in chosen.enumerated() {
            guard step > 0, step <= 100 else {
                throw RolloutError(.invalidPlan, "Step \(i + 1) gives the candidate \(step)%, outside (0, 100]", location: "steps", fix: "give shares above 0 and at most 100.")
            }
            if i > 0, step < chosen[i - 1] {
                throw RolloutError(
                    .invalidPlan, "Step \(i + 1) shrinks the candidate from \(chosen[i - 1])% to \(step)%; steps only move forward", location: "steps",
                    fix: "give non-decreasing shares; a rollback is the way back.")
            }
            _ = try TrafficWeights([(control, 100 - step), (candidate, step)])
        }
        if strategy != .canary, chosen.count != 1 {
            throw RolloutError(.invalidPlan, "A \(strategy.rawValue) rollout has one step, not \(chosen.count)", location: "steps", fix: "use a canary for several steps.")
        }
        try policy.validate()
        for guardrail in policy.guardrails {
            if case .outcomeMean(let metricName)? = guardrail.parsedMetric, metricName != metric {
                throw RolloutError(
                    .invalidPlan, "The guardrail on \(guardrail.metric) reads a metric the rollout does not record (it records \(metric))",
                    location: "guardrails", fix: "guard mean:\(metric), errors, fallbacks or latency.")
            }
            if strategy == .blueGreen, guardrail.maximumIncrease != nil || guardrail.maximum == nil {
                throw RolloutError(
                    .invalidPlan, "A blue-green switch has no control traffic to compare with, so the guardrail on \(guardrail.metric) needs an absolute maximum and no maximum_increase",
                    location: "guardrails", fix: "give the guardrail a maximum.")
            }
        }
        self.name = name
        self.strategy = strategy
        self.control = control
        self.candidate = candidate
        self.steps = chosen
        self.salt = salt ?? name
        self.metric = metric
        self.policy = policy
        self.registry = registry
        self.minimumStepSeconds = minimumStepSeconds
    }

    enum CodingKeys: String, CodingKey {
        case name, strategy, control, candidate, steps, salt, metric, policy, registry, minimumStepSeconds
    }

    /// Reads a stored plan and checks it as ``init(name:strategy:control:candidate:steps:salt:metric:policy:registry:minimumStepSeconds:)`` does.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            name: try c.decode(String.self, forKey: .name), strategy: try c.decode(Strategy.self, forKey: .strategy),
            control: try c.decode(String.self, forKey: .control), candidate: try c.decode(String.self, forKey: .candidate),
            steps: try c.decode([Double].self, forKey: .steps), salt: try c.decode(String.self, forKey: .salt),
            metric: try c.decode(String.self, forKey: .metric), policy: try c.decode(AnalysisPolicy.self, forKey: .policy),
            registry: try c.decodeIfPresent(RegistryTarget.self, forKey: .registry),
            minimumStepSeconds: try c.decodeIfPresent(Double.self, forKey: .minimumStepSeconds) ?? 0)
    }

    /// The split at step `index` (0-based).
    public func weights(atStep index: Int) throws(RolloutError) -> TrafficWeights {
        let share = steps[min(max(0, index), steps.count - 1)]
        return try TrafficWeights([(control, 100 - share), (candidate, share)])
    }
}
