/// What the analysis needs to know of one variant's outcomes: how many, their mean and spread,
/// and (for CUPED) the same of a pre-exposure covariate and its covariance with the outcome.
///
/// Updated one observation at a time with Welford's recurrences, so a mean of 10 million values
/// far from zero keeps its digits, and merged across threads or replicas with Chan et al.'s
/// pairwise formulas (``merge(_:)``). Adding an observation costs a few floating-point
/// operations and allocates nothing.
public struct ArmSummary: Sendable, Hashable, Codable {
    /// The number of observations.
    public private(set) var count: Int = 0
    /// The mean outcome.
    public private(set) var mean: Double = 0
    /// The sum of squared deviations of the outcome from its mean.
    public private(set) var squaredDeviations: Double = 0
    /// The mean covariate (0 without one).
    public private(set) var covariateMean: Double = 0
    /// The sum of squared deviations of the covariate.
    public private(set) var covariateSquaredDeviations: Double = 0
    /// The sum of products of the outcome's and the covariate's deviations.
    public private(set) var coDeviations: Double = 0

    /// An empty summary.
    public init() {}

    /// Adds one outcome without a covariate.
    public mutating func add(_ value: Double) { add(value, covariate: 0) }

    /// Adds one outcome and its pre-exposure covariate (CUPED).
    public mutating func add(_ value: Double, covariate: Double) {
        count += 1
        let n = Double(count)
        let delta = value - mean
        let deltaX = covariate - covariateMean
        mean += delta / n
        covariateMean += deltaX / n
        squaredDeviations += delta * (value - mean)
        covariateSquaredDeviations += deltaX * (covariate - covariateMean)
        coDeviations += deltaX * (value - mean)
    }

    /// Adds `other`'s observations (Chan, Golub and LeVeque's pairwise update).
    public mutating func merge(_ other: ArmSummary) {
        guard other.count > 0 else { return }
        guard count > 0 else { self = other; return }
        let (na, nb) = (Double(count), Double(other.count))
        let n = na + nb
        let delta = other.mean - mean
        let deltaX = other.covariateMean - covariateMean
        squaredDeviations += other.squaredDeviations + delta * delta * na * nb / n
        covariateSquaredDeviations += other.covariateSquaredDeviations + deltaX * deltaX * na * nb / n
        coDeviations += other.coDeviations + delta * deltaX * na * nb / n
        mean += delta * nb / n
        covariateMean += deltaX * nb / n
        count += other.count
    }

    /// A summary from sufficient statistics: `count` observations summing to `sum` with squares
    /// summing to `sumOfSquares` (what a simulation or a SQL aggregate yields).
    public init(count: Int, sum: Double, sumOfSquares: Double) {
        self.count = count
        guard count > 0 else { return }
        mean = sum / Double(count)
        squaredDeviations = max(0, sumOfSquares - sum * mean)
    }

    /// The sample variance of the outcome (n − 1 in the denominator; 0 below two observations).
    public var variance: Double { count > 1 ? squaredDeviations / Double(count - 1) : 0 }
}

extension ArmSummary {
    /// A summary from `count` observations with mean `mean` and squared deviations `squaredDeviations`.
    init(count: Int, mean: Double, squaredDeviations: Double) {
        self.init()
        self.count = count
        self.mean = count > 0 ? mean : 0
        self.squaredDeviations = count > 0 ? max(0, squaredDeviations) : 0
    }
}
