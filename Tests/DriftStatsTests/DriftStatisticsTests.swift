import DriftStats
import Foundation
import Testing
import TensorCore

/// scipy/numpy reference values from `Scripts/fixtures/make_drift_fixtures.py`.
struct DriftFixture: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let reference: [Double]
    let current: [Double]
    let ksStatistic: Double
    let ksPvalue: Double
    let wasserstein: Double
    let psi: Double
    let energy: Double
    let binned: Binned
    let welchT: Double
    let welchP: Double
    let mwuU: Double
    let mwuP: Double

    struct Binned: Decodable, Sendable {
        let js: Double
        let kl: Double
        let hellinger: Double
        let tv: Double
        let linf: Double
    }

    enum CodingKeys: String, CodingKey {
        case name, reference, current, wasserstein, psi, energy, binned
        case welchT = "welch_t", welchP = "welch_p", mwuU = "mwu_u", mwuP = "mwu_p"
        case ksStatistic = "ks_statistic", ksPvalue = "ks_pvalue"
    }

    var testDescription: String { name }

    static let all: [DriftFixture] = driftFixtures(\.cases)
}

/// scipy.stats.chi2_contingency reference values.
struct ContingencyFixture: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let reference: [Int]
    let current: [Int]
    let pearson: Double
    let pearsonP: Double
    let g: Double
    let gP: Double
    let dof: Int

    enum CodingKeys: String, CodingKey {
        case name, reference, current, pearson, g, dof
        case pearsonP = "pearson_p", gP = "g_p"
    }

    var testDescription: String { name }

    static let all: [ContingencyFixture] = driftFixtures(\.contingency)
}

/// The fixture file of `Scripts/fixtures/make_drift_fixtures.py`, decoded once.
struct DriftFixtureFile: Decodable, Sendable {
    let cases: [DriftFixture]
    let contingency: [ContingencyFixture]
    let multiple: [MultipleTestingTests.Case]
    let fisher: [FisherExactTests.Case]
    let cramerVonMises: [CramerVonMisesFixture]
    let cramerVonMisesLimit: [CramerVonMisesLimitFixture]
    let besselK: [BesselKFixture]
    let anderson: [AndersonDarlingFixture]
    let proportions: [ProportionFixture]
    let mannWhitneyTail: [FisherExactTests.MannWhitneyTailCase]

    enum CodingKeys: String, CodingKey {
        case cases, contingency, multiple, fisher, anderson, proportions
        case mannWhitneyTail = "mwu_tail"
        case cramerVonMises = "cramervonmises", cramerVonMisesLimit = "cvm_limit", besselK = "bessel_k"
    }

    static let loaded: DriftFixtureFile? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/drift.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(DriftFixtureFile.self, from: data)
    }()
}

/// One part of the fixture file, or nothing when it is missing (the count checks then fail).
func driftFixtures<Element>(_ part: KeyPath<DriftFixtureFile, [Element]>) -> [Element] {
    DriftFixtureFile.loaded?[keyPath: part] ?? []
}

func relative(_ actual: Double, _ expected: Double) -> Double {
    actual == expected ? 0 : abs(actual - expected) / max(abs(expected), 1e-300)
}

@Suite("Drift statistics against scipy")
struct DriftStatisticsTests {
    @Test("the fixtures are present")
    func fixtures() {
        #expect(DriftFixture.all.count == 11)
        #expect(ContingencyFixture.all.count == 5)
    }

