@testable import DriftStats
import Foundation
import Testing

/// scipy.stats.cramervonmises_2samp(method="auto") reference values.
struct CramerVonMisesFixture: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let reference: [Double]
    let current: [Double]
    let statistic: Double
    let pvalue: Double
    let exact: Bool

    var testDescription: String { name }

    static let all: [CramerVonMisesFixture] = driftFixtures(\.cramerVonMises)
}

/// scipy's limiting CDF of the Cramér–von Mises statistic (`_cdf_cvm_inf`).
struct CramerVonMisesLimitFixture: Decodable, Sendable, CustomTestStringConvertible {
    let x: Double
    let cdf: Double

    var testDescription: String { "V(\(x))" }

    static let all: [CramerVonMisesLimitFixture] = driftFixtures(\.cramerVonMisesLimit)
}

/// K_{1/4}(x) from scipy.special.kv and from mpmath at 40 digits.
struct BesselKFixture: Decodable, Sendable, CustomTestStringConvertible {
    let x: Double
    let scipy: Double
    let mpmath: Double

    var testDescription: String { "K_1/4(\(x))" }

    static let all: [BesselKFixture] = driftFixtures(\.besselK)
}

/// scipy.stats.anderson_ksamp(samples, midrank=True) reference values.
struct AndersonDarlingFixture: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let samples: [[Double]]
    let statistic: Double
    let criticalValues: [Double]
    let pvalue: Double

    enum CodingKeys: String, CodingKey {
        case name, samples, statistic, pvalue
        case criticalValues = "critical_values"
    }

    var testDescription: String { name }

    static let all: [AndersonDarlingFixture] = driftFixtures(\.anderson)
}

/// statsmodels' proportions_ztest formula (evaluated with scipy.stats.norm); nil means NaN.
struct ProportionFixture: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let x1: Int
    let n1: Int
    let x2: Int
    let n2: Int
    let statistic: Double?
    let pvalue: Double?
    let difference: Double
    let cohenH: Double

    enum CodingKeys: String, CodingKey {
        case name, x1, n1, x2, n2, statistic, pvalue, difference
        case cohenH = "cohen_h"
    }

    var testDescription: String { name }

    static let all: [ProportionFixture] = driftFixtures(\.proportions)
}

@Suite("Cramér–von Mises test")
struct CramerVonMisesTests {
    @Test("the fixtures are present, with exact and asymptotic sizes")
    func fixtures() {
        #expect(CramerVonMisesFixture.all.count == 22)
        #expect(CramerVonMisesFixture.all.filter(\.exact).count == 14)
        #expect(CramerVonMisesLimitFixture.all.count == 13)
        #expect(BesselKFixture.all.count == 28)
    }

