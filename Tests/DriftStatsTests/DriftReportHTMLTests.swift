import DriftStats
import Foundation
import TensorCore
import Testing

@Suite("DriftReport.html")
struct DriftReportHTMLTests {
    // MARK: Fixtures

    static let noSummary = ColumnSummary(rows: 1_000, missing: 0, distinct: 10)

    static func column(
        _ name: String, kind: ColumnKind = .double, status: ColumnStatus, histogram: ColumnHistogram? = nil,
        statistic: Double? = 0.25, pValue: Double? = 0.5, issues: [QualityIssue] = []
    ) -> ColumnDrift {
        ColumnDrift(
            name: name, kind: kind, method: .kolmogorovSmirnov, statistic: statistic, pValue: pValue, threshold: 0.05,
            effectSize: 0.3, effectMeasure: .wassersteinStandardDeviations, status: status,
            reason: "Reason for \(name).", reference: noSummary, current: noSummary, histogram: histogram, issues: issues)
    }

    static func numericHistogram(bins: Int) -> ColumnHistogram {
        let edges: [Double] = (1..<bins).map { Double($0) * 2.5 }
        let labels: [String] = ([0.0] + edges).map { String(format: "%.4g", $0) }
        let reference: [Double] = (0..<bins).map { _ in 1 / Double(bins) }
        let current: [Double] = (0..<bins).map { ($0 % 2 == 0 ? 1.5 : 0.5) / Double(bins) }
        return ColumnHistogram(labels: labels, edges: edges, reference: reference, current: current)
    }

    static func categoricalHistogram(_ labels: [String]) -> ColumnHistogram {
        let share = 1 / Double(max(labels.count, 1))
        return ColumnHistogram(labels: labels, edges: nil, reference: labels.map { _ in share }, current: labels.map { _ in share })
    }

    static func report(drifted: Bool = true, columns: [ColumnDrift], issues: [QualityIssue] = [], season: String? = nil) -> DriftReport {
        let decision = DatasetDrift(
            drifted: drifted, rule: "share of drifted columns ≥ 0.5", testedColumns: 4, driftedColumns: drifted ? 2 : 1,
            driftedShare: drifted ? 0.5 : 0.25,
            reason: drifted ? "2 of 4 tested columns drifted, at least the rule's half." : "1 of 4 tested columns drifted, below the rule's half.")
        return DriftReport(referenceRows: 120_000, currentRows: 48_210, dataset: decision, columns: columns, issues: issues, season: season)
    }

    /// A report with every kind of content: statuses, histograms of both kinds, a missing one,
    /// dataset and column issues, a season.
    static let full = report(
        columns: [
            column("stable_numeric", status: .stable, histogram: numericHistogram(bins: 20)),
            column("city", kind: .categorical, status: .drifted, histogram: categoricalHistogram(["Paris", "a&b\"c", "Zürich"]),
                   issues: [QualityIssue(check: .newCategory, column: "city", severity: .warning, message: "1 new category.", examples: ["a&b\"c"])]),
            column("gone", status: .notTested, histogram: nil, statistic: nil, pValue: nil,
                   issues: [QualityIssue(check: .missingColumn, column: "gone", severity: .error, message: "The current data lacks gone.")]),
            column("amount", status: .detectable, histogram: numericHistogram(bins: 10)),
        ],
        issues: [QualityIssue(check: .duplicateRows, column: nil, severity: .warning, message: "312 rows repeat an earlier row.", value: 312)],
        season: "hour_of_week 14, 15")

    // MARK: Page helpers

    static func occurrences(of needle: String, in page: some StringProtocol) -> Int {
        page.components(separatedBy: needle).count - 1
    }

    /// The `<section class="column">` of the column whose escaped heading is `name`.
    static func section(named name: String, in page: String) -> String? {
        page.components(separatedBy: "<section class=\"column").dropFirst()
            .map { $0.components(separatedBy: "</section>").first ?? "" }
            .first { $0.contains("<span class=\"name\">\(name)</span>") }
    }

