import Foundation

/// The beta distribution on [0, 1] with shape parameters α and β.
///
/// ```swift
/// let beta = try BetaDistribution(alpha: 2, beta: 5)
/// beta.cdf(0.2)                       // ≈ 0.34464
/// try beta.quantile(0.5)              // the median
/// ```
///
/// Probabilities are regularized incomplete beta functions I_x(α, β), with each tail computed
/// directly; the density's factor x^α(1−x)^β/B(α, β) uses Loader's saddle-point form, so large
/// shape parameters keep full relative accuracy.
public struct BetaDistribution: ContinuousDistribution, Hashable {
    /// The first shape parameter α.
    public let alpha: Double
    /// The second shape parameter β.
    public let beta: Double

    /// Creates a beta distribution.
    ///
    /// - Parameters:
    ///   - alpha: α; must be positive and finite.
    ///   - beta: β; must be positive and finite.
    /// - Throws: ``DistributionError`` with code `invalidParameter` if a parameter is not a
    ///   positive finite number.
    public init(alpha: Double, beta: Double) throws(DistributionError) {
        try DistributionError.requirePositiveFinite(alpha, "alpha")
        try DistributionError.requirePositiveFinite(beta, "beta")
        self.alpha = alpha
        self.beta = beta
    }

    /// The mean α/(α + β).
    public var mean: Double { alpha / (alpha + beta) }

    /// The variance αβ / ((α + β)²(α + β + 1)).
    public var variance: Double {
        let sum = alpha + beta
        return alpha / sum * (beta / sum) / (sum + 1)
    }

    /// P(X ≤ x); 0 below 0 and 1 above 1.
    ///
    /// - Complexity: O(1) in the tails; O(√max(α, β)) iterations in the worst case.
    public func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        return SpecialFunctions.regularizedBeta(alpha, beta, x: x, y: 1 - x).p
    }

    /// P(X > x), computed directly in the upper tail.
    ///
    /// - Complexity: O(1) in the tails; O(√max(α, β)) iterations in the worst case.
    public func sf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 1 }
        if x >= 1 { return 0 }
        return SpecialFunctions.regularizedBeta(alpha, beta, x: x, y: 1 - x).q
    }

    /// The density x^(α−1)(1−x)^(β−1)/B(α, β); 0 outside [0, 1], +∞ at an end where it is unbounded.
    ///
    /// - Complexity: O(1).
    public func pdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x < 0 || x > 1 { return 0 }
        return SpecialFunctions.betaDensity(alpha, beta, x: x, y: 1 - x)
    }

    /// The log density; −∞ outside [0, 1].
    ///
    /// - Complexity: O(1).
    public func logPDF(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x < 0 || x > 1 { return -.infinity }
        return SpecialFunctions.logBetaDensity(alpha, beta, x: x, y: 1 - x)
    }

    /// The x with P(X ≤ x) = p.
    ///
    /// - Parameter p: A probability in [0, 1].
    /// - Throws: ``DistributionError`` with code `probabilityOutOfRange` if `p` is outside [0, 1].
    /// - Complexity: a few incomplete-beta evaluations (bracketed Halley iteration).
    public func quantile(_ p: Double) throws(DistributionError) -> Double {
        try DistributionError.requireProbability(p)
        return SpecialFunctions.inverseRegularizedBeta(alpha, beta, p: p, q: 1 - p).x
    }

    /// The x with P(X > x) = q, accurate for tiny q.
    ///
    /// - Parameter q: A probability in [0, 1].
    /// - Throws: ``DistributionError`` with code `probabilityOutOfRange` if `q` is outside [0, 1].
    /// - Complexity: a few incomplete-beta evaluations.
    public func inverseSurvival(_ q: Double) throws(DistributionError) -> Double {
        try DistributionError.requireProbability(q, "q")
        return SpecialFunctions.inverseRegularizedBeta(alpha, beta, p: 1 - q, q: q).x
    }

    /// Draws a value from two gamma variates (see ``SeededRandomSource/nextBeta(alpha:beta:)``).
    ///
    /// - Parameter source: The random source to draw from.
    /// - Complexity: O(1) expected.
    public func sample<Source: SeededRandomSource>(using source: inout Source) -> Double {
        source.standardBeta(alpha: alpha, beta: beta)
    }
}
