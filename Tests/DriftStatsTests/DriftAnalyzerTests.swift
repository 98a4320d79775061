@testable import DriftStats
import Foundation
import Testing
import TensorCore

/// Seeded tables for the analyzer tests.
enum TestTables {
    static func normals(_ count: Int, mean: Double = 0, sd: Double = 1, seed: UInt64) -> [Double] {
        var random = Xoshiro256StarStar(seed: seed)
        return (0..<count).map { _ in mean + sd * random.nextNormal() }
    }

    static func categories(_ count: Int, weights: [(String, Double)], seed: UInt64) -> [String?] {
        var random = Xoshiro256StarStar(seed: seed)
        let total = weights.reduce(0) { $0 + $1.1 }
        return (0..<count).map { _ in
            var u = random.nextUniform() * total
            for (name, weight) in weights {
                u -= weight
                if u < 0 { return name }
            }
            return weights.last?.0
        }
    }

    static func table(_ columns: [(String, Column)]) throws -> FeatureTable {
        try FeatureTable(columns: columns)
    }
}

@Suite("Drift analyzer")
struct DriftAnalyzerTests {
    let countries = [("DE", 0.5), ("FR", 0.3), ("IT", 0.2)]

    func pair(rows: Int, shift: Double, countryWeights: [(String, Double)]? = nil, seed: UInt64 = 1) throws -> (FeatureTable, FeatureTable) {
        let reference = try TestTables.table([
            ("amount", .double(DoubleColumn(values: TestTables.normals(rows, seed: seed)))),
            ("country", .categorical(CategoricalColumn(TestTables.categories(rows, weights: countries, seed: seed + 1)))),
        ])
        let current = try TestTables.table([
            ("amount", .double(DoubleColumn(values: TestTables.normals(rows, mean: shift, seed: seed + 2)))),
            ("country", .categorical(CategoricalColumn(TestTables.categories(rows, weights: countryWeights ?? countries, seed: seed + 3)))),
        ])
        return (reference, current)
    }

    @Test("same-distribution data is not flagged; a shifted column is, with the method chosen by size")
    func decidesPerColumn() throws {
        let analyzer = try DriftAnalyzer()
        let (reference, same) = try pair(rows: 800, shift: 0)
        let calm = try analyzer.compare(reference: reference, current: same)
        #expect(!calm.drifted)
        #expect(calm.column(named: "amount")?.method == .kolmogorovSmirnov)
        #expect(calm.column(named: "country")?.method == .chiSquare)
        #expect(calm.columns.allSatisfy { $0.status == .stable }, "\(calm.columns.map(\.reason))")

        let (_, shifted) = try pair(rows: 800, shift: 0.5, countryWeights: [("DE", 0.2), ("FR", 0.3), ("IT", 0.5)])
        let report = try analyzer.compare(reference: reference, current: shifted)
        #expect(report.drifted)
        let amount = try #require(report.column(named: "amount"))
        #expect(amount.status == .drifted)
        #expect((amount.pValue ?? 1) < 1e-6)
        #expect(amount.reason.contains("ks p ="))
        // The analyzer's statistic is exactly the standalone test's.
        let direct = try KolmogorovSmirnovTest(
            reference: TestTables.normals(800, seed: 1), current: TestTables.normals(800, mean: 0.5, seed: 3))
        #expect(amount.statistic == direct.statistic)
        #expect(amount.pValue == direct.pValue)
        #expect(report.dataset.driftedColumns == 2 && report.dataset.testedColumns == 2)

        let (largeReference, largeCurrent) = try pair(rows: 5_000, shift: 0.5)
        let large = try analyzer.compare(reference: largeReference, current: largeCurrent)
        #expect(large.column(named: "amount")?.method == .wasserstein)
        #expect(large.column(named: "amount")?.pValue == nil)
        #expect(large.column(named: "country")?.method == .jensenShannon)
        #expect(large.column(named: "amount")?.drifted == true)
    }

    @Test("automatic choice follows type, cardinality and size", arguments: [
        (ColumnKind.double, 100, 500, DriftMethod?.some(.kolmogorovSmirnov)),
        (.double, 100, 5_000, .wasserstein),
        (.double, 2, 500, .proportionZ),
        (.double, 4, 500, .chiSquare),
        (.categorical, 2, 500, .proportionZ),
        (.categorical, 8, 500, .chiSquare),
        (.categorical, 8, 50_000, .jensenShannon),
        (.timestamp, 1_000, 5_000, nil),
    ])
    func automaticChoice(kind: ColumnKind, distinct: Int, count: Int, expected: DriftMethod?) {
        #expect(AutomaticMethodChoice().method(kind: kind, distinct: distinct, count: count) == expected)
    }