    /// The statuses of the summary table's rows, in order.
    static func summaryStatuses(in page: String) -> [String] {
        page.components(separatedBy: "<tr class=\"status-").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    /// The summary table's row of the column whose link text is `name`.
    static func summaryRow(named name: String, in page: String) -> String? {
        page.components(separatedBy: "<tr class=\"status-").dropFirst()
            .map { String($0.split(separator: "</tr>", maxSplits: 1).first ?? "") }
            .first { $0.contains(">\(name)</a>") }
    }

    /// Every `<svg …>…</svg>` of the page.
    static func charts(in page: String) -> [String] {
        page.components(separatedBy: "<svg").dropFirst().map { String($0.split(separator: "</svg>", maxSplits: 1).first ?? "") }
    }

    /// The `name="value"` pairs of a chunk of markup.
    static func attributes(in markup: String) -> [(name: String, value: String)] {
        let pieces = markup.components(separatedBy: "=\"")
        var result: [(name: String, value: String)] = []
        for index in pieces.indices.dropFirst() {
            let name = pieces[index - 1].split(whereSeparator: { $0 == " " || $0 == "<" }).last.map(String.init) ?? ""
            let value = String(pieces[index].prefix { $0 != "\"" })
            result.append((name, value))
        }
        return result
    }

    // MARK: Escaping

    @Test("text from the report is escaped: a column named <script>, a category a&b\"c, quotes in messages")
    func escapesReportText() {
        let name = "<script>alert(1)</script>"
        let report = Self.report(
            columns: [Self.column(name, kind: .categorical, status: .drifted, histogram: Self.categoricalHistogram(["a&b\"c", "plain"]),
                                  issues: [QualityIssue(check: .newCategory, column: name, severity: .warning,
                                                        message: "it's <b>new</b>", examples: ["x'y", "a&b\"c"])])],
            issues: [QualityIssue(check: .duplicateRows, column: nil, severity: .error, message: "rows \"twice\" & more")])
        let page = report.html(title: "Q&A <drift>")

        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.contains("<script"))
        #expect(!page.contains("alert(1)</script>"))
        #expect(page.contains("a&amp;b&quot;c"))
        #expect(!page.contains("a&b\"c"))
        #expect(page.contains("it&#39;s &lt;b&gt;new&lt;/b&gt;"))
        #expect(!page.contains("<b>"))
        #expect(page.contains("x&#39;y"))
        #expect(page.contains("rows &quot;twice&quot; &amp; more"))
        #expect(page.contains("<title>Q&amp;A &lt;drift&gt;</title>"))
        #expect(!page.contains("Q&A"))
    }

    // MARK: Self-contained

    @Test("the page fetches nothing and runs nothing", arguments: ["http://", "https://", "<script", "src=", "<link", "@import", "url("])
    func fetchesNothing(forbidden: String) {
        let page = Self.full.html()
        #expect(page.hasPrefix("<!doctype html>"))
        #expect(!page.lowercased().contains(forbidden), "the page contains \(forbidden)")
    }

    @Test("the style is inline and the only links are anchors within the page")
    func linksStayOnThePage() {
        let page = Self.full.html()
        #expect(Self.occurrences(of: "<style>", in: page) == 1)
        let links = Self.attributes(in: page).filter { $0.name == "href" }
        #expect(links.count >= Self.full.columns.count)
        for link in links {
            #expect(link.value.hasPrefix("#"), "link \(link.value) leaves the page")
            let anchor = String(link.value.dropFirst())
            #expect(page.contains("id=\"\(anchor)\""), "link \(link.value) has no target")
        }
    }

    // MARK: Decision

    @Test("the dataset's decision is written in words, with its reason, rule and counts", arguments: [true, false])
    func decision(drifted: Bool) {
        let report = Self.report(drifted: drifted, columns: Self.full.columns, season: "hour_of_week 14, 15")
        let page = report.html()
        #expect(page.contains("Drift detected") == drifted)
        #expect(page.contains("No drift</p>") == !drifted)
        #expect(page.contains("class=\"verdict \(drifted ? "drifted" : "stable")\""))
        #expect(page.contains(htmlEscaped(report.dataset.reason)))
        #expect(page.contains(htmlEscaped(report.dataset.rule)))
        #expect(page.contains("120,000"))
        #expect(page.contains("48,210"))
        #expect(page.contains("hour_of_week 14, 15"))
    }

    @Test("a report without a season shows no season")
    func noSeason() {
        let page = Self.report(columns: Self.full.columns).html()
        #expect(!page.contains("Season"))
        #expect(Self.full.html().contains("Season"))
    }

    // MARK: Summary

    @Test("the summary table lists drifted, detectable, stable, then not-tested columns, each group in report order")
    func summaryOrder() {
        let report = Self.report(columns: [
            Self.column("s1", status: .stable), Self.column("n1", status: .notTested), Self.column("d1", status: .drifted),
            Self.column("t1", status: .detectable), Self.column("s2", status: .stable), Self.column("d2", status: .drifted),
        ])
        let page = report.html()
        #expect(Self.summaryStatuses(in: page) == ["drifted", "drifted", "detectable", "stable", "stable", "not_tested"])
        let names = ["d1", "d2", "t1", "s1", "s2", "n1"]
        let positions = names.compactMap { page.range(of: ">\($0)</a>")?.lowerBound }
        #expect(positions.count == names.count)
        #expect(positions == positions.sorted())
    }