    @Test("statistic and p-value match scipy.stats.cramervonmises_2samp", arguments: CramerVonMisesFixture.all)
    func matchesScipy(fixture: CramerVonMisesFixture) throws {
        let test = try CramerVonMisesTest(reference: fixture.reference, current: fixture.current)
        #expect(test.exact == fixture.exact)
        // T = U/(n₁n₂N) − (4n₁n₂ − 1)/(6N) is a difference of two terms of size about n₁n₂/N, so
        // where T is near 0 only an absolute bound means anything.
        #expect(relative(test.statistic, fixture.statistic) <= 1e-9 || abs(test.statistic - fixture.statistic) <= 1e-12,
                "T \(test.statistic) vs scipy \(fixture.statistic)")
        if fixture.exact {
            #expect(relative(test.pValue, fixture.pvalue) <= 1e-9, "exact p \(test.pValue) vs scipy \(fixture.pvalue)")
        } else {
            // The asymptotic p-value is 1 − V(tn): when it is small, both scipy and this port lose
            // its relative accuracy to the cancellation (V itself agrees to ~1e-14, see the limit
            // test), so small p-values agree to 1e-14 absolutely rather than 1e-9 relatively.
            #expect(abs(test.pValue - fixture.pvalue) <= 1e-9 * fixture.pvalue + 1e-14,
                    "asymptotic p \(test.pValue) vs scipy \(fixture.pvalue)")
        }
    }

    @Test("swapping the samples changes neither the statistic nor the p-value", arguments: CramerVonMisesFixture.all)
    func symmetric(fixture: CramerVonMisesFixture) throws {
        let forward = try CramerVonMisesTest(reference: fixture.reference, current: fixture.current)
        let backward = try CramerVonMisesTest(reference: fixture.current, current: fixture.reference)
        #expect(relative(backward.statistic, forward.statistic) <= 1e-12 || abs(backward.statistic - forward.statistic) <= 1e-12)
        #expect(abs(backward.pValue - forward.pValue) <= 1e-12 * forward.pValue + 1e-15)
    }

    @Test("the limiting distribution matches scipy's _cdf_cvm_inf", arguments: CramerVonMisesLimitFixture.all)
    func limit(fixture: CramerVonMisesLimitFixture) {
        let cdf = CramerVonMisesTest.limitingCDF(fixture.x)
        // 1e-12, not 1e-9 tighter: the terms use scipy's kv, itself up to 7e-14 off K_{1/4}.
        #expect(relative(cdf, fixture.cdf) <= 1e-12, "V(\(fixture.x)) \(cdf) vs scipy \(fixture.cdf)")
    }

    @Test("K_1/4 matches mpmath to 1e-14 and scipy.special.kv to 1e-12", arguments: BesselKFixture.all)
    func besselK(fixture: BesselKFixture) {
        let value = CramerVonMisesTest.besselKQuarter(fixture.x)
        #expect(relative(value, fixture.mpmath) <= 1e-14, "K(\(fixture.x)) \(value) vs mpmath \(fixture.mpmath)")
        // scipy's kv (the AMOS routine) is itself up to about 7e-14 away from the true value.
        #expect(relative(value, fixture.scipy) <= 1e-12, "K(\(fixture.x)) \(value) vs scipy \(fixture.scipy)")
    }

    @Test("K_1/4 at the ends of its domain")
    func besselKEnds() {
        #expect(CramerVonMisesTest.besselKQuarter(0) == .infinity)
        #expect(CramerVonMisesTest.besselKQuarter(-1).isNaN)
        #expect(CramerVonMisesTest.besselKQuarter(.nan).isNaN)
        #expect(CramerVonMisesTest.besselKQuarter(.infinity) == 0)
    }

    @Test("NaNs are left out")
    func nans() throws {
        let withNaN = try CramerVonMisesTest(reference: [0.3, .nan, 1.2, 2.5], current: [0.8, 2.0, .nan, 0.1])
        let without = try CramerVonMisesTest(reference: [0.3, 1.2, 2.5], current: [0.8, 2.0, 0.1])
        #expect(withNaN == without)
    }

    @Test("fewer than two values in a sample is an emptySample error")
    func errors() {
        let empty = #expect(throws: DriftError.self) { try CramerVonMisesTest(reference: [], current: [1, 2]) }
        #expect(empty?.code == .emptySample)
        let single = #expect(throws: DriftError.self) { try CramerVonMisesTest(reference: [1, 2, 3], current: [4]) }
        #expect(single?.code == .emptySample)
        #expect(single?.message.contains("current") == true)
        let allNaN = #expect(throws: DriftError.self) { try CramerVonMisesTest(reference: [.nan, 1], current: [1, 2]) }
        #expect(allNaN?.code == .emptySample)
    }
}

@Suite("Anderson–Darling test")
struct AndersonDarlingTests {
    @Test("the fixtures are present")
    func fixtures() {
        #expect(AndersonDarlingFixture.all.count == 15)
    }

    @Test("statistic, critical values and p-value match scipy.stats.anderson_ksamp", arguments: AndersonDarlingFixture.all)
    func matchesScipy(fixture: AndersonDarlingFixture) throws {
        let test = try AndersonDarlingTest(samples: fixture.samples.map { SortedSample($0) })
        // (A²akN − (k − 1)) / σ cancels when A²akN is near k − 1: an absolute bound there.
        #expect(relative(test.statistic, fixture.statistic) <= 1e-9 || abs(test.statistic - fixture.statistic) <= 1e-12,
                "A² \(test.statistic) vs scipy \(fixture.statistic)")
        #expect(test.criticalValues.count == AndersonDarlingTest.significanceLevels.count)
        #expect(test.criticalValues.count == fixture.criticalValues.count)
        for (ours, scipy) in zip(test.criticalValues, fixture.criticalValues) {
            #expect(relative(ours, scipy) <= 1e-12, "critical value \(ours) vs scipy \(scipy)")
        }
        #expect(relative(test.pValue, fixture.pvalue) <= 1e-9, "p \(test.pValue) vs scipy \(fixture.pvalue)")
    }

    @Test("the p-value stays within scipy's cap, [0.001, 0.25]", arguments: AndersonDarlingFixture.all)
    func capped(fixture: AndersonDarlingFixture) throws {
        let test = try AndersonDarlingTest(samples: fixture.samples.map { SortedSample($0) })
        #expect(test.pValue >= 0.001 && test.pValue <= 0.25)
        if test.statistic < test.criticalValues[0] { #expect(test.pValue == 0.25) }
        if let last = test.criticalValues.last, test.statistic > last { #expect(test.pValue == 0.001) }
    }

    @Test("the two-sample initialisers agree with the k-sample one")
    func twoSample() throws {
        let reference = [0.1, 0.4, 0.7, 0.9, 2.0], current = [0.3, 0.5, 0.6, 0.8, 1.2, 1.5, .nan]
        let k = try AndersonDarlingTest(samples: [SortedSample(reference), SortedSample(current)])
        #expect(try AndersonDarlingTest(reference: SortedSample(reference), current: SortedSample(current)) == k)
        #expect(try AndersonDarlingTest(reference: reference, current: current) == k)
    }

    @Test("fewer than two samples, an empty sample, fewer than 4 values or one distinct value are typed errors")
    func errors() {
        let one = #expect(throws: DriftError.self) { try AndersonDarlingTest(samples: [SortedSample([1, 2, 3])]) }
        #expect(one?.code == .invalidArgument)
        let none = #expect(throws: DriftError.self) { try AndersonDarlingTest(samples: []) }
        #expect(none?.code == .invalidArgument)
        let empty = #expect(throws: DriftError.self) { try AndersonDarlingTest(reference: [], current: [1, 2, 3, 4]) }
        #expect(empty?.code == .emptySample)
        #expect(empty?.message.contains("reference") == true)
        let emptyThird = #expect(throws: DriftError.self) {
            try AndersonDarlingTest(samples: [SortedSample([1, 2]), SortedSample([3, 4]), SortedSample([.nan])])
        }
        #expect(emptyThird?.code == .emptySample)
        #expect(emptyThird?.message.contains("sample 3") == true)
        let three = #expect(throws: DriftError.self) { try AndersonDarlingTest(reference: [1], current: [2, 3]) }
        #expect(three?.code == .emptySample)
        let constant = #expect(throws: DriftError.self) { try AndersonDarlingTest(reference: [1, 1, 1], current: [1, 1]) }
        #expect(constant?.code == .invalidArgument)
    }
}

