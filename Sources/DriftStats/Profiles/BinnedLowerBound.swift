import Foundation

/// The smallest value a binned distance can take when both sides' shares come from quantile
/// sketches whose CDFs are each known within a band.
///
/// With the reference CDF within ±ε_r and the current within ±ε_c of the sketches' at every
/// bin edge, the cumulative share differences `Dⱼ = F_c(edgeⱼ) − F_r(edgeⱼ)` lie within
/// ±(ε_r + ε_c) of the sketches' (and are 0 below the first and above the last edge), and each
/// reference share is at most its sketch value plus 2ε_r. PSI, Kullback–Leibler,
/// Jensen–Shannon and Hellinger are sums of `rᵢ·h(dᵢ / rᵢ)` with `h` convex and `h(0) = 0`
/// (dᵢ = cᵢ − rᵢ), and such a term only shrinks as `rᵢ` grows with `dᵢ` held; so replacing each
/// `rᵢ` by its largest value `wᵢ` and taking the taut string through the tube (drawn against
/// the cumulative `wᵢ`, ``TautString``) gives a true lower bound. Total variation is the same
/// with `h = |·|`; L∞, the largest `|dᵢ|`, is found by bisection on the steepest step a path
/// through the tube must take.
///
/// Shares under PSI's floor (10⁻⁴) are raised to it, as the distances themselves do.
enum BinnedLowerBound {
    static func distance(
        _ method: DriftMethod, referenceShares r: [Double], currentShares c: [Double], referenceError: Double, currentError: Double
    ) -> Double {
        let count = Swift.min(r.count, c.count)
        guard count > 1 else { return 0 }
        let tube = referenceError + currentError
        var lower = [0.0], upper = [0.0]
        var cumulative = 0.0
        for index in 0..<(count - 1) {
            cumulative += c[index] - r[index]
            lower.append(cumulative - tube)
            upper.append(cumulative + tube)
        }
        lower.append(0)
        upper.append(0)
        if method == .lInfinity { return smallestSteepestStep(lower: lower, upper: upper) }

        let weights = r.prefix(count).map { Swift.max($0 + 2 * referenceError, 1e-12) }
        var positions = [0.0]
        var position = 0.0
        for weight in weights {
            position += weight
            positions.append(position)
        }
        let heights = TautString.heights(x: positions, lower: lower, upper: upper)
        let floor = PopulationStabilityIndex.floor
        var total = 0.0
        for index in 0..<count {
            let step = heights[index + 1] - heights[index]
            let w = Swift.max(weights[index], floor)
            let shifted = Swift.max(weights[index] + step, floor)
            switch method {
            case .totalVariation: total += Swift.abs(step)
            case .psi: total += (shifted - w) * log(shifted / w)
            case .kullbackLeibler: total += shifted * log(shifted / w) - shifted + w
            case .jensenShannon:
                let middle = (shifted + w) / 2
                total += (shifted * log(shifted / middle) + w * log(w / middle)) / 2
            case .hellinger:
                let root = shifted.squareRoot() - w.squareRoot()
                total += root * root
            default: break
            }
        }
        switch method {
        case .totalVariation: return total / 2
        case .jensenShannon: return Swift.max(total, 0).squareRoot()
        case .hellinger: return (total / 2).squareRoot()
        default: return Swift.max(total, 0)
        }
    }

    /// The smallest `m` such that some path from 0 to 0 through `[lowerⱼ, upperⱼ]` moves at most
    /// `m` a step: bisection on `m`, each try propagating the reachable interval forward.
    static func smallestSteepestStep(lower: [Double], upper: [Double]) -> Double {
        func feasible(_ m: Double) -> Bool {
            var low = 0.0, high = 0.0
            for index in 1..<lower.count {
                low = Swift.max(low - m, lower[index])
                high = Swift.min(high + m, upper[index])
                if low > high { return false }
            }
            return true
        }
        var (a, b) = (0.0, 0.0)
        for index in 1..<lower.count { b = Swift.max(b, Swift.abs(lower[index]), Swift.abs(upper[index])) }
        b = 2 * b + 1e-12
        if feasible(0) { return 0 }
        for _ in 0..<60 {
            let middle = (a + b) / 2
            if feasible(middle) { b = middle } else { a = middle }
        }
        return b
    }
}
