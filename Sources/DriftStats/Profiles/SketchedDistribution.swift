import Foundation
import TensorCore

/// One side of a comparison made on sketches: the step CDF a column's quantile sketch
/// describes, what the sketch's compactions allow its ranks to be off by, and the column's
/// exact moments of the finite values.
///
/// A comparison reads everything from here, so the resolution search can compare a reference
/// with a shifted copy of itself (``shifted(by:like:)``) through exactly the same code.
struct SketchedDistribution: Sendable {
    /// The sketch's CDF: ascending distinct values, each with the share of values at or below it.
    var steps: [(value: Double, rank: Double)]
    /// Values the sketch saw.
    let count: Int
    /// The sketch's `KLLSketch.compactionVariance` (nil: unknown).
    let variance: Double?
    /// The 99 % figure to fall back on when the variance is unknown (0 for an exact sketch).
    let fallbackError: Double
    /// Finite values, their mean and sum of squared deviations (exact, from the moment sketch).
    let finiteCount: Int
    var mean: Double
    let m2: Double
    /// The standard deviation effects are measured in (the reference's).
    let deviation: Double
    /// The exact smallest and largest finite values (NaN when empty).
    var low: Double
    var high: Double

    init(_ profile: ColumnProfile) {
        self.init(quantiles: profile.quantiles, moments: profile.moments) { steps in
            ProfileComparison.standardDeviation(of: profile, steps: steps)
        }
    }

    /// A side from a quantile sketch and the moments of the same values.
    init(quantiles sketch: KLLSketch, moments: MomentSketch, deviation: ([(value: Double, rank: Double)]) -> Double) {
        steps = sketch.cumulativeSteps()
        count = sketch.count
        variance = sketch.compactionVariance
        fallbackError = sketch.isEstimationMode ? sketch.rankErrorBound : 0
        finiteCount = moments.finiteCount
        mean = moments.finiteMean
        m2 = moments.m2
        self.deviation = deviation(steps)
        low = sketch.min ?? .nan
        high = sketch.max ?? .nan
    }

    /// A side from a quantile sketch alone (no moments: for the KS test, which reads none).
    init(sketch: KLLSketch) {
        self.init(quantiles: sketch, moments: MomentSketch()) { _ in .nan }
    }

    private init(
        steps: [(value: Double, rank: Double)], count: Int, variance: Double?, fallbackError: Double,
        finiteCount: Int, mean: Double, m2: Double, deviation: Double, low: Double, high: Double
    ) {
        self.steps = steps
        self.count = count
        self.variance = variance
        self.fallbackError = fallbackError
        self.finiteCount = finiteCount
        self.mean = mean
        self.m2 = m2
        self.deviation = deviation
        self.low = low
        self.high = high
    }

    /// The bound on this sketch's rank error over every value, and the chance it fails:
    /// `failureProbability` for a sketch that keeps its account
    /// (`KLLSketch.rankErrorBound(failureProbability:queries:)`), 0 for one that holds every
    /// value, and 1 % for a sketch read from the old binary form, whose bound is DataSketches'
    /// 99 % figure.
    func errorBound(failureProbability: Double) -> (error: Double, failure: Double) {
        guard let variance else { return fallbackError > 0 ? (fallbackError, 0.01) : (0, 0) }
        let error = KLLSketch.rankErrorBound(variance: variance, count: count, failureProbability: failureProbability)
        return (error, error > 0 ? failureProbability : 0)
    }

    /// This distribution moved by `shift` (in value units), described by a sketch with the
    /// count and error of `other`: what `other` would look like if the only change were that
    /// shift. Used to find the smallest shift a comparison detects.
    func shifted(by shift: Double, like other: SketchedDistribution) -> SketchedDistribution {
        let scale = finiteCount > 0 ? Double(other.finiteCount) / Double(finiteCount) : 1
        return SketchedDistribution(
            steps: steps.map { ($0.value + shift, $0.rank) }, count: other.count, variance: other.variance,
            fallbackError: other.fallbackError, finiteCount: other.finiteCount, mean: mean + shift,
            m2: m2 * scale, deviation: deviation, low: low + shift, high: high + shift)
    }

    /// The inner edges ``ReferenceBins/init(quantilesOf:count:)`` cuts from the data (numpy's
    /// interpolated quantiles, equal edges merged), for a side whose steps are the data: a
    /// sketch that has not compacted, so each step's share times ``count`` is a whole count.
    /// Nil when the steps do not add up to ``count`` values.
    func dataEdges(binCount: Int) -> [Double]? {
        var values: [Double] = []
        values.reserveCapacity(count)
        var previous = 0.0
        for step in steps {
            let repeats = Int(((step.rank - previous) * Double(count)).rounded())
            guard repeats >= 0 else { return nil }
            values.append(contentsOf: repeatElement(step.value, count: repeats))
            previous = step.rank
        }
        guard values.count == count, let bins = try? ReferenceBins(quantilesOf: SortedSample(values), count: binCount) else { return nil }
        return bins.edges
    }

    /// The share of values strictly below `x`.
    func share(below x: Double) -> Double {
        let low = steps.partitioningIndex { !($0.value < x) }
        return low == 0 ? 0 : steps[low - 1].rank
    }

    /// The smallest value whose share at or below reaches `q`.
    func quantile(_ q: Double) -> Double? {
        guard let last = steps.last else { return nil }
        let low = steps.partitioningIndex { !($0.rank < q) }
        return low < steps.count ? steps[low].value : last.value
    }

    /// Shares per bin for inner `edges` (bins are `[edgeᵢ₋₁, edgeᵢ)`).
    func shares(edges: [Double]) -> [Double] {
        var shares: [Double] = []
        var previous = 0.0
        for edge in edges {
            let below = share(below: edge)
            shares.append(Swift.max(0, below - previous))
            previous = below
        }
        shares.append(Swift.max(0, 1 - previous))
        return shares
    }

}