    @Test("a tiny shift at large n is detectable but not drifted under a minimum effect")
    func minimumEffect() throws {
        let rows = 200_000
        let reference = try TestTables.table([("x", .double(DoubleColumn(values: TestTables.normals(rows, seed: 7))))])
        let current = try TestTables.table([("x", .double(DoubleColumn(values: TestTables.normals(rows, mean: 0.03, seed: 8))))])
        var configuration = DriftConfiguration(method: .kolmogorovSmirnov)
        let flagged = try DriftAnalyzer(configuration: configuration).compare(reference: reference, current: current)
        #expect(flagged.column(named: "x")?.status == .drifted)
        configuration.minimumEffect = MinimumEffect(numeric: 0.1)
        let report = try DriftAnalyzer(configuration: configuration).compare(reference: reference, current: current)
        let x = try #require(report.column(named: "x"))
        #expect(x.status == .detectable)
        #expect(!x.drifted)
        #expect((x.pValue ?? 1) < 0.05)
        #expect((x.effectSize ?? 1) < 0.1 && (x.effectSize ?? 0) > 0.01)
        #expect(x.effectMeasure == .wassersteinStandardDeviations)
        #expect(x.reason.contains("below the minimum effect"))
        #expect(!report.drifted)
    }

    @Test("the dataset rule: share of columns, or any column after Benjamini–Hochberg")
    func datasetRules() throws {
        var columnsReference: [(String, Column)] = []
        var columnsCurrent: [(String, Column)] = []
        for index in 0..<10 {
            columnsReference.append(("c\(index)", .double(DoubleColumn(values: TestTables.normals(300, seed: UInt64(100 + index))))))
            let shift = index < 2 ? 1.0 : 0
            columnsCurrent.append(("c\(index)", .double(DoubleColumn(values: TestTables.normals(300, mean: shift, seed: UInt64(200 + index))))))
        }
        let reference = try FeatureTable(columns: columnsReference), current = try FeatureTable(columns: columnsCurrent)
        let byShare = try DriftAnalyzer().compare(reference: reference, current: current)
        #expect(byShare.dataset.driftedColumns == 2)
        #expect(!byShare.drifted, "2 of 10 is below the 50% rule")
        let anyAdjusted = try DriftAnalyzer(configuration: DriftConfiguration(datasetRule: .anyColumn(adjustment: .benjaminiHochberg)))
            .compare(reference: reference, current: current)
        #expect(anyAdjusted.drifted)
        let adjusted = anyAdjusted.columns.compactMap(\.adjustedPValue)
        #expect(adjusted.count == 10)
        for column in anyAdjusted.columns {
            #expect((column.adjustedPValue ?? 0) >= (column.pValue ?? 1), "adjusted p is never below raw p")
        }
        #expect(anyAdjusted.columns.filter(\.drifted).map(\.name).sorted() == ["c0", "c1"])
    }

