/// What an analysis concludes at a look.
public enum RolloutDecision: String, Sendable, Hashable, Codable, CaseIterable {
    /// The candidate is better (or, with a non-inferiority margin, not worse): make it the champion.
    case promote
    /// No conclusion yet, and nothing wrong: keep the rollout going (and, in a step plan, move
    /// to the next step once the step's minimums are met).
    case `continue`
    /// Do not move forward: too little traffic, a sample-ratio mismatch, or the maximum sample
    /// reached without a conclusion. Never a pass.
    case hold
    /// The candidate is worse, or broke a guardrail: send its traffic back to the control.
    case rollback

    /// Whether the rollout ends with this decision.
    public var isFinal: Bool { self == .promote || self == .rollback }
}
