import Testing
@testable import TensorCore

/// Shared checks of a distribution against its section of `distributions.json`.
enum FixtureAssertions {
    typealias Section = DistributionFixtures.Section
    typealias Parameters = DistributionFixtures.Parameters

    /// The section of the fixtures, or a recorded failure if the file cannot be read.
    static func section(
        _ keyPath: KeyPath<DistributionFixtures, Section>, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Section {
        let fixtures = try DistributionFixtures.shared.get()
        let section = fixtures[keyPath: keyPath]
        #expect(!section.points.isEmpty, "the fixture section has no points", sourceLocation: sourceLocation)
        return section
    }

    /// Expects `computed` within `tolerance` of `reference` (relative, see
    /// ``Accuracy/relativeError(_:_:)``, or for logarithms ``Accuracy/logError(_:_:)``).
    static func expectClose(
        _ computed: Double, _ reference: Double, tolerance: Double, isLogarithm: Bool = false,
        _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let error = isLogarithm
            ? Accuracy.logError(computed, reference) : Accuracy.relativeError(computed, reference)
        #expect(error <= tolerance,
                "\(what): computed \(computed), reference \(reference), error \(error) > \(tolerance)",
                sourceLocation: sourceLocation)
    }

    /// Checks cdf, sf and (for continuous distributions) pdf and logPDF, or (for discrete ones)
    /// pmf and logPMF, at every point of the section.
    static func checkPoints(
        _ section: Section, tolerance: Double,
        sourceLocation: SourceLocation = #_sourceLocation,
        make: (Parameters) throws -> any UnivariateDistribution
    ) throws {
        for point in section.points {
            let distribution = try make(point.params)
            expectClose(distribution.cdf(point.x), point.cdf, tolerance: tolerance, "cdf \(point)",
                        sourceLocation: sourceLocation)
            expectClose(distribution.sf(point.x), point.sf, tolerance: tolerance, "sf \(point)",
                        sourceLocation: sourceLocation)
            if let continuous = distribution as? any ContinuousDistribution {
                if let pdf = point.pdf {
                    expectClose(continuous.pdf(point.x), pdf, tolerance: tolerance, "pdf \(point)",
                                sourceLocation: sourceLocation)
                }
                if let logPDF = point.logpdf {
                    expectClose(continuous.logPDF(point.x), logPDF, tolerance: tolerance, isLogarithm: true,
                                "logPDF \(point)", sourceLocation: sourceLocation)
                }
            }
            if let discrete = distribution as? any DiscreteDistribution, let k = Int(exactly: point.x) {
                if let pmf = point.pmf {
                    expectClose(discrete.pmf(k), pmf, tolerance: tolerance, "pmf \(point)",
                                sourceLocation: sourceLocation)
                }
                if let logPMF = point.logpmf {
                    expectClose(discrete.logPMF(k), logPMF, tolerance: tolerance, isLogarithm: true,
                                "logPMF \(point)", sourceLocation: sourceLocation)
                }
            }
        }
    }

    /// Checks `quantile(p)` and `inverseSurvival(q)` at every case of the section.
    static func checkQuantiles(
        _ section: Section, tolerance: Double,
        sourceLocation: SourceLocation = #_sourceLocation,
        make: (Parameters) throws -> any UnivariateDistribution
    ) throws {
        #expect(!section.quantiles.isEmpty && !section.inverseSurvival.isEmpty, sourceLocation: sourceLocation)
        for quantile in section.quantiles {
            let computed = try make(quantile.params).quantile(quantile.p)
            expectClose(computed, quantile.x, tolerance: tolerance, "quantile \(quantile)",
                        sourceLocation: sourceLocation)
        }
        for inverse in section.inverseSurvival {
            let computed = try make(inverse.params).inverseSurvival(inverse.q)
            expectClose(computed, inverse.x, tolerance: tolerance, "inverseSurvival \(inverse)",
                        sourceLocation: sourceLocation)
        }
    }

    /// Expects `attempt` to throw a ``DistributionError`` with the given code and parameter name.
    static func expectError(
        _ code: DistributionError.Code, parameter: String,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ attempt: () throws -> Void
    ) {
        do {
            try attempt()
            Issue.record("expected \(code) for \(parameter), but nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as DistributionError {
            #expect(error.code == code, sourceLocation: sourceLocation)
            #expect(error.parameter == parameter, sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("\(parameter) must be "), sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected a DistributionError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Expects `distribution.cdf(x)` to give back `p` for the quantile x = `quantile(p)`, to within
    /// 10⁻¹³ plus the error the rounding of x alone explains: the density times half an ulp of x,
    /// relative to p (large where the distribution function is steep beside its value, as far in
    /// a tail of a distribution with a large parameter). Quantiles that underflow to 0 are skipped.
    static func expectRoundTrip(
        _ distribution: some ContinuousDistribution, p: Double,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let x = try distribution.quantile(p)
        guard x != 0, x.isFinite else { return }
        let conditioning = distribution.pdf(x) * x.ulp / p
        let tolerance = 1e-13 + 4 * conditioning
        expectClose(distribution.cdf(x), p, tolerance: tolerance, "cdf(quantile(\(p))) at x = \(x)",
                    sourceLocation: sourceLocation)
    }

    /// Probabilities that quantile functions must reject.
    static let invalidProbabilities: [Double] = [-0.1, -.infinity, 1.000_000_1, .infinity, .nan]
}