@Suite("Proportion z-test")
struct ProportionZTests {
    @Test("the fixtures are present")
    func fixtures() {
        #expect(ProportionFixture.all.count == 12)
        #expect(ProportionFixture.all.filter { $0.statistic == nil }.count == 2)
    }

    @Test("z, p-value and effect sizes match statsmodels' proportions_ztest and proportion_effectsize", arguments: ProportionFixture.all)
    func matchesStatsmodels(fixture: ProportionFixture) throws {
        let test = try ProportionZTest(referenceSuccesses: fixture.x1, referenceCount: fixture.n1,
                                       currentSuccesses: fixture.x2, currentCount: fixture.n2)
        if let z = fixture.statistic {
            #expect(relative(test.statistic, z) <= 1e-9, "z \(test.statistic) vs \(z)")
        } else {
            #expect(test.statistic.isNaN)
        }
        if let p = fixture.pvalue {
            #expect(relative(test.pValue, p) <= 1e-9, "p \(test.pValue) vs \(p)")
        } else {
            #expect(test.pValue.isNaN)
        }
        #expect(relative(test.difference, fixture.difference) <= 1e-12, "difference \(test.difference) vs \(fixture.difference)")
        #expect(relative(test.cohensH, fixture.cohenH) <= 1e-12, "h \(test.cohensH) vs \(fixture.cohenH)")
    }

    @Test("counts out of range are typed errors that name the sample")
    func errors() {
        let tooMany = #expect(throws: DriftError.self) {
            try ProportionZTest(referenceSuccesses: 11, referenceCount: 10, currentSuccesses: 3, currentCount: 10)
        }
        #expect(tooMany?.code == .invalidArgument)
        #expect(tooMany?.message.contains("reference") == true)
        let negative = #expect(throws: DriftError.self) {
            try ProportionZTest(referenceSuccesses: 1, referenceCount: 10, currentSuccesses: -1, currentCount: 10)
        }
        #expect(negative?.code == .invalidArgument)
        #expect(negative?.message.contains("current") == true)
        let emptyCurrent = #expect(throws: DriftError.self) {
            try ProportionZTest(referenceSuccesses: 1, referenceCount: 10, currentSuccesses: 0, currentCount: 0)
        }
        #expect(emptyCurrent?.code == .emptySample)
        let negativeCount = #expect(throws: DriftError.self) {
            try ProportionZTest(referenceSuccesses: 0, referenceCount: -5, currentSuccesses: 0, currentCount: 10)
        }
        #expect(negativeCount?.code == .invalidArgument)
    }
}

@Suite("Mann–Whitney exact counts")
struct MannWhitneyCountTests {
    @Test("the small-sample count (box partitions, inclusion–exclusion) equals the addition-only recurrence wherever both run")
    func mannWhitneySmallSampleCount() {
        for m in 1...8 {
            for n in [m, 9, 23, 60] {
                for k in stride(from: 0, through: m * n + 1, by: max(1, m * n / 37)) {
                    guard let expected = MannWhitneyUTest.exactSurvival(k, m, n), let found = MannWhitneyUTest.exactSurvivalOfSmallSample(k, m, n) else {
                        Issue.record("m \(m), n \(n), k \(k): a count declined")
                        continue
                    }
                    #expect(abs(found - expected) <= 1e-12 * max(expected, 1e-300) || found == expected, "m \(m), n \(n), k \(k): \(found) vs \(expected)")
                }
            }
        }
        #expect(MannWhitneyUTest.exactSurvivalOfSmallSample(1, 9, 100) == nil, "more than 8 values is not the small-sample count")
    }
}
