public import MLOpsStorage

/// One look of an analysis: the evidence so far and what it decided, with the reason in words.
/// Its JSON has every key: a value not defined yet (no observations in a variant, a control
/// mean of 0 for the relative estimate) is `null`.
public struct RolloutLook: Sendable, Hashable, Codable {
    /// Events seen so far (both variants, and others, whether or not they carried the metric).
    public var events: Int
    /// Observations of the metric in the control.
    public var controlSamples: Int
    /// Observations of the metric in the candidate.
    public var candidateSamples: Int
    /// Seconds from the first event to this look.
    public var elapsedSeconds: Double
    /// The control's mean.
    @ExplicitNull public var controlMean: Double?
    /// The candidate's mean.
    @ExplicitNull public var candidateMean: Double?
    /// Candidate minus control (CUPED-adjusted when the policy asks and a covariate is there).
    @ExplicitNull public var estimate: Double?
    /// The estimate relative to the control's mean.
    @ExplicitNull public var relativeEstimate: Double?
    /// The always-valid (1 − α) interval of the estimate: `[lower, upper]`; nil before both variants have data.
    @ExplicitNull public var interval: [Double]?
    /// The sample-ratio check's p-value.
    public var srmPValue: Double
    /// What this look decided.
    public var decision: RolloutDecision
    /// Why, in a sentence with the numbers.
    public var reason: String
}
