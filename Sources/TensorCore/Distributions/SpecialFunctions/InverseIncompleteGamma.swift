import Foundation

extension SpecialFunctions {
    /// The inverse of the regularized incomplete gamma function: the x ≥ 0 with P(a, x) = p and
    /// Q(a, x) = q, for a > 0 and p + q = 1 (pass both so that either tail keeps its digits).
    ///
    /// Starting points come from the Wilson–Hilferty approximation, the small-x form
    /// P ≈ x^a/Γ(a+1) and, in the upper tail, Q ≈ x^(a−1)e^(−x)/Γ(a); the best one starts a
    /// bracketed Halley iteration on the logarithm of whichever tail is smaller (see
    /// ``solveIncreasing(lower:upper:guesses:evaluate:)``).
    ///
    /// - Returns: x; 0 for p = 0, +∞ for q = 0, NaN for invalid arguments.
    static func inverseRegularizedGamma(_ a: Double, p: Double, q: Double) -> Double {
        guard a > 0, a.isFinite, p >= 0, q >= 0, p <= 1, q <= 1 else { return .nan }
        if p == 0 { return 0 }
        if q == 0 { return .infinity }
        let useLower = p <= q
        var guesses: [Double] = []
        // Wilson–Hilferty: (x/a)^(1/3) is nearly normal with mean 1 − 1/(9a), variance 1/(9a).
        let z = useLower ? standardNormalQuantile(p) : standardNormalUpperQuantile(q)
        let s = 1 / (9 * a)
        let cube = 1 - s + z * s.squareRoot()
        if cube > 0 { guesses.append(a * cube * cube * cube) }
        let logSmall = (log(p) + logGamma1p(a)) / a  // P ≈ x^a / Γ(a+1) for small x
        if logSmall < -745 { return exp(logSmall) }  // below the smallest subnormal
        guesses.append(exp(logSmall))
        if !useLower {
            var x = max(1, -log(q))
            for _ in 0..<6 {
                let next = -log(q) - logGamma(a) + (a - 1) * log(x)
                if !(next > 0) || !next.isFinite { break }
                x = next
            }
            guesses.append(x)
        }
        // Newton–Halley on the logarithm of the smaller tail: in the far tails it is nearly
        // linear in x, where the tail itself changes by orders of magnitude per step.
        let logTarget = useLower ? log(p) : log(q)
        return solveIncreasing(lower: 0, upper: .infinity, guesses: guesses) { x in
            let tails = regularizedGamma(a, x)
            let density = gammaDensity(a, x)
            let shape = (a - 1) / x - 1  // density′ / density
            if useLower {
                let ratio = density / tails.p
                return RootProbe(value: log(tails.p) - logTarget, derivative: ratio, curvature: shape - ratio)
            }
            let ratio = density / tails.q
            return RootProbe(value: logTarget - log(tails.q), derivative: ratio, curvature: shape + ratio)
        }
    }
}
