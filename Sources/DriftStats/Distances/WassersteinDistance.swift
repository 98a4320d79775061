import TensorCore

/// The first Wasserstein (earth mover's) distance between two samples, as
/// `scipy.stats.wasserstein_distance`: the area between the two empirical CDFs.
public enum WassersteinDistance {
    /// The distance in the data's own units.
    ///
    /// - Throws: ``DriftError`` (``DriftError/Code/emptySample``) when a sample has no non-NaN value.
    /// - Complexity: O(n₁ + n₂) on sorted samples.
    public static func distance(_ reference: SortedSample, _ current: SortedSample) throws(DriftError) -> Double {
        try reference.requireValues("reference")
        try current.requireValues("current")
        return quantileGapIntegral(reference.values, current.values)
    }

    /// ∫₀¹ |Q₁(u) − Q₂(u)| du over the two empirical quantile functions — the same area as
    /// between the CDFs, but walked along u, where the breakpoints i/n₁ and j/n₂ come in a
    /// regular order (compared exactly in integers): the loop has no data-dependent branches
    /// to mispredict, which made it several times faster than merging the values.
    static func quantileGapIntegral(_ first: [Double], _ second: [Double]) -> Double {
        if let mean = meanGap(first, second) { return mean }
        return walkedGapIntegral(first, second)
    }

    /// ``quantileGapIntegral(_:_:)`` by the walk along both quantile functions, whatever the sizes.
    static func walkedGapIntegral(_ first: [Double], _ second: [Double]) -> Double {
        let total = quantileGapIntegral(first, second, scaled: false)
        // Gaps near the top of the double range overflow the unscaled sum (1e308 apart, weighted
        // by n1·n2): each term is then divided first, as scipy's sum of gap × CDF difference does.
        return total.isFinite ? total : quantileGapIntegral(first, second, scaled: true)
    }

    /// For samples of one size n the two quantile functions step together, so the integral is
    /// the mean gap between the i-th smallest values, (1/n) Σ |a₍ᵢ₎ − b₍ᵢ₎|: summed in eight
    /// independent lanes, where the walk above is one chain of dependent additions (the drift
    /// report takes this distance for every numeric column, as its effect size). Nil when the
    /// sizes differ or the sum overflows (gaps near the top of the double range): the walk
    /// handles those.
    static func meanGap(_ first: [Double], _ second: [Double]) -> Double? {
        let n = first.count
        guard n == second.count, n > 0 else { return nil }
        let sum = first.withUnsafeBufferPointer { a in
            second.withUnsafeBufferPointer { b in
                var lanes = SIMD8<Double>(repeating: 0)
                var i = 0
                if let a = a.baseAddress, let b = b.baseAddress {
                    let raw = (UnsafeRawPointer(a), UnsafeRawPointer(b))
                    while i + 8 <= n {
                        let x = raw.0.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self)
                        let y = raw.1.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self)
                        let gap = x - y
                        lanes += gap.replacing(with: -gap, where: gap .< 0)
                        i += 8
                    }
                }
                var total = lanes.sum()
                while i < n {
                    total += Swift.abs(a[i] - b[i])
                    i += 1
                }
                return total
            }
        }
        return sum.isFinite ? sum / Double(n) : nil
    }

    @inline(__always)
    private static func quantileGapIntegral(_ first: [Double], _ second: [Double], scaled: Bool) -> Double {
        let (n1, n2) = (first.count, second.count)
        let unit = scaled ? 1 / (Double(n1) * Double(n2)) : 1
        return first.withUnsafeBufferPointer { a in
            second.withUnsafeBufferPointer { b in
                // Positions in units of 1 / (n1·n2): a[i] covers ((i)·n2, (i+1)·n2], b[j] ((j)·n1, (j+1)·n1].
                var i = 0, j = 0
                var position = 0
                var total = 0.0
                while i < n1 && j < n2 {
                    let endA = (i + 1) * n2, endB = (j + 1) * n1
                    let end = Swift.min(endA, endB)
                    total += Swift.abs(a[i] - b[j]) * (Double(end - position) * unit)
                    position = end
                    if endA == end { i += 1 }
                    if endB == end { j += 1 }
                }
                return scaled ? total : total / (Double(n1) * Double(n2))
            }
        }
    }

    /// The distance divided by the reference's standard deviation, comparable across columns
    /// (NaN for a constant reference).
    public static func normalizedDistance(_ reference: SortedSample, _ current: SortedSample) throws(DriftError) -> Double {
        let raw = try distance(reference, current)
        let summary = reference.values.withUnsafeBufferPointer { Reductions.summary($0) }
        return summary.standardDeviation > 0 ? raw / summary.standardDeviation : .nan
    }

    /// A distance in reference standard deviations; for a constant reference (σ = 0), 0 when
    /// nothing moved and +∞ when anything did (any move is infinitely many zero-σ steps).
    static func inDeviations(_ distance: Double, deviation: Double) -> Double {
        deviation > 0 ? distance / deviation : (distance == 0 ? 0 : .infinity)
    }
}