    @Test("column names in the summary link to their sections")
    func summaryLinks() throws {
        let page = Self.full.html()
        let row = try #require(Self.summaryRow(named: "gone", in: page))
        let href = try #require(Self.attributes(in: row).first { $0.name == "href" }?.value)
        let section = try #require(Self.section(named: "gone", in: page))
        #expect(section.contains("id=\"\(href.dropFirst())\""))
    }

    @Test("numbers have four significant digits, small p-values are scientific and missing ones a dash")
    func numbers() throws {
        let report = Self.report(columns: [
            Self.column("tiny", status: .drifted, statistic: 0.123456, pValue: 3.2e-7),
            Self.column("plain", status: .stable, statistic: 12.3456, pValue: 0.045678),
            Self.column("none", status: .notTested, statistic: nil, pValue: nil),
        ])
        let page = report.html()
        let tiny = try #require(Self.summaryRow(named: "tiny", in: page))
        #expect(tiny.contains(">0.1235<"))
        #expect(tiny.contains(">3.200e-07<"))
        let plain = try #require(Self.summaryRow(named: "plain", in: page))
        #expect(plain.contains(">12.35<"))
        #expect(plain.contains(">0.04568<"))
        let none = try #require(Self.summaryRow(named: "none", in: page))
        #expect(Self.occurrences(of: ">—<", in: none) == 2)
    }

    // MARK: Columns and charts

    @Test("each column with a histogram has one chart; a column without one has a note instead")
    func oneChartPerHistogram() throws {
        let page = Self.full.html()
        let withHistogram = Self.full.columns.filter { $0.histogram != nil }
        #expect(Self.occurrences(of: "<svg", in: page) == withHistogram.count)
        for column in withHistogram {
            let section = try #require(Self.section(named: htmlEscaped(column.name), in: page))
            #expect(Self.occurrences(of: "<svg", in: section) == 1, "\(column.name) has no chart")
            #expect(section.contains("Reference") && section.contains("Current"), "\(column.name) has no legend")
        }
        let gone = try #require(Self.section(named: "gone", in: page))
        #expect(!gone.contains("<svg"))
        #expect(gone.contains("No histogram"))
        #expect(gone.contains("Reason for gone."))
        #expect(gone.contains("missing_column"))
    }

    @Test("a chart has one group of bars per bin and a y axis in percent")
    func chartShape() throws {
        let page = Self.report(columns: [Self.column("x", status: .drifted, histogram: Self.numericHistogram(bins: 20))]).html()
        let chart = try #require(Self.charts(in: page).first)
        #expect(Self.occurrences(of: "<g class=\"bin\">", in: chart) == 20)
        #expect(chart.contains(">0%<"))
        #expect(chart.contains(">8%<"))
    }

    @Test("NaN, infinite and negative shares never reach the SVG")
    func finiteCoordinates() throws {
        let histogram = ColumnHistogram(
            labels: ["x", "y", "z"], edges: nil,
            reference: [.nan, .infinity, 0.5], current: [-.infinity, -0.2, .greatestFiniteMagnitude])
        let page = Self.report(columns: [Self.column("weird", status: .stable, histogram: histogram)]).html()
        let chart = try #require(Self.charts(in: page).first)
        let numeric: Set<String> = ["x", "y", "x1", "x2", "y1", "y2", "width", "height", "rx"]
        let values = Self.attributes(in: chart).filter { numeric.contains($0.name) }
        #expect(values.count > 20)
        for (name, value) in values {
            let number = try #require(Double(value), "\(name)=\"\(value)\" is not a number")
            #expect(number.isFinite, "\(name)=\"\(value)\"")
        }
        for (name, value) in Self.attributes(in: chart) where name == "viewBox" || name == "transform" {
            #expect(!value.lowercased().contains("nan") && !value.lowercased().contains("inf"), "\(name)=\"\(value)\"")
        }
    }

    @Test("an empty histogram gets a note, an all-zero one an empty chart that says so")
    func emptyHistograms() throws {
        let empty = ColumnHistogram(labels: [], edges: nil, reference: [], current: [])
        let zero = ColumnHistogram(labels: ["a", "b"], edges: nil, reference: [0, 0], current: [0, 0])
        let page = Self.report(columns: [
            Self.column("empty", status: .notTested, histogram: empty),
            Self.column("zero", status: .notTested, histogram: zero),
        ]).html()
        let emptySection = try #require(Self.section(named: "empty", in: page))
        #expect(!emptySection.contains("<svg"))
        #expect(emptySection.contains("no bins"))
        let zeroSection = try #require(Self.section(named: "zero", in: page))
        #expect(Self.occurrences(of: "<svg", in: zeroSection) == 1)
        #expect(zeroSection.contains("Every share is zero"))
        // No bars: the bins' groups hold only their (unfilled) hover areas.
        let bins = zeroSection.components(separatedBy: "<g class=\"bin\">").dropFirst()
        #expect(bins.count == 2)
        for bin in bins {
            let group = bin.components(separatedBy: "</g>").first ?? ""
            #expect(!group.contains("fill="), "a bar is drawn for an empty bin: \(group)")
        }
    }

