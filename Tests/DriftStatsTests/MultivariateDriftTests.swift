@testable import DriftStats
import Foundation
import Testing

/// numpy reference values from `Scripts/fixtures/make_multivariate_fixtures.py`, decoded once.
struct MultivariateFixtureFile: Decodable, Sendable {
    struct MMDCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let reference: [[Double]]
        let current: [[Double]]
        let sigma: Double
        let mmd2: Double
        let medianSigma: Double
        let medianMmd2: Double
        var testDescription: String { name }
    }

    struct SubsampleCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let reference: [[Double]]
        let current: [[Double]]
        let limit: Int
        let seed: UInt64
        let rows: [Int]
        let sigma: Double
        var testDescription: String { name }
    }

    struct LinearCase: Decodable, Sendable, CustomTestStringConvertible {
        struct Result: Decodable, Sendable {
            let statistic: Double
            let variance: Double
            let pValue: Double
            let pairs: Int
        }

        let name: String
        let reference: [[Double]]
        let current: [[Double]]
        let sigma: Double
        let fixed: Result
        let medianSigma: Double
        let median: Result
        var testDescription: String { name }
    }

    struct PCACase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let reference: [[Double]]
        let current: [[Double]]
        let rule: String
        let ruleValue: Double
        let quantileLevel: Double
        let deviations: Double
        let means: [Double]
        let scales: [Double]
        let eigenvalues: [Double]
        let componentCount: Int
        let components: [[Double]]
        let referenceErrors: [Double]
        let referenceError: Double
        let referenceErrorSd: Double
        let referenceErrorQuantile: Double
        let currentError: Double
        let ratio: Double
        let threshold: Double
        let drifted: Bool
        let shareAbove: Double
        let explainedShare: Double
        var testDescription: String { name }

        var componentRule: PCAReconstructionDrift.Components {
            rule == "count" ? .count(Int(ruleValue)) : .varianceShare(ruleValue)
        }
    }

    struct PermutationCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let reference: [[Double]]
        let current: [[Double]]
        let permutations: Int
        let seed: UInt64
        let sigma: Double
        let statistic: Double
        let pValue: Double
        let minGap: Double
        var testDescription: String { name }
    }

    let mmd: [MMDCase]
    let medianSubsample: [SubsampleCase]
    let linear: [LinearCase]
    let pca: [PCACase]
    let permutation: [PermutationCase]

    static let loaded: MultivariateFixtureFile? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/multivariate.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(MultivariateFixtureFile.self, from: data)
    }()

    /// One part of the file, or nothing when it is missing (the count check then fails).
    static func part<Element>(_ path: KeyPath<MultivariateFixtureFile, [Element]>) -> [Element] {
        loaded?[keyPath: path] ?? []
    }
}

/// Whether a value agrees with numpy's within a relative tolerance (or, for values that are
/// rounding noise around zero, an absolute one).
private func agreesWithNumpy(_ actual: Double, _ expected: Double, relative: Double = 1e-9, absolute: Double = 1e-15) -> Bool {
    actual == expected || abs(actual - expected) <= relative * abs(expected) || abs(actual - expected) <= absolute
}

private func sample(_ rows: [[Double]]) throws -> MultivariateSample {
    try MultivariateSample(rows: rows)
}

@Suite("Maximum mean discrepancy against numpy")
struct MaximumMeanDiscrepancyTests {
    @Test("the fixtures are present")
    func fixtures() {
        #expect(MultivariateFixtureFile.part(\.mmd).count == 6)
        #expect(MultivariateFixtureFile.part(\.medianSubsample).count == 2)
        #expect(MultivariateFixtureFile.part(\.linear).count == 4)
        #expect(MultivariateFixtureFile.part(\.pca).count == 11)
        #expect(MultivariateFixtureFile.part(\.permutation).count == 2)
    }

