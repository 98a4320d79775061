import Foundation

/// The k-sample Anderson–Darling test, as `scipy.stats.anderson_ksamp(samples, midrank=True)`:
/// whether k samples come from one distribution, weighting gaps between the empirical CDFs by
/// 1 / (F(1 − F)) so differences in the tails count more than under Cramér–von Mises or KS.
///
/// The statistic is Scholz & Stephens' (1987) A²akN (eq. 7, on midrank empirical CDFs, so ties
/// are handled), standardised as (A²akN − (k − 1)) / σ with σ² its variance under the null
/// hypothesis. The p-value is not exact: it is read off the quadratic fitted (least squares, as
/// `numpy.polyfit`) to log(α) against the tabulated critical values at the levels α in
/// ``significanceLevels``, and **capped to [0.001, 0.25]**: a statistic below the 25% critical
/// value reports 0.25 (the true p-value is at least that), one above the 0.1% critical value
/// reports 0.001 (the true p-value is at most that). Compare with `>= 0.25` and `<= 0.001`, not
/// `==`. For small samples or capped values a permutation test is more accurate.
public struct AndersonDarlingTest: Sendable, Hashable, Codable {
    /// The standardised statistic (A²akN − (k − 1)) / σ.
    public let statistic: Double
    /// The critical values of ``statistic`` at the levels in ``significanceLevels``, in that order
    /// (Scholz & Stephens' Table 2 interpolation for k − 1 degrees of freedom).
    public let criticalValues: [Double]
    /// The p-value, interpolated between and capped to the tabulated levels: within [0.001, 0.25].
    public let pValue: Double

