import TensorCore

/// How the bandwidth σ of the Gaussian kernel k(x, y) = exp(−‖x − y‖² / (2σ²)) is chosen for
/// ``MaximumMeanDiscrepancyTest`` and ``LinearTimeMMDTest``.
///
/// σ sets the distance at which two rows stop counting as similar. The median heuristic
/// (Gretton et al. 2012, section 8) puts it at the typical distance between rows, which works
/// well when the features have comparable scales; standardise the columns first when they do
/// not. A bandwidth fixed with the baseline keeps the statistics of successive windows
/// comparable, since each window's median would otherwise move σ a little.
public enum KernelBandwidth: Sendable, Hashable, Codable {
    /// σ is the median Euclidean distance over the pairs of distinct rows (i < j) of the pooled
    /// sample (reference rows, then current rows), as `numpy.median(scipy.spatial.distance.pdist(pooled))`.
    ///
    /// When the pooled sample has more than `subsampleLimit` rows (1,000 by default), the median
    /// is taken over `subsampleLimit` rows drawn without replacement with a seeded partial
    /// Fisher–Yates shuffle (`Xoshiro256StarStar` seeded with the test's seed), which bounds
    /// the cost at O(limit² · d): about half a million distances for the default limit.
    case medianHeuristic(subsampleLimit: Int = 1_000)
    /// A given σ, positive and finite.
    case fixed(Double)

    /// The pooled row count above which ``medianHeuristic(subsampleLimit:)`` subsamples by default.
    public static let defaultSubsampleLimit = 1_000

    /// The bandwidth σ for two samples.
    ///
    /// - Parameters:
    ///   - reference: the reference sample.
    ///   - current: the current sample, with the reference's columns.
    ///   - seed: seeds the subsample of the median heuristic; unused otherwise.
    /// - Throws: ``DriftError`` (``DriftError/Code/invalidArgument``) when the samples' column
    ///   counts differ, a fixed σ is not positive and finite, the subsample limit is below 2, or
    ///   the median distance is zero (more than half the pairs are identical rows).
    /// - Complexity: O(min(n + m, limit)² · d) for the median heuristic, dominated by one matrix
    ///   product; O(1) for a fixed σ.
    public func value(reference: MultivariateSample, current: MultivariateSample, seed: UInt64 = 0) throws(DriftError) -> Double {
        try reference.requireSameColumns(as: current, "reference", "current")
        switch self {
        case .fixed(let sigma):
            guard sigma.isFinite, sigma > 0 else {
                throw DriftError(
                    .invalidArgument, "A kernel bandwidth must be positive and finite; \(sigma) given",
                    fix: "pass a distance in the units of the (standardised) features, or use .medianHeuristic().")
            }
            return sigma
        case .medianHeuristic(let limit):
            guard limit >= 2, limit <= MaximumMeanDiscrepancyTest.maximumPooledRows else {
                throw DriftError(
                    .invalidArgument,
                    "The median heuristic's subsample must hold 2 to \(MaximumMeanDiscrepancyTest.maximumPooledRows) rows (its distance matrix grows with the square); a limit of \(limit) given",
                    fix: "use the default limit of \(Self.defaultSubsampleLimit) rows.")
            }
            let median = try Self.medianDistance(reference: reference, current: current, limit: limit, seed: seed)
            guard median > 0 else {
                throw DriftError(
                    .invalidArgument, "The median distance between rows of the pooled sample is 0: more than half the pairs of rows are identical",
                    fix: "pass a bandwidth with .fixed(σ), or remove duplicated rows before testing.")
            }
            return median
        }
    }

    /// The median of the pairwise Euclidean distances (i < j) of the pooled rows, or of a seeded
    /// subsample of `limit` of them. An even count of distances takes the mean of the middle two,
    /// as numpy's `median`.
    static func medianDistance(reference: MultivariateSample, current: MultivariateSample, limit: Int, seed: UInt64) throws(DriftError) -> Double {
        let total = reference.rowCount + current.rowCount
        let chosen = total <= limit ? Array(0..<total) : subsample(of: total, count: limit, seed: seed)
        let count = chosen.count
        let rows = GaussianKernel.centredRows(reference: reference, current: current, pooledIndices: chosen)
        let squared = try GaussianKernel.squaredDistances(rows, count: count, dimensions: reference.columnCount)
        // ‖x‖² + ‖y‖² − 2x·y leaves a few ulps of the norms where x = y; numpy's direct
        // differences give exactly 0 there, which the zero-median check relies on.
        let d = reference.columnCount
        let norms = (0..<count).map { row in rows[(row * d)..<((row + 1) * d)].reduce(0) { $0 + $1 * $1 } }
        var distances: [Double] = []
        distances.reserveCapacity(count * (count - 1) / 2)
        for i in 0..<count {
            for j in (i + 1)..<count {
                let value = squared[i * count + j]
                distances.append(value <= 16 * Double.ulpOfOne * (norms[i] + norms[j]) ? 0 : value.squareRoot())
            }
        }
        distances.withUnsafeMutableBufferPointer { Sorting.sort($0) }
        let middle = distances.count / 2
        return distances.count % 2 == 1 ? distances[middle] : (distances[middle - 1] + distances[middle]) / 2
    }

    /// `count` distinct indices of `0..<total`, drawn without replacement: the first `count`
    /// positions of a Fisher–Yates shuffle, with the displaced positions kept in a dictionary so
    /// the cost is O(count) whatever `total` is. Returned ascending.
    static func subsample(of total: Int, count: Int, seed: UInt64) -> [Int] {
        var random = Xoshiro256StarStar(seed: seed)
        var displaced: [Int: Int] = [:]
        var chosen: [Int] = []
        chosen.reserveCapacity(count)
        for position in 0..<Swift.min(count, total) {
            // total − position ≥ 1, so nextInt cannot throw.
            let other = position + ((try? random.nextInt(below: total - position)) ?? 0)
            chosen.append(displaced[other] ?? other)
            displaced[other] = displaced[position] ?? position
        }
        return chosen.sorted()
    }
}