    @Test("unbiased MMD² with a given σ matches numpy", arguments: MultivariateFixtureFile.part(\.mmd))
    func givenBandwidth(fixture: MultivariateFixtureFile.MMDCase) throws {
        let test = try MaximumMeanDiscrepancyTest(
            reference: sample(fixture.reference), current: sample(fixture.current), bandwidth: .fixed(fixture.sigma), permutations: 20)
        #expect(test.bandwidth == fixture.sigma)
        #expect(agreesWithNumpy(test.statistic, fixture.mmd2), "MMD² \(test.statistic) vs numpy \(fixture.mmd2)")
        // p = (1 + c) / (1 + B) for a count c of permutations at least as large.
        let scaled = test.pValue * 21
        #expect(abs(scaled - scaled.rounded()) < 1e-9 && scaled >= 1, "p \(test.pValue) is not a multiple of 1/21")
    }

    @Test("the median-heuristic σ and its MMD² match numpy's median of pdist", arguments: MultivariateFixtureFile.part(\.mmd))
    func medianBandwidth(fixture: MultivariateFixtureFile.MMDCase) throws {
        let reference = try sample(fixture.reference), current = try sample(fixture.current)
        let sigma = try KernelBandwidth.medianHeuristic().value(reference: reference, current: current)
        #expect(agreesWithNumpy(sigma, fixture.medianSigma), "σ \(sigma) vs numpy \(fixture.medianSigma)")
        let test = try MaximumMeanDiscrepancyTest(reference: reference, current: current, permutations: 20)
        #expect(test.bandwidth == sigma)
        #expect(agreesWithNumpy(test.statistic, fixture.medianMmd2), "MMD² \(test.statistic) vs numpy \(fixture.medianMmd2)")
    }

    @Test("above the subsample limit, σ is the median over the seeded subsample the numpy port draws",
          arguments: MultivariateFixtureFile.part(\.medianSubsample))
    func subsampledMedian(fixture: MultivariateFixtureFile.SubsampleCase) throws {
        let reference = try sample(fixture.reference), current = try sample(fixture.current)
        let total = reference.rowCount + current.rowCount
        #expect(KernelBandwidth.subsample(of: total, count: fixture.limit, seed: fixture.seed) == fixture.rows)
        let sigma = try KernelBandwidth.medianHeuristic(subsampleLimit: fixture.limit).value(reference: reference, current: current, seed: fixture.seed)
        #expect(agreesWithNumpy(sigma, fixture.sigma), "σ \(sigma) vs numpy \(fixture.sigma)")
    }

    @Test("the permutation p-value is the one numpy finds with a port of the same generators",
          arguments: MultivariateFixtureFile.part(\.permutation))
    func permutationPValue(fixture: MultivariateFixtureFile.PermutationCase) throws {
        let test = try MaximumMeanDiscrepancyTest(
            reference: sample(fixture.reference), current: sample(fixture.current), permutations: fixture.permutations, seed: fixture.seed)
        #expect(agreesWithNumpy(test.bandwidth, fixture.sigma))
        #expect(agreesWithNumpy(test.statistic, fixture.statistic), "MMD² \(test.statistic) vs numpy \(fixture.statistic)")
        #expect(test.pValue == fixture.pValue, "p \(test.pValue) vs numpy \(fixture.pValue) (closest permuted statistic \(fixture.minGap) away)")
        #expect(test.permutations == fixture.permutations)
    }

    @Test("the same seed gives the same p-value; one distribution is not significant, a 1 σ mean shift is")
    func permutationDecisions() throws {
        let cases = MultivariateFixtureFile.part(\.permutation)
        try #require(cases.count == 2)
        let null = cases[0], shift = cases[1]
        let nullReference = try sample(null.reference), nullCurrent = try sample(null.current)
        let first = try MaximumMeanDiscrepancyTest(reference: nullReference, current: nullCurrent, seed: 42)
        let again = try MaximumMeanDiscrepancyTest(reference: nullReference, current: nullCurrent, seed: 42)
        #expect(first == again)
        #expect(first.pValue > 0.2, "same-distribution samples gave p = \(first.pValue)")
        let shifted = try MaximumMeanDiscrepancyTest(reference: sample(shift.reference), current: sample(shift.current), seed: 42)
        #expect(shifted.pValue <= 2.0 / Double(MaximumMeanDiscrepancyTest.defaultPermutations + 1), "a 1 σ shift at n = 200 gave p = \(shifted.pValue)")
        #expect(shifted.pValue >= 1.0 / Double(MaximumMeanDiscrepancyTest.defaultPermutations + 1))
    }

