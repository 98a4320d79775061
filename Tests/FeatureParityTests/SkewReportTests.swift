import FeatureParity
import Foundation
import Testing
import TensorCore

@Suite("Training–serving skew")
struct SkewReportTests {
    /// 2,000 entities' offline values, and an online log of 1,000 of them served later.
    static func tables(scaleOnline: Double = 1, flipSegments: Bool = false) throws -> (offline: FeatureTable, online: FeatureTable) {
        var random = Xoshiro256StarStar(seed: 5)
        var keys: [String] = [], times: [Double] = [], amounts: [Double] = [], segments: [String] = []
        for i in 0..<2_000 {
            keys.append("e\(i)")
            times.append(Double(1_000 + i))
            amounts.append(50 + 10 * random.nextNormal())
            segments.append(["retail", "premium", "business"][i % 3])
        }
        let offline = try FeatureTable(columns: [
            ("entity", .categorical(CategoricalColumn(keys))), ("ts", .double(DoubleColumn(values: times))),
            ("amount", .double(DoubleColumn(values: amounts))), ("segment", .categorical(CategoricalColumn(segments))),
        ])
        let served = Array(stride(from: 0, to: 2_000, by: 2))
        let online = try FeatureTable(columns: [
            ("entity", .categorical(CategoricalColumn(served.map { keys[$0] } + ["ghost"]))),
            ("ts", .double(DoubleColumn(values: served.map { times[$0] + 5 } + [9_999]))),
            ("amount", .double(DoubleColumn(values: served.map { amounts[$0] * scaleOnline } + [1]))),
            ("segment", .categorical(CategoricalColumn(served.map { flipSegments && $0 % 3 == 0 ? "retail-v2" : segments[$0] } + ["retail"]))),
        ])
        return (offline, online)
    }

    @Test("identical values: every pair agrees, no skew")
    func noSkew() throws {
        let (offline, online) = try Self.tables()
        let report = try SkewReport(offline: offline, online: online, key: "entity", timestamp: "ts")
        #expect(!report.skewed)
        #expect(report.pairedRows == 1_000 && report.unpairedRows == 1)
        let amount = try #require(report.features.first { $0.name == "amount" })
        #expect(amount.matchRate == 1 && amount.maxAbsDiff == 0 && amount.pairs == 1_000)
    }

    @Test("a unit change in one feature is found and named, with examples; the other feature is clean")
    func unitChange() throws {
        let (offline, online) = try Self.tables(scaleOnline: 100)
        let report = try SkewReport(offline: offline, online: online, key: "entity", timestamp: "ts")
        #expect(report.skewed)
        let amount = try #require(report.features.first { $0.name == "amount" })
        #expect(amount.skewed && amount.matchRate == 0)
        #expect((amount.distributionDistance ?? 0) > 0.5)
        #expect((amount.meanAbsDiff ?? 0) > 1_000)
        #expect(amount.examples.count == 5)
        let segment = try #require(report.features.first { $0.name == "segment" })
        #expect(!segment.skewed && segment.matchRate == 1)
    }

    @Test("a renamed category is skew by match rate and by L∞ distance")
    func categoricalSkew() throws {
        let (offline, online) = try Self.tables(flipSegments: true)
        let report = try SkewReport(offline: offline, online: online, key: "entity", timestamp: "ts")
        let segment = try #require(report.features.first { $0.name == "segment" })
        #expect(segment.skewed)
        #expect(abs(segment.matchRate - 2.0 / 3.0) < 0.01)
        #expect(abs((segment.distributionDistance ?? 0) - 1.0 / 3.0) < 0.02)
        #expect(segment.kind == "categorical")
    }

    @Test("a category one file holds as numbers and the other as text compares as a category reads numbers: 10115 and 10115.0 are \"10115\"")
    func numbersAsCategories() throws {
        let offline = try FeatureTable(columns: [
            ("id", .categorical(CategoricalColumn(["a", "b", "c"]))), ("zip", .double(DoubleColumn(values: [10115, 20095, 10115]))),
        ])
        let online = try FeatureTable(columns: [
            ("id", .categorical(CategoricalColumn(["a", "b", "c"]))), ("zip", .categorical(CategoricalColumn(["10115", "20095", "SW1A"]))),
        ])
        let report = try SkewReport(offline: offline, online: online, key: "id")
        let zip = try #require(report.features.first { $0.name == "zip" })
        #expect(zip.kind == "categorical")
        #expect(abs(zip.matchRate - 2.0 / 3.0) < 1e-12)
        #expect(abs((zip.distributionDistance ?? -1) - 1.0 / 3.0) < 1e-12)
        #expect(zip.examples.map(\.offline) == ["10115"] && zip.examples.map(\.online) == ["SW1A"])
    }

