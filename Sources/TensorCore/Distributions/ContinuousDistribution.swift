import Foundation

/// A univariate distribution with a probability density.
public protocol ContinuousDistribution: UnivariateDistribution {
    /// The probability density at `x`; 0 outside the support, +∞ where the density is unbounded.
    func pdf(_ x: Double) -> Double

    /// The natural logarithm of the density at `x`, accurate also where ``pdf(_:)`` underflows;
    /// −∞ outside the support.
    func logPDF(_ x: Double) -> Double
}