    @Test("permuted statistics do not depend on the number of threads or on how many are computed")
    func threadIndependence() throws {
        let cases = MultivariateFixtureFile.part(\.permutation)
        try #require(!cases.isEmpty)
        let reference = try sample(cases[0].reference), current = try sample(cases[0].current)
        let kernel = try PooledKernelMatrix(reference: reference, current: current, bandwidth: cases[0].sigma)
        let parallel = kernel.permutationStatistics(first: reference.rowCount, permutations: 60, seed: 9, parallel: true)
        let serial = kernel.permutationStatistics(first: reference.rowCount, permutations: 60, seed: 9, parallel: false)
        #expect(parallel.count == 61)
        #expect(parallel == serial)
        let fewer = kernel.permutationStatistics(first: reference.rowCount, permutations: 13, seed: 9, parallel: true)
        #expect(Array(parallel.prefix(14)) == fewer)
        let viaParallel = try MaximumMeanDiscrepancyTest(
            reference: reference, current: current, bandwidth: .fixed(cases[0].sigma), permutations: 60, seed: 9, parallel: true)
        let viaSerial = try MaximumMeanDiscrepancyTest(
            reference: reference, current: current, bandwidth: .fixed(cases[0].sigma), permutations: 60, seed: 9, parallel: false)
        #expect(viaParallel == viaSerial)
    }

    @Test("a pooled sample above the memory cap is refused, pointing to the linear-time test")
    func memoryCap() throws {
        let rows = MaximumMeanDiscrepancyTest.maximumPooledRows / 2
        let reference = try MultivariateSample(rowCount: rows + 1, columnCount: 1, values: (0...rows).map(Double.init))
        let current = try MultivariateSample(rowCount: rows, columnCount: 1, values: (0..<rows).map(Double.init))
        let error = #expect(throws: DriftError.self) { try MaximumMeanDiscrepancyTest(reference: reference, current: current) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.fix?.contains("LinearTimeMMDTest") == true)
        // The linear-time test takes the same samples.
        #expect(throws: Never.self) { try LinearTimeMMDTest(reference: reference, current: current) }
    }

    @Test("settings outside their range are refused")
    func invalidSettings() throws {
        let reference = try sample([[0, 1], [1, 0], [2, 2], [3, 1]])
        let current = try sample([[1, 1], [0, 2], [2, 0], [1, 3]])
        let zeroPermutations = #expect(throws: DriftError.self) { try MaximumMeanDiscrepancyTest(reference: reference, current: current, permutations: 0) }
        #expect(zeroPermutations?.code == .invalidArgument)
        for sigma in [0, -1, Double.nan, Double.infinity] {
            let error = #expect(throws: DriftError.self) { try KernelBandwidth.fixed(sigma).value(reference: reference, current: current) }
            #expect(error?.code == .invalidArgument)
        }
        let tinyLimit = #expect(throws: DriftError.self) { try KernelBandwidth.medianHeuristic(subsampleLimit: 1).value(reference: reference, current: current) }
        #expect(tinyLimit?.code == .invalidArgument)
        let duplicates = try sample(Array(repeating: [1.0, 2.0], count: 5))
        let zeroMedian = #expect(throws: DriftError.self) { try MaximumMeanDiscrepancyTest(reference: duplicates, current: duplicates) }
        #expect(zeroMedian?.code == .invalidArgument)
    }
}

@Suite("Linear-time MMD against numpy")
struct LinearTimeMMDTests {
    @Test("MMD²ₗ, the variance of h and the one-sided p-value match numpy", arguments: MultivariateFixtureFile.part(\.linear))
    func matchesNumpy(fixture: MultivariateFixtureFile.LinearCase) throws {
        let reference = try sample(fixture.reference), current = try sample(fixture.current)
        let fixed = try LinearTimeMMDTest(reference: reference, current: current, bandwidth: .fixed(fixture.sigma))
        let median = try LinearTimeMMDTest(reference: reference, current: current)
        for (test, expected) in [(fixed, fixture.fixed), (median, fixture.median)] {
            #expect(test.pairCount == expected.pairs)
            #expect(agreesWithNumpy(test.statistic, expected.statistic), "MMD²ₗ \(test.statistic) vs numpy \(expected.statistic)")
            #expect(agreesWithNumpy(test.variance, expected.variance), "variance \(test.variance) vs numpy \(expected.variance)")
            #expect(agreesWithNumpy(test.pValue, expected.pValue), "p \(test.pValue) vs numpy \(expected.pValue)")
        }
        #expect(agreesWithNumpy(median.bandwidth, fixture.medianSigma))
    }

