import Foundation
import TensorCore

/// A chi-square or G-test of homogeneity on the category counts of two samples, as
/// `scipy.stats.chi2_contingency` on the 2 × k table of reference and current counts.
///
/// Categories that neither sample has are dropped first (their expected count would be zero).
/// With one degree of freedom (two categories) Yates' continuity correction is applied by
/// default, as scipy does.
public struct ContingencyTest: Sendable, Hashable, Codable {
    /// Which statistic to compute.
    public enum Statistic: String, Sendable, Hashable, Codable, CaseIterable {
        /// Pearson's chi-square, Σ (o − e)² / e.
        case pearson
        /// The G-test (log-likelihood ratio), 2 Σ o · ln(o / e).
        case logLikelihood = "log_likelihood"
    }

    /// The statistic.
    public let statistic: Double
    /// Its p-value on the chi-square distribution with ``degreesOfFreedom``.
    public let pValue: Double
    /// Categories kept minus one.
    public let degreesOfFreedom: Int

    /// Tests whether the two samples' category shares differ.
    ///
    /// - Parameters:
    ///   - reference: counts per category in the reference sample.
    ///   - current: counts per category in the current sample, in the same category order.
    ///   - kind: Pearson's chi-square or the G-test.
    ///   - yatesCorrection: whether to apply Yates' continuity correction at one degree of
    ///     freedom (scipy's default).
    /// - Throws: ``DriftError`` when the count lists differ in length, a count is negative, or a
    ///   sample is empty.
    public init(reference: [Int], current: [Int], statistic kind: Statistic = .pearson, yatesCorrection: Bool = true) throws(DriftError) {
        guard reference.count == current.count else {
            throw DriftError(.invalidArgument, "The reference has \(reference.count) categories and the current sample \(current.count)", fix: "pass counts for the same categories, in the same order, zero where a sample has none.")
        }
        guard reference.allSatisfy({ $0 >= 0 }), current.allSatisfy({ $0 >= 0 }) else {
            throw DriftError(.invalidArgument, "Category counts must not be negative", fix: "pass counts of observations.")
        }
        // Totals in Double: counts near Int.max must not trap.
        let kept = zip(reference, current).filter { $0.0 > 0 || $0.1 > 0 }
        let rowTotals = [kept.reduce(0.0) { $0 + Double($1.0) }, kept.reduce(0.0) { $0 + Double($1.1) }]
        guard rowTotals[0] > 0, rowTotals[1] > 0 else {
            throw DriftError(.emptySample, "A sample has no observations", fix: "check the column for missing data before testing it for drift.")
        }
        let total = rowTotals[0] + rowTotals[1]
        degreesOfFreedom = max(0, kept.count - 1)
        guard degreesOfFreedom > 0 else {
            statistic = 0
            pValue = 1
            return
        }
        var sum = 0.0
        for counts in kept {
            let columnTotal = Double(counts.0) + Double(counts.1)
            for (row, observedCount) in [counts.0, counts.1].enumerated() {
                let expected = rowTotals[row] * columnTotal / total
                var observed = Double(observedCount)
                if degreesOfFreedom == 1 && yatesCorrection {
                    // Yates: move each observation up to 0.5 towards its expectation.
                    let difference = expected - observed
                    observed += Swift.min(0.5, Swift.abs(difference)) * (difference > 0 ? 1 : difference < 0 ? -1 : 0)
                }
                switch kind {
                case .pearson:
                    sum += (observed - expected) * (observed - expected) / expected
                case .logLikelihood:
                    if observed > 0 { sum += 2 * observed * log(observed / expected) }
                }
            }
        }
        statistic = sum
        pValue = (try? ChiSquaredDistribution(degreesOfFreedom: Double(degreesOfFreedom)))?.sf(sum) ?? .nan
    }
}
