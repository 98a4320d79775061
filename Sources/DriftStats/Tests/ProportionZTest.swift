import Foundation
import TensorCore

/// The two-sample z-test for proportions, two-sided, with the pooled standard error, as
/// statsmodels' `proportions_ztest([x₁, x₂], [n₁, n₂])`: whether a rate moved — the share of a
/// binary feature's positives, of missing values, of a model's positive predictions.
///
/// With p₁ = x₁/n₁ (reference), p₂ = x₂/n₂ (current) and the pooled p = (x₁ + x₂)/(n₁ + n₂),
/// z = (p₁ − p₂) / √(p(1 − p)(1/n₁ + 1/n₂)), and the p-value is 2 · P(Z > |z|) on the standard
/// normal. The normal approximation wants roughly five successes and five failures in each
/// sample; below that, ``FisherExactTest`` on the same counts is exact.
///
/// When both samples are all successes or all failures the pooled variance is zero and, as in
/// statsmodels (0/0), ``statistic`` and ``pValue`` are NaN: there is nothing to test, and
/// ``MultipleTesting`` leaves such columns out. ``difference`` and ``cohensH`` are 0 then.
public struct ProportionZTest: Sendable, Hashable, Codable {
    /// The z statistic, positive when the reference rate is the higher.
    public let statistic: Double
    /// The two-sided p-value.
    public let pValue: Double
    /// The reference's share of successes, x₁/n₁.
    public let referenceProportion: Double
    /// The current sample's share of successes, x₂/n₂.
    public let currentProportion: Double

    /// The effect size in the data's own terms: p₁ − p₂ (reference minus current), between −1
    /// and 1.
    public var difference: Double { referenceProportion - currentProportion }

    /// Cohen's h, 2·asin(√p₁) − 2·asin(√p₂), as statsmodels' `proportion_effectsize(p₁, p₂)`: a
    /// difference of proportions on a variance-stabilised scale, so a move from 1% to 3% weighs
    /// more than one from 50% to 52%. Cohen's reading: 0.2 small, 0.5 medium, 0.8 large.
    public var cohensH: Double {
        2 * asin(referenceProportion.squareRoot()) - 2 * asin(currentProportion.squareRoot())
    }

    /// Tests whether the share of successes differs between the two samples.
    ///
    /// - Parameters:
    ///   - referenceSuccesses: successes in the reference sample, from 0 to `referenceCount`.
    ///   - referenceCount: observations in the reference sample.
    ///   - currentSuccesses: successes in the current sample, from 0 to `currentCount`.
    ///   - currentCount: observations in the current sample.
    /// - Throws: ``DriftError``: ``DriftError/Code/emptySample`` when a sample has no
    ///   observations; ``DriftError/Code/invalidArgument`` for a negative count or more successes
    ///   than observations.
    /// - Complexity: O(1).
    public init(referenceSuccesses: Int, referenceCount: Int, currentSuccesses: Int, currentCount: Int) throws(DriftError) {
        for (successes, count, name) in [(referenceSuccesses, referenceCount, "reference"), (currentSuccesses, currentCount, "current")] {
            guard count >= 0 else {
                throw DriftError(.invalidArgument, "The \(name) sample's count of observations is negative (\(count))", fix: "pass the number of observations.")
            }
            guard count > 0 else {
                throw DriftError(.emptySample, "The \(name) sample has no observations", fix: "check the column for missing data before testing it for drift.")
            }
            guard (0...count).contains(successes) else {
                throw DriftError(.invalidArgument, "The \(name) sample has \(successes) successes out of \(count) observations", fix: "pass a number of successes from 0 to the number of observations.")
            }
        }
        let n1 = Double(referenceCount), n2 = Double(currentCount)
        referenceProportion = Double(referenceSuccesses) / n1
        currentProportion = Double(currentSuccesses) / n2
        let pooled = (Double(referenceSuccesses) + Double(currentSuccesses)) / (n1 + n2)
        let standardError = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        let z = (referenceProportion - currentProportion) / standardError
        statistic = z
        pValue = z.isNaN ? .nan : 2 * NormalDistribution.standard.sf(Swift.abs(z))
    }
}
