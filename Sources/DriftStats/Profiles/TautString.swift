/// The taut string: the shortest path from `(x₀, 0)` to `(x_B, 0)` that passes every `xⱼ`
/// inside `[lowerⱼ, upperⱼ]`.
///
/// Why a binned distance needs it: two sketches' CDFs are each known within a band, so the
/// true difference of the two CDFs at the bin edges, `Gⱼ`, lies within `±E` of the one read
/// from the sketches, and the share differences are its increments `Gⱼ − Gⱼ₋₁`. Among all such
/// paths, the taut string (drawn against the reference's cumulative shares `xⱼ`) minimizes
/// `Σ rᵢ·h((Gᵢ − Gᵢ₋₁) / rᵢ)` for every convex `h` at once (the taut-string lemma; Grasmair,
/// "The equivalence of the taut string algorithm and BV-regularization", 2007; Davies & Kovac,
/// "Local extremes, runs, strings and multiresolution", 2001), which is the form of PSI, Kullback–Leibler, Jensen–Shannon,
/// Hellinger and total variation as functions of the current shares with the reference's held.
/// So one path gives the smallest value each distance can take inside the bands.
///
/// Hand-written: a funnel walk over at most a few hundred bins; no package offers it.
enum TautString {
    /// The path's height at every `xⱼ`.
    ///
    /// - Parameters:
    ///   - x: Strictly increasing positions, `x.count == lower.count == upper.count`.
    ///   - lower: Lower bounds, with `lower[0] ≤ 0 ≤ upper[0]` and the same at the end.
    ///   - upper: Upper bounds, `upper[j] ≥ lower[j]`.
    /// - Returns: Heights, one per position (the start and end at 0).
    static func heights(x: [Double], lower: [Double], upper: [Double]) -> [Double] {
        let count = x.count
        guard count > 1 else { return [Double](repeating: 0, count: count) }
        // Corners of the path: (index, height).
        var corners: [(index: Int, height: Double)] = [(0, 0)]
        var start = (index: 0, height: 0.0)
        while start.index < count - 1 {
            var lowSlope = -Double.infinity, highSlope = Double.infinity
            var lowIndex = start.index, highIndex = start.index
            var bent = false
            var j = start.index + 1
            while j < count {
                let isLast = j == count - 1
                let (bottom, top) = isLast ? (0.0, 0.0) : (lower[j], upper[j])
                let width = x[j] - x[start.index]
                guard width > 0 else {
                    // Callers keep positions strictly increasing; a repeated position adds no
                    // length and its bounds are left to its neighbours.
                    j += 1
                    continue
                }
                let slopeToBottom = (bottom - start.height) / width
                let slopeToTop = (top - start.height) / width
                if slopeToBottom > highSlope {
                    // The tube rises above the steepest straight line allowed so far: the path
                    // turns at the upper bound that limited it (a corner against the upper edge).
                    start = (highIndex, upper[highIndex])
                    bent = true
                    break
                }
                if slopeToTop < lowSlope {
                    start = (lowIndex, lower[lowIndex])
                    bent = true
                    break
                }
                if slopeToBottom > lowSlope {
                    lowSlope = slopeToBottom
                    lowIndex = j
                }
                if slopeToTop < highSlope {
                    highSlope = slopeToTop
                    highIndex = j
                }
                j += 1
            }
            if bent {
                corners.append(start)
            } else {
                corners.append((count - 1, 0))
                break
            }
        }
        // Heights by linear interpolation between corners.
        var heights = [Double](repeating: 0, count: count)
        for (from, to) in zip(corners, corners.dropFirst()) {
            heights[from.index] = from.height
            let span = x[to.index] - x[from.index]
            guard to.index > from.index + 1 else { continue }
            for j in (from.index + 1)..<to.index {
                let t = span > 0 ? (x[j] - x[from.index]) / span : 0
                heights[j] = from.height + t * (to.height - from.height)
            }
        }
        if let last = corners.last { heights[last.index] = last.height }
        return heights
    }
}
