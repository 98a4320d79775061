import Foundation
import Testing
@testable import TensorCore

@Suite("BinomialDistribution")
struct BinomialDistributionTests {
    /// Relative tolerance against the fixtures (absolute, scaled by max(1, |log|), for logPMF),
    /// for n up to 10⁷ and tails down to 10⁻³⁰⁰. Measured maximum: about 8·10⁻¹³. The fixtures hold
    /// exact (mpmath) values where SciPy's are off: its logpmf for large n (lgamma differences, up
    /// to 2·10⁻⁸) and its cdf/sf for n = 10⁷, p = 10⁻⁶ (3·10⁻¹⁰). Quantiles must match exactly.
    static let tolerance = 1e-10

    static func make(_ parameters: DistributionFixtures.Parameters) throws -> any UnivariateDistribution {
        try BinomialDistribution(trials: parameters.trials ?? -1, probability: parameters.probability ?? .nan)
    }

    @Test("cdf, sf, pmf and logPMF match SciPy (or mpmath where SciPy is off) to 1e-10")
    func matchesSciPy() throws {
        try FixtureAssertions.checkPoints(FixtureAssertions.section(\.binomial), tolerance: Self.tolerance, make: Self.make)
    }

    @Test("quantile and inverseSurvival match SciPy exactly")
    func quantilesMatchSciPy() throws {
        try FixtureAssertions.checkQuantiles(FixtureAssertions.section(\.binomial), tolerance: 0, make: Self.make)
    }

    @Test("rejects a negative number of trials")
    func rejectsTrials() {
        FixtureAssertions.expectError(.invalidParameter, parameter: "trials") {
            _ = try BinomialDistribution(trials: -1, probability: 0.5)
        }
    }

    @Test("rejects a probability outside [0, 1]", arguments: [-0.01, 1.01, .nan, .infinity])
    func rejectsProbabilityParameter(_ value: Double) {
        FixtureAssertions.expectError(.invalidParameter, parameter: "probability") {
            _ = try BinomialDistribution(trials: 10, probability: value)
        }
    }

    @Test("quantile and inverseSurvival reject probabilities outside [0, 1]",
          arguments: FixtureAssertions.invalidProbabilities)
    func rejectsProbability(_ p: Double) throws {
        let binomial = try BinomialDistribution(trials: 10, probability: 0.3)
        FixtureAssertions.expectError(.probabilityOutOfRange, parameter: "p") { _ = try binomial.quantile(p) }
        FixtureAssertions.expectError(.probabilityOutOfRange, parameter: "q") { _ = try binomial.inverseSurvival(p) }
    }

    @Test("pmf sums to 1 and cdf is its running sum", arguments: [(1, 0.5), (12, 0.3), (60, 0.97)])
    func pmfAndCdfAgree(trials: Int, probability: Double) throws {
        let binomial = try BinomialDistribution(trials: trials, probability: probability)
        var running = 0.0
        for k in 0...trials {
            running += binomial.pmf(k)
            FixtureAssertions.expectClose(binomial.cdf(Double(k)), min(running, 1), tolerance: 1e-13, "cdf(\(k))")
        }
        FixtureAssertions.expectClose(running, 1, tolerance: 1e-14, "total mass")
        #expect(binomial.pmf(-1) == 0)
        #expect(binomial.pmf(trials + 1) == 0)
        #expect(binomial.logPMF(trials + 1) == -.infinity)
    }

    @Test("cdf and sf use the integer part of x")
    func nonIntegerArguments() throws {
        let binomial = try BinomialDistribution(trials: 8, probability: 0.4)
        #expect(binomial.cdf(3.7) == binomial.cdf(3))
        #expect(binomial.sf(3.7) == binomial.sf(3))
        #expect(binomial.cdf(-0.5) == 0)
        #expect(binomial.cdf(8) == 1)
        #expect(binomial.sf(8) == 0)
    }

    @Test("quantile is the smallest k whose cdf reaches p, with exact ties")
    func quantileTies() throws {
        let coin = try BinomialDistribution(trials: 1, probability: 0.5)
        #expect(try coin.quantile(0.5) == 0)
        #expect(try coin.quantile(0.500001) == 1)
        #expect(try coin.quantile(0) == 0)
        #expect(try coin.quantile(1) == 1)
        #expect(try coin.inverseSurvival(0.5) == 0)
    }

    @Test("degenerate probabilities put all mass on one count")
    func degenerate() throws {
        let never = try BinomialDistribution(trials: 5, probability: 0)
        let always = try BinomialDistribution(trials: 5, probability: 1)
        #expect(never.pmf(0) == 1)
        #expect(always.pmf(5) == 1)
        #expect(never.cdf(0) == 1)
        #expect(always.sf(4) == 1)
        #expect(try always.quantile(0.3) == 5)
    }

    @Test("mean np and variance np(1 − p); samples agree")
    func moments() throws {
        let binomial = try BinomialDistribution(trials: 40, probability: 0.25)
        #expect(binomial.mean == 10)
        #expect(binomial.variance == 7.5)
        var random = Xoshiro256StarStar(seed: 21)
        let count = 50_000
        var total = 0
        for _ in 0..<count {
            let k = binomial.sample(using: &random)
            #expect(k >= 0 && k <= 40)
            total += k
        }
        let mean = Double(total) / Double(count)
        #expect(abs(mean - 10) <= 6 * (7.5 / Double(count)).squareRoot())
    }
}