    @Test("bad input gets a per-column status, never a crash or a silent pass")
    func badInput() throws {
        let reference = try TestTables.table([
            ("empty", .double(DoubleColumn([Double?](repeating: nil, count: 50)))),
            ("nulls", .double(DoubleColumn(values: TestTables.normals(50, seed: 1)))),
            ("gone", .double(DoubleColumn(values: TestTables.normals(50, seed: 2)))),
            ("typed", .double(DoubleColumn(values: TestTables.normals(50, seed: 3)))),
            ("wild", .double(DoubleColumn(values: TestTables.normals(50, seed: 4)))),
        ])
        var wild = TestTables.normals(50, seed: 5)
        wild[0] = .infinity
        wild[1] = .nan
        let current = try TestTables.table([
            ("empty", .double(DoubleColumn(values: TestTables.normals(50, seed: 6)))),
            ("nulls", .double(DoubleColumn([Double?](repeating: nil, count: 50)))),
            ("typed", .categorical(CategoricalColumn((0..<50).map { $0 % 10 == 0 ? "n/a" : "\($0)" }))),
            ("wild", .double(DoubleColumn(values: wild))),
            ("extra", .categorical(CategoricalColumn([String?](repeating: "x", count: 50)))),
        ])
        let report = try DriftAnalyzer().compare(reference: reference, current: current)
        func column(_ name: String) throws -> ColumnDrift { try #require(report.column(named: name)) }
        #expect(try column("empty").status == .notTested)
        #expect(try column("empty").reason.contains("reference has no usable values"))
        #expect(try column("nulls").status == .notTested)
        #expect(try column("nulls").issues.contains { $0.check == .allNull })
        #expect(try column("gone").status == .notTested)
        #expect(try column("gone").issues.contains { $0.check == .missingColumn && $0.severity == .error })
        #expect(try column("typed").status == .notTested)
        let violation = try #require(try column("typed").issues.first { $0.check == .typeViolation })
        #expect(violation.value == 5)
        #expect(violation.examples == ["n/a"])
        #expect(try column("extra").issues.contains { $0.check == .unexpectedColumn })
        #expect(try column("extra").status == .notTested)
        let wildColumn = try column("wild")
        #expect(wildColumn.status == .stable, "\(wildColumn.reason)")
        #expect(wildColumn.current.missing == 1)
        #expect(wildColumn.issues.contains { $0.check == .typeViolation && $0.value == 1 })
        #expect(report.dataset.testedColumns == 1)
        #expect(report.dataset.reason.contains("5 not tested"))
        // Infinities in the reference are said too: the statistics compare fewer values than it has.
        let infinite = try DriftAnalyzer().compare(
            reference: try TestTables.table([("x", .double(DoubleColumn(values: [1, 2, 3, .infinity, -.infinity, 4, 5, 6])))]),
            current: try TestTables.table([("x", .double(DoubleColumn(values: [1, 2, 3, 4, 5, 6, 7, 8])))]))
        let infiniteIssue = try #require(infinite.column(named: "x")?.issues.first { $0.check == .typeViolation })
        #expect(infiniteIssue.value == 2 && infiniteIssue.message.contains("reference"), "\(infiniteIssue.message)")
        // A method that does not apply to the column is a reason, not a crash.
        let forced = try DriftAnalyzer(configuration: DriftConfiguration(columnMethods: ["extra": .kolmogorovSmirnov, "wild": .proportionZ]))
            .compare(reference: reference, current: current)
        #expect(forced.column(named: "wild")?.status == .notTested)
        #expect(forced.column(named: "wild")?.reason.contains("two categories") == true)
    }

    @Test("a side with no value at all is untested for want of values, not a type change")
    func emptySideIsNotATypeChange() throws {
        // An all-empty CSV column reads as text; the other side's numbers must not make that a
        // type change (pandas reads both sides as float64).
        let numbers = ColumnKind.double
        let empty = try TestTables.table([("x", .categorical(CategoricalColumn([String?](repeating: nil, count: 40))))])
        let full = try TestTables.table([("x", .double(DoubleColumn(values: TestTables.normals(40, seed: 3))))])
        let emptyReference = try #require(try DriftAnalyzer().compare(reference: empty, current: full).column(named: "x"))
        #expect(emptyReference.status == .notTested)
        #expect(emptyReference.reason == "not tested: the reference has no usable values (40 missing of 40).", "\(emptyReference.reason)")
        #expect(emptyReference.kind == numbers)
        let emptyCurrent = try #require(try DriftAnalyzer().compare(reference: full, current: empty).column(named: "x"))
        #expect(emptyCurrent.reason == "not tested: the current data has no usable values (40 missing of 40).", "\(emptyCurrent.reason)")
        #expect(emptyCurrent.kind == numbers)
        #expect(emptyCurrent.issues.contains { $0.check == .allNull })
        #expect(!emptyCurrent.issues.contains { $0.check == .typeViolation })
        // Both sides empty, one of them all NaN (numbers) and the other blank (text): numbers.
        let nans = try TestTables.table([("x", .double(DoubleColumn(values: [Double](repeating: .nan, count: 40))))])
        for (reference, current) in [(nans, empty), (empty, nans)] {
            let both = try #require(try DriftAnalyzer().compare(reference: reference, current: current).column(named: "x"))
            #expect(both.kind == numbers && both.reason.contains("the reference has no usable values"), "\(both.kind) \(both.reason)")
        }
        // No rows, and only infinities, are said as such.
        let noRows = try TestTables.table([("x", .double(DoubleColumn(values: [])))])
        let rowless = try #require(try DriftAnalyzer().compare(reference: noRows, current: full).column(named: "x"))
        #expect(rowless.reason == "not tested: the reference has no rows.", "\(rowless.reason)")
        let infinities = try TestTables.table([("x", .double(DoubleColumn(values: [.infinity, -.infinity, .nan])))])
        let infinite = try #require(try DriftAnalyzer().compare(reference: full, current: infinities).column(named: "x"))
        #expect(infinite.reason == "not tested: the current data has no usable values (1 missing, 2 infinite of 3).", "\(infinite.reason)")
        // Both sides holding values of different kinds is still a type change.
        let text = try TestTables.table([("x", .categorical(CategoricalColumn((0..<40).map { "v\($0 % 4)" })))])
        let changed = try #require(try DriftAnalyzer().compare(reference: full, current: text).column(named: "x"))
        #expect(changed.reason.contains("the type changed from double to categorical"), "\(changed.reason)")
        // The same through profiles.
        let profiled = try ProfileComparison().compare(reference: try DatasetProfile(profiling: empty), current: try DatasetProfile(profiling: full))
        #expect(profiled.column(named: "x")?.reason == "not tested: the reference has no usable values (40 missing of 40).")
        #expect(profiled.column(named: "x")?.kind == numbers)
    }

    @Test("settings out of range are typed errors")
    func badSettings() {
        #expect(throws: DriftError.self) { try DriftAnalyzer(configuration: DriftConfiguration(binCount: 1)) }
        #expect(throws: DriftError.self) { try DriftAnalyzer(configuration: DriftConfiguration(columnThresholds: ["a": -1])) }
        #expect(throws: DriftError.self) { try DriftAnalyzer(configuration: DriftConfiguration(datasetRule: .shareOfColumns(0))) }
    }

    @Test("every method runs on the column types it supports", arguments: DriftMethod.allCases)
    func everyMethod(method: DriftMethod) throws {
        let (reference, current) = try pair(rows: 300, shift: 1, countryWeights: [("DE", 0.2), ("FR", 0.2), ("IT", 0.6)])
        var configuration = DriftConfiguration(method: method)
        configuration.columns = method.needsTwoCategories ? ["binary"] : ["amount", "country"]
        let report: DriftReport
        if method.needsTwoCategories {
            let r = try TestTables.table([("binary", .categorical(CategoricalColumn(TestTables.categories(300, weights: [("yes", 0.5), ("no", 0.5)], seed: 9))))])
            let c = try TestTables.table([("binary", .categorical(CategoricalColumn(TestTables.categories(300, weights: [("yes", 0.8), ("no", 0.2)], seed: 10))))])
            report = try DriftAnalyzer(configuration: configuration).compare(reference: r, current: c)
            #expect(report.column(named: "binary")?.drifted == true, "\(report.columns.map(\.reason))")
        } else {
            report = try DriftAnalyzer(configuration: configuration).compare(reference: reference, current: current)
            let amount = try #require(report.column(named: "amount"))
            #expect(amount.drifted, "\(amount.reason)")
            #expect((amount.pValue != nil) == method.hasPValue)
            let country = try #require(report.column(named: "country"))
            if method.needsNumbers {
                #expect(country.status == .notTested)
            } else {
                #expect(country.drifted, "\(country.reason)")
            }
        }
    }

    @Test("the JSON report has the documented keys, null where there is no value, and reads back")
    func jsonShape() throws {
        let (reference, current) = try pair(rows: 2_000, shift: 0.4)
        let report = try DriftAnalyzer().compare(reference: reference, current: current)
        let data = try report.jsonData()
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["schema_version"] as? Int == 1)
        let dataset = try #require(object["dataset"] as? [String: Any])
        #expect(dataset["drifted"] as? Bool == report.drifted)
        // The issue's dataset-level `drifted`, also at the top where a pipeline gate reads it.
        #expect(report.drifted && object["drifted"] as? Bool == true)
        let columns = try #require(object["columns"] as? [[String: Any]])
        for column in columns {
            for key in ["name", "method", "statistic", "p_value", "threshold", "drifted", "status", "reason", "effect_size", "histogram"] {
                #expect(column.keys.contains(key), "missing \(key)")
            }
        }
        let amount = try #require(columns.first { $0["name"] as? String == "amount" })
        #expect(amount["method"] as? String == "wasserstein")
        #expect(amount["p_value"] is NSNull)
        #expect(amount["threshold"] as? Double == 0.1)
        #expect(try DriftReport(jsonData: data) == report)
        // The text form names every column with its method and ends in the decision.
        let text = report.text()
        #expect(text.contains("amount") && text.contains("wasserstein") && text.contains("DRIFTED"))
    }

