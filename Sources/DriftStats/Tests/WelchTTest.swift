import TensorCore

/// Welch's two-sample t-test (unequal variances), two-sided, as
/// `scipy.stats.ttest_ind(reference, current, equal_var=False)`: a shift in the mean.
public struct WelchTTest: Sendable, Hashable, Codable {
    /// The t statistic, (mean₁ − mean₂) / √(s₁²/n₁ + s₂²/n₂).
    public let statistic: Double
    /// The two-sided p-value on Student's t with ``degreesOfFreedom``.
    public let pValue: Double
    /// The Welch–Satterthwaite degrees of freedom.
    public let degreesOfFreedom: Double

    /// Tests two samples (NaNs left out).
    ///
    /// - Throws: ``DriftError`` (``DriftError/Code/emptySample``) when a sample has fewer than two values.
    public init(reference: [Double], current: [Double]) throws(DriftError) {
        let a = reference.withUnsafeBufferPointer { Reductions.summary($0) }
        let b = current.withUnsafeBufferPointer { Reductions.summary($0) }
        guard a.count >= 2, b.count >= 2 else {
            throw DriftError(.emptySample, "Welch's t-test needs at least two values in each sample (got \(a.count) and \(b.count))", fix: "collect more data before testing the mean.")
        }
        let va = a.sampleVariance / Double(a.count), vb = b.sampleVariance / Double(b.count)
        let standardError = (va + vb).squareRoot()
        statistic = (a.mean - b.mean) / standardError
        degreesOfFreedom = (va + vb) * (va + vb) / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
        if statistic.isInfinite {
            // Two constant samples with different values: scipy reports t = ±∞, p = 0.
            pValue = 0
        } else if let distribution = try? StudentTDistribution(degreesOfFreedom: degreesOfFreedom), statistic.isFinite {
            pValue = Swift.min(1, 2 * distribution.sf(Swift.abs(statistic)))
        } else {
            pValue = .nan
        }
    }
}
