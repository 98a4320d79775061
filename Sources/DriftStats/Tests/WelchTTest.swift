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
        (statistic, degreesOfFreedom, pValue) = Self.test(a, b)
    }

    /// Welch's test from two summaries of at least two values each, in their deviations' common
    /// scale (``SummaryStatistics/deviationScale``): t and the degrees of freedom do not change
    /// when both samples are multiplied by one number, so values whose variances overflow a
    /// `Double` (above about 1e154) or underflow it (below about 1e-162) are tested as the same
    /// data brought near 1 would be. For ordinary data the scale is 1 and changes no bit.
    static func test(_ a: SummaryStatistics, _ b: SummaryStatistics) -> (statistic: Double, degreesOfFreedom: Double, pValue: Double) {
        // The scale of the sides that vary: a constant side's deviation scale is 1 whatever its
        // values, and its M2 is 0 at any scale (review: 1 would have underflowed the other side).
        let scale = [a, b].filter { $0.maximum > $0.minimum }.map(\.deviationScale).max() ?? 1
        func scaled(_ side: SummaryStatistics) -> (count: Int, mean: Double, variance: Double) {
            // Powers of two: the ratio and the divisions by `scale` are exact (short of underflow).
            let ratio = side.deviationScale / scale
            return (side.count, side.mean / scale, side.scaledSumOfSquaredDeviations / Double(side.count - 1) * ratio * ratio)
        }
        return test(scaled(a), scaled(b))
    }

    /// Welch's t, its degrees of freedom and its two-sided p-value from each side's count (at
    /// least 2), mean and sample variance.
    ///
    /// The Welch–Satterthwaite degrees of freedom are computed on the two variances of the mean
    /// divided by the larger: the same ratio, but without squaring values beyond 1e154, which
    /// overflowed (scipy's own formula overflows there and falls back to one degree of freedom).
    static func test(
        _ a: (count: Int, mean: Double, variance: Double), _ b: (count: Int, mean: Double, variance: Double)
    ) -> (statistic: Double, degreesOfFreedom: Double, pValue: Double) {
        let (na, nb) = (Double(a.count), Double(b.count))
        let va = a.variance / na, vb = b.variance / nb
        let statistic = (a.mean - b.mean) / (va + vb).squareRoot()
        let scale = Swift.max(va, vb)
        let (ra, rb) = scale > 0 && scale.isFinite ? (va / scale, vb / scale) : (va, vb)
        let degreesOfFreedom = (ra + rb) * (ra + rb) / (ra * ra / (na - 1) + rb * rb / (nb - 1))
        if statistic.isInfinite {
            // Two constant samples with different values: scipy reports t = ±∞, p = 0.
            return (statistic, degreesOfFreedom, 0)
        }
        guard statistic.isFinite, let distribution = try? StudentTDistribution(degreesOfFreedom: degreesOfFreedom) else {
            return (statistic, degreesOfFreedom, .nan)
        }
        return (statistic, degreesOfFreedom, Swift.min(1, 2 * distribution.sf(Swift.abs(statistic))))
    }
}
