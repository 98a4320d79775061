import Foundation

/// A univariate distribution on the integers, with a probability mass function.
///
/// ``UnivariateDistribution/cdf(_:)`` and ``UnivariateDistribution/sf(_:)`` accept any real x
/// and use ⌊x⌋; quantiles are integers returned as `Double`.
public protocol DiscreteDistribution: UnivariateDistribution {
    /// The probability P(X = k).
    func pmf(_ k: Int) -> Double

    /// The natural logarithm of P(X = k), accurate also where ``pmf(_:)`` underflows;
    /// −∞ outside the support.
    func logPMF(_ k: Int) -> Double
}
