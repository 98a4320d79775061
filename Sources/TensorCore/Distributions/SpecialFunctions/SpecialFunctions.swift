import Foundation

/// Namespace for the special functions behind the probability distributions: Stirling-error
/// based densities, log-gamma and log-beta, regularized incomplete gamma and beta functions and
/// their inverses, the normal quantile and the Kolmogorov–Smirnov distributions.
///
/// Everything here is internal. Arguments are assumed valid (the public distribution types
/// validate their parameters); invalid arguments produce NaN rather than a trap.
enum SpecialFunctions {
    /// log(√(2π)).
    static let logSqrtTwoPi = 0.918_938_533_204_672_741_78
    /// log(2π).
    static let logTwoPi = 1.837_877_066_409_345_483_56
    /// Euler–Mascheroni constant γ.
    static let eulerGamma = 0.577_215_664_901_532_860_61
    /// Machine epsilon of `Double`, 2⁻⁵².
    static let epsilon = Double.ulpOfOne

    /// log Γ(x) for x > 0, via the reentrant `lgamma_r` (the plain `lgamma` writes a global).
    static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }
}
