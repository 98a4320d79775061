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
    /// The sum of squared deviations from the mean (M2), from which the variances derive.
    public var sumOfSquaredDeviations: Double
    /// The smallest non-NaN value (+inf when there are none).
    public var minimum: Double
    /// The largest non-NaN value (-inf when there are none).
    public var maximum: Double

    /// The statistics of no values.
    public static let empty = SummaryStatistics(
        count: 0, nanCount: 0, sum: 0, mean: .nan, sumOfSquaredDeviations: 0, minimum: .infinity, maximum: -.infinity)

    /// The population variance (numpy's `var`, `ddof=0`); NaN when there are no values.
    public var variance: Double { count > 0 ? sumOfSquaredDeviations / Double(count) : .nan }

    /// The sample variance (`ddof=1`); NaN with fewer than two values.
    public var sampleVariance: Double { count > 1 ? sumOfSquaredDeviations / Double(count - 1) : .nan }

    /// The population standard deviation.
    public var standardDeviation: Double { variance.squareRoot() }

    /// The statistics of two disjoint sets of values together (Chan, Golub & LeVeque's pairwise update).
    public func merged(with other: SummaryStatistics) -> SummaryStatistics {
        if other.count == 0 { return SummaryStatistics(count: count, nanCount: nanCount + other.nanCount, sum: sum, mean: mean, sumOfSquaredDeviations: sumOfSquaredDeviations, minimum: minimum, maximum: maximum) }
        if count == 0 { return SummaryStatistics(count: other.count, nanCount: nanCount + other.nanCount, sum: other.sum, mean: other.mean, sumOfSquaredDeviations: other.sumOfSquaredDeviations, minimum: other.minimum, maximum: other.maximum) }
        let total = count + other.count
        let delta = other.mean - mean
        let weight = Double(other.count) / Double(total)
        return SummaryStatistics(
            count: total, nanCount: nanCount + other.nanCount, sum: sum + other.sum,
            mean: mean + delta * weight,
            sumOfSquaredDeviations: sumOfSquaredDeviations + other.sumOfSquaredDeviations + delta * delta * Double(count) * weight,
            minimum: Swift.min(minimum, other.minimum), maximum: Swift.max(maximum, other.maximum))
    }
}