    @Test("thresholds out of range and files without shared features are typed errors")
    func badInput() throws {
        let (offline, online) = try Self.tables()
        var thresholds = SkewThresholds()
        thresholds.minimumMatchRate = 1.5
        #expect(throws: FeatureParityError.self) { try SkewReport(offline: offline, online: online, key: "entity", thresholds: thresholds) }
        let bare = try FeatureTable(columns: [("entity", .categorical(CategoricalColumn(["a"])))])
        #expect(throws: FeatureParityError.self) { try SkewReport(offline: offline, online: bare, key: "entity") }
        #expect(throws: FeatureParityError.self) { try SkewReport(offline: offline, online: online, key: "entity", timestamp: "when") }
    }
}

@Suite("Skew report edge cases")
struct SkewReportEdgeCaseTests {
    @Test("nothing paired is an error, not a pass; numbers one file holds as text are compared as numbers")
    func edges() throws {
        let offline = try FeatureTable(columns: [
            ("k", .categorical(CategoricalColumn(["a", "b", "c"]))), ("x", .double(DoubleColumn(values: [1, 2, 3]))),
        ])
        let strangers = try FeatureTable(columns: [("k", .categorical(CategoricalColumn(["y", "z"]))), ("x", .double(DoubleColumn(values: [1, 2])))])
        do {
            _ = try SkewReport(offline: offline, online: strangers, key: "k")
            Issue.record("a report with nothing compared passed")
        } catch {
            #expect(error.code == .invalidArgument && error.description.contains("2 entities unseen offline"))
        }
        // The online file logged a missing value as "None": its column is text.
        let online = try FeatureTable(columns: [("k", .categorical(CategoricalColumn(["a", "b", "c"]))), ("x", .categorical(CategoricalColumn(["1", "2", "None"])))])
        let report = try SkewReport(offline: offline, online: online, key: "k")
        let x = try #require(report.features.first)
        #expect(x.kind == "numeric" && x.pairs == 3 && abs(x.matchRate - 2.0 / 3.0) < 1e-12 && x.maxAbsDiff == 0)
        // An online file without rows is refused too: nothing compared is never a pass.
        let empty = try FeatureTable(columns: [("k", .categorical(CategoricalColumn([String?]()))), ("x", .double(DoubleColumn(values: [])))])
        #expect(throws: FeatureParityError.self) { try SkewReport(offline: offline, online: empty, key: "k") }
        // Categorical features still carry every key, with nulls.
        let json = String(decoding: try JSONEncoder().encode(report.features), as: UTF8.self)
        #expect(json.contains("\"meanAbsDiff\""))
    }

    @Test("NaN pairs with a missing value and equal infinities agree; the distance is scipy's jensenshannon on the bin counts as they are")
    func missingInfinitiesAndDistance() throws {
        let offline = try FeatureTable(columns: [
            ("k", .categorical(CategoricalColumn(["a", "b", "c"]))), ("x", .double(DoubleColumn(values: [.nan, .infinity, 3]))),
        ])
        let online = try FeatureTable(columns: [
            ("k", .categorical(CategoricalColumn(["a", "b", "c"]))), ("x", .double(DoubleColumn([nil, .infinity, 3]))),
        ])
        let x = try #require(try SkewReport(offline: offline, online: online, key: "k").features.first)
        #expect(x.matchRate == 1)
        // Ten offline values 1…10, nine online 1…9: scipy.spatial.distance.jensenshannon of the
        // decile bin counts [1]*10 and [1]*9 + [0] is 0.18967 (flooring the empty bin gave 0.18871).
        let off = try FeatureTable(columns: [
            ("k", .categorical(CategoricalColumn((1...10).map { "e\($0)" }))), ("x", .double(DoubleColumn(values: (1...10).map(Double.init)))),
        ])
        let on = try FeatureTable(columns: [
            ("k", .categorical(CategoricalColumn((1...9).map { "e\($0)" }))), ("x", .double(DoubleColumn(values: (1...9).map(Double.init)))),
        ])
        let distance = try #require(try SkewReport(offline: off, online: on, key: "k").features.first?.distributionDistance)
        // By hand: nine bins hold 1/10 against 1/9, the last 1/10 against 0 (where the 0 adds nothing).
        let (p, q) = (0.1, 1.0 / 9), m = (p + q) / 2
        let expected = ((9 * (p * log(p / m) + q * log(q / m)) + p * log(p / (p / 2))) / 2).squareRoot()
        #expect(abs(distance - expected) < 1e-12, "\(distance) against \(expected)")
        #expect(abs(distance - 0.18967) < 5e-6)
    }
}