    @Test("fewer than four rows in a sample is an empty-sample error")
    func tooFewRows() throws {
        let small = try sample([[0], [1], [2]])
        let large = try sample([[0], [1], [2], [3], [4]])
        let error = #expect(throws: DriftError.self) { try LinearTimeMMDTest(reference: small, current: large) }
        #expect(error?.code == .emptySample)
    }
}

@Suite("PCA reconstruction drift against numpy")
struct PCAReconstructionDriftTests {
    @Test("eigenvalues, components (up to sign) and reconstruction errors match numpy.linalg.eigh",
          arguments: MultivariateFixtureFile.part(\.pca))
    func matchesNumpy(fixture: MultivariateFixtureFile.PCACase) throws {
        let model = try PCAReconstructionDrift(
            reference: sample(fixture.reference), components: fixture.componentRule, quantileLevel: fixture.quantileLevel)
        let d = fixture.means.count
        #expect(model.columnCount == d)
        for (ours, numpy) in zip(model.columnMeans, fixture.means) { #expect(agreesWithNumpy(ours, numpy, absolute: 1e-12)) }
        for (ours, numpy) in zip(model.columnScales, fixture.scales) { #expect(agreesWithNumpy(ours, numpy)) }
        // Small eigenvalues are compared on the scale of the largest: LAPACK's are accurate to
        // about ε · λ_max, not to ε · λ (a constant column's eigenvalue is 0 here, ~1e-17 there).
        let largest = fixture.eigenvalues.first ?? 1
        for (ours, numpy) in zip(model.eigenvalues, fixture.eigenvalues) {
            #expect(agreesWithNumpy(ours, numpy, absolute: 1e-12 * largest), "eigenvalue \(ours) vs numpy \(numpy)")
        }
        #expect(model.componentCount == fixture.componentCount)
        #expect(agreesWithNumpy(model.explainedVarianceShare, fixture.explainedShare))
        for (index, expected) in fixture.components.enumerated() {
            let ours = Array(model.components[(index * d)..<((index + 1) * d)])
            let sign = zip(ours, expected).reduce(0.0) { $0 + $1.0 * $1.1 } < 0 ? -1.0 : 1.0
            for (value, numpy) in zip(ours, expected) {
                #expect(agreesWithNumpy(sign * value, numpy, absolute: 1e-12), "component \(index): \(ours) vs numpy \(expected)")
            }
        }
        let rowErrors = try model.rowErrors(sample(fixture.reference))
        #expect(rowErrors.count == fixture.referenceErrors.count)
        for (ours, numpy) in zip(rowErrors, fixture.referenceErrors) { #expect(agreesWithNumpy(ours, numpy), "row error \(ours) vs numpy \(numpy)") }
        #expect(agreesWithNumpy(model.referenceError, fixture.referenceError))
        #expect(agreesWithNumpy(model.referenceErrorStandardDeviation, fixture.referenceErrorSd))
        #expect(agreesWithNumpy(model.referenceErrorQuantile, fixture.referenceErrorQuantile))

        let report = try model.evaluate(sample(fixture.current), deviations: fixture.deviations)
        #expect(agreesWithNumpy(report.currentError, fixture.currentError), "current error \(report.currentError) vs numpy \(fixture.currentError)")
        #expect(agreesWithNumpy(report.referenceError, fixture.referenceError))
        #expect(agreesWithNumpy(report.ratio, fixture.ratio))
        #expect(agreesWithNumpy(report.threshold, fixture.threshold))
        #expect(report.drifted == fixture.drifted)
        #expect(report.shareAboveReferenceQuantile == fixture.shareAbove)
        #expect(report.referenceQuantileLevel == fixture.quantileLevel)
    }

    @Test("a fitted model round-trips through JSON; a damaged one is refused on decoding")
    func codable() throws {
        let cases = MultivariateFixtureFile.part(\.pca)
        try #require(!cases.isEmpty)
        let model = try PCAReconstructionDrift(reference: sample(cases[0].reference))
        let data = try JSONEncoder().encode(model)
        #expect(try JSONDecoder().decode(PCAReconstructionDrift.self, from: data) == model)

        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = try #require(String(data: try encoder.encode(model), encoding: .utf8))
        let key = "\"componentCount\":\(model.componentCount)"
        #expect(text.contains(key))
        let damaged = Data(text.replacingOccurrences(of: key, with: "\"componentCount\":\(model.columnCount + 1)").utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PCAReconstructionDrift.self, from: damaged) }
    }

    @Test("settings outside their range and a constant reference are refused")
    func invalidSettings() throws {
        let reference = try sample([[0, 1, 2], [1, 0, 4], [2, 2, 1], [3, 1, 0]])
        for rule in [PCAReconstructionDrift.Components.varianceShare(0), .varianceShare(1.5), .count(0), .count(4)] {
            let error = #expect(throws: DriftError.self) { try PCAReconstructionDrift(reference: reference, components: rule) }
            #expect(error?.code == .invalidArgument)
        }
        let level = #expect(throws: DriftError.self) { try PCAReconstructionDrift(reference: reference, quantileLevel: 1.5) }
        #expect(level?.code == .invalidArgument)
        let constant = try sample([[1, 2], [1, 2], [1, 2]])
        let flat = #expect(throws: DriftError.self) { try PCAReconstructionDrift(reference: constant) }
        #expect(flat?.code == .invalidArgument)
        let model = try PCAReconstructionDrift(reference: reference)
        let deviations = #expect(throws: DriftError.self) { try model.evaluate(reference, deviations: -1) }
        #expect(deviations?.code == .invalidArgument)
    }
}

@Suite("Symmetric eigendecomposition (Jacobi)")
struct SymmetricEigendecompositionTests {
    @Test("a 2 × 2 matrix: eigenvalues 3 and 1, eigenvectors signed by their largest entry")
    func twoByTwo() {
        let result = SymmetricEigendecomposition(symmetric: [2, 1, 1, 2], dimension: 2)
        #expect(agreesWithNumpy(result.eigenvalues[0], 3, relative: 1e-14))
        #expect(agreesWithNumpy(result.eigenvalues[1], 1, relative: 1e-14))
        let root = 0.5.squareRoot()
        for (ours, expected) in zip(result.eigenvectors, [root, root, root, -root]) {
            #expect(abs(ours - expected) <= 1e-15)
        }
    }

    @Test("A·v = λv and VᵀV = I for a dense 6 × 6 matrix; a diagonal matrix needs no sweep")
    func dense() {
        let d = 6
        var matrix = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0..<d { matrix[i * d + j] = 1 / Double(i + j + 1) + (i == j ? Double(i) : 0) }
        }
        let result = SymmetricEigendecomposition(symmetric: matrix, dimension: d)
        #expect(result.sweeps <= 12)
        for k in 0..<d {
            let v = Array(result.eigenvectors[(k * d)..<((k + 1) * d)])
            for i in 0..<d {
                let product = (0..<d).reduce(0.0) { $0 + matrix[i * d + $1] * v[$1] }
                #expect(abs(product - result.eigenvalues[k] * v[i]) <= 1e-13)
            }
            for l in 0..<d {
                let w = Array(result.eigenvectors[(l * d)..<((l + 1) * d)])
                let dot = zip(v, w).reduce(0.0) { $0 + $1.0 * $1.1 }
                #expect(abs(dot - (k == l ? 1 : 0)) <= 1e-14)
            }
        }
        #expect(result.eigenvalues == result.eigenvalues.sorted(by: >))
        let diagonal = SymmetricEigendecomposition(symmetric: [1, 0, 0, 0, 5, 0, 0, 0, 3], dimension: 3)
        #expect(diagonal.sweeps == 0)
        #expect(diagonal.eigenvalues == [5, 3, 1])
    }
}

@Suite("Multivariate samples")
struct MultivariateSampleTests {
    @Test("NaN and infinity are refused, naming the row and column")
    func nonFinite() {
        let nan = #expect(throws: DriftError.self) { try MultivariateSample(rows: [[1, 2, 3], [4, 5, .nan]]) }
        #expect(nan?.code == .invalidArgument)
        #expect(nan?.message.contains("Row 1, column 2") == true)
        let infinity = #expect(throws: DriftError.self) { try MultivariateSample(rowCount: 2, columnCount: 2, values: [1, -.infinity, 3, 4]) }
        #expect(infinity?.code == .invalidArgument)
        #expect(infinity?.message.contains("Row 0, column 1") == true)
    }

