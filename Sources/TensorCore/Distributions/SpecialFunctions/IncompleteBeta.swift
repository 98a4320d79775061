import Foundation

extension SpecialFunctions {
    /// Both tails of the regularized incomplete beta function: I_x(a, b) and 1 − I_x(a, b) =
    /// I_y(b, a), for a, b > 0 and x + y = 1 (pass both so that neither loses digits).
    ///
    /// The lower tail of either the problem or its reflection I_y(b, a) is computed directly and
    /// the other tail as the complement: by the power series (Cephes `pseries`) when b·x ≤ 1 and
    /// x ≤ 0.95, otherwise by the continued fraction (Numerical Recipes `betacf`, modified Lentz).
    /// The continued fraction converges fast below (a+1)/(a+b+2), so the problem is reflected
    /// above it. When it must be evaluated at x > ½ (a ≫ b and x close to 1), its partial
    /// denominators cancel to about y = 1 − x, so it is then evaluated in double-double
    /// arithmetic from the exact y; in plain doubles that cancellation loses up to 10 digits
    /// (for example a = 10⁷, b = 8, y = 10⁻⁶).
    /// The common factor x^a y^b / B(a,b) comes from ``betaPowerTerms(_:_:x:y:)``.
    ///
    /// - Returns: `(p, q)` = (I_x(a,b), 1 − I_x(a,b)); NaN for invalid arguments.
    /// - Complexity: O(√max(a, b)) iterations in the worst case.
    static func regularizedBeta(_ a: Double, _ b: Double, x: Double, y: Double) -> (p: Double, q: Double) {
        guard a > 0, b > 0, a.isFinite, b.isFinite, x >= 0, y >= 0, x <= 1, y <= 1 else {
            return (.nan, .nan)
        }
        if x == 0 { return (0, 1) }
        if y == 0 { return (1, 0) }
        let reflect = x > (a + 1) / (a + b + 2)
        if let lower = lowerRegularizedBeta(reflect ? b : a, reflect ? a : b,
                                            x: reflect ? y : x, y: reflect ? x : y) {
            let clamped = min(max(lower, 0), 1)
            return reflect ? (1 - clamped, clamped) : (clamped, 1 - clamped)
        }
        // The continued fraction did not converge in this orientation; use the other one.
        let other = lowerRegularizedBeta(reflect ? a : b, reflect ? b : a,
                                         x: reflect ? x : y, y: reflect ? y : x) ?? .nan
        let lower = min(max(other, 0), 1)
        return reflect ? (lower, 1 - lower) : (1 - lower, lower)
    }

    /// Γ(a+b) / (Γ(a) Γ(b)) = 1/B(a, b) when a + b is small enough for `tgamma`, else nil.
    private static func inverseBetaFunction(_ a: Double, _ b: Double) -> Double? {
        guard a + b < 171.6 else { return nil }
        let value = tgamma(a + b) / tgamma(a) / tgamma(b)
        return value.isFinite && value > 0 ? value : nil
    }

    /// x^a y^b / B(a, b) for a, b > 0 and x + y = 1.
    ///
    /// For a + b < 171.6 it is `pow(x, a)·pow(y, b)·Γ(a+b)/(Γ(a)Γ(b))` (a few ulps) unless that
    /// underflows; otherwise Loader's saddle-point form
    /// (``saddlePointBetaPowerTerms(_:_:x:y:)``), accurate for large a and b.
    static func betaPowerTerms(_ a: Double, _ b: Double, x: Double, y: Double) -> Double {
        if x == 0 || y == 0 { return 0 }
        if let inverseBeta = inverseBetaFunction(a, b) {
            let powers = pow(x, a) * pow(y, b)
            if powers >= 0x1p-1000, powers.isFinite {
                return powers * inverseBeta
            }
        }
        return saddlePointBetaPowerTerms(a, b, x: x, y: y)
    }

    /// log(x^a y^b / B(a, b)), finite also where ``betaPowerTerms(_:_:x:y:)`` underflows.
    static func logBetaPowerTerms(_ a: Double, _ b: Double, x: Double, y: Double) -> Double {
        if x == 0 || y == 0 { return -.infinity }
        let terms = betaPowerTerms(a, b, x: x, y: y)
        if terms >= 0x1p-1000, terms.isFinite { return log(terms) }
        if a + b < 171.6 {
            return a * log(x) + b * log(y) - logBeta(a, b)
        }
        return logSaddlePointBetaPowerTerms(a, b, x: x, y: y)
    }

    /// The beta density x^(a−1) y^(b−1) / B(a, b) for 0 ≤ x ≤ 1 with y = 1 − x.
    static func betaDensity(_ a: Double, _ b: Double, x: Double, y: Double) -> Double {
        if x == 0 {
            return a < 1 ? .infinity : (a == 1 ? exp(-logBeta(a, b)) : 0)
        }
        if y == 0 {
            return b < 1 ? .infinity : (b == 1 ? exp(-logBeta(a, b)) : 0)
        }
        let terms = betaPowerTerms(a, b, x: x, y: y)
        if terms >= 0x1p-1000, terms.isFinite {
            return terms / (x * y)
        }
        return exp(logBetaDensity(a, b, x: x, y: y))
    }

