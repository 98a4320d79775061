import Foundation

extension SpecialFunctions {
    /// One evaluation of an increasing function for ``solveIncreasing(lower:upper:guesses:evaluate:)``.
    struct RootProbe {
        /// f(x).
        var value: Double
        /// f′(x) (positive where f is strictly increasing); 0 or non-finite disables the Newton step.
        var derivative: Double
        /// f″(x)/f′(x), used for Halley's correction; 0 gives plain Newton steps.
        var curvature: Double
    }

    /// Finds the root of an increasing function on (lower, upper) by Halley's method, safeguarded
    /// by a bracket that every evaluation narrows; a step that leaves the bracket is replaced by
    /// a bisection (geometric when the bracket spans more than a factor 4, so that roots near
    /// zero are reached in few steps).
    ///
    /// - Parameters:
    ///   - lower: A point where f ≤ 0 (or the lower end of the domain).
    ///   - upper: A point where f ≥ 0 (may be `.infinity`).
    ///   - guesses: Starting points; each is evaluated and the one with the smallest |f| starts the
    ///     iteration.
    ///   - evaluate: f, f′ and f″/f′ at a point.
    /// - Returns: The root, to about two ulps, or the best point found after 200 steps.
    static func solveIncreasing(
        lower: Double, upper: Double, guesses: [Double], evaluate: (Double) -> RootProbe
    ) -> Double {
        var lo = lower
        var hi = upper
        var best = Double.nan
        var bestProbe = RootProbe(value: .infinity, derivative: 0, curvature: 0)
        for guess in guesses where guess > lo && guess < hi && guess.isFinite {
            let probe = evaluate(guess)
            if probe.value == 0 { return guess }
            if probe.value < 0 { lo = guess } else { hi = guess }
            if abs(probe.value) < abs(bestProbe.value) {
                best = guess
                bestProbe = probe
            }
        }
        var x: Double
        var probe: RootProbe
        if best.isNaN {
            x = bisectionPoint(lo, hi, around: hi.isFinite ? hi : max(1, 2 * lo))
            probe = evaluate(x)
        } else {
            x = best
            probe = bestProbe
        }
        for _ in 0..<200 {
            if probe.value == 0 { return x }
            if probe.value < 0 { lo = max(lo, x) } else { hi = min(hi, x) }
            var next = Double.nan
            if probe.derivative > 0, probe.derivative.isFinite {
                let newton = probe.value / probe.derivative
                let correction = 1 - 0.5 * newton * probe.curvature
                let step = (correction > 0.5 && correction < 2) ? newton / correction : newton
                next = x - step
            }
            if !(next > lo && next < hi) {
                next = bisectionPoint(lo, hi, around: x)
            }
            if abs(next - x) <= 2 * epsilon * abs(next) {
                return next
            }
            if hi.isFinite, hi - lo <= 2 * epsilon * hi {
                return x
            }
            x = next
            probe = evaluate(x)
        }
        return x
    }

    /// A point strictly inside (lo, hi) for a bisection step.
    private static func bisectionPoint(_ lo: Double, _ hi: Double, around x: Double) -> Double {
        if !hi.isFinite { return max(2 * x, 2 * lo, 1) }
        if lo <= 0 { return hi / 16 }
        if hi / lo > 4 { return (lo.squareRoot() * hi.squareRoot()) }
        return lo + (hi - lo) / 2
    }

    /// Brent's root finder, a port of SciPy's `brentq` (Brent 1973, as in SciPy's `brentq.c`).
    ///
    /// - Parameters:
    ///   - f: The function; f(a) and f(b) must have opposite signs.
    ///   - a: One end of the bracket.
    ///   - b: The other end.
    ///   - xTolerance: Absolute tolerance on the root.
    ///   - relativeTolerance: Relative tolerance on the root (SciPy's default is 4ε).
    ///   - maxIterations: The iteration budget.
    /// - Returns: The root, or NaN when f(a) and f(b) have the same sign.
    static func brent(
        _ f: (Double) -> Double, _ a: Double, _ b: Double,
        xTolerance: Double, relativeTolerance: Double = 4 * Double.ulpOfOne, maxIterations: Int = 100
    ) -> Double {
        var xpre = a
        var xcur = b
        var xblk = 0.0
        var fblk = 0.0
        var spre = 0.0
        var scur = 0.0
        var fpre = f(xpre)
        var fcur = f(xcur)
        if fpre == 0 { return xpre }
        if fcur == 0 { return xcur }
        if (fpre < 0) == (fcur < 0) { return .nan }
        for _ in 0..<maxIterations {
            if fpre != 0, fcur != 0, (fpre < 0) != (fcur < 0) {
                xblk = xpre
                fblk = fpre
                spre = xcur - xpre
                scur = spre
            }
            if abs(fblk) < abs(fcur) {
                xpre = xcur
                xcur = xblk
                xblk = xpre
                fpre = fcur
                fcur = fblk
                fblk = fpre
            }
            let delta = (xTolerance + relativeTolerance * abs(xcur)) / 2
            let sbis = (xblk - xcur) / 2
            if fcur == 0 || abs(sbis) < delta { return xcur }
            if abs(spre) > delta, abs(fcur) < abs(fpre) {
                var stry: Double
                if xpre == xblk {
                    stry = -fcur * (xcur - xpre) / (fcur - fpre)
                } else {
                    let dpre = (fpre - fcur) / (xpre - xcur)
                    let dblk = (fblk - fcur) / (xblk - xcur)
                    stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
                }
                if 2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta) {
                    spre = scur
                    scur = stry
                } else {
                    spre = sbis
                    scur = sbis
                }
            } else {
                spre = sbis
                scur = sbis
            }
            xpre = xcur
            fpre = fcur
            if abs(scur) > delta {
                xcur += scur
            } else {
                xcur += sbis > 0 ? delta : -delta
            }
            fcur = f(xcur)
        }
        return xcur
    }
}
