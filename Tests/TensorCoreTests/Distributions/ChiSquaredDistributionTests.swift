import Foundation
import Testing
@testable import TensorCore

@Suite("ChiSquaredDistribution")
struct ChiSquaredDistributionTests {
    /// Relative tolerance against the fixtures (absolute, scaled by max(1, |log|), for logPDF),
    /// for degrees of freedom from 10⁻³ to 10⁶ and tails down to 10⁻²⁰⁰. Measured maximum: about
    /// 1.2·10⁻¹². The fixtures hold exact (mpmath) values where SciPy's own are off: its pdf for
    /// large k (lgamma differences, up to 10⁻⁹) and its cdf for k = 10⁶ near p = 10⁻⁸.
    static let tolerance = 1e-10

    static func make(_ parameters: DistributionFixtures.Parameters) throws -> any UnivariateDistribution {
        try ChiSquaredDistribution(degreesOfFreedom: parameters.degreesOfFreedom ?? .nan)
    }

    @Test("cdf, sf, pdf and logPDF match SciPy (or mpmath where SciPy is off) to 1e-10")
    func matchesSciPy() throws {
        try FixtureAssertions.checkPoints(FixtureAssertions.section(\.chiSquared), tolerance: Self.tolerance, make: Self.make)
    }

    @Test("quantile and inverseSurvival match to 1e-10, p and q down to 1e-300")
    func quantilesMatchSciPy() throws {
        try FixtureAssertions.checkQuantiles(FixtureAssertions.section(\.chiSquared), tolerance: Self.tolerance, make: Self.make)
    }

    @Test("rejects degrees of freedom that are not positive and finite", arguments: [0.0, -1.0, .nan, .infinity])
    func rejectsDegreesOfFreedom(_ value: Double) {
        FixtureAssertions.expectError(.invalidParameter, parameter: "degreesOfFreedom") {
            _ = try ChiSquaredDistribution(degreesOfFreedom: value)
        }
    }

    @Test("quantile and inverseSurvival reject probabilities outside [0, 1]",
          arguments: FixtureAssertions.invalidProbabilities)
    func rejectsProbability(_ p: Double) throws {
        let chi2 = try ChiSquaredDistribution(degreesOfFreedom: 3)
        FixtureAssertions.expectError(.probabilityOutOfRange, parameter: "p") { _ = try chi2.quantile(p) }
        FixtureAssertions.expectError(.probabilityOutOfRange, parameter: "q") { _ = try chi2.inverseSurvival(p) }
    }

    @Test("the support starts at 0")
    func support() throws {
        let chi2 = try ChiSquaredDistribution(degreesOfFreedom: 4)
        #expect(chi2.cdf(-1) == 0)
        #expect(chi2.sf(-1) == 1)
        #expect(chi2.pdf(-1) == 0)
        #expect(chi2.logPDF(-1) == -.infinity)
        #expect(try chi2.quantile(0) == 0)
        #expect(try chi2.quantile(1) == .infinity)
    }

    @Test("two degrees of freedom is the exponential distribution with mean 2")
    func exponentialCase() throws {
        let chi2 = try ChiSquaredDistribution(degreesOfFreedom: 2)
        for x in [0.001, 0.5, 3.0, 40.0, 700.0] {
            FixtureAssertions.expectClose(chi2.sf(x), exp(-x / 2), tolerance: 1e-14, "sf(\(x))")
            FixtureAssertions.expectClose(chi2.pdf(x), exp(-x / 2) / 2, tolerance: 1e-14, "pdf(\(x))")
        }
    }

    @Test("quantile inverts cdf, and inverseSurvival inverts sf", arguments: [0.05, 1.0, 7.5, 300.0, 2e5])
    func roundTrip(degreesOfFreedom: Double) throws {
        let chi2 = try ChiSquaredDistribution(degreesOfFreedom: degreesOfFreedom)
        for p in [1e-200, 1e-9, 0.01, 0.5, 0.99] {
            try FixtureAssertions.expectRoundTrip(chi2, p: p)
            let x = try chi2.inverseSurvival(p)
            let tolerance = 1e-13 + 4 * chi2.pdf(x) * x.ulp / p
            FixtureAssertions.expectClose(chi2.sf(x), p, tolerance: tolerance, "sf(inverseSurvival(\(p)))")
        }
    }

    @Test("mean and variance are k and 2k; samples agree")
    func moments() throws {
        let chi2 = try ChiSquaredDistribution(degreesOfFreedom: 3.5)
        #expect(chi2.mean == 3.5)
        #expect(chi2.variance == 7)
        var random = Xoshiro256StarStar(seed: 5)
        let count = 100_000
        let values = (0..<count).map { _ in chi2.sample(using: &random) }
        let mean = values.reduce(0, +) / Double(count)
        #expect(abs(mean - 3.5) <= 6 * (7 / Double(count)).squareRoot())
    }
}
