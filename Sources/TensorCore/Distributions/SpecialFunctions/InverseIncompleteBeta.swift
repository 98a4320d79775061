import Foundation

extension SpecialFunctions {
    /// The inverse of the regularized incomplete beta function: the (x, y = 1 − x) with
    /// I_x(a, b) = p and 1 − I_x(a, b) = q, for a, b > 0 and p + q = 1.
    ///
    /// Whichever of x and y is below ½ is solved for directly (reflecting the problem to
    /// I_y(b, a) = q when the root lies above ½), so both are returned to full relative accuracy.
    /// Starting points are the small-x form I ≈ x^a/(a B(a,b)) and the normal-based approximation
    /// of Numerical Recipes' `invbetai`; the best starts a bracketed Halley iteration on the
    /// logarithm of the smaller tail.
    ///
    /// - Returns: `(x, y)`; (0, 1) for p = 0, (1, 0) for q = 0, NaN for invalid arguments.
    static func inverseRegularizedBeta(_ a: Double, _ b: Double, p: Double, q: Double) -> (x: Double, y: Double) {
        guard a > 0, b > 0, a.isFinite, b.isFinite, p >= 0, q >= 0, p <= 1, q <= 1 else {
            return (.nan, .nan)
        }
        if p == 0 { return (0, 1) }
        if q == 0 { return (1, 0) }
        // Which side of ½ the root lies on, decided in the smaller tail (where 1 − p would round).
        let atHalf = regularizedBeta(a, b, x: 0.5, y: 0.5)
        let rootBelowHalf = p <= q ? p <= atHalf.p : q >= atHalf.q
        if rootBelowHalf {
            let x = solveBetaBelowHalf(a, b, p: p, q: q)
            return (x, 1 - x)
        }
        let y = solveBetaBelowHalf(b, a, p: q, q: p)
        return (1 - y, y)
    }

    /// The x in (0, ½] with I_x(a, b) = p, knowing I_½(a, b) ≥ p.
    private static func solveBetaBelowHalf(_ a: Double, _ b: Double, p: Double, q: Double) -> Double {
        let useLower = p <= q
        var guesses: [Double] = []
        // Small x: I_x(a,b) ≈ x^a / (a B(a,b)).
        let logSmall = (log(p) + log(a) + logBeta(a, b)) / a
        if logSmall < -745 { return exp(logSmall) }
        guesses.append(exp(logSmall))
        if let guess = betaQuantileGuess(a, b, p: p, q: q) { guesses.append(guess) }
        guesses.append(0.25)
        let logTarget = useLower ? log(p) : log(q)
        return solveIncreasing(lower: 0, upper: 0.5, guesses: guesses) { x in
            let y = 1 - x
            let tails = regularizedBeta(a, b, x: x, y: y)
            let density = betaDensity(a, b, x: x, y: y)
            let shape = (a - 1) / x - (b - 1) / y  // density′ / density
            if useLower {
                let ratio = density / tails.p
                return RootProbe(value: log(tails.p) - logTarget, derivative: ratio, curvature: shape - ratio)
            }
            let ratio = density / tails.q
            return RootProbe(value: logTarget - log(tails.q), derivative: ratio, curvature: shape + ratio)
        }
    }

    /// The starting value of Numerical Recipes' `invbetai` (3rd ed., §6.14).
    private static func betaQuantileGuess(_ a: Double, _ b: Double, p: Double, q: Double) -> Double? {
        if a >= 1, b >= 1 {
            let tail = min(p, q)
            let t = (-2 * log(tail)).squareRoot()
            var z = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t
            if p < 0.5 { z = -z }
            let al = (z * z - 3) / 6
            let h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1))
            let w = z * (al + h).squareRoot() / h
                - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (al + 5.0 / 6.0 - 2 / (3 * h))
            let x = a / (a + b * exp(2 * w))
            return x.isFinite ? x : nil
        }
        let lna = log(a / (a + b))
        let lnb = log(b / (a + b))
        let t = exp(a * lna) / a
        let u = exp(b * lnb) / b
        let w = t + u
        let x = p < t / w ? pow(a * w * p, 1 / a) : 1 - pow(b * w * q, 1 / b)
        return x.isFinite ? x : nil
    }
}
