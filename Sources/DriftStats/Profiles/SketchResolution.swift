public import MLOpsStorage

/// What a comparison made on sketches can see: how far its statistic may be from the one the
/// raw values would give, and the smallest change it would flag.
///
/// Every column a ``ProfileComparison`` tests carries one, in the JSON report (`resolution`)
/// and on the HTML page, so "stable" comes with the size of change it rules out.
///
/// The shift is found by asking the same comparison, with the same counts, sketch errors,
/// method and threshold, about the reference's own distribution moved by δ: the smallest δ it
/// flags (as `drifted` or `detectable`) is ``detectableShift``. For numeric columns δ is a
/// location shift in reference standard deviations; for categorical columns it is a share of
/// rows moved from the most common category to the next (a total-variation distance).
public struct SketchResolution: Sendable, Hashable, Codable {
    /// How far the statistic read from the sketches may be from the raw values' statistic, in
    /// the statistic's own units (0 when both sketches still hold every value). For a test the
    /// decision is made as if the statistic were this much smaller; for a distance, the
    /// decision compares the distance's lower bound with the threshold.
    public var statisticError: Double
    /// The smallest change this comparison flags at its threshold, in ``shiftMeasure`` units;
    /// nil when no change up to the search's limit (10 σ, or every row moved) would be.
    @ExplicitNull public var detectableShift: Double?
    /// What ``detectableShift`` measures.
    public var shiftMeasure: EffectMeasure
    /// The chance that a sketch's error exceeds its bound: the bounds hold together except
    /// with this probability, which a test's p-value includes.
    public var failureProbability: Double
    /// The reference sketch's bound on its rank (or category share) error.
    public var referenceError: Double
    /// The current sketch's bound on its rank (or category share) error.
    public var currentError: Double

    enum CodingKeys: String, CodingKey {
        case statisticError = "statistic_error", detectableShift = "detectable_shift", shiftMeasure = "shift_measure"
        case failureProbability = "failure_probability", referenceError = "reference_error", currentError = "current_error"
    }

    /// Creates a resolution.
    ///
    /// - Parameters:
    ///   - statisticError: How far the sketch statistic may be off.
    ///   - detectableShift: The smallest change flagged, or nil.
    ///   - shiftMeasure: The unit of `detectableShift`.
    ///   - failureProbability: The chance the error bounds fail.
    ///   - referenceError: The reference sketch's rank or share error bound.
    ///   - currentError: The current sketch's rank or share error bound.
    public init(
        statisticError: Double, detectableShift: Double?, shiftMeasure: EffectMeasure, failureProbability: Double,
        referenceError: Double, currentError: Double
    ) {
        self.statisticError = statisticError
        self.detectableShift = detectableShift
        self.shiftMeasure = shiftMeasure
        self.failureProbability = failureProbability
        self.referenceError = referenceError
        self.currentError = currentError
    }

    /// One sentence for reports: what the comparison flags and how far the sketches may be off.
    public var summary: String {
        let unit = shiftMeasure == .wassersteinStandardDeviations ? "σ shift" : " of rows moved between categories"
        var text: String
        if let detectableShift {
            let amount = shiftMeasure == .wassersteinStandardDeviations
                ? DriftAnalyzer.format(detectableShift) : DriftAnalyzer.format(detectableShift * 100) + "%"
            text = "resolution: flags a \(amount)\(unit) or larger"
        } else {
            text = "resolution: no shift up to \(shiftMeasure == .wassersteinStandardDeviations ? "10σ" : "every row moved") is flagged at this threshold"
        }
        if statisticError > 0 {
            text += "; the sketches' statistic may be off by \(DriftAnalyzer.format(statisticError))"
            if failureProbability > 0 { text += " (bounds fail with probability \(DriftAnalyzer.format(failureProbability)))" }
        } else {
            text += "; the sketches hold every value (no sketch error)"
        }
        return text
    }

    /// The smallest `shift` in `0...limit` for which `flags(shift)` holds, by bisection to a
    /// relative precision of about 10⁻⁶ of `limit`; nil when even `limit` is not flagged.
    /// Assumes a larger shift is never harder to flag.
    static func smallestFlagged(limit: Double, _ flags: (Double) -> Bool) -> Double? {
        guard flags(limit) else { return nil }
        if flags(0) { return 0 }
        var low = 0.0, high = limit
        for _ in 0..<22 {
            let middle = (low + high) / 2
            if flags(middle) { high = middle } else { low = middle }
        }
        return high
    }
}
