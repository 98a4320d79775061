import TensorCore

/// Gretton's linear-time MMD test (Gretton et al. 2012, "A Kernel Two-Sample Test", JMLR 13,
/// section 6): the kernel two-sample test for samples too large for a kernel matrix.
///
/// The rows are taken in pairs of consecutive rows: pair i holds reference rows 2i and 2i+1 and
/// current rows 2i and 2i+1, for i < P = ⌊min(n, m) / 2⌋ (rows past 2P in the larger sample are
/// not used). Each pair gives
///
///     hᵢ = k(x₂ᵢ, x₂ᵢ₊₁) + k(y₂ᵢ, y₂ᵢ₊₁) − k(x₂ᵢ, y₂ᵢ₊₁) − k(x₂ᵢ₊₁, y₂ᵢ)
///
/// with the Gaussian kernel of ``KernelBandwidth``, and the statistic MMD²ₗ is the mean of the
/// hᵢ, an unbiased estimate of MMD². The hᵢ are independent, so under "one distribution" MMD²ₗ is
/// asymptotically normal with mean 0 and variance s²/P, where s² is the sample variance (P − 1
/// denominator) of the hᵢ; the p-value is the one-sided upper tail, Pr(Z ≥ MMD²ₗ / √(s²/P)).
///
/// It uses each row once, so it is less powerful than ``MaximumMeanDiscrepancyTest`` at equal
/// sample size, but its cost is O((n+m)·d) time and O(min(n, m)) memory. Pairs follow the rows'
/// order: shuffle rows first if that order carries a trend (rows sorted by time within a window).
public struct LinearTimeMMDTest: Sendable, Hashable, Codable {
    /// MMD²ₗ, the mean of the hᵢ.
    public let statistic: Double
    /// The sample variance s² of the hᵢ (P − 1 denominator); the statistic's variance is s²/P.
    public let variance: Double
    /// The one-sided asymptotic p-value; 0 or 1 when every hᵢ is equal (s² = 0), by the sign of
    /// the statistic.
    public let pValue: Double
    /// The kernel bandwidth σ used.
    public let bandwidth: Double
    /// The number of pairs P.
    public let pairCount: Int

    /// Tests two samples.
    ///
    /// - Parameters:
    ///   - reference: the reference sample (n rows).
    ///   - current: the current sample (m rows), with the reference's columns.
    ///   - bandwidth: how σ is chosen; the median heuristic by default, on a seeded subsample of
    ///     at most 1,000 pooled rows.
    ///   - seed: seeds the median heuristic's subsample.
    /// - Throws: ``DriftError`` (``DriftError/Code/emptySample``) when a sample has fewer than 4
    ///   rows (2 pairs are needed for a variance), and ``DriftError/Code/invalidArgument`` when the
    ///   column counts differ or the bandwidth cannot be chosen.
    /// - Complexity: O((n+m)·d) for the statistic, over the cores, plus the bandwidth's cost.
    public init(
        reference: MultivariateSample, current: MultivariateSample, bandwidth: KernelBandwidth = .medianHeuristic(), seed: UInt64 = 0
    ) throws(DriftError) {
        try reference.requireSameColumns(as: current, "reference", "current")
        let pairs = Swift.min(reference.rowCount, current.rowCount) / 2
        guard pairs >= 2 else {
            throw DriftError(
                .emptySample, "The linear-time MMD test needs at least 4 rows in each sample; got \(reference.rowCount) and \(current.rowCount)",
                fix: "collect more rows, or use MaximumMeanDiscrepancyTest, which works from 2 rows per sample.")
        }
        let sigma = try bandwidth.value(reference: reference, current: current, seed: seed)
        let scale = GaussianKernel.exponentScale(bandwidth: sigma)
        let d = reference.columnCount
        // Each hᵢ on its own; the sums below run in pair order, so the result is the same on any
        // number of cores.
        let h = reference.values.withUnsafeBufferPointer { x in
            current.values.withUnsafeBufferPointer { y in
                // Both samples are only read.
                let (x, y) = (DisjointAccess(x), DisjointAccess(y))
                return ParallelFor.map(count: pairs, minimumChunk: Swift.max(1, 16_384 / d)) { range in
                    range.map { pair in
                        let first = 2 * pair * d, second = (2 * pair + 1) * d
                        return GaussianKernel.value(x.value, first, x.value, second, dimensions: d, scale: scale)
                            + GaussianKernel.value(y.value, first, y.value, second, dimensions: d, scale: scale)
                            - GaussianKernel.value(x.value, first, y.value, second, dimensions: d, scale: scale)
                            - GaussianKernel.value(x.value, second, y.value, first, dimensions: d, scale: scale)
                    }
                }.flatMap { $0 }
            }
        }
        let mean = h.withUnsafeBufferPointer { Reductions.compensatedSum($0) } / Double(pairs)
        let squaredDeviations = h.map { ($0 - mean) * ($0 - mean) }
        let variance = squaredDeviations.withUnsafeBufferPointer { Reductions.compensatedSum($0) } / Double(pairs - 1)
        let standardError = (variance / Double(pairs)).squareRoot()
        self.statistic = mean
        self.variance = variance
        self.pValue = standardError > 0 ? NormalDistribution.standard.sf(mean / standardError) : (mean > 0 ? 0 : 1)
        self.bandwidth = sigma
        self.pairCount = pairs
    }
}
