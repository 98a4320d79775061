import Foundation
import Testing
@testable import TensorCore

@Suite("KolmogorovSmirnovDistribution")
struct KolmogorovSmirnovDistributionTests {
    /// Relative tolerance against SciPy's kstwo for n = 1 ... 100 000, over every branch of its
    /// algorithm (closed forms, Durbin's matrix, Pomeranz, the Smirnov sum and the Pelz–Good
    /// series). Measured maximum: about 10⁻¹² (Brent's method stops at an x tolerance of 10⁻¹⁴, so
    /// quantiles agree to about that). Where SciPy uses the Pelz–Good approximation (n > 140 with
    /// n·x^1.5 > 1.4, or n > 100 000), both compute the same approximation, which is itself only
    /// good to about 7 digits of the exact distribution.
    static let tolerance = 1e-10

    static func make(_ parameters: DistributionFixtures.Parameters) throws -> any UnivariateDistribution {
        try KolmogorovSmirnovDistribution(sampleSize: parameters.sampleSize ?? 0)
    }

    @Test("cdf and sf match SciPy's kstwo to 1e-10")
    func matchesSciPy() throws {
        try FixtureAssertions.checkPoints(FixtureAssertions.section(\.kolmogorovSmirnov), tolerance: Self.tolerance, make: Self.make)
    }

    @Test("quantile and inverseSurvival match SciPy's kstwo to 1e-10")
    func quantilesMatchSciPy() throws {
        try FixtureAssertions.checkQuantiles(FixtureAssertions.section(\.kolmogorovSmirnov), tolerance: Self.tolerance, make: Self.make)
    }

    /// From n = 2,000 the survival function sums the Smirnov series in log space; it must
    /// agree with the double-double port (itself checked against SciPy above) across the tail.
    @Test("the log-space Smirnov sum agrees with the double-double port to 1e-11", arguments: [500, 2_000, 10_000, 50_000, 100_000, 250_000, 500_000, 1_000_000])
    func logSpaceSmirnov(_ n: Int) {
        for nxSquared in [2.2, 3.0, 8.0, 20.0, 60.0, 200.0, 340.0] {
            let x = (nxSquared / Double(n)).squareRoot()
            let fast = SpecialFunctions.smirnovSurvivalLogSpace(n, x)
            let port = SpecialFunctions.smirnov(n, x).sf
            #expect(abs(fast - port) <= 1e-11 * port + 1e-290, "n \(n), n·x² \(nxSquared): \(fast) vs \(port)")
        }
        #expect(SpecialFunctions.smirnovSurvivalLogSpace(n, 1) == 0)
    }

    @Test("rejects a sample size below 1", arguments: [0, -5])
    func rejectsSampleSize(_ n: Int) {
        FixtureAssertions.expectError(.invalidParameter, parameter: "sampleSize") {
            _ = try KolmogorovSmirnovDistribution(sampleSize: n)
        }
    }

    @Test("quantile and inverseSurvival reject probabilities outside [0, 1]",
          arguments: FixtureAssertions.invalidProbabilities)
    func rejectsProbability(_ p: Double) throws {
        let ks = try KolmogorovSmirnovDistribution(sampleSize: 20)
        FixtureAssertions.expectError(.probabilityOutOfRange, parameter: "p") { _ = try ks.quantile(p) }
        FixtureAssertions.expectError(.probabilityOutOfRange, parameter: "q") { _ = try ks.inverseSurvival(p) }
    }

    @Test("for n = 1, Dₙ is uniform on [½, 1]")
    func singleObservation() throws {
        let ks = try KolmogorovSmirnovDistribution(sampleSize: 1)
        for x in [0.5, 0.6, 0.75, 0.99] {
            FixtureAssertions.expectClose(ks.cdf(x), 2 * x - 1, tolerance: 1e-14, "cdf(\(x))")
        }
        #expect(ks.cdf(0.4) == 0)
        #expect(ks.sf(1) == 0)
    }

    @Test("the closed forms hold at the ends of the support", arguments: [2, 7, 50, 300])
    func rubenGambino(n: Int) throws {
        let ks = try KolmogorovSmirnovDistribution(sampleSize: n)
        let size = Double(n)
        // 1/(2n) < x ≤ 1/n: P(Dₙ ≤ x) = n!/nⁿ · (2nx − 1)ⁿ
        let x = 0.8 / size
        let logFactorial = (1...n).reduce(0.0) { $0 + log(Double($1)) }
        let expected = exp(logFactorial - size * log(size) + size * log(2 * size * x - 1))
        FixtureAssertions.expectClose(ks.cdf(x), expected, tolerance: 1e-11, "cdf(0.8/n)")
        // x ≥ 1 − 1/n: P(Dₙ > x) = 2(1 − x)ⁿ
        let y = 1 - 0.5 / size
        FixtureAssertions.expectClose(ks.sf(y), 2 * pow(1 - y, size), tolerance: 1e-13, "sf(1 − 0.5/n)")
    }

    @Test("cdf is continuous and increasing across the algorithms' switch points", arguments: [10, 140, 141, 1000])
    func monotone(n: Int) throws {
        let ks = try KolmogorovSmirnovDistribution(sampleSize: n)
        var previous = 0.0
        var x = 0.5 / Double(n)
        while x < 1 {
            let value = ks.cdf(x)
            #expect(value >= previous - 1e-12, "cdf decreases at x = \(x)")
            previous = value
            x *= 1.05
        }
    }

    @Test("approaches the Kolmogorov distribution of √n·Dₙ for large n")
    func convergesToKolmogorov() throws {
        let ks = try KolmogorovSmirnovDistribution(sampleSize: 10_000)
        let limit = KolmogorovDistribution()
        for z in [0.6, 1.0, 1.36] {
            #expect(abs(ks.cdf(z / 100) - limit.cdf(z)) < 0.01)
        }
    }

    @Test("quantile inverts cdf", arguments: [5, 80, 500])
    func roundTrip(n: Int) throws {
        let ks = try KolmogorovSmirnovDistribution(sampleSize: n)
        for p in [0.01, 0.2, 0.5, 0.9, 0.999] {
            FixtureAssertions.expectClose(ks.cdf(try ks.quantile(p)), p, tolerance: 1e-10, "cdf(quantile(\(p)))")
        }
    }
}
