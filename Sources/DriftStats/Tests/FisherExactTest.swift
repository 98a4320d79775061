import Foundation

/// Fisher's exact test on a 2 × 2 table, two-sided, as `scipy.stats.fisher_exact`: for a binary
/// feature (or a binary prediction) when counts are too small for a chi-square test.
///
/// The table is `[[a, b], [c, d]]`: the reference's counts of the two outcomes in the first row,
/// the current sample's in the second. The p-value sums the probabilities of every table with the
/// same margins that is at most as likely as the observed one (within a relative 10⁻¹⁴, as scipy).
public struct FisherExactTest: Sendable, Hashable, Codable {
    /// The sample odds ratio a·d / (b·c) (infinity when b·c = 0, NaN for an empty row or column).
    public let oddsRatio: Double
    /// The two-sided p-value.
    public let pValue: Double

    /// Tests a 2 × 2 table of counts.
    ///
    /// - Throws: ``DriftError`` for a negative count.
    public init(_ a: Int, _ b: Int, _ c: Int, _ d: Int) throws(DriftError) {
        guard a >= 0, b >= 0, c >= 0, d >= 0 else {
            throw DriftError(.invalidArgument, "Counts of a 2 × 2 table must not be negative (got \(a), \(b), \(c), \(d))", fix: "pass counts of observations.")
        }
        if a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0 {
            oddsRatio = .nan
            pValue = 1
            return
        }
        oddsRatio = b > 0 && c > 0 ? Double(a) * Double(d) / (Double(b) * Double(c)) : .infinity
        let n1 = a + b, n2 = c + d, n = a + c
        let total = n1 + n2
        // The hypergeometric pmf of the top-left cell, in logs.
        let logNormaliser = Self.logChoose(total, n)
        func pmf(_ x: Int) -> Double {
            exp(Self.logChoose(n1, x) + Self.logChoose(n2, n - x) - logNormaliser)
        }
        let observed = pmf(a)
        let mode = Int(Double(n + 1) * Double(n1 + 1) / Double(total + 2))
        let modeProbability = pmf(mode)
        if Swift.abs(observed - modeProbability) / Swift.max(observed, modeProbability) <= 1e-14 {
            pValue = 1
            return
        }
        let threshold = observed * (1 + 1e-14)
        var sum = 0.0
        for x in Swift.max(0, n - n2)...Swift.min(n, n1) {
            let probability = pmf(x)
            if probability <= threshold { sum += probability }
        }
        pValue = Swift.min(sum, 1)
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }
}
