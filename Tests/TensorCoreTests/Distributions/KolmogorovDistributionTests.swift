import Foundation
import Testing
@testable import TensorCore

@Suite("KolmogorovDistribution")
struct KolmogorovDistributionTests {
    /// Relative tolerance against the fixtures (absolute, scaled by max(1, |log|), for logPDF).
    /// Measured maximum: about 10⁻¹³. The fixtures hold exact (mpmath) densities where SciPy's are
    /// off: just above x = 0.82 (SciPy drops a term of the series, 2·10⁻⁸) and logpdf where the
    /// density underflows (SciPy returns −∞).
    static let tolerance = 1e-10

    static func make(_ parameters: DistributionFixtures.Parameters) throws -> any UnivariateDistribution {
        KolmogorovDistribution()
    }

    @Test("cdf, sf, pdf and logPDF match SciPy's kstwobign (or mpmath where it is off) to 1e-10")
    func matchesSciPy() throws {
        try FixtureAssertions.checkPoints(FixtureAssertions.section(\.kolmogorov), tolerance: Self.tolerance, make: Self.make)
    }

    @Test("quantile and inverseSurvival match kolmogci and kolmogi to 1e-10")
    func quantilesMatchSciPy() throws {
        try FixtureAssertions.checkQuantiles(FixtureAssertions.section(\.kolmogorov), tolerance: Self.tolerance, make: Self.make)
    }

    @Test("quantile and inverseSurvival reject probabilities outside [0, 1]",
          arguments: FixtureAssertions.invalidProbabilities)
    func rejectsProbability(_ p: Double) {
        let kolmogorov = KolmogorovDistribution()
        FixtureAssertions.expectError(.probabilityOutOfRange, parameter: "p") { _ = try kolmogorov.quantile(p) }
        FixtureAssertions.expectError(.probabilityOutOfRange, parameter: "q") { _ = try kolmogorov.inverseSurvival(p) }
    }

    @Test("the classic critical values: sf(1.3581) ≈ 0.05 and sf(1.6276) ≈ 0.01")
    func criticalValues() throws {
        let kolmogorov = KolmogorovDistribution()
        FixtureAssertions.expectClose(try kolmogorov.inverseSurvival(0.05), 1.3580986393225507, tolerance: 1e-12, "5%")
        FixtureAssertions.expectClose(try kolmogorov.inverseSurvival(0.01), 1.6276236115189504, tolerance: 1e-12, "1%")
    }

    @Test("both series agree where they meet, and cdf + sf = 1")
    func continuity() {
        let kolmogorov = KolmogorovDistribution()
        let below = kolmogorov.cdf(0.82)
        let above = kolmogorov.cdf(0.82.nextUp)
        FixtureAssertions.expectClose(above, below, tolerance: 1e-14, "cdf across 0.82")
        FixtureAssertions.expectClose(kolmogorov.pdf(0.82.nextUp), kolmogorov.pdf(0.82), tolerance: 1e-12, "pdf across 0.82")
        for x in [0.2, 0.6, 1.0, 2.0] {
            FixtureAssertions.expectClose(kolmogorov.cdf(x) + kolmogorov.sf(x), 1, tolerance: 1e-15, "x = \(x)")
        }
    }

    @Test("mean and variance have their closed forms")
    func moments() {
        let kolmogorov = KolmogorovDistribution()
        // √(π/2)·log 2 and π²/12 − (π/2)·log²2, evaluated with mpmath.
        FixtureAssertions.expectClose(kolmogorov.mean, 0.86873116063615914183, tolerance: 1e-15, "mean")
        FixtureAssertions.expectClose(kolmogorov.variance, 0.067773203963865079378, tolerance: 1e-15, "variance")
    }
}
