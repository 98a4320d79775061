import Foundation

/// The analysis a rollout runs at every look: guardrails, the sample-ratio check, the minimums,
/// then the always-valid test, in that order.
///
/// 1. A guardrail broken: **roll back** (guardrails read requests, which come before outcomes).
/// 2. No observations of the metric at all: **hold** ("no traffic").
/// 3. A sample-ratio mismatch (p below ``AnalysisPolicy/srmAlpha``): ``AnalysisPolicy/onSampleRatioMismatch`` (hold by default).
/// 4. Fewer than ``AnalysisPolicy/minimumSamples`` observations in either variant, fewer than
///    ``minimumExpectedOutcomes`` events of a proportion's rarer outcome expected in either variant
///    at the pooled rate, or less than ``AnalysisPolicy/minimumDurationSeconds`` since the first event: **hold**.
/// 5. The (1 − α) confidence sequence of candidate − control, oriented so that positive is
///    better: entirely below 0, **roll back**; entirely above −margin × |control mean|,
///    **promote**.
/// 6. ``AnalysisPolicy/maximumSamples`` reached in both variants: ``AnalysisPolicy/atMaximum`` (hold by default).
/// 7. Otherwise **continue**.
///
/// Because the interval covers the true difference at every look at once with probability
/// 1 − α (asymptotically: the sequence rests on a central limit theorem, hence the minimum
/// samples and, for proportions, the minimum of each outcome), a candidate no different from
/// the control is rolled back (or promoted) with probability at most about α however many looks
/// are taken.
public struct SequentialAnalysis: Sendable {
    /// The policy.
    public let policy: AnalysisPolicy
    /// Its confidence sequence.
    public let sequence: ConfidenceSequence

    /// An analysis under `policy`.
    ///
    /// - Throws: ``RolloutError/Code/invalidPolicy`` when the policy cannot work.
    public init(policy: AnalysisPolicy) throws(RolloutError) {
        try policy.validate()
        self.policy = policy
        self.sequence = try policy.confidenceSequence()
    }

