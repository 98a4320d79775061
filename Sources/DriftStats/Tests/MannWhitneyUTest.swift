import Foundation
import TensorCore

/// The Mann–Whitney U test, two-sided, as `scipy.stats.mannwhitneyu(reference, current)`:
/// whether one sample tends to have larger values than the other.
///
/// The p-value is exact (from the distribution of U, the Gaussian binomial coefficients) when
/// one sample has at most 8 values and there are no ties, and otherwise asymptotic: normal, with
/// scipy's tie correction and continuity correction.
public struct MannWhitneyUTest: Sendable, Hashable, Codable {
    /// U of the reference sample: its rank sum minus n₁(n₁+1)/2.
    public let statistic: Double
    /// The two-sided p-value.
    public let pValue: Double
    /// Whether the p-value is exact.
    public let exact: Bool

    /// Tests two samples (NaNs left out).
    ///
    /// - Throws: ``DriftError`` (``DriftError/Code/emptySample``) when a sample has no value.
    public init(reference: [Double], current: [Double]) throws(DriftError) {
        let x = reference.filter { !$0.isNaN }, y = current.filter { !$0.isNaN }
        guard !x.isEmpty, !y.isEmpty else {
            throw DriftError(.emptySample, "The Mann–Whitney test needs values in both samples (got \(x.count) and \(y.count))", fix: "check the columns for missing data.")
        }
        let n1 = Double(x.count), n2 = Double(y.count)
        let combined = x + y
        let ranks = combined.withUnsafeBufferPointer { Sorting.averageRanks($0) }
        let rankSum = ranks[0..<x.count].reduce(0, +)
        let u1 = rankSum - n1 * (n1 + 1) / 2
        let u2 = n1 * n2 - u1
        statistic = u1
        // Tie sizes from the sorted combined sample.
        var sorted = combined
        sorted.withUnsafeMutableBufferPointer { Sorting.sort($0) }
        var tieTerm = 0.0, hasTies = false
        var start = 0
        while start < sorted.count {
            var end = start + 1
            while end < sorted.count && sorted[end] == sorted[start] { end += 1 }
            let t = Double(end - start)
            if t > 1 { hasTies = true }
            tieTerm += t * t * t - t
            start = end
        }
        let u = Swift.max(u1, u2)
        if (x.count <= 8 || y.count <= 8) && !hasTies,
           let survival = Self.exactSurvival(Int(u.rounded()), Swift.min(x.count, y.count), Swift.max(x.count, y.count)) {
            exact = true
            pValue = Swift.min(1, Swift.max(0, 2 * survival))
        } else {
            exact = false
            let n = n1 + n2
            let mean = n1 * n2 / 2
            let sigma = (n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
            let z = (u - mean - 0.5) / sigma
            pValue = sigma > 0 ? Swift.min(1, 2 * NormalDistribution.standard.sf(z)) : 1
        }
    }

    /// The most work the exact p-value may take (coefficient updates); beyond it the normal
    /// approximation is used. Small p-values, where the approximation is poorest, stay exact.
    static let exactWorkLimit = 400_000_000

    /// P(U ≥ k) for samples of sizes m ≤ n without ties, or nil when it would cost more than
    /// ``exactWorkLimit``.
    ///
    /// U is symmetric about mn/2, so P(U ≥ k) = P(U ≤ mn − k): the count of U values up to
    /// t = mn − k, over C(m+n, m). The counts are the coefficients of the Gaussian binomial
    /// [m+n choose m]_q up to degree t, from the addition-only recurrence
    /// [i+j choose j]_q = [i+j−1 choose j−1]_q + q^j [i+j−1 choose j]_q — no subtraction, so
    /// no cancellation in the far tail (where a product of (1 − q^(n+i)) / (1 − q^i) factors
    /// went negative), and memory O(m·t).
    static func exactSurvival(_ k: Int, _ m: Int, _ n: Int) -> Double? {
        let maximum = m * n
        guard k > 0 else { return 1 }
        guard k <= maximum else { return 0 }
        let t = maximum - k
        guard m * n <= exactWorkLimit / (t + 1) else { return nil }
        // coefficients[j][d]: coefficient of q^d in [i + j choose j]_q for the current i.
        var coefficients = [[Double]](repeating: [Double](repeating: 0, count: t + 1), count: m + 1)
        for j in 0...m { coefficients[j][0] = 1 }
        if m > 0 && n > 0 {
            for _ in 1...n {
                for j in 1...m {
                    // Descending degrees: coefficients[j][d − j] is still the previous i's.
                    var degree = t
                    while degree >= 0 {
                        let shifted = degree >= j ? coefficients[j][degree - j] : 0
                        coefficients[j][degree] = coefficients[j - 1][degree] + shifted
                        degree -= 1
                    }
                }
            }
        }
        var total = 1.0
        for i in 0..<m { total = total * Double(n + i + 1) / Double(i + 1) }
        return coefficients[m].reduce(0, +) / total
    }
}
