import Foundation

extension SpecialFunctions {
    /// ζ(k) for k = 2...42, the coefficients of the Taylor series of log Γ(1+x).
    /// Values computed with mpmath at 40 digits and rounded to double.
    private static let zetaValues: [Double] = [
        1.6449340668482264, 1.2020569031595942, 1.0823232337111381, 1.03692775514337,
        1.0173430619844492, 1.008349277381923, 1.0040773561979444, 1.0020083928260821,
        1.000994575127818, 1.0004941886041194, 1.000246086553308, 1.0001227133475785,
        1.0000612481350588, 1.000030588236307, 1.0000152822594086, 1.0000076371976379,
        1.000003817293265, 1.0000019082127165, 1.0000009539620338, 1.0000004769329869,
        1.0000002384505027, 1.000000119219926, 1.000000059608189, 1.0000000298035034,
        1.0000000149015549, 1.0000000074507118, 1.000000003725334, 1.0000000018626598,
        1.0000000009313275, 1.0000000004656628, 1.000000000232831, 1.0000000001164155,
        1.0000000000582077, 1.0000000000291038, 1.000000000014552, 1.000000000007276,
        1.000000000003638, 1.000000000001819, 1.0000000000009095, 1.0000000000004547,
        1.0000000000002274,
    ]

    /// log Γ(1 + x) for |x| ≤ ½ by its Taylor series −γx + Σ (−1)^k ζ(k) x^k / k.
    private static func logGamma1pTaylor(_ x: Double) -> Double {
        if x == 0 { return 0 }
        var result = -eulerGamma * x
        var power = -x
        for (offset, zeta) in zetaValues.enumerated() {
            let k = Double(offset + 2)
            power *= -x
            let term = zeta * power / k
            result += term
            if abs(term) < epsilon * abs(result) { break }
        }
        return result
    }

    /// log Γ(1 + x), accurate to a few ulp also for |x| ≪ 1 (where `lgamma(1 + x)` loses the
    /// low digits of x).
    static func logGamma1p(_ x: Double) -> Double {
        if abs(x) <= 0.5 { return logGamma1pTaylor(x) }
        if abs(x - 1) < 0.5 { return log(x) + logGamma1pTaylor(x - 1) }
        return logGamma(x + 1)
    }

    /// log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a+b) for a, b > 0, without the cancellation of
    /// the three large logarithms when a or b is large (R's `lbeta`, with ``stirlingError(_:)``
    /// as the Stirling correction).
    static func logBeta(_ a: Double, _ b: Double) -> Double {
        let p = min(a, b)
        let q = max(a, b)
        if p >= 10 {
            let correction = stirlingError(p) + stirlingError(q) - stirlingError(p + q)
            return -0.5 * log(q) + logSqrtTwoPi + correction
                + (p - 0.5) * log(p / (p + q)) + q * log1p(-p / (p + q))
        }
        if q >= 10 {
            let correction = stirlingError(q) - stirlingError(p + q)
            return logGamma(p) + correction + p - p * log(p + q) + (q - 0.5) * log1p(-p / (p + q))
        }
        if p + q < 171.61447887182298 {
            return log(tgamma(p) * (tgamma(q) / tgamma(p + q)))
        }
        return logGamma(p) + logGamma(q) - logGamma(p + q)
    }
}
