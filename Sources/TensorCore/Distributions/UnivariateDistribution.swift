import Foundation

/// A probability distribution of a real-valued random variable, described by its distribution
/// function, survival function and quantiles.
///
/// Conforming types validate their parameters when they are created, so these members never
/// fail for a distribution that exists; only ``quantile(_:)`` and ``inverseSurvival(_:)`` throw,
/// for probabilities outside `0...1`. A NaN argument to ``cdf(_:)`` or ``sf(_:)`` gives NaN.
public protocol UnivariateDistribution: Sendable {
    /// The distribution function P(X ≤ x).
    ///
    /// - Parameter x: The point; ±∞ are allowed.
    /// - Returns: A probability in [0, 1].
    func cdf(_ x: Double) -> Double

    /// The survival function P(X > x), computed directly in the upper tail rather than as
    /// `1 − cdf(x)`, so that small upper-tail probabilities keep their relative accuracy.
    ///
    /// - Parameter x: The point; ±∞ are allowed.
    /// - Returns: A probability in [0, 1].
    func sf(_ x: Double) -> Double

    /// The quantile function (inverse of ``cdf(_:)``): the smallest x with P(X ≤ x) ≥ p.
    ///
    /// - Parameter p: A probability in [0, 1]; 0 and 1 give the ends of the support.
    /// - Returns: The quantile.
    /// - Throws: ``DistributionError`` with code `probabilityOutOfRange` if `p` is outside
    ///   [0, 1] or NaN.
    func quantile(_ p: Double) throws(DistributionError) -> Double

    /// The inverse of the survival function: the x with P(X > x) = q.
    ///
    /// Equivalent to `quantile(1 − q)`, but keeps full accuracy for small `q`, where `1 − q`
    /// would round (for example the critical value of a test at level 10⁻²⁰).
    ///
    /// - Parameter q: A probability in [0, 1].
    /// - Returns: The point whose upper-tail probability is `q`.
    /// - Throws: ``DistributionError`` with code `probabilityOutOfRange` if `q` is outside
    ///   [0, 1] or NaN.
    func inverseSurvival(_ q: Double) throws(DistributionError) -> Double
}
