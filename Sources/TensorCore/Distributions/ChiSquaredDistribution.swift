import Foundation

/// The chi-squared distribution with k degrees of freedom: the distribution of a sum of k squared
/// standard normals, and the gamma distribution with shape k/2 and scale 2.
///
/// ```swift
/// let chi2 = try ChiSquaredDistribution(degreesOfFreedom: 3)
/// chi2.sf(7.81)                       // ≈ 0.05: the p-value of a statistic of 7.81
/// try chi2.inverseSurvival(0.05)      // ≈ 7.8147279: the 5% critical value
/// ```
///
/// Probabilities are regularized incomplete gamma functions, P(k/2, x/2) and Q(k/2, x/2), each
/// tail computed directly; see the module's accuracy notes for the tested range.
public struct ChiSquaredDistribution: ContinuousDistribution, Hashable {
    /// The degrees of freedom k.
    public let degreesOfFreedom: Double

    /// Creates a chi-squared distribution.
    ///
    /// - Parameter degreesOfFreedom: k; must be positive and finite (need not be an integer).
    /// - Throws: ``DistributionError`` with code `invalidParameter` if `degreesOfFreedom` is not a
    ///   positive finite number.
    public init(degreesOfFreedom: Double) throws(DistributionError) {
        try DistributionError.requirePositiveFinite(degreesOfFreedom, "degreesOfFreedom")
        self.degreesOfFreedom = degreesOfFreedom
    }

    private var shape: Double { degreesOfFreedom / 2 }

    /// The mean, k.
    public var mean: Double { degreesOfFreedom }

    /// The variance, 2k.
    public var variance: Double { 2 * degreesOfFreedom }

    /// P(X ≤ x); 0 for x ≤ 0.
    ///
    /// - Complexity: O(1) away from the mode; O(√k) iterations near it.
    public func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 0 }
        return SpecialFunctions.regularizedGamma(shape, x / 2).p
    }

    /// P(X > x), computed directly in the upper tail; 1 for x ≤ 0.
    ///
    /// - Complexity: O(1) away from the mode; O(√k) iterations near it.
    public func sf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 1 }
        return SpecialFunctions.regularizedGamma(shape, x / 2).q
    }

    /// The density x^(k/2−1) e^(−x/2) / (2^(k/2) Γ(k/2)); 0 for x < 0.
    ///
    /// - Complexity: O(1).
    public func pdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x < 0 { return 0 }
        if x == 0 { return shape < 1 ? .infinity : (shape == 1 ? 0.5 : 0) }
        if shape < 1 {
            return SpecialFunctions.poissonTerm(shape, x / 2) * shape / x
        }
        return SpecialFunctions.poissonTerm(shape - 1, x / 2) / 2
    }

    /// The log density; −∞ for x < 0.
    ///
    /// - Complexity: O(1).
    public func logPDF(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x < 0 { return -.infinity }
        if x == 0 { return log(pdf(0)) }
        if shape < 1 {
            return SpecialFunctions.logPoissonTerm(shape, x / 2) + log(shape / x)
        }
        return SpecialFunctions.logPoissonTerm(shape - 1, x / 2) - M_LN2
    }

    /// The x with P(X ≤ x) = p; 0 for p = 0 and +∞ for p = 1.
    ///
    /// - Parameter p: A probability in [0, 1].
    /// - Throws: ``DistributionError`` with code `probabilityOutOfRange` if `p` is outside [0, 1].
    /// - Complexity: a few incomplete-gamma evaluations (bracketed Halley iteration).
    public func quantile(_ p: Double) throws(DistributionError) -> Double {
        try DistributionError.requireProbability(p)
        return 2 * SpecialFunctions.inverseRegularizedGamma(shape, p: p, q: 1 - p)
    }

    /// The x with P(X > x) = q, accurate for tiny q (critical values of tests).
    ///
    /// - Parameter q: A probability in [0, 1].
    /// - Throws: ``DistributionError`` with code `probabilityOutOfRange` if `q` is outside [0, 1].
    /// - Complexity: a few incomplete-gamma evaluations.
    public func inverseSurvival(_ q: Double) throws(DistributionError) -> Double {
        try DistributionError.requireProbability(q, "q")
        return 2 * SpecialFunctions.inverseRegularizedGamma(shape, p: 1 - q, q: q)
    }

    /// Draws a value as twice a gamma variate of shape k/2 (see
    /// ``SeededRandomSource/nextGamma(shape:scale:)``).
    ///
    /// - Parameter source: The random source to draw from.
    /// - Complexity: O(1) expected.
    public func sample<Source: SeededRandomSource>(using source: inout Source) -> Double {
        2 * source.standardGamma(shape: shape)
    }
}