    @Test("data-quality checks: null rate, range, allowed range, new categories, cardinality, duplicates, freshness")
    func quality() throws {
        let now: Int64 = 1_700_000_000_000_000
        let reference = try TestTables.table([
            ("x", .double(DoubleColumn(values: (0..<200).map { Double($0) }))),
            ("city", .categorical(CategoricalColumn((0..<200).map { "c\($0 % 20)" }))),
            ("at", .timestamp(TimestampColumn(microseconds: (0..<200).map { now - Int64($0) * 1_000_000 }))),
        ])
        var xs: [Double?] = (0..<200).map { Double($0) + 30 }
        for index in 0..<20 { xs[index] = nil }
        let current = try TestTables.table([
            ("x", .double(DoubleColumn(xs))),
            ("city", .categorical(CategoricalColumn((0..<200).map { $0 < 100 ? "c\($0 % 3)" : "new\($0 % 2)" }))),
            ("at", .timestamp(TimestampColumn(microseconds: (0..<200).map { _ in now - 7_200_000_000 }))),
        ])
        var rules = DataQualityRules()
        rules.freshness = .init(column: "at", maxAge: 3_600, now: Date(microsecondsSince1970: now))
        let report = try DriftAnalyzer(configuration: DriftConfiguration(quality: rules)).compare(reference: reference, current: current)
        let checks = Set(report.allIssues.map(\.check))
        for expected: QualityCheck in [.nullRate, .outOfRange, .newCategory, .cardinality, .duplicateRows, .freshness] {
            #expect(checks.contains(expected), "missing \(expected) in \(report.allIssues)")
        }
        let newCategory = try #require(report.column(named: "city")?.issues.first { $0.check == .newCategory })
        #expect(newCategory.examples == ["new0", "new1"])
        #expect(report.column(named: "at")?.status == .notTested)
        rules.allowedRanges["x"] = 0...100
        let strict = try DriftAnalyzer(configuration: DriftConfiguration(quality: rules)).compare(reference: reference, current: current)
        let range = try #require(strict.column(named: "x")?.issues.first { $0.check == .outOfRange })
        #expect(range.severity == .error)
        #expect(range.value == 129)
    }

