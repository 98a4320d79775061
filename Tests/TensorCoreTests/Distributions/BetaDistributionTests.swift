import Foundation
import Testing
@testable import TensorCore

@Suite("BetaDistribution")
struct BetaDistributionTests {
    /// Relative tolerance against the fixtures (absolute, scaled by max(1, |log|), for logPDF),
    /// for shapes from 0.01 to 10⁵ and x from 10⁻³⁰⁰ to 1 − 10⁻¹⁰. Measured maximum: about 10⁻¹².
    /// The fixtures hold exact (mpmath) values where SciPy's are off: its logpdf for shapes of
    /// 10⁴–10⁵ (up to 6·10⁻¹⁰), sf(10⁻²⁰) for α = β = ½, and far-tail quantiles where its root
    /// finder gives up (NaN or wrong values).
    static let tolerance = 1e-10

    static func make(_ parameters: DistributionFixtures.Parameters) throws -> any UnivariateDistribution {
        try BetaDistribution(alpha: parameters.alpha ?? .nan, beta: parameters.beta ?? .nan)
    }

    @Test("cdf, sf, pdf and logPDF match SciPy (or mpmath where SciPy is off) to 1e-10")
    func matchesSciPy() throws {
        try FixtureAssertions.checkPoints(FixtureAssertions.section(\.beta), tolerance: Self.tolerance, make: Self.make)
    }

    @Test("quantile and inverseSurvival match to 1e-10, p and q down to 1e-300")
    func quantilesMatchSciPy() throws {
        try FixtureAssertions.checkQuantiles(FixtureAssertions.section(\.beta), tolerance: Self.tolerance, make: Self.make)
    }

    @Test("rejects shape parameters that are not positive and finite", arguments: [0.0, -1.0, .nan, .infinity])
    func rejectsShapes(_ value: Double) {
        FixtureAssertions.expectError(.invalidParameter, parameter: "alpha") {
            _ = try BetaDistribution(alpha: value, beta: 1)
        }
        FixtureAssertions.expectError(.invalidParameter, parameter: "beta") {
            _ = try BetaDistribution(alpha: 1, beta: value)
        }
    }

    @Test("quantile and inverseSurvival reject probabilities outside [0, 1]",
          arguments: FixtureAssertions.invalidProbabilities)
    func rejectsProbability(_ p: Double) throws {
        let beta = try BetaDistribution(alpha: 2, beta: 3)
        FixtureAssertions.expectError(.probabilityOutOfRange, parameter: "p") { _ = try beta.quantile(p) }
        FixtureAssertions.expectError(.probabilityOutOfRange, parameter: "q") { _ = try beta.inverseSurvival(p) }
    }

    @Test("Beta(1, 1) is uniform and Beta(½, ½) the arcsine distribution")
    func closedForms() throws {
        let uniform = try BetaDistribution(alpha: 1, beta: 1)
        let arcsine = try BetaDistribution(alpha: 0.5, beta: 0.5)
        for x in [1e-300, 1e-9, 0.25, 0.5, 0.9] {
            FixtureAssertions.expectClose(uniform.cdf(x), x, tolerance: 1e-15, "uniform cdf(\(x))")
            FixtureAssertions.expectClose(uniform.pdf(x), 1, tolerance: 1e-15, "uniform pdf(\(x))")
            FixtureAssertions.expectClose(arcsine.cdf(x), 2 / Double.pi * asin(x.squareRoot()), tolerance: 1e-14,
                                          "arcsine cdf(\(x))")
        }
    }

    @Test("reflection: sf of Beta(α, β) at x is cdf of Beta(β, α) at 1 − x")
    func reflection() throws {
        let forward = try BetaDistribution(alpha: 3, beta: 0.7)
        let reflected = try BetaDistribution(alpha: 0.7, beta: 3)
        for x in [0.001, 0.25, 0.5, 0.875] {
            FixtureAssertions.expectClose(forward.sf(x), reflected.cdf(1 - x), tolerance: 1e-14, "x = \(x)")
        }
    }

    @Test("support and densities at the ends of [0, 1]")
    func support() throws {
        let beta = try BetaDistribution(alpha: 0.5, beta: 2)
        #expect(beta.cdf(-1) == 0)
        #expect(beta.cdf(2) == 1)
        #expect(beta.pdf(1.5) == 0)
        #expect(beta.pdf(0) == .infinity)
        #expect(beta.pdf(1) == 0)
        #expect(try beta.quantile(0) == 0)
        #expect(try beta.quantile(1) == 1)
    }

    @Test("quantile inverts cdf", arguments: [(0.05, 0.05), (0.5, 40.0), (2.0, 5.0), (300.0, 7.0), (1e4, 1e4)])
    func roundTrip(alpha: Double, beta: Double) throws {
        let distribution = try BetaDistribution(alpha: alpha, beta: beta)
        for p in [1e-50, 1e-6, 0.2, 0.5, 0.8, 0.999999] {
            try FixtureAssertions.expectRoundTrip(distribution, p: p)
        }
    }

    @Test("mean and variance; samples agree")
    func moments() throws {
        let beta = try BetaDistribution(alpha: 2, beta: 6)
        #expect(beta.mean == 0.25)
        FixtureAssertions.expectClose(beta.variance, 12.0 / (64 * 9), tolerance: 1e-15, "variance")
        var random = Xoshiro256StarStar(seed: 13)
        let count = 100_000
        let values = (0..<count).map { _ in beta.sample(using: &random) }
        let mean = values.reduce(0, +) / Double(count)
        #expect(abs(mean - 0.25) <= 6 * (beta.variance / Double(count)).squareRoot())
    }
}
