import Foundation

/// The binomial distribution: the number of successes in n independent trials that each succeed
/// with probability p.
///
/// ```swift
/// let binomial = try BinomialDistribution(trials: 20, probability: 0.3)
/// binomial.pmf(6)                     // P(X = 6)
/// binomial.sf(10)                     // P(X > 10)
/// try binomial.quantile(0.5)          // 6.0, the median
/// ```
///
/// The mass function uses Loader's saddle-point algorithm (as R's `dbinom`), accurate for
/// millions of trials; the distribution function is the regularized incomplete beta function
/// P(X ≤ k) = I_{1−p}(n − k, k + 1), each tail computed directly.
public struct BinomialDistribution: DiscreteDistribution, Hashable {
    /// The number of trials n.
    public let trials: Int
    /// The success probability p of each trial.
    public let probability: Double

    /// Creates a binomial distribution.
    ///
    /// - Parameters:
    ///   - trials: n; must not be negative.
    ///   - probability: p; must lie in [0, 1].
    /// - Throws: ``DistributionError`` with code `invalidParameter` if a parameter is outside its domain.
    public init(trials: Int, probability: Double) throws(DistributionError) {
        guard trials >= 0 else {
            throw DistributionError(.invalidParameter, parameter: "trials", value: Double(trials),
                                    requirement: "zero or a positive integer")
        }
        guard probability >= 0, probability <= 1 else {
            throw DistributionError(.invalidParameter, parameter: "probability", value: probability,
                                    requirement: "a probability between 0 and 1 inclusive")
        }
        self.trials = trials
        self.probability = probability
    }

    /// The mean np.
    public var mean: Double { Double(trials) * probability }

    /// The variance np(1 − p).
    public var variance: Double { Double(trials) * probability * (1 - probability) }

    /// P(X = k); 0 outside 0...n.
    ///
    /// - Complexity: O(1).
    public func pmf(_ k: Int) -> Double {
        guard k >= 0, k <= trials else { return 0 }
        return SpecialFunctions.binomialTerm(successes: Double(k), failures: Double(trials - k),
                                             p: probability, q: 1 - probability)
    }

    /// log P(X = k); −∞ outside 0...n.
    ///
    /// - Complexity: O(1).
    public func logPMF(_ k: Int) -> Double {
        guard k >= 0, k <= trials else { return -.infinity }
        return SpecialFunctions.logBinomialTerm(successes: Double(k), failures: Double(trials - k),
                                                p: probability, q: 1 - probability)
    }

    /// P(X ≤ ⌊x⌋).
    ///
    /// - Complexity: O(1) in the tails; O(√n) iterations in the worst case.
    public func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x < 0 { return 0 }
        if x >= Double(trials) { return 1 }
        let k = x.rounded(.down)
        return SpecialFunctions.regularizedBeta(Double(trials) - k, k + 1,
                                                x: 1 - probability, y: probability).p
    }

    /// P(X > ⌊x⌋), computed directly in the upper tail.
    ///
    /// - Complexity: O(1) in the tails; O(√n) iterations in the worst case.
    public func sf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x < 0 { return 1 }
        if x >= Double(trials) { return 0 }
        let k = x.rounded(.down)
        return SpecialFunctions.regularizedBeta(k + 1, Double(trials) - k,
                                                x: probability, y: 1 - probability).p
    }

    /// The smallest k with P(X ≤ k) ≥ p, found by bisection on the distribution function.
    ///
    /// Unlike SciPy, whose `binom.ppf(0)` is −1, `quantile(0)` is 0, the smallest value of the support.
    ///
    /// - Parameter p: A probability in [0, 1].
    /// - Returns: An integer in 0...n, as a `Double`.
    /// - Throws: ``DistributionError`` with code `probabilityOutOfRange` if `p` is outside [0, 1].
    /// - Complexity: O(log n) evaluations of the distribution function.
    public func quantile(_ p: Double) throws(DistributionError) -> Double {
        try DistributionError.requireProbability(p)
        return Double(smallestCount(cumulative: p, survival: 1 - p))
    }

    /// The smallest k with P(X > k) ≤ q, accurate for tiny q.
    ///
    /// - Parameter q: A probability in [0, 1].
    /// - Returns: An integer in 0...n, as a `Double`.
    /// - Throws: ``DistributionError`` with code `probabilityOutOfRange` if `q` is outside [0, 1].
    /// - Complexity: O(log n) evaluations of the distribution function.
    public func inverseSurvival(_ q: Double) throws(DistributionError) -> Double {
        try DistributionError.requireProbability(q, "q")
        return Double(smallestCount(cumulative: 1 - q, survival: q))
    }

    /// The smallest k with P(X ≤ k) ≥ p, where p + q = 1. The smaller of the two tails is
    /// compared, so that it keeps its digits, and a probability within 8 ulps of the target
    /// counts as reaching it, so that exact ties (such as P(X ≤ 0) = ½ for one fair trial) do not
    /// depend on the last bit of a rounded result.
    private func smallestCount(cumulative p: Double, survival q: Double) -> Int {
        let slack = 8 * Double.ulpOfOne
        if p <= q {
            return smallestCount { k in cdf(Double(k)) >= p * (1 - slack) }
        }
        return smallestCount { k in sf(Double(k)) <= q * (1 + slack) }
    }

    /// The smallest k in 0...n satisfying a predicate that is monotone in k (false, then true).
    private func smallestCount(where predicate: (Int) -> Bool) -> Int {
        (0..<trials).partitioningIndex(where: predicate)
    }

    /// Draws a count by inversion: the quantile of a uniform draw.
    ///
    /// - Parameter source: The random source to draw from.
    /// - Complexity: O(log n) evaluations of the distribution function.
    public func sample<Source: SeededRandomSource>(using source: inout Source) -> Int {
        let u = source.nextUniform()
        return smallestCount(cumulative: u, survival: 1 - u)
    }
}