    @Test("two-sample KS statistic and p-value match scipy.stats.ks_2samp", arguments: DriftFixture.all)
    func kolmogorovSmirnov(fixture: DriftFixture) throws {
        let test = try KolmogorovSmirnovTest(reference: fixture.reference, current: fixture.current)
        #expect(test.statistic == fixture.ksStatistic)
        #expect(relative(test.pValue, fixture.ksPvalue) <= 1e-9 || abs(test.pValue - fixture.ksPvalue) < 1e-300,
                "p \(test.pValue) vs scipy \(fixture.ksPvalue)")
        #expect(test.exact == (max(fixture.reference.count, fixture.current.count) <= 10_000))
    }

    @Test("Wasserstein-1 matches scipy.stats.wasserstein_distance", arguments: DriftFixture.all)
    func wasserstein(fixture: DriftFixture) throws {
        let distance = try WassersteinDistance.distance(SortedSample(fixture.reference), SortedSample(fixture.current))
        #expect(relative(distance, fixture.wasserstein) <= 1e-9, "\(distance) vs \(fixture.wasserstein)")
    }

    @Test("Wasserstein-1 near the top of the double range stays finite, as scipy's does")
    func wassersteinHugeValues() throws {
        // scipy.stats.wasserstein_distance([1e308, 1.1e308], [0]) = 1.05e308.
        let distance = try WassersteinDistance.distance(SortedSample([1e308, 1.1e308]), SortedSample([0]))
        #expect(relative(distance, 1.05e308) <= 1e-15, "\(distance)")
        // Gaps that overflow themselves are infinite in scipy too.
        #expect(try WassersteinDistance.distance(SortedSample([1.7e308]), SortedSample([-1.7e308])) == .infinity)
    }

    @Test("PSI over reference decile bins matches the numpy computation of the same rule", arguments: DriftFixture.all)
    func psi(fixture: DriftFixture) throws {
        let reference = SortedSample(fixture.reference)
        let bins = try ReferenceBins(quantilesOf: reference)
        let index = try PopulationStabilityIndex.index(bins: bins, reference: reference, current: SortedSample(fixture.current))
        #expect(relative(index, fixture.psi) <= 1e-9 || abs(index - fixture.psi) < 1e-15, "\(index) vs \(fixture.psi)")
    }

    @Test("chi-square and G-test match scipy.stats.chi2_contingency", arguments: ContingencyFixture.all)
    func contingency(fixture: ContingencyFixture) throws {
        let pearson = try ContingencyTest(reference: fixture.reference, current: fixture.current)
        #expect(pearson.degreesOfFreedom == fixture.dof)
        #expect(relative(pearson.statistic, fixture.pearson) <= 1e-12 || abs(pearson.statistic - fixture.pearson) < 1e-12)
        #expect(relative(pearson.pValue, fixture.pearsonP) <= 1e-9, "\(pearson.pValue) vs \(fixture.pearsonP)")
        let g = try ContingencyTest(reference: fixture.reference, current: fixture.current, statistic: .logLikelihood)
        #expect(relative(g.statistic, fixture.g) <= 1e-12 || abs(g.statistic - fixture.g) < 1e-12)
        #expect(relative(g.pValue, fixture.gP) <= 1e-9, "\(g.pValue) vs \(fixture.gP)")
    }

    @Test("contingency inputs that cannot be tested are typed errors")
    func contingencyErrors() {
        #expect(throws: DriftError.self) { try ContingencyTest(reference: [1, 2], current: [1]) }
        #expect(throws: DriftError.self) { try ContingencyTest(reference: [1, -2], current: [1, 2]) }
        #expect(throws: DriftError.self) { try ContingencyTest(reference: [0, 0], current: [1, 2]) }
    }

    @Test("Welch's t-test matches scipy.stats.ttest_ind(equal_var=False)", arguments: DriftFixture.all)
    func welch(fixture: DriftFixture) throws {
        let test = try WelchTTest(reference: fixture.reference, current: fixture.current)
        if fixture.welchT.isNaN {
            #expect(test.statistic.isNaN)
            return
        }
        #expect(relative(test.statistic, fixture.welchT) <= 1e-9 || abs(test.statistic - fixture.welchT) < 1e-12, "t \(test.statistic) vs \(fixture.welchT)")
        #expect(relative(test.pValue, fixture.welchP) <= 1e-8, "p \(test.pValue) vs \(fixture.welchP)")
    }

    @Test("Welch's t-test does not depend on the unit: values near 1e78 give what the same values near 1 give (the degrees of freedom no longer overflow)")
    func welchLargeValues() throws {
        let reference: [Double] = [1, 2, 3, 4], current: [Double] = [2, 3, 4, 6]
        let unit = try WelchTTest(reference: reference, current: current)
        // scipy.stats.ttest_ind([1, 2, 3, 4], [2, 3, 4, 6], equal_var=False)
        #expect(abs(unit.statistic - -1.1677484162422844) < 1e-12)
        #expect(abs(unit.pValue - 0.2903335690497173) < 1e-9)
        for scale in [1e78, 1e150, 1e-150] {
            let scaled = try WelchTTest(reference: reference.map { $0 * scale }, current: current.map { $0 * scale })
            #expect(abs(scaled.statistic - unit.statistic) <= 1e-12 * abs(unit.statistic), "\(scale): t \(scaled.statistic)")
            #expect(abs(scaled.degreesOfFreedom - unit.degreesOfFreedom) <= 1e-12 * unit.degreesOfFreedom, "\(scale): dof \(scaled.degreesOfFreedom)")
            #expect(abs(scaled.pValue - unit.pValue) <= 1e-12, "\(scale): p \(scaled.pValue)")
        }
    }

    @Test("Mann–Whitney U matches scipy.stats.mannwhitneyu", arguments: DriftFixture.all)
    func mannWhitney(fixture: DriftFixture) throws {
        let test = try MannWhitneyUTest(reference: fixture.reference, current: fixture.current)
        #expect(test.statistic == fixture.mwuU)
        #expect(relative(test.pValue, fixture.mwuP) <= 1e-9, "p \(test.pValue) vs \(fixture.mwuP) (exact: \(test.exact))")
    }

    @Test("Mann–Whitney U from the sorted merge equals the pair count, ties and signed zeros included")
    func mannWhitneyPairCount() throws {
        var generator = Xoshiro256StarStar(seed: 0x4D57_5530)
        for round in 0..<200 {
            let sizes = (Int.random(in: 1...60, using: &generator), Int.random(in: 1...60, using: &generator))
            // Few distinct values so ties are common; ±0 are equal, as in numpy.
            let levels = Int.random(in: 1...12, using: &generator)
            func draw() -> Double {
                let level = Int.random(in: 0..<levels, using: &generator)
                return level == 0 ? (Bool.random(using: &generator) ? 0.0 : -0.0) : Double(level) / 4
            }
            let x = (0..<sizes.0).map { _ in draw() }, y = (0..<sizes.1).map { _ in draw() }
            var pairs = 0.0
            for a in x { for b in y { pairs += a > b ? 1 : (a == b ? 0.5 : 0) } }
            let test = try MannWhitneyUTest(reference: x, current: y)
            #expect(test.statistic == pairs, "round \(round): U \(test.statistic) vs pair count \(pairs)")
            #expect(test.pValue >= 0 && test.pValue <= 1)
        }
    }

    @Test("energy distance matches scipy.stats.energy_distance", arguments: DriftFixture.all)
    func energy(fixture: DriftFixture) throws {
        let distance = try EnergyDistance.distance(SortedSample(fixture.reference), SortedSample(fixture.current))
        #expect(relative(distance, fixture.energy) <= 1e-9 || abs(distance - fixture.energy) < 1e-15, "\(distance) vs \(fixture.energy)")
    }

    @Test("the analyzer reports scipy's Wasserstein and energy distances as raw_distance, and statistics scaled by σ and √σ", arguments: DriftFixture.all)
    func scaledDistances(fixture: DriftFixture) throws {
        let deviation = fixture.reference.withUnsafeBufferPointer { Reductions.summary($0) }.standardDeviation
        guard fixture.reference.count > 5, Set(fixture.reference).count > 5, deviation > 0 else { return }
        let tables = (
            try FeatureTable(columns: [("x", .double(DoubleColumn(values: fixture.reference)))]),
            try FeatureTable(columns: [("x", .double(DoubleColumn(values: fixture.current)))]))
        for (method, expected, scale) in [(DriftMethod.wasserstein, fixture.wasserstein, deviation), (.energy, fixture.energy, deviation.squareRoot())] {
            let report = try DriftAnalyzer(configuration: DriftConfiguration(method: method)).compare(reference: tables.0, current: tables.1)
            let column = try #require(report.column(named: "x"))
            let raw = try #require(column.rawDistance, "\(method): \(column.reason)")
            #expect(relative(raw, expected) <= 1e-9 || abs(raw - expected) < 1e-15, "\(method): \(raw) vs scipy \(expected)")
            let statistic = try #require(column.statistic)
            #expect(relative(statistic, raw / scale) <= 1e-12 || abs(statistic - raw / scale) < 1e-15, "\(method)")
        }
    }

    @Test("the scaled Wasserstein and energy statistics do not change with the unit; the raw distances scale as they should")
    func unitFree() throws {
        let reference = TestTables.normals(3_000, mean: 2, sd: 1.5, seed: 11)
        let current = TestTables.normals(2_500, mean: 2.3, sd: 1.7, seed: 12)
        func column(_ method: DriftMethod, _ factor: Double) throws -> ColumnDrift {
            let tables = (
                try FeatureTable(columns: [("x", .double(DoubleColumn(values: reference.map { $0 * factor })))]),
                try FeatureTable(columns: [("x", .double(DoubleColumn(values: current.map { $0 * factor })))]))
            return try #require(try DriftAnalyzer(configuration: DriftConfiguration(method: method)).compare(reference: tables.0, current: tables.1).column(named: "x"))
        }
        for (method, growth) in [(DriftMethod.wasserstein, 1.0), (.energy, 0.5)] {
            let metres = try column(method, 1), centimetres = try column(method, 100)
            let (a, b) = (try #require(metres.statistic), try #require(centimetres.statistic))
            #expect(relative(a, b) <= 1e-9, "\(method): \(a) in metres, \(b) in centimetres")
            let (rawA, rawB) = (try #require(metres.rawDistance), try #require(centimetres.rawDistance))
            #expect(relative(rawB, rawA * pow(100, growth)) <= 1e-9, "\(method): raw \(rawA) and \(rawB)")
        }
        #expect(try column(.kolmogorovSmirnov, 1).rawDistance == nil)
    }

    @Test("binned distances match scipy's jensenshannon, entropy and the numpy formulas", arguments: DriftFixture.all)
    func binnedDistances(fixture: DriftFixture) throws {
        let reference = SortedSample(fixture.reference)
        let d = try BinnedDistances(bins: ReferenceBins(quantilesOf: reference), reference: reference, current: SortedSample(fixture.current))
        func close(_ a: Double, _ b: Double) -> Bool { relative(a, b) <= 1e-9 || abs(a - b) < 1e-12 }
        #expect(close(d.jensenShannon, fixture.binned.js), "js \(d.jensenShannon) vs \(fixture.binned.js)")
        #expect(close(d.kullbackLeibler, fixture.binned.kl), "kl \(d.kullbackLeibler) vs \(fixture.binned.kl)")
        #expect(close(d.hellinger, fixture.binned.hellinger))
        #expect(close(d.totalVariation, fixture.binned.tv))
        #expect(close(d.lInfinity, fixture.binned.linf))
    }

    @Test("NaNs are left out and counted; an all-NaN sample is a typed error")
    func nanRule() throws {
        let sample = SortedSample([3, .nan, 1, 2, .nan])
        #expect(sample.values == [1, 2, 3])
        #expect(sample.nanCount == 2)
        let withNaN = try KolmogorovSmirnovTest(reference: [1, 2, 3, .nan], current: [1, 2, 3])
        #expect(withNaN.statistic == 0)
        #expect(withNaN.pValue == 1)
        #expect(throws: DriftError.self) { try KolmogorovSmirnovTest(reference: [.nan], current: [1]) }
        #expect(throws: DriftError.self) { try WassersteinDistance.distance(SortedSample([]), SortedSample([1])) }
        #expect(throws: DriftError.self) { try ReferenceBins(quantilesOf: SortedSample([1, 2]), count: 1) }
    }
}

@Suite("Multiple testing")
struct MultipleTestingTests {
    struct Case: Decodable, Sendable {
        let name: String
        let p: [Double]
        let bh: [Double]
    }

    static let cases: [Case] = driftFixtures(\.multiple)

    @Test("Benjamini–Hochberg matches scipy.stats.false_discovery_control")
    func benjaminiHochberg() {
        #expect(Self.cases.count == 3)
        for testCase in Self.cases {
            let adjusted = MultipleTesting.adjusted(testCase.p, method: .benjaminiHochberg)
            for (ours, scipy) in zip(adjusted, testCase.bh) {
                #expect(relative(ours, scipy) <= 1e-12, "\(testCase.name): \(ours) vs \(scipy)")
            }
        }
    }

    @Test("Bonferroni multiplies by the number of tests; NaN columns are left out")
    func bonferroni() {
        let adjusted = MultipleTesting.adjusted([0.01, .nan, 0.2, 0.5], method: .bonferroni)
        #expect(adjusted[0] == 0.03)
        #expect(adjusted[1].isNaN)
        #expect(adjusted[3] == 1)
        #expect(MultipleTesting.rejected([0.01, .nan, 0.2, 0.5], method: .bonferroni) == [true, false, false, false])
    }
}

@Suite("Fisher's exact test")
struct FisherExactTests {
    struct Case: Decodable, Sendable {
        let table: [[Int]]
        let odds: Double?
        let p: Double
    }

    static let cases: [Case] = driftFixtures(\.fisher)

    @Test("two-sided p-values and odds ratios match scipy.stats.fisher_exact")
    func matchesScipy() throws {
        #expect(Self.cases.count == 12)
        for testCase in Self.cases {
            let t = testCase.table
            let test = try FisherExactTest(t[0][0], t[0][1], t[1][0], t[1][1])
            #expect(relative(test.pValue, testCase.p) <= 1e-9, "\(t): \(test.pValue) vs \(testCase.p)")
            if let odds = testCase.odds { #expect(relative(test.oddsRatio, odds) <= 1e-12) }
        }
        #expect(throws: DriftError.self) { try FisherExactTest(1, -1, 2, 3) }
        #expect(throws: DriftError.self) { try FisherExactTest(Int.max, 1, 1, 1) }
    }

    struct MannWhitneyTailCase: Decodable, Sendable {
        let name: String
        let reference: [Double]
        let current: [Double]
        let u: Double
        let p: Double
    }

    /// Lives here beside the other exact counts; the Mann–Whitney exact path far in the tail,
    /// where a product of (1 − qⁿ⁺ⁱ)/(1 − qⁱ) factors once cancelled to a negative p-value, and
    /// a small sample against thousands of values (exact in scipy however large the other).
    @Test("Mann–Whitney exact p-values far in the tail, and of small samples against large ones, match scipy")
    func mannWhitneyTail() throws {
        let cases = driftFixtures(\.mannWhitneyTail)
        #expect(cases.count == 6)
        for testCase in cases {
            let test = try MannWhitneyUTest(reference: testCase.reference, current: testCase.current)
            #expect(test.exact)
            #expect(test.statistic == testCase.u)
            #expect(relative(test.pValue, testCase.p) <= 1e-9, "\(testCase.name): \(test.pValue) vs \(testCase.p)")
        }
    }

}
