import Foundation

/// Reference values for the distribution tests, read from `Fixtures/distributions.json`.
///
/// The file is written by `Scripts/fixtures/make_distribution_fixtures.py` from SciPy, with
/// every SciPy value of the normal, chi-squared, t, beta, binomial and Kolmogorov distributions
/// cross-checked against mpmath at 60 digits; where SciPy itself is off by more than 10⁻¹², the
/// exact value is stored instead and the field is listed in `mpmathOverrides`.
struct DistributionFixtures: Decodable {
    /// The SciPy version that produced the values.
    let scipy: String
    let normal: Section
    let chiSquared: Section
    let studentT: Section
    let beta: Section
    let binomial: Section
    let kolmogorov: Section
    let kolmogorovSmirnov: Section

    /// The cases of one distribution.
    struct Section: Decodable {
        let points: [Point]
        let quantiles: [Quantile]
        let inverseSurvival: [InverseSurvival]
    }

    /// The parameters of a distribution; only those of the section's distribution are present.
    struct Parameters: Decodable, Hashable, CustomStringConvertible {
        var mean: Double?
        var standardDeviation: Double?
        var degreesOfFreedom: Double?
        var alpha: Double?
        var beta: Double?
        var trials: Int?
        var probability: Double?
        var sampleSize: Int?

        var description: String {
            let named: [(String, String?)] = [
                ("mean", mean.map { "\($0)" }), ("standardDeviation", standardDeviation.map { "\($0)" }),
                ("degreesOfFreedom", degreesOfFreedom.map { "\($0)" }), ("alpha", alpha.map { "\($0)" }),
                ("beta", beta.map { "\($0)" }), ("trials", trials.map { "\($0)" }),
                ("probability", probability.map { "\($0)" }), ("sampleSize", sampleSize.map { "\($0)" }),
            ]
            let parts = named.compactMap { name, value in value.map { "\(name): \($0)" } }
            return "(" + parts.joined(separator: ", ") + ")"
        }
    }

    /// Values of the distribution functions at one point.
    struct Point: Decodable, CustomStringConvertible {
        let params: Parameters
        let x: Double
        let cdf: Double
        let sf: Double
        let pdf: Double?
        let logpdf: Double?
        let pmf: Double?
        let logpmf: Double?
        let mpmathOverrides: [String]?

        var description: String { "\(params) at x = \(x)" }
    }

    /// A quantile: the x with P(X ≤ x) = p.
    struct Quantile: Decodable, CustomStringConvertible {
        let params: Parameters
        let p: Double
        let x: Double

        var description: String { "\(params) at p = \(p)" }
    }

    /// An inverse survival value: the x with P(X > x) = q.
    struct InverseSurvival: Decodable, CustomStringConvertible {
        let params: Parameters
        let q: Double
        let x: Double

        var description: String { "\(params) at q = \(q)" }
    }

    /// The fixture file next to the test sources.
    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Distributions
        .deletingLastPathComponent()  // TensorCoreTests
        .appendingPathComponent("Fixtures")
        .appendingPathComponent("distributions.json")

    /// Reads and decodes the fixture file. Non-finite values are stored as the strings
    /// "Infinity", "-Infinity" and "NaN".
    static func load() throws -> DistributionFixtures {
        let data = try Data(contentsOf: url)
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(DistributionFixtures.self, from: data)
    }

    /// The fixtures, decoded once (a failure to read them is reported by every test that uses them).
    static let shared: Result<DistributionFixtures, any Error> = Result { try load() }
}