    /// The log of the beta density, finite also where ``betaDensity(_:_:x:y:)`` underflows.
    static func logBetaDensity(_ a: Double, _ b: Double, x: Double, y: Double) -> Double {
        if x == 0 || y == 0 { return log(betaDensity(a, b, x: x, y: y)) }
        let terms = betaPowerTerms(a, b, x: x, y: y)
        if terms >= 0x1p-1000, terms.isFinite {
            return log(terms / (x * y))
        }
        if a <= 2 || b <= 2 || a + b < 171.6 {
            return (a - 1) * log(x) + (b - 1) * log(y) - logBeta(a, b)
        }
        return logSaddlePointBetaPowerTerms(a, b, x: x, y: y) - log(x) - log(y)
    }

    /// I_x(a, b) by the power series or the continued fraction; nil if the latter did not converge.
    private static func lowerRegularizedBeta(_ a: Double, _ b: Double, x: Double, y: Double) -> Double? {
        if b * x <= 1, x <= 0.95 {
            return betaPowerSeries(a, b, x: x, y: y)
        }
        let terms = betaPowerTerms(a, b, x: x, y: y)
        if terms == 0 { return 0 }
        let fraction = x > 0.5 ? extendedBetaContinuedFraction(a, b, y: y) : betaContinuedFraction(a, b, x: x)
        guard let fraction else { return nil }
        return terms * fraction / a
    }

    /// Power series I_x(a,b) = x^a/B(a,b) · Σₙ (1−b)ₙ xⁿ / (n! (a+n)) (Cephes `pseries`).
    private static func betaPowerSeries(_ a: Double, _ b: Double, x: Double, y: Double) -> Double {
        let inverseA = 1 / a
        var u = (1 - b) * x
        var v = u / (a + 1)
        let first = v
        var t = u
        var n = 2.0
        var sum = 0.0
        let tolerance = epsilon * inverseA
        var iterations = 0
        while abs(v) > tolerance, iterations < 100_000 {
            u = (n - b) * x / n
            t *= u
            v = t / (a + n)
            sum += v
            n += 1
            iterations += 1
        }
        sum += first
        sum += inverseA
        // x^a / B(a,b), directly when possible, else as (x^a y^b / B(a,b)) · y^(−b), where
        // b·x ≤ 1 keeps y^(−b) moderate; log y is taken from whichever of x, y is small.
        if let inverseBeta = inverseBetaFunction(a, b) {
            let power = pow(x, a)
            if power >= 0x1p-1000, power.isFinite {
                return power * inverseBeta * sum
            }
        }
        let logY = x <= 0.5 ? log1p(-x) : log(y)
        let terms = saddlePointBetaPowerTerms(a, b, x: x, y: y)
        if terms >= 0x1p-1000, terms.isFinite {
            return terms * exp(-b * logY) * sum
        }
        return exp(logSaddlePointBetaPowerTerms(a, b, x: x, y: y) - b * logY + log(sum))
    }

    /// The continued fraction for I_x(a,b) · a · B(a,b) / (x^a y^b), by the modified Lentz method
    /// (Numerical Recipes `betacf`); nil if it has not converged within the iteration budget.
    private static func betaContinuedFraction(_ a: Double, _ b: Double, x: Double) -> Double? {
        let tiny = 1e-300
        let qab = a + b
        let qap = a + 1
        let qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        let limit = Int(min(1e7, 5000 + 50 * max(a, b).squareRoot()))
        var m = 1
        while m <= limit {
            let mm = Double(m)
            let m2 = 2 * mm
            var aa = mm * (b - mm) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + mm) * (qab + mm) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) <= epsilon { return h }
            m += 1
        }
        return nil
    }

    /// ``betaContinuedFraction(_:_:x:)`` in double-double arithmetic with x = 1 − y formed exactly,
    /// for x > ½, where the partial denominators 1 + aₘdₘ₋₁ cancel down to about y.
    private static func extendedBetaContinuedFraction(_ a: Double, _ b: Double, y: Double) -> Double? {
        typealias DD = DoubleDouble
        let tiny = 1e-300
        let x = DD(1) - y
        let aDD = DD(a)
        let qab = DD.twoSum(a, b)
        let qap = DD.twoSum(a, 1)
        let qam = DD.twoSum(a, -1)
        func guarded(_ value: DD) -> DD { abs(value.hi) < tiny ? DD(tiny) : value }
        var c = DD(1)
        var d = guarded(DD(1) - qab * x / qap)
        d = DD(1) / d
        var h = d
        let limit = Int(min(1e7, 5000 + 50 * max(a, b).squareRoot()))
        var m = 1
        while m <= limit {
            let mm = Double(m)
            let m2 = 2 * mm
            var aa = DD(mm) * DD.twoSum(b, -mm) * x / ((qam + m2) * (aDD + m2))
            d = guarded(DD(1) + aa * d)
            c = guarded(DD(1) + aa / c)
            d = DD(1) / d
            h = h * (d * c)
            aa = -((aDD + mm) * (qab + mm) * x) / ((aDD + m2) * (qap + m2))
            d = guarded(DD(1) + aa * d)
            c = guarded(DD(1) + aa / c)
            d = DD(1) / d
            let delta = d * c
            h = h * delta
            if abs((delta - 1).value) <= epsilon { return h.value }
            m += 1
        }
        return nil
    }
}
