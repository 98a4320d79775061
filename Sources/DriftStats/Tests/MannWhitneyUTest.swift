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
        if (x.count <= 8 || y.count <= 8) && !hasTies {
            exact = true
            pValue = Swift.min(1, 2 * Self.exactSurvival(Int(u.rounded()), Swift.min(x.count, y.count), Swift.max(x.count, y.count)))
        } else {
            exact = false
            let n = n1 + n2
            let mean = n1 * n2 / 2
            let sigma = (n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
            let z = (u - mean - 0.5) / sigma
            pValue = sigma > 0 ? Swift.min(1, 2 * NormalDistribution.standard.sf(z)) : 1
        }
    }

    /// P(U ≥ k) for samples of sizes m ≤ n without ties: the coefficients of the Gaussian binomial
    /// [m+n choose m]_q, built one factor (1 − q^(n+i)) / (1 − q^i) at a time.
    static func exactSurvival(_ k: Int, _ m: Int, _ n: Int) -> Double {
        let maximum = m * n
        guard k > 0 else { return 1 }
        guard k <= maximum else { return 0 }
        var counts = [Double](repeating: 0, count: maximum + 1)
        counts[0] = 1
        var degree = 0
        for i in 1...Swift.max(m, 1) where m > 0 {
            // Multiply by (1 − q^(n+i)).
            let shift = n + i
            degree += n
            if degree >= shift {
                for power in stride(from: degree, through: shift, by: -1) { counts[power] -= counts[power - shift] }
            }
            // Divide by (1 − q^i): a running sum with stride i.
            for power in i...degree { counts[power] += counts[power - i] }
        }
        let total = counts.reduce(0, +)
        return counts[k...].reduce(0, +) / total
    }
}
