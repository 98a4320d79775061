import Foundation

/// Student's t distribution with ν degrees of freedom.
///
/// ```swift
/// let t = try StudentTDistribution(degreesOfFreedom: 10)
/// 2 * t.sf(2.228)                     // ≈ 0.05: a two-sided p-value
/// try t.quantile(0.975)               // ≈ 2.2281389
/// ```
///
/// Tail probabilities are regularized incomplete beta functions: P(T < −|t|) is
/// ½·I_{ν/(ν+t²)}(ν/2, ½), or ½·(1 − I_{t²/(ν+t²)}(½, ν/2)) when t² is small beside ν, so both
/// tails and the centre keep their relative accuracy. The density uses Loader's saddle-point form,
/// accurate for very large ν.
public struct StudentTDistribution: ContinuousDistribution, Hashable {
    /// The degrees of freedom ν.
    public let degreesOfFreedom: Double

    /// Creates a t distribution.
    ///
    /// - Parameter degreesOfFreedom: ν; must be positive and finite (need not be an integer).
    /// - Throws: ``DistributionError`` with code `invalidParameter` if `degreesOfFreedom` is not a
    ///   positive finite number.
    public init(degreesOfFreedom: Double) throws(DistributionError) {
        try DistributionError.requirePositiveFinite(degreesOfFreedom, "degreesOfFreedom")
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// The mean: 0 for ν > 1, undefined (NaN) otherwise.
    public var mean: Double { degreesOfFreedom > 1 ? 0 : .nan }

    /// The variance: ν/(ν − 2) for ν > 2, +∞ for 1 < ν ≤ 2, undefined (NaN) for ν ≤ 1.
    public var variance: Double {
        if degreesOfFreedom > 2 { return degreesOfFreedom / (degreesOfFreedom - 2) }
        return degreesOfFreedom > 1 ? .infinity : .nan
    }

    /// P(T < −|t|), the one-sided tail beyond |t|.
    private func tail(_ t: Double) -> Double {
        if t.isInfinite { return 0 }
        let nu = degreesOfFreedom
        let t2 = t * t
        if t2 == 0 { return 0.5 }
        if nu > 2 * t2 {
            let z = t2 / (nu + t2)
            return SpecialFunctions.regularizedBeta(0.5, nu / 2, x: z, y: nu / (nu + t2)).q / 2
        }
        let w = nu / (nu + t2)
        if !(w >= 0x1p-900) {
            // t² overflows or w is (nearly) subnormal: there I_w(ν/2, ½) = w^(ν/2)/((ν/2)B(ν/2, ½))
            // to within a relative O(w), evaluated in logs with log w = log ν − 2 log|t|.
            let logW = log(nu) - 2 * log(abs(t))
            return exp(nu / 2 * logW - log(nu / 2) - SpecialFunctions.logBeta(nu / 2, 0.5)) / 2
        }
        return SpecialFunctions.regularizedBeta(nu / 2, 0.5, x: w, y: t2 / (nu + t2)).p / 2
    }

    /// P(T ≤ t).
    ///
    /// - Complexity: O(1) in the tails; O(√ν) iterations in the worst case.
    public func cdf(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        return t < 0 ? tail(t) : 1 - tail(t)
    }

    /// P(T > t), computed directly in the upper tail.
    ///
    /// - Complexity: O(1) in the tails; O(√ν) iterations in the worst case.
    public func sf(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        return t > 0 ? tail(t) : 1 - tail(t)
    }

    /// The density Γ((ν+1)/2) / (√(νπ) Γ(ν/2)) · (1 + t²/ν)^(−(ν+1)/2).
    ///
    /// - Complexity: O(1).
    public func pdf(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        if t.isInfinite { return 0 }
        let (exponent, logRoot, largeRatio) = densityParts(t)
        let inverseRoot = largeRatio ? degreesOfFreedom.squareRoot() / abs(t) : exp(-logRoot)
        return exp(exponent) / (2 * Double.pi).squareRoot() * inverseRoot
    }

    /// The log density.
    ///
    /// - Complexity: O(1).
    public func logPDF(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        if t.isInfinite { return -.infinity }
        let (exponent, logRoot, _) = densityParts(t)
        return exponent - (SpecialFunctions.logSqrtTwoPi + logRoot)
    }

    /// R's `dt`: the density is e^(exponent) / √(2π) · (1 + t²/ν)^(−½), with
    /// logRoot = ½ log(1 + t²/ν).
    private func densityParts(_ t: Double) -> (exponent: Double, logRoot: Double, largeRatio: Bool) {
        let n = degreesOfFreedom
        let base = -SpecialFunctions.deviance(n / 2, (n + 1) / 2)
            + SpecialFunctions.stirlingError((n + 1) / 2) - SpecialFunctions.stirlingError(n / 2)
        let ratio = t * t / n
        let large = ratio > 1 / Double.ulpOfOne
        let logRoot: Double
        let u: Double
        if large {
            logRoot = log(abs(t)) - log(n) / 2
            u = n * logRoot
        } else if ratio > 0.2 {
            logRoot = log1p(ratio) / 2
            u = n * logRoot
        } else {
            logRoot = log1p(ratio) / 2
            u = -SpecialFunctions.deviance(n / 2, (n + t * t) / 2) + t * t / 2
        }
        return (base - u, logRoot, large)
    }

    /// The t > 0 with P(T > t) = α, for 0 < α ≤ ½.
    private func upperQuantile(_ alpha: Double) -> Double {
        if alpha == 0 { return .infinity }
        let nu = degreesOfFreedom
        // 2α = I_x(ν/2, ½) with x = ν/(ν + t²), y = t²/(ν + t²).
        let (x, y) = SpecialFunctions.inverseRegularizedBeta(nu / 2, 0.5, p: 2 * alpha, q: 1 - 2 * alpha)
        if x < 0x1p-900 {
            // x = ν/(ν+t²) is (nearly) subnormal, but t may still be finite: there
            // 2α = x^(ν/2) / ((ν/2) B(ν/2, ½)) to within a relative O(x), so solve in logs.
            let logX = (log(2 * alpha) + log(nu / 2) + SpecialFunctions.logBeta(nu / 2, 0.5)) / (nu / 2)
            return exp(0.5 * (log(nu) - logX))
        }
        return nu.squareRoot() * (y / x).squareRoot()
    }

    /// The t with P(T ≤ t) = p; −∞ for p = 0 and +∞ for p = 1.
    ///
    /// - Parameter p: A probability in [0, 1].
    /// - Throws: ``DistributionError`` with code `probabilityOutOfRange` if `p` is outside [0, 1].
    /// - Complexity: a few incomplete-beta evaluations (bracketed Halley iteration).
    public func quantile(_ p: Double) throws(DistributionError) -> Double {
        try DistributionError.requireProbability(p)
        if p == 0.5 { return 0 }
        return p < 0.5 ? -upperQuantile(p) : upperQuantile(1 - p)
    }

    /// The t with P(T > t) = q, accurate for tiny q.
    ///
    /// - Parameter q: A probability in [0, 1].
    /// - Throws: ``DistributionError`` with code `probabilityOutOfRange` if `q` is outside [0, 1].
    /// - Complexity: a few incomplete-beta evaluations.
    public func inverseSurvival(_ q: Double) throws(DistributionError) -> Double {
        try DistributionError.requireProbability(q, "q")
        if q == 0.5 { return 0 }
        return q < 0.5 ? upperQuantile(q) : -upperQuantile(1 - q)
    }

    /// Draws a value as Z / √(V/ν) with Z standard normal and V chi-squared with ν degrees of freedom.
    ///
    /// - Parameter source: The random source to draw from.
    /// - Complexity: O(1) expected.
    public func sample<Source: SeededRandomSource>(using source: inout Source) -> Double {
        let z = source.nextNormal()
        let v = 2 * source.standardGamma(shape: degreesOfFreedom / 2)
        return z / (v / degreesOfFreedom).squareRoot()
    }
}