    /// The significance levels of ``criticalValues``: 25%, 10%, 5%, 2.5%, 1%, 0.5% and 0.1%.
    public static let significanceLevels: [Double] = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001]

    /// Tests whether k ≥ 2 samples come from one distribution.
    ///
    /// - Throws: ``DriftError``: ``DriftError/Code/invalidArgument`` for fewer than two samples or
    ///   when every value is the same; ``DriftError/Code/emptySample`` when a sample has no
    ///   non-NaN value or the samples have fewer than 4 values in all (σ² divides by
    ///   (N − 1)(N − 2)(N − 3)).
    /// - Complexity: O(k · N) on sorted samples of N values in all.
    public init(samples: [SortedSample]) throws(DriftError) {
        try self.init(samples: samples, names: samples.indices.map { "sample \($0 + 1)" })
    }

    /// Tests two samples.
    ///
    /// - Throws: ``DriftError`` as ``init(samples:)``.
    public init(reference: SortedSample, current: SortedSample) throws(DriftError) {
        try self.init(samples: [reference, current], names: ["reference", "current"])
    }

    /// Convenience: sorts both samples first (NaNs left out).
    public init(reference: [Double], current: [Double]) throws(DriftError) {
        try self.init(reference: SortedSample(reference), current: SortedSample(current))
    }

    /// Tests the samples, naming them in errors by `names` (same order).
    init(samples: [SortedSample], names: [String]) throws(DriftError) {
        guard samples.count >= 2 else {
            throw DriftError(.invalidArgument, "The Anderson–Darling test compares at least two samples; \(samples.count) given", fix: "pass the reference and the current sample.")
        }
        for (sample, name) in zip(samples, names) { try sample.requireValues(name) }
        let k = samples.count
        let sizes = samples.map(\.count)
        let total = sizes.reduce(0, +)
        guard total >= 4 else {
            throw DriftError(.emptySample, "The Anderson–Darling test needs at least 4 values in all; the samples have \(total)", fix: "collect more data before testing the distribution.")
        }
        let statistic = Self.midrankStatistic(samples)
        guard statistic.distinctValues >= 2 else {
            throw DriftError(.invalidArgument, "Every one of the \(total) values is \(samples[0].values[0]); the Anderson–Darling test needs at least two distinct values", fix: "a constant column cannot be tested for a change of distribution: compare its value directly.")
        }
        let standardized = Self.standardize(statistic.value, sizes: sizes)
        let m = Double(k - 1)
        let critical = (0..<Self.significanceLevels.count).map { index in
            Self.b0[index] + Self.b1[index] / m.squareRoot() + Self.b2[index] / m
        }
        self.statistic = standardized
        criticalValues = critical
        pValue = Self.pValue(standardized, critical: critical)
    }

    // MARK: The statistic

    /// A²akN (Scholz & Stephens eq. 7; scipy `_anderson_ksamp_midrank`), with the number of
    /// distinct values seen.
    ///
    /// At each distinct value z_j of the pooled sample, l_j values tie, B_j = (values below z_j) +
    /// l_j / 2 is the pooled midrank count and M_ij the same count in sample i; each sample adds
    /// Σ_j l_j/N · (N M_ij − B_j n_i)² / (B_j (N − B_j) − N l_j / 4), divided by n_i.
    static func midrankStatistic(_ samples: [SortedSample], pairWalk: Bool = true) -> (value: Double, distinctValues: Int) {
        if pairWalk && samples.count == 2 { return pairStatistic(samples[0], samples[1]) }
        let k = samples.count
        let sizes = samples.map { Double($0.count) }
        let total = Double(sizes.reduce(0, +))
        var positions = [Int](repeating: 0, count: k)
        var ties = [Int](repeating: 0, count: k)
        var sums = [Double](repeating: 0, count: k)
        var below = 0
        var distinct = 0
        while true {
            // The next distinct value: the smallest not yet passed in any sample.
            var next: Double?
            for (index, sample) in samples.enumerated() where positions[index] < sample.count {
                let candidate = sample.values[positions[index]]
                if next.map({ candidate < $0 }) ?? true { next = candidate }
            }
            guard let value = next else { break }
            distinct += 1
            var tied = 0
            for (index, sample) in samples.enumerated() {
                var position = positions[index]
                while position < sample.count && sample.values[position] == value { position += 1 }
                ties[index] = position - positions[index]
                positions[index] = position
                tied += ties[index]
            }
            let l = Double(tied)
            let b = Double(below) + l / 2
            for index in 0..<k {
                let m = Double(positions[index]) - Double(ties[index]) / 2
                let gap = total * m - b * sizes[index]
                sums[index] += l / total * (gap * gap) / (b * (total - b) - total * l / 4)
            }
            below += tied
        }
        var statistic = 0.0
        for index in 0..<k { statistic += sums[index] / sizes[index] }
        return (statistic * ((total - 1) / total), distinct)
    }

    /// ``midrankStatistic(_:pairWalk:)`` for two samples, on ``SortedSample/walkSteps(with:_:)``
    /// instead of the k-sample search for the next value: the same terms, computed the same way
    /// and added in the same order, so the two agree bit for bit (tested).
    static func pairStatistic(_ first: SortedSample, _ second: SortedSample) -> (value: Double, distinctValues: Int) {
        let sizes = (Double(first.count), Double(second.count))
        let total = sizes.0 + sizes.1
        var sums = (0.0, 0.0)
        var (previousFirst, previousSecond) = (0, 0)
        var distinct = 0
        first.walkSteps(with: second) { _, i, j in
            let ties = (i - previousFirst, j - previousSecond)
            let l = Double(ties.0 + ties.1)
            let b = Double(previousFirst + previousSecond) + l / 2
            let denominator = b * (total - b) - total * l / 4
            let m0 = Double(i) - Double(ties.0) / 2, m1 = Double(j) - Double(ties.1) / 2
            let gap0 = total * m0 - b * sizes.0, gap1 = total * m1 - b * sizes.1
            sums.0 += l / total * (gap0 * gap0) / denominator
            sums.1 += l / total * (gap1 * gap1) / denominator
            (previousFirst, previousSecond) = (i, j)
            distinct += 1
        }
        var statistic = 0.0
        statistic += sums.0 / sizes.0
        statistic += sums.1 / sizes.1
        return (statistic * ((total - 1) / total), distinct)
    }

    /// (A²akN − (k − 1)) / σ, with σ² the null variance of A²akN from Scholz & Stephens (1987), as scipy computes it.
    static func standardize(_ a2: Double, sizes: [Int]) -> Double {
        let k = Double(sizes.count)
        let n = Double(sizes.reduce(0, +))
        let bigH = sizes.reduce(0.0) { $0 + 1 / Double($1) }
        // h = Σ_{i=1}^{N−1} 1/i; g = Σ_{i=1}^{N−2} Σ_{j=i+1}^{N−1} 1/((N − i) j), accumulated as
        // scipy does: the running tail sums 1/(N−1) + … + 1/(N−1−t), each divided by t + 2.
        var tail = 0.0, g = 0.0
        var index = 0
        for j in stride(from: sizes.reduce(0, +) - 1, to: 1, by: -1) {
            tail += 1 / Double(j)
            g += tail / Double(index + 2)
            index += 1
        }
        let h = tail + 1
        let a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * bigH
        let b = (2 * g - 4) * k * k + 8 * h * k + (2 * g - 14 * h - 4) * bigH - 8 * h + 4 * g - 6
        let c = (6 * h + 2 * g - 2) * k * k + (4 * h - 4 * g + 6) * k + (2 * h - 6) * bigH + 4 * h
        let d = (2 * h + 6) * k * k - 4 * h * k
        let variance = (a * (n * n * n) + b * (n * n) + c * n + d) / ((n - 1) * (n - 2) * (n - 3))
        return (a2 - (k - 1)) / variance.squareRoot()
    }

    // MARK: The p-value

    /// Scholz & Stephens' Table 2 interpolation coefficients: the critical value at level α for
    /// m = k − 1 is b0 + b1 / √m + b2 / m.
    static let b0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085]
    static let b1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615]
    static let b2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154]

    /// scipy's rule: 0.25 below the smallest critical value, 0.001 above the largest, otherwise
    /// exp of the least-squares quadratic through (critical value, log α).
    static func pValue(_ statistic: Double, critical: [Double]) -> Double {
        let smallest = critical.reduce(Double.infinity) { Swift.min($0, $1) }
        let largest = critical.reduce(-Double.infinity) { Swift.max($0, $1) }
        if statistic < smallest { return 0.25 }
        if statistic > largest { return 0.001 }
        let fit = quadraticFit(critical, significanceLevels.map { log($0) })
        return exp((fit[0] * statistic + fit[1]) * statistic + fit[2])
    }

    /// The least-squares coefficients [c₂, c₁, c₀] of c₂x² + c₁x + c₀ through the points, as
    /// `numpy.polyfit(xs, ys, 2)`: the Vandermonde columns scaled to unit length, then a
    /// Householder QR solve (numpy uses an SVD; both agree to rounding on this well-conditioned
    /// 7 × 3 system).
    static func quadraticFit(_ xs: [Double], _ ys: [Double]) -> [Double] {
        let rows = xs.count
        var matrix = xs.map { [$0 * $0, $0, 1.0] }
        var scale = [Double](repeating: 0, count: 3)
        for column in 0..<3 {
            scale[column] = matrix.reduce(0) { $0 + $1[column] * $1[column] }.squareRoot()
            for row in 0..<rows { matrix[row][column] /= scale[column] }
        }
        var rhs = ys
        for column in 0..<3 {
            var norm = 0.0
            for row in column..<rows { norm += matrix[row][column] * matrix[row][column] }
            norm = norm.squareRoot()
            let alpha = matrix[column][column] > 0 ? -norm : norm
            var v = [Double](repeating: 0, count: rows)
            for row in column..<rows { v[row] = matrix[row][column] }
            v[column] -= alpha
            let vv = v[column...].reduce(0) { $0 + $1 * $1 }
            guard vv > 0 else { continue }
            for other in column..<3 {
                var dot = 0.0
                for row in column..<rows { dot += v[row] * matrix[row][other] }
                for row in column..<rows { matrix[row][other] -= 2 * dot / vv * v[row] }
            }
            var dot = 0.0
            for row in column..<rows { dot += v[row] * rhs[row] }
            for row in column..<rows { rhs[row] -= 2 * dot / vv * v[row] }
        }
        var coefficients = [Double](repeating: 0, count: 3)
        for column in stride(from: 2, through: 0, by: -1) {
            var value = rhs[column]
            for other in (column + 1)..<3 { value -= matrix[column][other] * coefficients[other] }
            coefficients[column] = value / matrix[column][column]
        }
        return (0..<3).map { coefficients[$0] / scale[$0] }
    }
}
