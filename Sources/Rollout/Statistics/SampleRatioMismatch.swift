import TensorCore

/// The sample-ratio-mismatch check: do the variants' observation counts fit the split traffic
/// was meant to follow?
///
/// Pearson's chi-square goodness-of-fit test of the observed counts against the expected
/// shares (`scipy.stats.chisquare(observed, expected)`): a p-value below the policy's threshold
/// (0.001 by default, strict because it is checked at every look) says assignment or logging is
/// broken (a variant crashes before it logs, a bot hits one arm), and no comparison of the arms
/// can be trusted. See Fabijan et al., "Diagnosing Sample Ratio Mismatch in Online Controlled
/// Experiments", KDD 2019.
public struct SampleRatioMismatch: Sendable, Hashable, Codable {
    /// The observed counts, one per variant.
    public let observed: [Int]
    /// The expected shares, one per variant, summing to 1.
    public let expectedShares: [Double]
    /// Pearson's chi-square statistic.
    public let statistic: Double
    /// The p-value (1 when there are no observations).
    public let pValue: Double

    /// The check of `observed` against `expectedShares` (any positive scale; normalised here).
    ///
    /// A variant expected to get no traffic that got some gives a p-value of 0.
    ///
    /// - Throws: ``RolloutError/Code/invalidPolicy`` when the counts and shares differ in length,
    ///   a share is negative, or no share is positive.
    public init(observed: [Int], expectedShares: [Double]) throws(RolloutError) {
        guard observed.count == expectedShares.count, observed.count >= 2 else {
            throw RolloutError(.invalidPolicy, "The expected split has \(expectedShares.count) shares for \(observed.count) variants", fix: "give one share per variant, such as 50/50.")
        }
        guard expectedShares.allSatisfy({ $0 >= 0 && $0.isFinite }), expectedShares.contains(where: { $0 > 0 }) else {
            throw RolloutError(.invalidPolicy, "The expected split \(expectedShares) has a negative share or no positive one", fix: "give shares such as 50/50 or 95/5.")
        }
        self.observed = observed
        // Shares whose sum overflows (1e308 and 1e308) are scaled by the largest first: the same
        // proportions. Other splits are normalised as they are.
        var shares = expectedShares
        if !shares.reduce(0, +).isFinite, let largest = shares.max() { shares = shares.map { $0 / largest } }
        let total = shares.reduce(0, +)
        self.expectedShares = shares.map { $0 / total }
        let n = Double(observed.reduce(0, +))
        guard n > 0 else {
            statistic = 0
            pValue = 1
            return
        }
        var chi2 = 0.0
        var cells = 0
        var impossible = false
        for (count, share) in zip(observed, self.expectedShares) {
            if share == 0 {
                if count > 0 { impossible = true }
                continue
            }
            let expected = n * share
            chi2 += (Double(count) - expected) * (Double(count) - expected) / expected
            cells += 1
        }
        if impossible {
            statistic = .infinity
            pValue = 0
        } else if cells < 2 {
            statistic = 0
            pValue = 1
        } else {
            statistic = chi2
            // degreesOfFreedom ≥ 1 here, which the distribution accepts.
            pValue = (try? ChiSquaredDistribution(degreesOfFreedom: Double(cells - 1)).sf(chi2)) ?? 0
        }
    }

    /// Whether the p-value is below `threshold`.
    public func mismatch(at threshold: Double) -> Bool { pValue < threshold }
}
