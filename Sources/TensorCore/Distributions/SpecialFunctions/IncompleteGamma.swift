import Foundation

extension SpecialFunctions {
    /// Both tails of the regularized incomplete gamma function: P(a, x) = γ(a, x)/Γ(a) and
    /// Q(a, x) = Γ(a, x)/Γ(a) = 1 − P(a, x), for a > 0 and x ≥ 0.
    ///
    /// The smaller tail is computed directly and the other as its complement, choosing the
    /// method by region as Cephes/SciPy do: the power series for P (DLMF 8.11.4), the continued
    /// fraction for Q (DLMF 8.9.2), or, for small x, a cancellation-free series for Q (DLMF 8.7.3).
    /// The common factor x^a e^(−x)/Γ(a+1) is computed with Loader's saddle-point form (see
    /// ``poissonTerm(_:_:)``), so large a (hundreds of thousands) keeps full relative accuracy.
    ///
    /// - Returns: `(p, q)`; NaN for a ≤ 0, x < 0 or NaN arguments.
    /// - Complexity: O(√a) iterations in the worst case (x close to a), O(1) far from it.
    static func regularizedGamma(_ a: Double, _ x: Double) -> (p: Double, q: Double) {
        guard a > 0, x >= 0, a.isFinite else { return (.nan, .nan) }
        if x == 0 { return (0, 1) }
        if x == .infinity { return (1, 0) }
        let useLowerSeries: Bool
        if x > 1.1 {
            useLowerSeries = x < a
        } else if x <= 0.5 {
            useLowerSeries = -0.4 / log(x) < a
        } else {
            useLowerSeries = x * 1.1 < a
        }
        if useLowerSeries {
            let p = lowerGammaSeries(a, x)
            return (p, 1 - p)
        }
        let q = x > 1.1 ? upperGammaContinuedFraction(a, x) : upperGammaSmallXSeries(a, x)
        return (1 - q, q)
    }

    /// The density of the unit-scale gamma distribution, x^(a−1) e^(−x) / Γ(a), for x > 0.
    static func gammaDensity(_ a: Double, _ x: Double) -> Double {
        if x == 0 { return a < 1 ? .infinity : (a == 1 ? 1 : 0) }
        if a < 1 {
            return poissonTerm(a, x) * a / x
        }
        return poissonTerm(a - 1, x)
    }

    /// Iteration budget for the series and continued fractions: they need O(√a) terms near x ≈ a.
    private static func gammaIterationLimit(_ a: Double) -> Int {
        Int(min(1e7, 2000 + 20 * a.squareRoot()))
    }

    /// P(a, x) = x^a e^(−x)/Γ(a+1) · Σₙ xⁿ / ((a+1)…(a+n)).
    private static func lowerGammaSeries(_ a: Double, _ x: Double) -> Double {
        let factor = poissonTerm(a, x)
        if factor == 0 { return 0 }
        var r = a
        var term = 1.0
        var sum = 1.0
        for _ in 0..<gammaIterationLimit(a) {
            r += 1
            term *= x / r
            sum += term
            if term <= epsilon * sum { break }
        }
        return sum * factor
    }

    /// Q(a, x) by the continued fraction of Legendre (Cephes `igamc` recurrence with rescaling).
    private static func upperGammaContinuedFraction(_ a: Double, _ x: Double) -> Double {
        let factor = poissonTerm(a, x) * a  // x^a e^(−x) / Γ(a)
        if factor == 0 { return 0 }
        let big = 4.503599627370496e15
        let bigInverse = 2.22044604925031308085e-16
        var y = 1 - a
        var z = x + y + 1
        var c = 0.0
        var pkm2 = 1.0
        var qkm2 = x
        var pkm1 = x + 1
        var qkm1 = z * x
        var answer = pkm1 / qkm1
        for _ in 0..<gammaIterationLimit(a) {
            c += 1
            y += 1
            z += 2
            let yc = y * c
            let pk = pkm1 * z - pkm2 * yc
            let qk = qkm1 * z - qkm2 * yc
            var change = 1.0
            if qk != 0 {
                let r = pk / qk
                change = abs((answer - r) / r)
                answer = r
            }
            pkm2 = pkm1
            pkm1 = pk
            qkm2 = qkm1
            qkm1 = qk
            if abs(pk) > big {
                pkm2 *= bigInverse
                pkm1 *= bigInverse
                qkm2 *= bigInverse
                qkm1 *= bigInverse
            }
            if change <= epsilon { break }
        }
        return answer * factor
    }

    /// Q(a, x) for small x by DLMF 8.7.3, free of cancellation when a is small:
    /// Q = −expm1(a log x − log Γ(1+a)) − x^a/Γ(a) · Σₙ (−x)ⁿ / (n! (a+n)).
    private static func upperGammaSmallXSeries(_ a: Double, _ x: Double) -> Double {
        var factorial = 1.0
        var sum = 0.0
        var n = 1.0
        while n < 2000 {
            factorial *= -x / n
            let term = factorial / (a + n)
            sum += term
            if abs(term) <= epsilon * abs(sum) { break }
            n += 1
        }
        let logX = log(x)
        let leading = -expm1(a * logX - logGamma1p(a))
        return leading - exp(a * logX - logGamma(a)) * sum
    }
}