    @Test("quality edge cases: an all-missing side has no type; text is judged by the readers' number rules; NaN and missing, -0 and 0 are duplicates")
    func qualityEdges() throws {
        let reference = try TestTables.table([
            ("x", .double(DoubleColumn(values: [1, 2, 3, 4]))),
            ("y", .double(DoubleColumn(values: [1, 2, 3, 4]))),
        ])
        // x: every current value missing (read as text, as a column without values is).
        // y: " 2" is a number to the readers (blanks allowed), "0x10" is not (no hexadecimal).
        let current = try TestTables.table([
            ("x", .categorical(CategoricalColumn([nil, nil, nil, nil]))),
            ("y", .categorical(CategoricalColumn([" 2", "0x10", "3", "4"]))),
        ])
        let report = try DriftAnalyzer().compare(reference: reference, current: current)
        let x = try #require(report.column(named: "x"))
        #expect(x.issues.map(\.check) == [.allNull], "\(x.issues)")
        let violation = try #require(report.column(named: "y")?.issues.first { $0.check == .typeViolation })
        #expect(violation.value == 1 && violation.examples == ["0x10"], "\(violation)")

        // Duplicates: a NaN cell equals a missing one, -0 equals 0 (pandas' duplicated() agrees).
        let plain = try TestTables.table([("a", .double(DoubleColumn([1, 2, 3, 4])))])
        let repeated = try TestTables.table([("a", .double(DoubleColumn([.nan, nil, 0, -0.0])))])
        #expect(DataQualityCheck.duplicateRowCount(repeated) == 2)
        let duplicates = try #require(try DriftAnalyzer().compare(reference: plain, current: repeated).issues.first { $0.check == .duplicateRows })
        #expect(duplicates.value == 0.5)
    }

    @Test("a seasonal baseline compares a window with the same hours of the reference")
    func seasonal() throws {
        // Four reference weeks: traffic at 03:00 is small, at 15:00 large.
        let monday: Int64 = 1_700_438_400 // 2023-11-20 00:00 UTC, a Monday
        var stamps: [Int64?] = [], values: [Double] = []
        var random = Xoshiro256StarStar(seed: 11)
        for day in 0..<28 {
            for hour in [3, 15] {
                for _ in 0..<40 {
                    stamps.append((monday + Int64(day * 86_400 + hour * 3_600)) * 1_000_000)
                    values.append((hour == 3 ? 10 : 100) + random.nextNormal())
                }
            }
        }
        let reference = try TestTables.table([("at", .timestamp(TimestampColumn(microseconds: stamps))), ("load", .double(DoubleColumn(values: values)))])
        let windowStamps = [Int64?](repeating: (monday + 35 * 86_400 + 3 * 3_600 + 60) * 1_000_000, count: 200)
        let window = try TestTables.table([
            ("at", .timestamp(TimestampColumn(microseconds: windowStamps))),
            ("load", .double(DoubleColumn(values: TestTables.normals(200, mean: 10, seed: 12)))),
        ])
        let global = try DriftAnalyzer().compare(reference: reference, current: window)
        #expect(global.column(named: "load")?.drifted == true)
        var configuration = DriftConfiguration()
        configuration.season = SeasonalBaseline(timestampColumn: "at", period: .hourOfDay)
        let seasonal = try DriftAnalyzer(configuration: configuration).compare(reference: reference, current: window)
        #expect(seasonal.column(named: "load")?.drifted == false)
        #expect(seasonal.season == "hour_of_day 3")
        #expect(seasonal.referenceRows == 28 * 40)
        let baseline = SeasonalBaseline(timestampColumn: "at", period: .hourOfWeek)
        #expect(baseline.season(of: Date(microsecondsSince1970: monday * 1_000_000)) == 0)
        #expect(baseline.season(of: Date(microsecondsSince1970: (monday - 1) * 1_000_000)) == 167)
        configuration.season = SeasonalBaseline(timestampColumn: "missing", period: .hourOfDay)
        #expect(throws: DriftError.self) { try DriftAnalyzer(configuration: configuration).compare(reference: reference, current: window) }
    }

