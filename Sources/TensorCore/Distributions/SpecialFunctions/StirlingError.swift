import Foundation

extension SpecialFunctions {
    /// The error of Stirling's formula, δ(x) = log Γ(x+1) − (x + ½) log x + x − log √(2π), for x > 0.
    ///
    /// For x > 15 the asymptotic series (terms up to x⁻¹³) is accurate to full precision; below,
    /// it is evaluated directly from `lgamma`, where the terms are small enough that the absolute
    /// error stays within a few units of 10⁻¹⁵. δ(x) equals R's `lgammacor(x)` = log Γ(x) −
    /// ((x − ½) log x − x + log √(2π)).
    ///
    /// Reference: C. Loader, "Fast and Accurate Computation of Binomial Probabilities" (2000).
    static func stirlingError(_ x: Double) -> Double {
        if x > 15 {
            let s0 = 1.0 / 12.0
            let s1 = 1.0 / 360.0
            let s2 = 1.0 / 1260.0
            let s3 = 1.0 / 1680.0
            let s4 = 1.0 / 1188.0
            let s5 = 691.0 / 360_360.0
            let s6 = 1.0 / 156.0
            let x2 = 1 / (x * x)
            return (s0 - x2 * (s1 - x2 * (s2 - x2 * (s3 - x2 * (s4 - x2 * (s5 - x2 * s6)))))) / x
        }
        return logGamma(x + 1) - (x + 0.5) * log(x) + x - logSqrtTwoPi
    }

    /// The deviance term bd0(x, m) = x log(x/m) + m − x, computed without cancellation when x ≈ m.
    ///
    /// Reference: C. Loader (2000); the series branch sums 2x Σ v^(2j+1)/(2j+1) with v = (x−m)/(x+m).
    static func deviance(_ x: Double, _ mean: Double) -> Double {
        if abs(x - mean) < 0.1 * (x + mean) {
            var v = (x - mean) / (x + mean)
            var sum = (x - mean) * v
            if abs(sum) < Double.leastNormalMagnitude { return sum }
            var term = 2 * x * v
            v *= v
            var j = 1
            while j < 1000 {
                term *= v
                let next = sum + term / Double(2 * j + 1)
                if next == sum { return next }
                sum = next
                j += 1
            }
            return sum
        }
        return x * log(x / mean) + mean - x
    }

    /// log(m^x e^(−m) / Γ(x+1)) for real x ≥ 0 and m ≥ 0: the log of the Poisson "density" at a
    /// possibly non-integer x, accurate even when x and m are large (Loader's saddle point form).
    static func logPoissonTerm(_ x: Double, _ mean: Double) -> Double {
        if mean == 0 { return x == 0 ? 0 : -.infinity }
        if !mean.isFinite || x < 0 { return -.infinity }
        if x <= mean * Double.leastNormalMagnitude { return -mean }
        if mean < x * Double.leastNormalMagnitude {
            return -mean + x * log(mean) - logGamma(x + 1)
        }
        return -stirlingError(x) - deviance(x, mean) - 0.5 * log(2 * Double.pi * x)
    }

    /// m^x e^(−m) / Γ(x+1) for real x ≥ 0 and m ≥ 0 (see ``logPoissonTerm(_:_:)``).
    static func poissonTerm(_ x: Double, _ mean: Double) -> Double {
        if mean == 0 { return x == 0 ? 1 : 0 }
        if !mean.isFinite || x < 0 { return 0 }
        if x <= mean * Double.leastNormalMagnitude { return exp(-mean) }
        if mean < x * Double.leastNormalMagnitude {
            return exp(-mean + x * log(mean) - logGamma(x + 1))
        }
        return exp(-stirlingError(x) - deviance(x, mean)) / (2 * Double.pi * x).squareRoot()
    }

    /// log of the binomial term Γ(k+m+1) / (Γ(k+1) Γ(m+1)) · p^k · q^m for real k, m ≥ 0 and
    /// p + q = 1, accurate for large k and m (Loader's algorithm, as R's `dbinom_raw`).
    ///
    /// The two counts are passed separately (rather than n and k) so that no precision is lost
    /// forming n − k when one of them is much smaller than the other.
    static func logBinomialTerm(successes k: Double, failures m: Double, p: Double, q: Double) -> Double {
        let n = k + m
        if p == 0 { return k == 0 ? 0 : -.infinity }
        if q == 0 { return m == 0 ? 0 : -.infinity }
        if k == 0 {
            if m == 0 { return 0 }
            return p < 0.1 ? -deviance(n, n * q) - n * p : n * log(q)
        }
        if m == 0 {
            return q < 0.1 ? -deviance(n, n * p) - n * q : n * log(p)
        }
        let lc = stirlingError(n) - stirlingError(k) - stirlingError(m)
            - deviance(k, n * p) - deviance(m, n * q)
        // log(2π k m / n), written to avoid overflow of k·m.
        let lf = logTwoPi + log(k) + log(m / n)
        return lc - 0.5 * lf
    }

    /// The binomial term of ``logBinomialTerm(successes:failures:p:q:)``, not in logs.
    static func binomialTerm(successes k: Double, failures m: Double, p: Double, q: Double) -> Double {
        let n = k + m
        if p == 0 { return k == 0 ? 1 : 0 }
        if q == 0 { return m == 0 ? 1 : 0 }
        if k == 0 || m == 0 {
            return exp(logBinomialTerm(successes: k, failures: m, p: p, q: q))
        }
        let lc = stirlingError(n) - stirlingError(k) - stirlingError(m)
            - deviance(k, n * p) - deviance(m, n * q)
        return exp(lc) / (2 * Double.pi * k * (m / n)).squareRoot()
    }

    /// log(x^a y^b / B(a, b)) for a, b > 0 and x + y = 1, by Loader's saddle-point form,
    /// accurate for large a and b.
    ///
    /// Uses x^a y^b / B(a,b) = ab/(a+b) · binomialTerm(a, b, x, y).
    static func logSaddlePointBetaPowerTerms(_ a: Double, _ b: Double, x: Double, y: Double) -> Double {
        if x == 0 || y == 0 { return -.infinity }
        let n = a + b
        let lc = stirlingError(n) - stirlingError(a) - stirlingError(b)
            - deviance(a, n * x) - deviance(b, n * y)
        // log(ab/(a+b)) − ½ log(2π ab/(a+b)) = ½ log(ab/(a+b)) − log √(2π)
        return lc + 0.5 * (log(a) + log(b / n)) - logSqrtTwoPi
    }

    /// x^a y^b / B(a, b) for a, b > 0 and x + y = 1 (see ``logSaddlePointBetaPowerTerms(_:_:x:y:)``).
    static func saddlePointBetaPowerTerms(_ a: Double, _ b: Double, x: Double, y: Double) -> Double {
        if x == 0 || y == 0 { return 0 }
        let n = a + b
        let lc = stirlingError(n) - stirlingError(a) - stirlingError(b)
            - deviance(a, n * x) - deviance(b, n * y)
        return exp(lc) * (a * (b / n) / (2 * Double.pi)).squareRoot()
    }
}
