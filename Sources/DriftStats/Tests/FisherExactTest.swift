import Foundation

/// Fisher's exact test on a 2 × 2 table, two-sided, as `scipy.stats.fisher_exact`: for a binary
/// feature (or a binary prediction) when counts are too small for a chi-square test.
///
/// The table is `[[a, b], [c, d]]`: the reference's counts of the two outcomes in the first row,
/// the current sample's in the second. The p-value sums the probabilities of every table with the
/// same margins that is at most as likely as the observed one.
///
/// The probabilities are taken relative to the most likely table through the ratio
/// p(x + 1) / p(x) = (n₁ − x)(n − x) / ((x + 1)(n₂ − n + x + 1)), walked outward from the mode
/// until terms fall below e⁻⁸⁰⁰ of it, so equally likely tables come out equal to rounding (two
/// log-gamma sums did not, and halved some p-values) and the cost follows the width of the
/// distribution, not the counts. "At most as likely" allows a relative 10⁻⁷, as R's
/// `fisher.test` does.
public struct FisherExactTest: Sendable, Hashable, Codable {
    /// The sample odds ratio a·d / (b·c) (infinity when b·c = 0, NaN for an empty row or column).
    public let oddsRatio: Double
    /// The two-sided p-value.
    public let pValue: Double

    /// Tests a 2 × 2 table of counts.
    ///
    /// - Throws: ``DriftError`` for a negative count or a total beyond 2⁵³ (where counts stop
    ///   being exact as doubles).
    public init(_ a: Int, _ b: Int, _ c: Int, _ d: Int) throws(DriftError) {
        guard a >= 0, b >= 0, c >= 0, d >= 0 else {
            throw DriftError(.invalidArgument, "Counts of a 2 × 2 table must not be negative (got \(a), \(b), \(c), \(d))", fix: "pass counts of observations.")
        }
        let limit = 1 << 53
        guard a <= limit - b, c <= limit - d, a + b <= limit - (c + d) else {
            throw DriftError(.invalidArgument, "The 2 × 2 table's total exceeds 2^53", fix: "use the chi-square or z-test for counts this large.")
        }
        if a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0 {
            oddsRatio = .nan
            pValue = 1
            return
        }
        oddsRatio = b > 0 && c > 0 ? Double(a) * Double(d) / (Double(b) * Double(c)) : .infinity
        let n1 = Double(a + b), n2 = Double(c + d), n = Double(a + c)
        let low = Swift.max(0, a + c - (c + d)), high = Swift.min(a + c, a + b)
        let mode = Swift.min(Swift.max(Int((n + 1) * (n1 + 1) / (n1 + n2 + 2)), low), high)
        // log p(x) − log p(mode), walked outward; each direction goes at least to the observed
        // cell and then until the terms are negligible.
        var logs: [(x: Int, log: Double)] = [(mode, 0)]
        let cutoff = -800.0
        var x = mode, log = 0.0
        while x < high && (x < a || log > cutoff) {
            let xd = Double(x)
            log += Foundation.log((n1 - xd) * (n - xd) / ((xd + 1) * (n2 - n + xd + 1)))
            x += 1
            logs.append((x, log))
        }
        (x, log) = (mode, 0)
        while x > low && (x > a || log > cutoff) {
            let xd = Double(x)
            log += Foundation.log(xd * (n2 - n + xd) / ((n1 - xd + 1) * (n - xd + 1)))
            x -= 1
            logs.append((x, log))
        }
        let observed = logs.first { $0.x == a }?.log ?? cutoff
        let threshold = observed + 1e-7
        var total = 0.0, tail = 0.0
        for term in logs {
            let probability = exp(term.log)
            total += probability
            if term.log <= threshold { tail += probability }
        }
        pValue = Swift.min(tail / total, 1)
    }
}