    @Test("prediction and confidence drift from model outputs")
    func modelOutputs() throws {
        func outputs(_ sharpness: Double, seed: UInt64) throws -> FeatureTable {
            var random = Xoshiro256StarStar(seed: seed)
            let scores = (0..<1_000).map { _ in 1 / (1 + exp(-sharpness * random.nextNormal())) }
            return try TestTables.table([
                ("label", .categorical(CategoricalColumn(scores.map { $0 > 0.5 ? "fraud" : "ok" }))),
                ("score", .double(DoubleColumn(values: scores))),
            ])
        }
        var configuration = DriftConfiguration()
        configuration.modelOutputs = ModelOutputColumns(prediction: "label", probabilities: ["score"])
        let report = try DriftAnalyzer(configuration: configuration).compare(reference: try outputs(3, seed: 1), current: try outputs(0.5, seed: 2))
        let confidence = try #require(report.column(named: ModelOutputColumns.confidenceColumn))
        #expect(confidence.role == .confidence)
        #expect(confidence.drifted)
        #expect((confidence.current.mean ?? 1) < (confidence.reference.mean ?? 0))
        #expect((confidence.reference.minimum ?? 0) >= 0.5)
        #expect(report.column(named: "label")?.role == .prediction)
    }

    @Test("edge cases: nothing comparable, a binary column that gains a category, constant samples, extreme values")
    func edgeCases() throws {
        // Nothing could be compared: said plainly, never a quiet pass.
        let renamed = try DriftAnalyzer().compare(
            reference: try TestTables.table([("a", .double(DoubleColumn(values: [1, 2, 3])))]),
            current: try TestTables.table([("b", .double(DoubleColumn(values: [1, 2, 3])))]))
        #expect(renamed.dataset.testedColumns == 0)
        #expect(renamed.dataset.reason.contains("no column could be compared"))

        // A yes/no column that gains "maybe" is compared with chi-square, and drifts.
        let reference = try TestTables.table([("answer", .categorical(CategoricalColumn(TestTables.categories(400, weights: [("yes", 0.5), ("no", 0.5)], seed: 1))))])
        let current = try TestTables.table([("answer", .categorical(CategoricalColumn(TestTables.categories(400, weights: [("yes", 0.4), ("no", 0.4), ("maybe", 0.2)], seed: 2))))])
        let gained = try #require(try DriftAnalyzer().compare(reference: reference, current: current).column(named: "answer"))
        #expect(gained.method == .chiSquare)
        #expect(gained.drifted)

        // A numeric column of few distinct values is compared as categories by every method
        // that works on categories, named or chosen, at any reference size: the value new in
        // the current data is its own category (scipy.stats.chi2_contingency on the counts).
        let few = try TestTables.table([("x", .double(DoubleColumn(values: [0, 0, 0, 1, 1, 1, 2, 2, 2])))])
        let fewCurrent = try TestTables.table([("x", .double(DoubleColumn(values: [0, 1, 2, 2, 5, 5])))])
        let g = try #require(try DriftAnalyzer(configuration: DriftConfiguration(method: .gTest)).compare(reference: few, current: fewCurrent).column(named: "x"))
        #expect(abs((g.statistic ?? -1) - 4.462871026284196) < 1e-9 && abs((g.pValue ?? -1) - 0.2156261132274151) < 1e-9, "G \(String(describing: g.statistic)), p \(String(describing: g.pValue))")
        let many = try TestTables.table([("x", .double(DoubleColumn(values: (0..<1_002).map { Double($0 % 3) })))])
        let chi = try #require(try DriftAnalyzer(configuration: DriftConfiguration(method: .chiSquare)).compare(reference: many, current: fewCurrent).column(named: "x"))
        #expect(abs((chi.statistic ?? -1) - 334.99701492537315) < 1e-6 * 335, "χ² \(String(describing: chi.statistic))")

        // Two constant samples with different values: Welch's t is −∞ and p = 0, as scipy.
        let constant = try DriftAnalyzer(configuration: DriftConfiguration(method: .welchT)).compare(
            reference: try TestTables.table([("x", .double(DoubleColumn(values: [Double](repeating: 5, count: 20))))]),
            current: try TestTables.table([("x", .double(DoubleColumn(values: [Double](repeating: 7, count: 20))))]))
        #expect(constant.column(named: "x")?.pValue == 0)
        #expect(constant.column(named: "x")?.drifted == true)
        #expect(constant.column(named: "x")?.effectSize == nil, "an infinite effect is stored as null")

        // A timestamp column with a two-category method is a reason, not a crash.
        let stamps = try TestTables.table([("at", .timestamp(TimestampColumn(microseconds: (0..<50).map { Int64($0) * 1_000_000 })))])
        let forced = try DriftAnalyzer(configuration: DriftConfiguration(columnMethods: ["at": .proportionZ])).compare(reference: stamps, current: stamps)
        #expect(forced.column(named: "at")?.status == .notTested)
        let timed = try DriftAnalyzer(configuration: DriftConfiguration(columnMethods: ["at": .kolmogorovSmirnov])).compare(reference: stamps, current: stamps)
        #expect(timed.column(named: "at")?.status == .stable)

        // Extreme but finite values: the histogram is skipped rather than overflowing, and JSON works.
        let extreme = try TestTables.table([("x", .double(DoubleColumn(values: [-1e308, 0, 1e308, 5, 6])))])
        let huge = try DriftAnalyzer().compare(reference: extreme, current: extreme)
        _ = try huge.jsonData()
    }

