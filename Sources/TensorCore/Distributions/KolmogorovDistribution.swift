import Foundation

/// The Kolmogorov distribution: the limit, as n grows, of √n·Dₙ, where Dₙ is the two-sided
/// one-sample Kolmogorov–Smirnov statistic. SciPy calls it `kstwobign`; its survival function is
/// `scipy.special.kolmogorov` and its inverse `kolmogi`.
///
/// ```swift
/// let k = KolmogorovDistribution()
/// k.sf(1.36)                          // ≈ 0.0494: the asymptotic p-value of √n·Dₙ = 1.36
/// try k.inverseSurvival(0.05)         // ≈ 1.3580986: the asymptotic 5% critical value
/// ```
///
/// Below x = 0.82 the CDF is summed as √(2π)/x·Σ e^(−(2k−1)²π²/(8x²)); above, the survival
/// function as 2Σ(−1)^(k−1)e^(−2k²x²), so each tail keeps its relative accuracy (a port of the
/// algorithm in SciPy's special-function library). The density keeps one more term of its series
/// than SciPy 1.17 does, which makes it accurate to about 10⁻¹⁶ just above x = 0.82, where
/// SciPy's `kstwobign.pdf` is off by up to 2·10⁻⁸.
public struct KolmogorovDistribution: ContinuousDistribution, Hashable {
    /// Creates the Kolmogorov distribution (it has no parameters).
    public init() {}

    /// The mean √(π/2)·log 2 ≈ 0.8687 (the double nearest the exact value, computed with mpmath).
    public var mean: Double { 0.8687311606361592 }

    /// The variance π²/12 − (π/2)·log²2 ≈ 0.06777 (the double nearest the exact value, computed
    /// with mpmath; evaluating the formula in doubles loses a few digits to cancellation).
    public var variance: Double { 0.06777320396386508 }

    /// P(K ≤ x).
    ///
    /// - Complexity: O(1).
    public func cdf(_ x: Double) -> Double {
        SpecialFunctions.kolmogorovProbabilities(x).cdf
    }

    /// P(K > x), computed directly in the upper tail.
    ///
    /// - Complexity: O(1).
    public func sf(_ x: Double) -> Double {
        SpecialFunctions.kolmogorovProbabilities(x).sf
    }

    /// The density.
    ///
    /// - Complexity: O(1).
    public func pdf(_ x: Double) -> Double {
        SpecialFunctions.kolmogorovProbabilities(x).pdf
    }

    /// The log density, computed in logs so that it stays finite where ``pdf(_:)`` underflows.
    ///
    /// - Complexity: O(1).
    public func logPDF(_ x: Double) -> Double {
        SpecialFunctions.logKolmogorovDensity(x)
    }

    /// The x with P(K ≤ x) = p; 0 for p = 0 and +∞ for p = 1.
    ///
    /// - Parameter p: A probability in [0, 1].
    /// - Throws: ``DistributionError`` with code `probabilityOutOfRange` if `p` is outside [0, 1].
    /// - Complexity: a few evaluations (bracketed Newton iteration).
    public func quantile(_ p: Double) throws(DistributionError) -> Double {
        try DistributionError.requireProbability(p)
        return SpecialFunctions.inverseKolmogorov(sf: 1 - p, cdf: p)
    }

    /// The x with P(K > x) = q, accurate for tiny q.
    ///
    /// - Parameter q: A probability in [0, 1].
    /// - Throws: ``DistributionError`` with code `probabilityOutOfRange` if `q` is outside [0, 1].
    /// - Complexity: a few evaluations (bracketed Newton iteration).
    public func inverseSurvival(_ q: Double) throws(DistributionError) -> Double {
        try DistributionError.requireProbability(q, "q")
        return SpecialFunctions.inverseKolmogorov(sf: q, cdf: 1 - q)
    }
}