    /// One look.
    ///
    /// - Parameters:
    ///   - control: The control's observations of the metric.
    ///   - candidate: The candidate's.
    ///   - assignments: Events per variant (control, candidate) for the sample-ratio check;
    ///     nil uses the observation counts.
    ///   - events: Events seen so far (for the record).
    ///   - elapsedSeconds: Seconds since the first event.
    ///   - guardrailBreach: A broken guardrail's reason, if the caller found one.
    ///   - checkSampleRatio: Whether to run the sample-ratio check (not at a 100% step).
    public func look(
        control: ArmSummary, candidate: ArmSummary, assignments: (control: Int, candidate: Int)? = nil, events: Int? = nil,
        elapsedSeconds: Double = 0, guardrailBreach: String? = nil, checkSampleRatio: Bool = true
    ) -> RolloutLook {
        let counts = assignments ?? (control.count, candidate.count)
        let srm = checkSampleRatio ? (try? SampleRatioMismatch(observed: [counts.control, counts.candidate], expectedShares: policy.expectedSplit)) : nil
        let srmP = srm?.pValue ?? 1
        var look = RolloutLook(
            events: events ?? counts.control + counts.candidate, controlSamples: control.count, candidateSamples: candidate.count,
            elapsedSeconds: elapsedSeconds, srmPValue: srmP, decision: .hold, reason: "")
        if control.count > 0 { look.controlMean = control.mean }
        if candidate.count > 0 { look.candidateMean = candidate.mean }
        var difference: MeanDifference?
        var halfWidth = Double.infinity
        if control.count > 0, candidate.count > 0 {
            let d = MeanDifference(control: control, candidate: candidate, cuped: policy.cuped, proportions: policy.kind == .proportion)
            difference = d
            halfWidth = sequence.halfWidth(estimateVariance: d.variance, totalSamples: control.count + candidate.count)
            look.estimate = d.estimate
            look.relativeEstimate = d.relativeEstimate
            if halfWidth.isFinite { look.interval = [d.estimate - halfWidth, d.estimate + halfWidth] }
        }
        func decide(_ decision: RolloutDecision, _ reason: String) -> RolloutLook {
            look.decision = decision
            look.reason = reason
            return look
        }

        if let guardrailBreach { return decide(.rollback, "guardrail broken: \(guardrailBreach)") }
        if control.count == 0 && candidate.count == 0 {
            return decide(.hold, "no traffic with the metric yet: holding, never passing without evidence")
        }
        if let srm, srm.mismatch(at: policy.srmAlpha) {
            let reason = String(
                format: "sample ratio mismatch: %ld control and %ld candidate events against an expected %@ split (chi-square p = %.3g < %.3g); assignment or logging is broken, so the comparison cannot be trusted",
                counts.control, counts.candidate, Self.split(policy.expectedSplit), srm.pValue, policy.srmAlpha)
            return decide(Self.decision(policy.onSampleRatioMismatch), reason)
        }
        if control.count < policy.minimumSamples || candidate.count < policy.minimumSamples {
            return decide(
                .hold,
                "too little traffic: \(control.count) control and \(candidate.count) candidate observations, \(policy.minimumSamples) needed in each before deciding")
        }
        if policy.kind == .proportion, let expected = Self.smallestExpectedCount(control: control, candidate: candidate),
           expected < Double(Self.minimumExpectedOutcomes) {
            return decide(
                .hold,
                String(
                    format: "too few outcomes to judge yet: at the pooled rate the smaller variant expects %.3g events of its rarer outcome, %ld needed before deciding (the interval's normal approximation does not hold below)",
                    expected, Self.minimumExpectedOutcomes))
        }
        if elapsedSeconds < policy.minimumDurationSeconds {
            return decide(.hold, String(format: "too early: %.0f s since the first event, %.0f s needed before deciding", elapsedSeconds, policy.minimumDurationSeconds))
        }
        guard let difference, halfWidth.isFinite, difference.estimate.isFinite else {
            return decide(.hold, "the difference cannot be estimated from these observations (non-finite values)")
        }
        let sign: Double = policy.higherIsBetter ? 1 : -1
        let lower = sign * difference.estimate - halfWidth
        let upper = sign * difference.estimate + halfWidth
        let interval = String(format: "%+.4g, %.0f%% always-valid interval [%.4g, %.4g]", difference.estimate, (1 - policy.alpha) * 100, difference.estimate - halfWidth, difference.estimate + halfWidth)
        let means = String(format: "control %.4g, candidate %.4g", difference.controlMean, difference.candidateMean)
        if upper < 0 {
            return decide(.rollback, "the candidate is worse: candidate − control \(interval) lies entirely on the \(policy.higherIsBetter ? "lower" : "higher") side of 0 (\(means))")
        }
        let margin = policy.nonInferiorityMargin * abs(difference.controlMean)
        if lower > -margin {
            let claim = policy.nonInferiorityMargin > 0
                ? String(format: "the candidate is not worse than the control by more than %.4g%%", policy.nonInferiorityMargin * 100)
                : "the candidate is better"
            return decide(.promote, "\(claim): candidate − control \(interval) (\(means))")
        }
        if let maximum = policy.maximumSamples, control.count >= maximum, candidate.count >= maximum {
            return decide(
                Self.decision(policy.atMaximum),
                "reached the maximum of \(maximum) observations per variant without a conclusion: candidate − control \(interval) (\(means))")
        }
        return decide(.continue, "no conclusion yet: candidate − control \(interval) includes 0 (\(means))")
    }

    /// The events of the rarer outcome that each variant of a proportion must expect, at the
    /// pooled rate, before the interval decides (the chi-square test's rule of expected counts
    /// of at least 5). The confidence sequence is asymptotic: with a handful of conversions a
    /// variant's mean is far from normal. Seeded A/A simulations at a 0.2 % rate with a 95/5
    /// split rolled back 17.8 % of identical variants with the plain variance and 4.25 % with the
    /// adjusted variance and this rule (Documentation/Rollout.md). It is expected counts, not
    /// observed ones, so a candidate that never converts against a converting control is still
    /// rolled back.
    public static let minimumExpectedOutcomes = 5

    /// The smaller variant's expected count of the rarer outcome at the pooled rate; nil when a
    /// variant has no observations.
    static func smallestExpectedCount(control: ArmSummary, candidate: ArmSummary) -> Double? {
        guard control.count > 0, candidate.count > 0 else { return nil }
        let (nc, nt) = (Double(control.count), Double(candidate.count))
        let pooled = (control.mean * nc + candidate.mean * nt) / (nc + nt)
        return Swift.min(nc, nt) * Swift.min(pooled, 1 - pooled)
    }

    static func decision(_ fallback: AnalysisPolicy.Fallback) -> RolloutDecision {
        switch fallback {
        case .hold: .hold
        case .promote: .promote
        case .rollback: .rollback
        }
    }

    static func split(_ shares: [Double]) -> String {
        shares.map { String(format: "%g", $0) }.joined(separator: "/")
    }
}