    @Test("every nested JSON key is present, null where there is no value")
    func nestedJSONKeys() throws {
        let (reference, current) = try pair(rows: 300, shift: 0)
        var rules = DataQualityRules()
        rules.maxDuplicateShareIncrease = -1   // force a dataset-level issue (no column, no value)
        let report = try DriftAnalyzer(configuration: DriftConfiguration(quality: rules)).compare(reference: reference, current: current)
        let object = try #require(try JSONSerialization.jsonObject(with: try report.jsonData()) as? [String: Any])
        let columns = try #require(object["columns"] as? [[String: Any]])
        let country = try #require(columns.first { $0["name"] as? String == "country" })
        let summary = try #require(country["reference"] as? [String: Any])
        #expect(summary["mean"] is NSNull)
        #expect(summary.keys.sorted() == ["distinct", "maximum", "mean", "minimum", "missing", "rows", "standard_deviation"])
        #expect((country["histogram"] as? [String: Any])?["edges"] is NSNull)
        let issues = try #require(object["issues"] as? [[String: Any]])
        #expect(issues.first?["column"] is NSNull)
        #expect(issues.first?.keys.sorted() == ["check", "column", "examples", "message", "severity", "value"])
    }

    @Test("seasons are placed by floor division, also before 1970")
    func seasonsBeforeTheEpoch() {
        let week = SeasonalBaseline(timestampColumn: "t", period: .hourOfWeek)
        #expect(week.season(of: Date(microsecondsSince1970: 0)) == 72)
        #expect(week.season(of: Date(microsecondsSince1970: -1)) == 71)
        #expect(SeasonalBaseline(timestampColumn: "t", period: .dayOfWeek).season(of: Date(microsecondsSince1970: -1)) == 2)
    }