    @Test("fewer than two rows is an empty-sample error; a wrong shape is an invalid argument")
    func shapes() {
        let oneRow = #expect(throws: DriftError.self) { try MultivariateSample(rows: [[1, 2]]) }
        #expect(oneRow?.code == .emptySample)
        let none = #expect(throws: DriftError.self) { try MultivariateSample(rows: []) }
        #expect(none?.code == .emptySample)
        let ragged = #expect(throws: DriftError.self) { try MultivariateSample(rows: [[1, 2], [3]]) }
        #expect(ragged?.code == .invalidArgument)
        let count = #expect(throws: DriftError.self) { try MultivariateSample(rowCount: 2, columnCount: 2, values: [1, 2, 3]) }
        #expect(count?.code == .invalidArgument)
        let noColumns = #expect(throws: DriftError.self) { try MultivariateSample(rowCount: 2, columnCount: 0, values: []) }
        #expect(noColumns?.code == .invalidArgument)
    }

    @Test("samples with different column counts are refused by every multivariate check")
    func mismatchedColumns() throws {
        let two = try sample([[0, 1], [1, 0], [2, 2], [3, 1]])
        let three = try sample([[0, 1, 2], [1, 0, 1], [2, 2, 0], [3, 1, 1]])
        let mmd = #expect(throws: DriftError.self) { try MaximumMeanDiscrepancyTest(reference: two, current: three) }
        #expect(mmd?.code == .invalidArgument)
        let linear = #expect(throws: DriftError.self) { try LinearTimeMMDTest(reference: two, current: three) }
        #expect(linear?.code == .invalidArgument)
        let bandwidth = #expect(throws: DriftError.self) { try KernelBandwidth.fixed(1).value(reference: two, current: three) }
        #expect(bandwidth?.code == .invalidArgument)
        let model = try PCAReconstructionDrift(reference: two)
        let pca = #expect(throws: DriftError.self) { try model.evaluate(three) }
        #expect(pca?.code == .invalidArgument)
    }

