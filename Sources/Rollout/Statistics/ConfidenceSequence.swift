import Foundation

/// An always-valid confidence interval for the difference between two variants' means: with
/// probability at least 1 − α it covers the true difference at every look at once, so the
/// analysis may look after every batch of events, as often as it likes, and stop the first time
/// the interval excludes zero, without inflating its error rate.
///
/// This is the asymptotic confidence sequence of Waudby-Smith, Arbour, Sinha, Kennedy and
/// Ramdas, "Time-uniform central limit theory and asymptotic confidence sequences" (Annals of
/// Statistics, 2024; arXiv:2103.06476, Theorem 2.2 with the Gaussian mixture boundary of Howard,
/// Ramdas, McAuliffe and Sekhon, "Time-uniform, nonparametric, nonasymptotic confidence
/// sequences", Annals of Statistics, 2021), in the two-sample form GrowthBook documents for its
/// sequential testing. With N the observations in both arms and σ̂² = N · Var(Δ̂):
///
///     half-width = σ̂ · sqrt( 2(Nρ² + 1) / (N²ρ²) · log( sqrt(Nρ² + 1) / α ) )
///
/// ρ tunes where the interval is tightest; `ρ = sqrt((−2 log α + log(−2 log α + 1)) / N*)`
/// makes it tightest near N* observations (``tuningSampleSize``). A naive fixed-sample interval
/// checked at every look has no such guarantee: at 20 looks and α = 0.05 it excludes zero
/// between two identical variants in about a quarter of experiments.
public struct ConfidenceSequence: Sendable, Hashable, Codable {
    /// The error rate α: the chance, over the whole experiment, that the interval ever misses.
    public let alpha: Double
    /// N*: the total sample size near which the interval is tightest.
    public let tuningSampleSize: Double
    /// The mixture parameter ρ derived from α and N*.
    public let rho: Double

    /// A confidence sequence at level 1 − `alpha`, tightest near `tuningSampleSize` observations.
    ///
    /// - Throws: ``RolloutError/Code/invalidPolicy`` when α is outside (0, 1) or N* below 1.
    public init(alpha: Double, tuningSampleSize: Double = 10_000) throws(RolloutError) {
        guard alpha > 0, alpha < 1 else {
            throw RolloutError(.invalidPolicy, "α \(alpha) is not a probability between 0 and 1", location: "alpha", fix: "give α such as 0.05.")
        }
        guard tuningSampleSize >= 1, tuningSampleSize.isFinite else {
            throw RolloutError(.invalidPolicy, "The tuning sample size \(tuningSampleSize) is below 1", location: "tuning_sample_size", fix: "give the number of events you expect to look at, such as 10000.")
        }
        self.alpha = alpha
        self.tuningSampleSize = tuningSampleSize
        let twoLog = -2 * log(alpha)
        self.rho = (twoLog + log(twoLog + 1)).squareRoot() / tuningSampleSize.squareRoot()
    }

    /// The half-width of the interval around an estimate with variance `estimateVariance`,
    /// after `totalSamples` observations.
    public func halfWidth(estimateVariance: Double, totalSamples: Int) -> Double {
        guard totalSamples > 0 else { return .infinity }
        let n = Double(totalSamples)
        let sigma = (estimateVariance * n).squareRoot()
        let nr2 = n * rho * rho
        return sigma * (2 * (nr2 + 1) / (n * n * rho * rho) * log((nr2 + 1).squareRoot() / alpha)).squareRoot()
    }
}

/// One comparison of a candidate with a control: the difference of means, its variance, and
/// (optionally) the CUPED adjustment that produced them.
public struct MeanDifference: Sendable, Hashable, Codable {
    /// Candidate mean minus control mean (CUPED-adjusted when a covariate was used).
    public let estimate: Double
    /// The variance of ``estimate``.
    public let variance: Double
    /// The control's mean (unadjusted): the base of relative effects.
    public let controlMean: Double
    /// The candidate's mean (unadjusted).
    public let candidateMean: Double
    /// CUPED's θ, or nil when no covariate was used.
    public let cupedTheta: Double?

    /// The difference between `candidate` and `control`.
    ///
    /// With `cuped`, the outcome is adjusted by a pre-exposure covariate: θ is the pooled
    /// within-variant covariance of outcome and covariate over the covariate's variance, the
    /// estimate is `(ȳ_t − θ x̄_t) − (ȳ_c − θ x̄_c)` and each variant's variance shrinks by the
    /// squared correlation (Deng, Xu, Kohavi and Walker, "Improving the Sensitivity of Online
    /// Controlled Experiments by Utilizing Pre-Experiment Data", WSDM 2013).
    ///
    /// With `proportions` (0/1 outcomes, no covariate), each variant's variance is taken at
    /// (x + 1)/(n + 2) for x successes in n, Agresti and Caffo's adjustment ("Simple and
    /// effective confidence intervals for proportions and differences of proportions result from
    /// adding two successes and two failures", The American Statistician, 2000): a variant
    /// without a single conversion yet has a variance of about 1/n, not 0, so a rare outcome
    /// does not shrink the interval to nothing (QA sweep: at a 0.2 % rate, a 95/5 split rolled
    /// back 18 % of identical variants). The estimate stays the plain difference.
    public init(control: ArmSummary, candidate: ArmSummary, cuped: Bool = false, proportions: Bool = false) {
        controlMean = control.mean
        candidateMean = candidate.mean
        let covariateSpread = control.covariateSquaredDeviations + candidate.covariateSquaredDeviations
        if cuped, covariateSpread > 0 {
            let theta = (control.coDeviations + candidate.coDeviations) / covariateSpread
            func adjustedVariance(_ arm: ArmSummary) -> Double {
                guard arm.count > 1 else { return 0 }
                let n1 = Double(arm.count - 1)
                let v = (arm.squaredDeviations - 2 * theta * arm.coDeviations + theta * theta * arm.covariateSquaredDeviations) / n1
                return max(0, v) / Double(arm.count)
            }
            estimate = (candidate.mean - theta * candidate.covariateMean) - (control.mean - theta * control.covariateMean)
            variance = adjustedVariance(control) + adjustedVariance(candidate)
            cupedTheta = theta
        } else {
            func armVariance(_ arm: ArmSummary) -> Double {
                guard arm.count > 0 else { return 0 }
                let n = Double(arm.count)
                guard proportions else { return arm.variance / n }
                let adjusted = (arm.mean * n + 1) / (n + 2)
                return adjusted * (1 - adjusted) / n
            }
            estimate = candidate.mean - control.mean
            variance = armVariance(control) + armVariance(candidate)
            cupedTheta = nil
        }
    }

    /// The estimate relative to the control's mean (nil when the control's mean is 0).
    public var relativeEstimate: Double? { controlMean != 0 ? estimate / abs(controlMean) : nil }
}