    @Test("a correlation that flips is invisible column by column and caught by the joint comparison")
    func multivariate() throws {
        func table(_ sign: Double, seed: UInt64) throws -> FeatureTable {
            let x = TestTables.normals(300, seed: seed)
            let noise = TestTables.normals(300, sd: 0.1, seed: seed + 1)
            return try TestTables.table([
                ("x", .double(DoubleColumn(values: x))),
                ("y", .double(DoubleColumn(values: zip(x, noise).map { sign * $0 + $1 }))),
                ("label", .categorical(CategoricalColumn([String?](repeating: "a", count: 300)))),
            ])
        }
        var configuration = DriftConfiguration()
        configuration.multivariate = MultivariateOptions()
        let analyzer = try DriftAnalyzer(configuration: configuration)
        let flipped = try analyzer.compare(reference: try table(1, seed: 1), current: try table(-1, seed: 5))
        #expect(flipped.columns.allSatisfy { !$0.drifted }, "\(flipped.columns.map(\.reason))")
        let joint = try #require(flipped.multivariate)
        #expect(joint.columns == ["x", "y"])
        #expect(joint.test == "mmd_permutation")
        #expect(joint.drifted, "\(joint.reason)")
        // The verdict names the test that decided it.
        var deciders: [String] = []
        if let p = joint.pValue, p <= 0.05 { deciders.append("MMD") }
        if let error = joint.pcaCurrentError, let threshold = joint.pcaThreshold, error > threshold { deciders.append("PCA") }
        #expect(!deciders.isEmpty)
        #expect(joint.reason.hasSuffix("Verdict: the columns' joint distribution drifted (\(deciders.joined(separator: " and ")))"), "\(joint.reason)")
        #expect(flipped.drifted)
        #expect(flipped.dataset.reason.contains("jointly"))
        let same = try analyzer.compare(reference: try table(1, seed: 1), current: try table(1, seed: 9))
        #expect(same.multivariate?.drifted == false, "\(same.multivariate?.reason ?? "")")
        #expect(same.multivariate?.reason.hasSuffix("Verdict: no joint drift") == true, "\(same.multivariate?.reason ?? "")")
        #expect(!same.drifted)
        let object = try #require(try JSONSerialization.jsonObject(with: try flipped.jsonData()) as? [String: Any])
        #expect((object["multivariate"] as? [String: Any])?["drifted"] as? Bool == true)
        #expect(flipped.html().contains("Numeric columns together"))
        // Off by default: the key is there, null.
        let plain = try JSONSerialization.jsonObject(with: try DriftAnalyzer().compare(reference: try table(1, seed: 1), current: try table(1, seed: 2)).jsonData()) as? [String: Any]
        #expect(plain?["multivariate"] is NSNull)
    }

    @Test("reports validate against Documentation/drift-report.schema.json")
    func validatesAgainstSchema() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let (reference, current) = try pair(rows: 1_500, shift: 0.4, countryWeights: [("DE", 0.3), ("FR", 0.3), ("IT", 0.3), ("ES", 0.1)])
        var columns = reference.columns.map { ($0, $0) }.enumerated().map { (reference.columnNames[$0.offset], $0.element.0) }
        columns.append(("gone", .double(DoubleColumn(values: TestTables.normals(1_500, seed: 3)))))
        let widerReference = try FeatureTable(columns: columns)
        var multivariate = DriftConfiguration(datasetRule: .anyColumn(adjustment: .benjaminiHochberg))
        multivariate.multivariate = MultivariateOptions(permutations: 20)
        let reports = [
            try DriftAnalyzer().compare(reference: widerReference, current: current),
            try DriftAnalyzer(configuration: multivariate).compare(reference: reference, current: current),
            try DriftAnalyzer(configuration: DriftConfiguration(method: .kolmogorovSmirnov, minimumEffect: MinimumEffect())).compare(reference: reference, current: current),
        ]
        var files: [String] = []
        defer { for file in files { try? FileManager.default.removeItem(atPath: file) } }
        for report in reports {
            let file = NSTemporaryDirectory() + "drift-report-\(UUID().uuidString).json"
            try report.jsonData().write(to: URL(fileURLWithPath: file))
            files.append(file)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("Scripts/validate_json_schema.py").path,
                             root.appendingPathComponent("Documentation/drift-report.schema.json").path] + files
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("3 documents valid"), "\(text)")
    }

    @Test("explicit bins replace the reference's quantile bins and give the PSI computed by hand")
    func explicitBins() throws {
        let reference = try TestTables.table([("age", .double(DoubleColumn(values: [20, 25, 30, 35, 40, 45, 50, 55, 60, 65])))])
        let current = try TestTables.table([("age", .double(DoubleColumn(values: [20, 22, 24, 26, 28, 30, 32, 60, 62, 64])))])
        var configuration = DriftConfiguration(method: .psi)
        configuration.columnBins["age"] = try ReferenceBins(edges: [30, 50])
        let report = try DriftAnalyzer(configuration: configuration).compare(reference: reference, current: current)
        // Bands below 30, 30–50, from 50: reference 2/4/4 of 10, current 5/2/3 of 10.
        let expected = PopulationStabilityIndex.index(referenceShares: [0.2, 0.4, 0.4], currentShares: [0.5, 0.2, 0.3])
        let psi = try #require(report.column(named: "age")?.statistic)
        #expect(abs(psi - expected) < 1e-12)
        let quantile = try DriftAnalyzer(configuration: DriftConfiguration(method: .psi)).compare(reference: reference, current: current)
        #expect(quantile.column(named: "age")?.statistic != psi, "the default bins are the reference's quantiles")
    }
}
