import Foundation

/// The normal (Gaussian) distribution with a given mean and standard deviation.
///
/// ```swift
/// let normal = try NormalDistribution(mean: 0, standardDeviation: 1)
/// normal.cdf(1.96)                    // ≈ 0.9750021
/// normal.sf(8)                        // ≈ 6.2209606e-16, computed directly, not as 1 − cdf
/// try normal.quantile(0.975)          // ≈ 1.9599640
/// ```
///
/// The distribution function is ½·erfc(−z/√2) with z = (x − mean)/standardDeviation, as in
/// SciPy; quantiles use Wichura's algorithm AS 241, accurate to about 1 part in 10¹⁶.
public struct NormalDistribution: ContinuousDistribution, Hashable {
    /// The mean μ.
    public let mean: Double
    /// The standard deviation σ.
    public let standardDeviation: Double

    /// Creates a normal distribution.
    ///
    /// - Parameters:
    ///   - mean: The mean; must be finite. Defaults to 0.
    ///   - standardDeviation: The standard deviation; must be positive and finite. Defaults to 1.
    /// - Throws: ``DistributionError`` with code `invalidParameter` if a parameter is outside its domain.
    public init(mean: Double = 0, standardDeviation: Double = 1) throws(DistributionError) {
        try DistributionError.requireFinite(mean, "mean")
        try DistributionError.requirePositiveFinite(standardDeviation, "standardDeviation")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    private init(validatedMean mean: Double, standardDeviation: Double) {
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// The standard normal distribution, mean 0 and standard deviation 1.
    public static var standard: NormalDistribution {
        NormalDistribution(validatedMean: 0, standardDeviation: 1)
    }

    /// The variance σ².
    public var variance: Double { standardDeviation * standardDeviation }

    private func standardized(_ x: Double) -> Double { (x - mean) / standardDeviation }

    /// P(X ≤ x).
    ///
    /// - Complexity: O(1).
    public func cdf(_ x: Double) -> Double {
        SpecialFunctions.standardNormalCDF(standardized(x))
    }

    /// P(X > x), accurate in the upper tail (down to about 10⁻³⁰⁸).
    ///
    /// - Complexity: O(1).
    public func sf(_ x: Double) -> Double {
        SpecialFunctions.standardNormalCDF(-standardized(x))
    }

    /// The density e^(−z²/2) / (σ√(2π)).
    ///
    /// - Complexity: O(1).
    public func pdf(_ x: Double) -> Double {
        let z = standardized(x)
        return exp(-0.5 * z * z) / (standardDeviation * (2 * Double.pi).squareRoot())
    }

    /// The log density −z²/2 − log σ − log √(2π).
    ///
    /// - Complexity: O(1).
    public func logPDF(_ x: Double) -> Double {
        let z = standardized(x)
        return -0.5 * z * z - log(standardDeviation) - SpecialFunctions.logSqrtTwoPi
    }

    /// The x with P(X ≤ x) = p: μ + σ·Φ⁻¹(p); −∞ for p = 0 and +∞ for p = 1.
    ///
    /// - Parameter p: A probability in [0, 1].
    /// - Throws: ``DistributionError`` with code `probabilityOutOfRange` if `p` is outside [0, 1].
    /// - Complexity: O(1).
    public func quantile(_ p: Double) throws(DistributionError) -> Double {
        try DistributionError.requireProbability(p)
        return mean + standardDeviation * SpecialFunctions.standardNormalQuantile(p)
    }

    /// The x with P(X > x) = q, accurate for tiny q.
    ///
    /// - Parameter q: A probability in [0, 1].
    /// - Throws: ``DistributionError`` with code `probabilityOutOfRange` if `q` is outside [0, 1].
    /// - Complexity: O(1).
    public func inverseSurvival(_ q: Double) throws(DistributionError) -> Double {
        try DistributionError.requireProbability(q, "q")
        return mean + standardDeviation * SpecialFunctions.standardNormalUpperQuantile(q)
    }

    /// Draws a value with the Marsaglia polar method (see ``SeededRandomSource/nextNormal()``).
    ///
    /// - Parameter source: The random source to draw from.
    /// - Complexity: O(1) expected.
    public func sample<Source: SeededRandomSource>(using source: inout Source) -> Double {
        mean + standardDeviation * source.nextNormal()
    }
}
