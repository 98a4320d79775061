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

    /// Tests two samples (NaNs left out); sorts them first.
    ///
    /// - Throws: ``DriftError`` (``DriftError/Code/emptySample``) when a sample has no value.
    public init(reference: [Double], current: [Double]) throws(DriftError) {
        try self.init(reference: SortedSample(reference), current: SortedSample(current))
    }

    /// Tests two samples already sorted: one merge walk gives the reference's rank sum (tied
    /// values share their mean rank, as `scipy.stats.rankdata`) and the tie sizes, with no
    /// pooled copy and no second sort.
    ///
    /// Every midrank is a multiple of ½, so while the rank sum stays below 2⁵² (pooled samples
    /// up to about 95 million values) it is exact, as numpy's is, and the statistic equals
    /// scipy's bit for bit.
    ///
    /// - Throws: ``DriftError`` (``DriftError/Code/emptySample``) when a sample has no value.
    /// - Complexity: O(n₁ + n₂).
    public init(reference: SortedSample, current: SortedSample) throws(DriftError) {
        guard reference.count > 0, current.count > 0 else {
            throw DriftError(.emptySample, "The Mann–Whitney test needs values in both samples (got \(reference.count) and \(current.count))", fix: "check the columns for missing data.")
        }
        let n1 = Double(reference.count), n2 = Double(current.count)
        let (rankSum, tieTerm, hasTies) = Self.rankSum(reference, current)
        let u1 = rankSum - n1 * (n1 + 1) / 2
        let u2 = n1 * n2 - u1
        statistic = u1
        let u = Swift.max(u1, u2)
        let (small, large) = (Swift.min(reference.count, current.count), Swift.max(reference.count, current.count))
        if small <= 8 && !hasTies,
           let survival = Self.exactSurvival(Int(u.rounded()), small, large) ?? Self.exactSurvivalOfSmallSample(Int(u.rounded()), small, large) {
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

    /// The reference's rank sum in the pooled sample (midranks for ties), Σ (t³ − t) over the
    /// tie sizes t, and whether any value is tied: one walk over the distinct pooled values.
    static func rankSum(_ reference: SortedSample, _ current: SortedSample) -> (sum: Double, tieTerm: Double, hasTies: Bool) {
        var rankSum = 0.0, tieTerm = 0.0, hasTies = false
        var (previousX, previousY) = (0, 0)
        reference.walkSteps(with: current) { _, i, j in
            let tiedX = i - previousX, tied = tiedX + j - previousY
            let midrank = Double(previousX + previousY) + Double(tied + 1) / 2
            rankSum += Double(tiedX) * midrank
            if tied > 1 {
                hasTies = true
                let t = Double(tied)
                tieTerm += t * t * t - t
            }
            (previousX, previousY) = (i, j)
        }
        return (rankSum, tieTerm, hasTies)
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
        let t: Int
        switch tail(k, m, n) {
        case .decided(let survival): return survival
        case .count(let degree): t = degree
        }
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
        return coefficients[m].reduce(0, +) / splits(m, n)
    }

    /// What both counts start from: P(U ≥ k) when k is outside 1…mn, else the degree t = mn − k
    /// to count U up to.
    enum Tail {
        case decided(Double)
        case count(Int)
    }

    static func tail(_ k: Int, _ m: Int, _ n: Int) -> Tail {
        if k <= 0 { return .decided(1) }
        if k > m * n { return .decided(0) }
        return .count(m * n - k)
    }

    /// C(m + n, m), the number of ways to split the ranks, as a double.
    static func splits(_ m: Int, _ n: Int) -> Double {
        var total = 1.0
        for i in 0..<m { total = total * Double(n + i + 1) / Double(i + 1) }
        return total
    }

    /// The largest degree ``exactSurvivalOfSmallSample(_:_:_:)`` takes (its memory is 8 bytes a degree).
    static let smallSampleDegreeLimit = 50_000_000

    /// P(U ≥ k) as ``exactSurvival(_:_:_:)``, for a small sample (m ≤ 8, scipy's exact domain)
    /// against one so large that the addition-only recurrence would cost too much (8 values
    /// against 4,000 is 5·10⁸ updates there; here 10⁵).
    ///
    /// The counts are those of partitions fitting an m × n box, [m+n choose m]_q =
    /// ∏ᵢ (1 − q^(n+i)) / (1 − q^i): partitions into parts of at most m (a coin-change pass per
    /// part size, additions only), cumulated to degree t, then the products' terms by
    /// inclusion–exclusion over the subsets S of 1…m, Σ (−1)^|S| P(t − Σ_S (n + i)). The
    /// subtraction loses a few digits where t passes n (3·10⁻¹² relative at 8 against 4,000,
    /// against exact integers); the tails, where t < n + 1, have no subtraction at all.
    ///
    /// - Returns: nil for m > 8 or a degree beyond ``smallSampleDegreeLimit``.
    static func exactSurvivalOfSmallSample(_ k: Int, _ m: Int, _ n: Int) -> Double? {
        guard m >= 1, m <= 8 else { return nil }
        let t: Int
        switch tail(k, m, n) {
        case .decided(let survival): return survival
        case .count(let degree): t = degree
        }
        guard t <= smallSampleDegreeLimit else { return nil }
        var cumulative = [Double](repeating: 0, count: t + 1)
        cumulative[0] = 1
        cumulative.withUnsafeMutableBufferPointer { p in
            for part in 1...m where part <= t {
                for degree in part...t { p[degree] += p[degree - part] }
            }
            for degree in stride(from: 1, through: t, by: 1) { p[degree] += p[degree - 1] }
        }
        var count = 0.0
        for subset in 0..<(1 << m) {
            var shift = 0, sign = 1.0
            for i in 0..<m where subset & (1 << i) != 0 {
                shift += n + i + 1
                sign = -sign
            }
            if shift <= t { count += sign * cumulative[t - shift] }
        }
        return Swift.min(1, Swift.max(0, count / splits(m, n)))
    }
}