    @Test("a long category label is cut in the chart, with the full text in a tooltip")
    func longLabels() throws {
        let long = "United Kingdom of Great Britain & Northern Ireland"
        let page = Self.report(columns: [Self.column("country", kind: .categorical, status: .stable, histogram: Self.categoricalHistogram([long, "France"]))]).html()
        let chart = try #require(Self.charts(in: page).first)
        let marker = "<title>\(htmlEscaped(long))</title>"
        let afterTitle = try #require(chart.components(separatedBy: marker).dropFirst().last)
        let shown = String(afterTitle.prefix { $0 != "<" })
        #expect(!shown.isEmpty)
        #expect(shown.count <= 14, "label \(shown) is not cut")
        #expect(chart.contains(">France</text>"))
    }

    @Test("many categories are thinned or turned, never dropped from the bars")
    func manyCategories() throws {
        let labels = (0..<60).map { "category \($0)" }
        let page = Self.report(columns: [Self.column("many", kind: .categorical, status: .stable, histogram: Self.categoricalHistogram(labels))]).html()
        let chart = try #require(Self.charts(in: page).first)
        #expect(Self.occurrences(of: "<g class=\"bin\">", in: chart) == 60)
        #expect(chart.contains("rotate(-40"))
        #expect(Self.occurrences(of: "text-anchor=\"end\" fill=\"#1d1d1f\"", in: chart) < 60)
    }

    // MARK: Size

    @Test("50 columns with 20 bins each make a page under 1.5 MB")
    func pageSize() {
        let columns: [ColumnDrift] = (0..<50).map { index in
            let histogram = index % 2 == 0
                ? Self.numericHistogram(bins: 20)
                : Self.categoricalHistogram((0..<20).map { "category with a long name \($0)" })
            let issues = [QualityIssue(check: .nullRate, column: "feature_\(index)", severity: .warning, message: "Missing cells rose from 0.1% to 0.4%.", value: 0.004)]
            return Self.column("feature_\(index)", kind: index % 2 == 0 ? .double : .categorical,
                               status: index % 7 == 0 ? .drifted : .stable, histogram: histogram, issues: issues)
        }
        let page = Self.report(columns: columns).html()
        let bytes = page.utf8.count
        #expect(Self.occurrences(of: "<svg", in: page) == 50)
        #expect(bytes < 1_500_000, "the page is \(bytes) bytes")
        // A floor, so the estimate is of a page that really holds 50 charts.
        #expect(bytes > 50 * 20 * 2 * 40, "the page is \(bytes) bytes")
    }

    @Test("the page is the same for the same report")
    func deterministic() {
        #expect(Self.full.html() == Self.full.html())
        #expect(Self.full.html(title: "A") != Self.full.html(title: "B"))
    }
}

/// `text` escaped the way the page escapes it, for expectations.
private func htmlEscaped(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        .replacingOccurrences(of: "'", with: "&#39;")
}

extension DriftReportHTMLTests {
    @Test("a very long category or message is cut, so free text cannot blow up the page")
    func longTextIsCut() {
        let long = String(repeating: "x", count: 20_000) + "END"
        let column = ColumnDrift(
            name: long, kind: .categorical, method: .chiSquare, statistic: 1, pValue: 0.5, threshold: 0.05,
            effectSize: 0.1, effectMeasure: .totalVariation, status: .stable, reason: "fine",
            reference: ColumnSummary(rows: 1, missing: 0, distinct: 1), current: ColumnSummary(rows: 1, missing: 0, distinct: 1),
            histogram: ColumnHistogram(labels: [long], edges: nil, reference: [1], current: [1]),
            issues: [QualityIssue(check: .newCategory, column: long, severity: .warning, message: long, examples: [long])])
        let report = DriftReport(
            referenceRows: 1, currentRows: 1,
            dataset: DatasetDrift(drifted: false, rule: "r", testedColumns: 1, driftedColumns: 0, driftedShare: 0, reason: "ok"),
            columns: [column], issues: [])
        let page = report.html()
        #expect(!page.contains(String(repeating: "x", count: 1_000)))
        #expect(page.contains("END"), "the end of a cut text stays visible")
        #expect(page.utf8.count < 100_000)
    }
}