    @Test("a sample round-trips through JSON; decoding validates it again")
    func codable() throws {
        let original = try sample([[1, 2], [3, 4], [5, 6]])
        let data = try JSONEncoder().encode(original)
        #expect(try JSONDecoder().decode(MultivariateSample.self, from: data) == original)
        let damaged = Data(#"{"rowCount": 1, "columnCount": 2, "values": [1, 2]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(MultivariateSample.self, from: damaged) }
    }

    @Test("rows that are mostly duplicates give a zero median distance, refused with a clear error; the subsample limit is capped")
    func nearDuplicateRows() throws {
        // 80 of 100 rows identical (64 % of the pairs): numpy's median of pdist is exactly 0.
        var rows: [[Double]] = Array(repeating: [1234.567, 0.1, 98.76, 3.3], count: 80)
        for index in 0..<20 { rows.append([Double(index % 2), Double(index % 3), 1, Double(index % 5)]) }
        let reference = try MultivariateSample(rows: rows)
        let error = caughtDriftError { () throws(DriftError) in _ = try KernelBandwidth.medianHeuristic().value(reference: reference, current: reference) }
        #expect(error?.message.contains("median distance") == true, "\(String(describing: error))")
        #expect(throws: DriftError.self) { try KernelBandwidth.medianHeuristic(subsampleLimit: 100_000).value(reference: reference, current: reference) }
    }
}

