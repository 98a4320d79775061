import Foundation
import Testing
@testable import TensorCore

@Suite("StudentTDistribution")
struct StudentTDistributionTests {
    /// Relative tolerance against the fixtures (absolute, scaled by max(1, |log|), for logPDF),
    /// for ν from 0.1 to 10⁷ and |t| up to 10¹⁰. Measured maximum: about 4·10⁻¹³. The fixtures hold
    /// exact (mpmath) values where SciPy's are off: its cdf near 0 for ν = 1 (3·10⁻⁹) and its
    /// quantiles beyond about 10¹⁵³ or at p = 10⁻³⁰⁰ (where it returns a capped or infinite value).
    static let tolerance = 1e-10

    static func make(_ parameters: DistributionFixtures.Parameters) throws -> any UnivariateDistribution {
        try StudentTDistribution(degreesOfFreedom: parameters.degreesOfFreedom ?? .nan)
    }

    @Test("cdf, sf, pdf and logPDF match SciPy (or mpmath where SciPy is off) to 1e-10")
    func matchesSciPy() throws {
        try FixtureAssertions.checkPoints(FixtureAssertions.section(\.studentT), tolerance: Self.tolerance, make: Self.make)
    }

    @Test("quantile and inverseSurvival match to 1e-10, p and q down to 1e-300")
    func quantilesMatchSciPy() throws {
        try FixtureAssertions.checkQuantiles(FixtureAssertions.section(\.studentT), tolerance: Self.tolerance, make: Self.make)
    }

    @Test("rejects degrees of freedom that are not positive and finite", arguments: [0.0, -2.0, .nan, .infinity])
    func rejectsDegreesOfFreedom(_ value: Double) {
        FixtureAssertions.expectError(.invalidParameter, parameter: "degreesOfFreedom") {
            _ = try StudentTDistribution(degreesOfFreedom: value)
        }
    }

    @Test("quantile and inverseSurvival reject probabilities outside [0, 1]",
          arguments: FixtureAssertions.invalidProbabilities)
    func rejectsProbability(_ p: Double) throws {
        let t = try StudentTDistribution(degreesOfFreedom: 4)
        FixtureAssertions.expectError(.probabilityOutOfRange, parameter: "p") { _ = try t.quantile(p) }
        FixtureAssertions.expectError(.probabilityOutOfRange, parameter: "q") { _ = try t.inverseSurvival(p) }
    }

    @Test("one degree of freedom is the Cauchy distribution", arguments: [-1e6, -3.0, -1e-8, 0.0, 0.5, 40.0])
    func cauchy(_ x: Double) throws {
        let t = try StudentTDistribution(degreesOfFreedom: 1)
        // cdf = ½ + atan(x)/π, written without cancellation for x < 0.
        let cdf = x < 0 ? atan(-1 / x) / Double.pi : 0.5 + atan(x) / Double.pi
        FixtureAssertions.expectClose(t.cdf(x), cdf, tolerance: 1e-14, "cdf(\(x))")
        FixtureAssertions.expectClose(t.pdf(x), 1 / (Double.pi * (1 + x * x)), tolerance: 1e-14, "pdf(\(x))")
    }

    @Test("the distribution is symmetric about 0", arguments: [0.3, 2.0, 1e4])
    func symmetry(degreesOfFreedom: Double) throws {
        let t = try StudentTDistribution(degreesOfFreedom: degreesOfFreedom)
        for x in [1e-6, 0.7, 5.0, 1e8] {
            #expect(t.cdf(-x) == t.sf(x))
            #expect(t.pdf(-x) == t.pdf(x))
        }
        #expect(t.cdf(0) == 0.5)
        #expect(try t.quantile(0.5) == 0)
        #expect(try t.quantile(0.01) == -(try t.inverseSurvival(0.01)))
        // 1 − 0.99 is 0.010000000000000009, so quantile(0.99) differs from the mirror image slightly.
        FixtureAssertions.expectClose(try t.quantile(0.99), -(try t.quantile(0.01)), tolerance: 1e-12, "mirror")
    }

    @Test("quantile inverts cdf", arguments: [0.5, 3.0, 30.0, 1e6])
    func roundTrip(degreesOfFreedom: Double) throws {
        let t = try StudentTDistribution(degreesOfFreedom: degreesOfFreedom)
        for p in [1e-100, 1e-6, 0.1, 0.4, 0.5, 0.75, 0.999] {
            try FixtureAssertions.expectRoundTrip(t, p: p)
        }
    }

    @Test("mean and variance follow ν; undefined ones are NaN or infinite")
    func moments() throws {
        #expect(try StudentTDistribution(degreesOfFreedom: 5).variance == 5.0 / 3.0)
        #expect(try StudentTDistribution(degreesOfFreedom: 5).mean == 0)
        #expect(try StudentTDistribution(degreesOfFreedom: 1.5).variance == .infinity)
        #expect(try StudentTDistribution(degreesOfFreedom: 1).mean.isNaN)
        #expect(try StudentTDistribution(degreesOfFreedom: 1).variance.isNaN)
    }

    @Test("samples have mean 0 and variance ν/(ν−2)")
    func sampling() throws {
        let t = try StudentTDistribution(degreesOfFreedom: 10)
        var random = Xoshiro256StarStar(seed: 8)
        let count = 100_000
        let values = (0..<count).map { _ in t.sample(using: &random) }
        let mean = values.reduce(0, +) / Double(count)
        #expect(abs(mean) <= 6 * (1.25 / Double(count)).squareRoot())
    }
}
