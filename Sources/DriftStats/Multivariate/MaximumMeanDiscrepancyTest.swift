/// The kernel two-sample test of Gretton et al. (2012): whether two multivariate samples come
/// from one distribution, with a permutation p-value.
///
/// The statistic is the unbiased estimate MMD²ᵤ of the squared maximum mean discrepancy
/// (Gretton et al. 2012, "A Kernel Two-Sample Test", JMLR 13, eq. 3) with the Gaussian kernel
/// k(x, y) = exp(−‖x − y‖² / (2σ²)):
///
///     MMD²ᵤ = Σᵢ≠ⱼ k(xᵢ, xⱼ) / (n(n−1)) + Σᵢ≠ⱼ k(yᵢ, yⱼ) / (m(m−1)) − 2 Σᵢⱼ k(xᵢ, yⱼ) / (nm)
///
/// It is near zero (and can be slightly negative) when the samples agree, and grows with any
/// difference between their distributions: means, spreads or correlations. σ comes from
/// ``KernelBandwidth`` (the median heuristic by default).
///
/// The p-value is that of a permutation test: the pooled rows are split at random into groups
/// of n and m rows B times, and p = (1 + #{permuted MMD²ᵤ ≥ observed}) / (1 + B), so it is never
/// below 1 / (1 + B). The (n+m) × (n+m) kernel matrix is computed once (its distances by one
/// GEMM) and every permutation only relabels its rows. Permutation b uses its own
/// `Xoshiro256StarStar` stream derived from `seed` by jumps, so the p-value depends on the
/// seed alone, not on the number of cores that computed it.
///
/// Memory is (n+m)² · 8 bytes, so pooled samples above ``maximumPooledRows`` rows (about 512 MB)
/// are refused; ``LinearTimeMMDTest`` handles samples of any size in O((n+m)·d).
public struct MaximumMeanDiscrepancyTest: Sendable, Hashable, Codable {
    /// The unbiased MMD²ᵤ.
    public let statistic: Double
    /// The permutation p-value, (1 + #{permuted ≥ observed}) / (1 + ``permutations``).
    public let pValue: Double
    /// The kernel bandwidth σ used.
    public let bandwidth: Double
    /// The number of random permutations B.
    public let permutations: Int

    /// The most pooled rows (n + m) accepted: the kernel matrix then takes 8,000² · 8 bytes ≈ 512 MB.
    public static let maximumPooledRows = 8_000
    /// The number of permutations used by default.
    public static let defaultPermutations = 200

    /// Tests two samples.
    ///
    /// - Parameters:
    ///   - reference: the reference sample (n rows).
    ///   - current: the current sample (m rows), with the reference's columns.
    ///   - bandwidth: how σ is chosen; the median heuristic by default.
    ///   - permutations: the number of random permutations B (at least 1; 200 by default, which
    ///     resolves p-values down to 1/201 ≈ 0.005: use more for smaller significance levels or
    ///     many tests).
    ///   - seed: seeds the permutations and the median heuristic's subsample; the same seed gives
    ///     the same p-value.
    /// - Throws: ``DriftError`` (``DriftError/Code/invalidArgument``) when the column counts
    ///   differ, n + m exceeds ``maximumPooledRows``, `permutations` is below 1 or the bandwidth
    ///   cannot be chosen (see ``KernelBandwidth/value(reference:current:seed:)``).
    /// - Complexity: O((n+m)²·d) for the kernel matrix and O(B·(n+m)²) for the permutations,
    ///   over the cores; (n+m)² · 8 bytes of memory.
    public init(
        reference: MultivariateSample, current: MultivariateSample, bandwidth: KernelBandwidth = .medianHeuristic(),
        permutations: Int = 200, seed: UInt64 = 0
    ) throws(DriftError) {
        try self.init(reference: reference, current: current, bandwidth: bandwidth, permutations: permutations, seed: seed, parallel: true)
    }

    /// The test with the permutations computed in parallel or, for tests, in order on the
    /// calling thread; the results are identical.
    init(
        reference: MultivariateSample, current: MultivariateSample, bandwidth: KernelBandwidth,
        permutations: Int, seed: UInt64, parallel: Bool
    ) throws(DriftError) {
        try reference.requireSameColumns(as: current, "reference", "current")
        let pooled = reference.rowCount + current.rowCount
        guard pooled <= Self.maximumPooledRows else {
            let megabytes = Swift.min(Double(pooled) * Double(pooled) * 8 / 1e6, 1e15)
            throw DriftError(
                .invalidArgument,
                "The pooled sample has \(pooled) rows; its \(pooled) × \(pooled) kernel matrix would need about \(Int(megabytes)) MB, above the limit of \(Self.maximumPooledRows) rows",
                fix: "use LinearTimeMMDTest, which needs O((n+m)·d) memory, or subsample both windows to at most \(Self.maximumPooledRows) rows together.")
        }
        guard permutations >= 1 else {
            throw DriftError(.invalidArgument, "A permutation test needs at least 1 permutation; \(permutations) given", fix: "use \(Self.defaultPermutations), the default.")
        }
        let sigma = try bandwidth.value(reference: reference, current: current, seed: seed)
        let kernel = try PooledKernelMatrix(reference: reference, current: current, bandwidth: sigma)
        let statistics = kernel.permutationStatistics(first: reference.rowCount, permutations: permutations, seed: seed, parallel: parallel)
        let observed = statistics[0]
        let asExtreme = statistics.dropFirst().reduce(0) { $0 + ($1 >= observed ? 1 : 0) }
        self.statistic = observed
        self.pValue = Double(1 + asExtreme) / Double(1 + permutations)
        self.bandwidth = sigma
        self.permutations = permutations
    }
}
