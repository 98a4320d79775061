/// Count, sum, mean, variance, minimum and maximum of a column of doubles, NaNs excluded.
///
/// The NaN rule of TensorCore: a NaN is counted in ``nanCount`` and left out of every other
/// figure, so one bad value never silently poisons a sum. Infinities are values: they take part
/// (a column holding both +inf and -inf has a NaN mean, as arithmetic says).
public struct SummaryStatistics: Sendable, Hashable, Codable {
    /// The number of non-NaN values.
    public var count: Int
    /// The number of NaN values left out.
    public var nanCount: Int
    /// The sum of the non-NaN values.
    public var sum: Double
    /// The mean of the non-NaN values (NaN when there are none).
    public var mean: Double
    /// The sum of squared deviations from the mean (M2), in units of ``deviationScale``²:
    /// `M2 = scaledSumOfSquaredDeviations · deviationScale²`.
    ///
    /// Deviations are divided by the scale before they are squared, so values whose squares
    /// overflow a `Double` (above about 1e154), or underflow it (below about 1e-154), still give
    /// a finite, nonzero ``standardDeviation``, exact short of subnormal values.
    public var scaledSumOfSquaredDeviations: Double
    /// The power of two the deviations are divided by before squaring: 1 unless the values spread
    /// wider than 2⁴⁰⁰ (about 2.6e120) or narrower than 2⁻⁴⁰⁰ (but not 0), so ordinary data is
    /// summed exactly as without scaling.
    public var deviationScale: Double
    /// The smallest non-NaN value (+inf when there are none).
    public var minimum: Double
    /// The largest non-NaN value (-inf when there are none).
    public var maximum: Double

    /// Statistics from their parts; `scaledSumOfSquaredDeviations` is M2 / `deviationScale`².
    init(
        count: Int, nanCount: Int, sum: Double, mean: Double, scaledSumOfSquaredDeviations: Double, deviationScale: Double = 1,
        minimum: Double, maximum: Double
    ) {
        self.count = count
        self.nanCount = nanCount
        self.sum = sum
        self.mean = mean
        self.scaledSumOfSquaredDeviations = scaledSumOfSquaredDeviations
        self.deviationScale = deviationScale
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The statistics of no values.
    public static let empty = SummaryStatistics(
        count: 0, nanCount: 0, sum: 0, mean: .nan, scaledSumOfSquaredDeviations: 0, minimum: .infinity, maximum: -.infinity)

    /// The sum of squared deviations from the mean (M2); `+infinity` when it exceeds the range of
    /// a `Double` (deviations above about 1e154) and 0 below it (below about 1e-162), while
    /// ``standardDeviation`` stays finite and exact.
    public var sumOfSquaredDeviations: Double { scaledSumOfSquaredDeviations * deviationScale * deviationScale }

    /// The population variance (numpy's `var`, `ddof=0`); NaN when there are no values, and
    /// `+infinity` when it exceeds the range of a `Double`.
    public var variance: Double { variance(ddof: 0) }

    /// The sample variance (`ddof=1`); NaN with fewer than two values.
    public var sampleVariance: Double { variance(ddof: 1) }

    /// The variance with `ddof` delta degrees of freedom (numpy's `var(ddof=)`); NaN unless there
    /// are more than `ddof` values, `+infinity` when it exceeds the range of a `Double`.
    ///
    /// - Parameter ddof: The delta degrees of freedom (0 for the population variance).
    public func variance(ddof: Int) -> Double {
        guard ddof >= 0, count > ddof else { return .nan }
        return scaledSumOfSquaredDeviations / Double(count - ddof) * deviationScale * deviationScale
    }

    /// The population standard deviation, computed in the scaled domain: finite for any finite
    /// values, even where the variance overflows, and nonzero for values that differ, even where
    /// it underflows.
    public var standardDeviation: Double {
        count > 0 ? (scaledSumOfSquaredDeviations / Double(count)).squareRoot() * deviationScale : .nan
    }

    /// The power of two to divide deviations by before squaring them, for deviations up to
    /// `spread`: 1 from 2⁻⁴⁰⁰ to 2⁴⁰⁰ and for 0 (no scaling, no rounding change), otherwise the
    /// power of two just above `spread`, so every scaled deviation is below 1 (below 2 from 2¹⁰²³
    /// up) and no square or sum overflows, and a narrow spread scales to at least a half, so the
    /// largest squares do not underflow. The scale stays at or above 2⁻¹⁰⁰⁰, whose inverse is
    /// finite.
    static func deviationScale(forSpread spread: Double) -> Double {
        guard spread > 0, spread < 0x1p-400 || spread > 0x1p400 else { return 1 }
        return powerOfTwo(above: spread)
    }

    /// The power of two just above a positive `magnitude`, kept from 2⁻¹⁰⁰⁰ (whose inverse is
    /// finite) to 2¹⁰²³ (the largest finite one, which a magnitude from 2¹⁰²³ up, +∞ included,
    /// gets: numbers divided by it are then below 2, not below 1). Dividing by it is exact
    /// short of underflow. 1 for 0 or NaN.
    package static func powerOfTwo(above magnitude: Double) -> Double {
        guard magnitude > 0 else { return 1 }
        guard magnitude.isFinite else { return .greatestFiniteMagnitude.binade }
        return Double(sign: .plus, exponent: Swift.min(Swift.max(magnitude.exponent + 1, -1000), Double.greatestFiniteMagnitude.exponent), significand: 1)
    }

    /// The statistics of two disjoint sets of values together (Chan, Golub & LeVeque's pairwise
    /// update), in the deviation scale of their joint spread (from the smaller minimum to the
    /// larger maximum, which covers both sets' spreads and the gap between their means).
    public func merged(with other: SummaryStatistics) -> SummaryStatistics {
        if other.count == 0 {
            var result = self
            result.nanCount = nanCount + other.nanCount
            return result
        }
        if count == 0 {
            var result = other
            result.nanCount = nanCount + other.nanCount
            return result
        }
        let total = count + other.count
        let delta = other.mean - mean
        let weight = Double(other.count) / Double(total)
        let minimum = Swift.min(minimum, other.minimum), maximum = Swift.max(maximum, other.maximum)
        let scale = Self.deviationScale(forSpread: maximum - minimum)
        // Ratios of powers of two: exact, and 1 (no change at all) for unscaled statistics.
        let ownRatio = deviationScale / scale, otherRatio = other.deviationScale / scale
        let scaledDelta = delta / scale
        return SummaryStatistics(
            count: total, nanCount: nanCount + other.nanCount, sum: sum + other.sum,
            mean: mean + delta * weight,
            scaledSumOfSquaredDeviations: scaledSumOfSquaredDeviations * ownRatio * ownRatio
                + other.scaledSumOfSquaredDeviations * otherRatio * otherRatio
                + scaledDelta * scaledDelta * Double(count) * weight,
            deviationScale: scale, minimum: minimum, maximum: maximum)
    }
}
