import Testing
@testable import TensorCore

@Suite("NormalDistribution")
struct NormalDistributionTests {
    /// Relative tolerance against the fixtures (absolute, scaled by max(1, |log|), for logPDF).
    /// Measured maximum: about 3·10⁻¹⁴ (erfc of glibc versus Cephes in the far tails).
    static let tolerance = 1e-10

    static func make(_ parameters: DistributionFixtures.Parameters) throws -> any UnivariateDistribution {
        try NormalDistribution(mean: parameters.mean ?? .nan, standardDeviation: parameters.standardDeviation ?? .nan)
    }

    @Test("cdf, sf, pdf and logPDF match SciPy to 1e-10, tails down to 1e-308 included")
    func matchesSciPy() throws {
        try FixtureAssertions.checkPoints(FixtureAssertions.section(\.normal), tolerance: Self.tolerance, make: Self.make)
    }

    @Test("quantile and inverseSurvival match SciPy to 1e-10, p from 1e-300 to 1 − 1e-12")
    func quantilesMatchSciPy() throws {
        try FixtureAssertions.checkQuantiles(FixtureAssertions.section(\.normal), tolerance: Self.tolerance, make: Self.make)
    }

    @Test("rejects a standard deviation that is not positive and finite", arguments: [0.0, -1.0, .nan, .infinity])
    func rejectsStandardDeviation(_ value: Double) {
        FixtureAssertions.expectError(.invalidParameter, parameter: "standardDeviation") {
            _ = try NormalDistribution(mean: 0, standardDeviation: value)
        }
    }

    @Test("rejects a mean that is not finite", arguments: [Double.nan, .infinity, -.infinity])
    func rejectsMean(_ value: Double) {
        FixtureAssertions.expectError(.invalidParameter, parameter: "mean") {
            _ = try NormalDistribution(mean: value, standardDeviation: 1)
        }
    }

    @Test("quantile and inverseSurvival reject probabilities outside [0, 1]",
          arguments: FixtureAssertions.invalidProbabilities)
    func rejectsProbability(_ p: Double) {
        let normal = NormalDistribution.standard
        FixtureAssertions.expectError(.probabilityOutOfRange, parameter: "p") { _ = try normal.quantile(p) }
        FixtureAssertions.expectError(.probabilityOutOfRange, parameter: "q") { _ = try normal.inverseSurvival(p) }
    }

    @Test("quantile(0) and quantile(1) are the ends of the real line")
    func quantileEnds() throws {
        let normal = try NormalDistribution(mean: 2, standardDeviation: 3)
        #expect(try normal.quantile(0) == -.infinity)
        #expect(try normal.quantile(1) == .infinity)
        #expect(try normal.inverseSurvival(0) == .infinity)
    }

    @Test("the distribution is symmetric about its mean")
    func symmetry() throws {
        let normal = try NormalDistribution(mean: 1.5, standardDeviation: 0.5)
        for d in [0.1, 1.0, 3.0, 10.0] {
            #expect(normal.cdf(1.5 - d) == normal.sf(1.5 + d))
            #expect(normal.pdf(1.5 - d) == normal.pdf(1.5 + d))
        }
        #expect(normal.cdf(1.5) == 0.5)
    }

    @Test("mean and variance are μ and σ²")
    func moments() throws {
        let normal = try NormalDistribution(mean: -2, standardDeviation: 3)
        #expect(normal.mean == -2)
        #expect(normal.variance == 9)
    }

    @Test("sample(using:) draws with the distribution's mean and variance")
    func sampling() throws {
        let normal = try NormalDistribution(mean: 10, standardDeviation: 2)
        var random = Xoshiro256StarStar(seed: 3)
        let count = 100_000
        let values = (0..<count).map { _ in normal.sample(using: &random) }
        let mean = values.reduce(0, +) / Double(count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1)
        #expect(abs(mean - 10) <= 6 * 2 / Double(count).squareRoot())
        #expect(abs(variance - 4) <= 6 * 4 * (2 / Double(count)).squareRoot())
    }
}
