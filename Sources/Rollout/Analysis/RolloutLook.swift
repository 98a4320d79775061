/// One look of an analysis: the evidence so far and what it decided, with the reason in words.
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
    public var controlMean: Double?
    /// The candidate's mean.
    public var candidateMean: Double?
    /// Candidate minus control (CUPED-adjusted when the policy asks and a covariate is there).
    public var estimate: Double?
    /// The estimate relative to the control's mean.
    public var relativeEstimate: Double?
    /// The always-valid (1 − α) interval of the estimate: `[lower, upper]`; nil before both variants have data.
    public var interval: [Double]?
    /// The sample-ratio check's p-value.
    public var srmPValue: Double
    /// What this look decided.
    public var decision: RolloutDecision
    /// Why, in a sentence with the numbers.
    public var reason: String

    private enum CodingKeys: String, CodingKey {
        case events, controlSamples, candidateSamples, elapsedSeconds, controlMean, candidateMean, estimate, relativeEstimate, interval,
            srmPValue, decision, reason
    }

    /// Encodes every key, a value not defined yet (no data in a variant, a control mean of 0 for
    /// the relative estimate) as `null`: a look's JSON has one shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(events, forKey: .events)
        try container.encode(controlSamples, forKey: .controlSamples)
        try container.encode(candidateSamples, forKey: .candidateSamples)
        try container.encode(elapsedSeconds, forKey: .elapsedSeconds)
        try container.encode(controlMean, forKey: .controlMean)
        try container.encode(candidateMean, forKey: .candidateMean)
        try container.encode(estimate, forKey: .estimate)
        try container.encode(relativeEstimate, forKey: .relativeEstimate)
        try container.encode(interval, forKey: .interval)
        try container.encode(srmPValue, forKey: .srmPValue)
        try container.encode(decision, forKey: .decision)
        try container.encode(reason, forKey: .reason)
    }
}
