import TensorCore

extension DriftReport {
    /// The report as one self-contained HTML5 page, for people to read.
    ///
    /// The page holds the dataset's decision (with its reason, the rule and the counts), the
    /// dataset-level quality issues, a summary table with one row per column (drifted columns
    /// first, then detectable, stable and not tested ones) and a section per column with its
    /// reason, the reference and current summaries, its quality issues and an SVG chart of its
    /// histogram.
    ///
    /// The page fetches nothing and runs no script: the style sheet is inline, the charts are
    /// inline SVG and the only links are anchors within the page. Every text that comes from the
    /// report (column names, categories, messages, examples) is escaped, so a column named
    /// `<script>` shows as text. Numbers have four significant digits; p-values below 0.001 are
    /// written in scientific form; a missing number shows as "—".
    ///
    /// The output depends only on the report (no clock), so two calls give the same page.
    ///
    /// - Parameter title: The page's title and main heading.
    /// - Returns: The page's HTML: about 11 KB per column with a 20-bin histogram, so a
    ///   50-column report makes a page of about 0.6 MB.
    /// - Complexity: O(*c* log *c* + *b*), where *c* is the number of columns and *b* the number
    ///   of histogram bins over all columns.
    public func html(title: String = "Drift report") -> String {
        var page = HTMLWriter(capacity: 8_192 + columns.count * 12_288)
        page.raw("<!doctype html>\n")
        page.open("html", ["lang": "en"])
        page.open("head")
        page.empty("meta", ["charset": "utf-8"], selfClosing: false)
        page.empty("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"], selfClosing: false)
        page.element("title", text: title)
        page.element("style") { $0.raw(Self.styleSheet) }
        page.close("head")
        page.raw("\n")
        page.open("body")
        page.element("h1", text: title)
        writeDecision(into: &page)
        writeDatasetIssues(into: &page)
        let ordered = orderedColumns
        writeSummary(ordered, into: &page)
        writeMultivariate(into: &page)
        page.element("h2", ["id": "columns"], text: "Columns")
        for (index, column) in ordered {
            writeColumn(column, anchor: Self.anchor(index), into: &page)
        }
        page.element("footer") { footer in
            footer.text("DriftStats drift report, schema version \(schemaVersion). Self-contained page: nothing is fetched, nothing runs.")
        }
        page.close("body")
        page.close("html")
        page.raw("\n")
        return page.output
    }

    // MARK: Order and anchors

    /// Columns with their index in ``columns``: drifted first, then detectable, stable and not
    /// tested, each group in the report's order.
    private var orderedColumns: [(offset: Int, element: ColumnDrift)] {
        columns.enumerated().sorted { lhs, rhs in
            let (left, right) = (Self.rank(lhs.element.status), Self.rank(rhs.element.status))
            return left == right ? lhs.offset < rhs.offset : left < right
        }.map { ($0.offset, $0.element) }
    }

    private static func rank(_ status: ColumnStatus) -> Int {
        switch status {
        case .drifted: 0
        case .detectable: 1
        case .stable: 2
        case .notTested: 3
        }
    }

    /// An anchor from the column's position, so that any name (spaces, quotes, duplicates) works.
    private static func anchor(_ index: Int) -> String { "column-\(index + 1)" }

    // MARK: Sections

    private func writeDecision(into page: inout HTMLWriter) {
        let state = dataset.drifted ? "drifted" : "stable"
        page.element("section", ["class": "verdict \(state)", "aria-labelledby": "decision"]) { box in
            box.element("p", ["class": "headline", "id": "decision"]) { headline in
                headline.element("span", ["class": "mark", "aria-hidden": "true"], text: dataset.drifted ? "!" : "✓")
                headline.text(dataset.drifted ? "Drift detected" : "No drift")
            }
            box.element("p", ["class": "reason"], text: dataset.reason)
            box.element("dl", ["class": "facts"]) { facts in
                func fact(_ term: String, _ value: String, width: String = "") {
                    facts.element("div", ["class": "fact" + width]) { item in
                        item.element("dt", text: term)
                        item.element("dd", text: value)
                    }
                }
                fact("Rule", dataset.rule, width: " full")
                fact("Columns tested", HTMLWriter.count(dataset.testedColumns))
                fact("Columns drifted", "\(HTMLWriter.count(dataset.driftedColumns)) (\(HTMLWriter.percent(dataset.driftedShare)))")
                fact("Reference rows", HTMLWriter.count(referenceRows))
                fact("Current rows", HTMLWriter.count(currentRows))
                if let season { fact("Season", season, width: " pair") }
            }
        }
    }

    /// The joint comparison of the numeric columns, when the report has one.
    private func writeMultivariate(into page: inout HTMLWriter) {
        guard let joint = multivariate else { return }
        page.element("h2", ["id": "multivariate"], text: "Numeric columns together")
        page.element("p", text: joint.reason)
        page.element("table", ["class": "summary"]) { table in
            table.element("tbody") { body in
                let rows: [(String, String)] = [
                    ("columns", joint.columns.joined(separator: ", ")),
                    ("rows used", "\(HTMLWriter.count(joint.referenceRows)) reference, \(HTMLWriter.count(joint.currentRows)) current"),
                    ("test", joint.test),
                    ("MMD²", HTMLWriter.number(joint.statistic)),
                    ("p-value", HTMLWriter.pValue(joint.pValue)),
                    ("bandwidth", HTMLWriter.number(joint.bandwidth)),
                    ("PCA error, current / reference / threshold",
                     "\(HTMLWriter.number(joint.pcaCurrentError)) / \(HTMLWriter.number(joint.pcaReferenceError)) / \(HTMLWriter.number(joint.pcaThreshold))"),
                ]
                for (label, value) in rows {
                    body.element("tr") { row in
                        row.element("th", text: label)
                        row.element("td", text: value)
                    }
                }
            }
        }
    }

    private func writeDatasetIssues(into page: inout HTMLWriter) {
        page.element("h2", ["id": "quality"], text: "Data quality")
        if issues.isEmpty {
            page.element("p", ["class": "note"], text: "No dataset-level issues.")
        } else {
            Self.writeIssues(issues, into: &page)
        }
        let columnIssues = columns.reduce(0) { $0 + $1.issues.count }
        if columnIssues > 0 {
            let affected = columns.filter { !$0.issues.isEmpty }.count
            page.element("p", ["class": "note"],
                         text: "\(columnIssues) column-level \(columnIssues == 1 ? "issue" : "issues") in \(affected) \(affected == 1 ? "column" : "columns"), listed with each column below.")
        }
    }

    /// A list of issues, errors first; `omittingColumn` leaves out that column's name (in its own
    /// section).
    private static func writeIssues(_ issues: [QualityIssue], omittingColumn: String? = nil, into page: inout HTMLWriter) {
        // Errors first; the report's order within a severity.
        let sorted = issues.enumerated().sorted { lhs, rhs in
            lhs.element.severity == rhs.element.severity ? lhs.offset < rhs.offset : lhs.element.severity > rhs.element.severity
        }.map(\.element)
        page.element("ul", ["class": "issues"]) { list in
            for issue in sorted {
                list.element("li") { item in
                    item.element("span", ["class": "severity \(issue.severity.rawValue)"], text: issue.severity.rawValue)
                    item.raw(" ")
                    item.element("code", text: issue.check.rawValue)
                    if let column = issue.column, column != omittingColumn {
                        item.raw(" ")
                        item.element("strong", text: column)
                    }
                    item.raw(" ")
                    item.text(issue.message)
                    if let value = issue.value {
                        item.element("span", ["class": "measured"], text: " (measured \(HTMLWriter.number(value)))")
                    }
                    if !issue.examples.isEmpty {
                        item.element("span", ["class": "examples"]) { examples in
                            examples.text(" Examples: ")
                            for (index, example) in issue.examples.enumerated() {
                                if index > 0 { examples.text(", ") }
                                examples.element("code", text: example)
                            }
                        }
                    }
                }
            }
        }
    }

    private func writeSummary(_ ordered: [(offset: Int, element: ColumnDrift)], into page: inout HTMLWriter) {
        page.element("h2", ["id": "summary"], text: "Summary")
        let counts = ColumnStatus.allCases.sorted { Self.rank($0) < Self.rank($1) }.compactMap { status -> String? in
            let count = columns.filter { $0.status == status }.count
            return count == 0 ? nil : "\(count) \(Self.label(status))"
        }
        page.element("p", ["class": "counts"], text: counts.isEmpty ? "No columns." : counts.joined(separator: " · "))
        guard !ordered.isEmpty else { return }
        page.element("div", ["class": "scroll"]) { scroll in
            scroll.open("table", ["class": "summary"])
            scroll.raw("<thead><tr><th>Column</th><th>Kind</th><th>Role</th><th>Method</th><th class=\"num\">Statistic</th>"
                + "<th class=\"num\">p-value</th><th class=\"num\">Threshold</th><th class=\"num\">Effect size</th><th>Status</th></tr></thead>")
            scroll.open("tbody")
            for (index, column) in ordered {
                scroll.element("tr", ["class": "status-\(column.status.rawValue)"]) { row in
                    row.element("td", ["class": "name"]) { cell in
                        cell.element("a", ["href": "#\(Self.anchor(index))"], text: column.name)
                    }
                    row.element("td", text: column.kind.rawValue)
                    row.element("td", text: column.role.rawValue)
                    row.element("td", text: column.method?.rawValue ?? HTMLWriter.none)
                    row.element("td", ["class": "num"], text: HTMLWriter.number(column.statistic))
                    row.element("td", ["class": "num"]) { cell in
                        cell.text(HTMLWriter.pValue(column.pValue))
                        if let adjusted = column.adjustedPValue, adjusted.isFinite {
                            cell.element("span", ["class": "sub"], text: "adjusted \(HTMLWriter.pValue(adjusted))")
                        }
                    }
                    row.element("td", ["class": "num"], text: HTMLWriter.number(column.threshold))
                    row.element("td", ["class": "num"]) { cell in
                        cell.text(HTMLWriter.number(column.effectSize))
                        if column.effectSize != nil, let measure = column.effectMeasure {
                            cell.element("span", ["class": "sub"], text: Self.label(measure))
                        }
                    }
                    row.element("td") { Self.writeBadge(column.status, into: &$0) }
                }
            }
            scroll.close("tbody")
            scroll.close("table")
        }
    }

    private func writeColumn(_ column: ColumnDrift, anchor: String, into page: inout HTMLWriter) {
        page.element("section", ["class": "column status-\(column.status.rawValue)", "id": anchor]) { section in
            section.element("h3") { heading in
                heading.element("span", ["class": "name"], text: column.name)
                heading.raw(" ")
                Self.writeBadge(column.status, into: &heading)
            }
            var facts = [column.kind.rawValue, column.role.rawValue, column.method.map { "method \($0.rawValue)" } ?? "no method"]
            if column.statistic != nil { facts.append("statistic \(HTMLWriter.number(column.statistic))") }
            if column.pValue != nil { facts.append("p \(HTMLWriter.pValue(column.pValue))") }
            if column.threshold != nil { facts.append("threshold \(HTMLWriter.number(column.threshold))") }
            if let effect = column.effectSize {
                facts.append("effect \(HTMLWriter.number(effect))\(column.effectMeasure.map { " (\(Self.label($0)))" } ?? "")")
            }
            section.element("p", ["class": "meta"], text: facts.joined(separator: " · "))
            section.element("p", ["class": "reason"], text: column.reason)
            if let resolution = column.resolution {
                section.element("p", ["class": "meta resolution"], text: resolution.summary)
            }
            section.element("div", ["class": "column-body"]) { body in
                body.element("div", ["class": "side"]) { side in
                    Self.writeSummaries(reference: column.reference, current: column.current, into: &side)
                    if !column.issues.isEmpty {
                        side.element("h4", text: "Quality issues")
                        Self.writeIssues(column.issues, omittingColumn: column.name, into: &side)
                    }
                }
                body.element("div", ["class": "chart"]) { chart in
                    Self.writeChart(column, into: &chart)
                }
            }
            section.element("p", ["class": "top"]) { $0.element("a", ["href": "#summary"], text: "↑ Summary") }
        }
    }

    private static func writeSummaries(reference: ColumnSummary, current: ColumnSummary, into page: inout HTMLWriter) {
        func missing(_ summary: ColumnSummary) -> String {
            let count = HTMLWriter.count(summary.missing)
            guard summary.rows > 0, summary.missing > 0 else { return count }
            let share = Double(summary.missing) / Double(summary.rows)
            return "\(count) (\(share < 0.001 ? "< 0.1%" : HTMLWriter.percent(share)))"
        }
        let rows: [(String, String, String)] = [
            ("Rows", HTMLWriter.count(reference.rows), HTMLWriter.count(current.rows)),
            ("Missing", missing(reference), missing(current)),
            ("Distinct", HTMLWriter.count(reference.distinct), HTMLWriter.count(current.distinct)),
            ("Mean", HTMLWriter.number(reference.mean), HTMLWriter.number(current.mean)),
            ("Std. dev.", HTMLWriter.number(reference.standardDeviation), HTMLWriter.number(current.standardDeviation)),
            ("Min", HTMLWriter.number(reference.minimum), HTMLWriter.number(current.minimum)),
            ("Max", HTMLWriter.number(reference.maximum), HTMLWriter.number(current.maximum)),
        ]
        page.open("table", ["class": "stats"])
        page.raw("<thead><tr><th></th><th class=\"num\">Reference</th><th class=\"num\">Current</th></tr></thead>")
        page.open("tbody")
        for (name, left, right) in rows {
            page.element("tr") { row in
                row.element("th", ["scope": "row"], text: name)
                row.element("td", ["class": "num"], text: left)
                row.element("td", ["class": "num"], text: right)
            }
        }
        page.close("tbody")
        page.close("table")
    }

    private static func writeChart(_ column: ColumnDrift, into page: inout HTMLWriter) {
        guard let histogram = column.histogram else {
            page.element("p", ["class": "note chart-note"], text: "No histogram for this column.")
            return
        }
        guard let chart = HistogramChart(histogram, columnName: column.name) else {
            page.element("p", ["class": "note chart-note"], text: "The histogram has no bins.")
            return
        }
        chart.write(into: &page)
    }

    private static func writeBadge(_ status: ColumnStatus, into page: inout HTMLWriter) {
        page.element("span", ["class": "badge \(status.rawValue)"], text: label(status))
    }

    // MARK: Words

    private static func label(_ status: ColumnStatus) -> String {
        switch status {
        case .drifted: "drifted"
        case .detectable: "detectable"
        case .stable: "stable"
        case .notTested: "not tested"
        }
    }

    private static func label(_ measure: EffectMeasure) -> String {
        switch measure {
        case .wassersteinStandardDeviations: "Wasserstein, in sd"
        case .totalVariation: "total variation"
        }
    }

    // MARK: Style

    /// The page's style: the demo pages' fonts and colours, with badges for the statuses.
    private static let styleSheet = """
    *{box-sizing:border-box}
    body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1200px;margin:2em auto;padding:0 1.25em;color:#1d1d1f;background:#fff}
    h1{font-size:1.6em;margin:0 0 .4em}
    h2{font-size:1.25em;margin:1.8em 0 .6em;padding-bottom:.2em;border-bottom:1px solid #d2d2d7}
    h3{font-size:1.1em;margin:0 0 .2em;display:flex;flex-wrap:wrap;align-items:center;gap:.5em}
    h3 .name{overflow-wrap:anywhere}
    h4{font-size:.95em;margin:1em 0 .3em}
    table{border-collapse:collapse;margin:.4em 0}
    th,td{border:1px solid #d2d2d7;padding:.3em .6em;text-align:left;vertical-align:top}
    th{background:#f5f5f7;font-weight:600}
    .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    code{background:#f5f5f7;padding:0 .25em;border-radius:3px;font-size:.92em}
    a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}
    .verdict{border:1px solid;border-left-width:8px;border-radius:8px;padding:1em 1.4em;margin:0 0 1em}
    .verdict.drifted{border-color:#cf222e;background:#fff5f5}
    .verdict.stable{border-color:#1a7f37;background:#f2fbf4}
    .verdict .headline{font-size:2em;font-weight:700;margin:0;display:flex;align-items:center;gap:.45em;line-height:1.2}
    .verdict.drifted .headline{color:#cf222e}.verdict.stable .headline{color:#1a7f37}
    .verdict .mark{display:inline-flex;align-items:center;justify-content:center;width:1.3em;height:1.3em;border-radius:50%;color:#fff;font-size:.8em}
    .verdict.drifted .mark{background:#cf222e}.verdict.stable .mark{background:#1a7f37}
    .verdict .reason{font-size:1.1em;margin:.4em 0 .8em}
    .facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:.6em 1.5em;margin:0}
    .fact.full{grid-column:1/-1}.fact.pair{grid-column:span 2}
    .facts dt{font-size:.75em;text-transform:uppercase;letter-spacing:.05em;color:#57606a}
    .facts dd{margin:0;font-weight:600;overflow-wrap:anywhere}
    .badge{display:inline-block;padding:0 .6em;border-radius:999px;font-size:.8em;font-weight:600;border:1px solid;white-space:nowrap;line-height:1.6}
    .badge.drifted{color:#a40e26;background:#ffebe9;border-color:#ff8182}
    .badge.detectable{color:#7d4e00;background:#fff8c5;border-color:#d4a72c}
    .badge.stable{color:#116329;background:#dafbe1;border-color:#4ac26b}
    .badge.not_tested{color:#57606a;background:#f5f5f7;border-color:#d2d2d7}
    .severity{display:inline-block;min-width:4.6em;text-align:center;padding:0 .4em;border-radius:4px;font-size:.78em;font-weight:700;text-transform:uppercase;letter-spacing:.03em}
    .severity.error{color:#fff;background:#cf222e}.severity.warning{color:#4d2d00;background:#f2cc60}
    .issues{list-style:none;padding:0;margin:.3em 0}.issues li{margin:.3em 0;overflow-wrap:anywhere}
    .measured,.examples{color:#57606a}
    .note{color:#57606a;font-style:italic}
    .counts{color:#57606a;margin:.2em 0}
    .scroll{overflow-x:auto}
    table.summary{width:100%}
    table.summary td.name{font-weight:600;overflow-wrap:anywhere;max-width:22em}
    table.summary tbody tr:nth-child(even){background:#fafafb}
    .sub{display:block;font-size:.78em;color:#57606a}
    .column{border:1px solid #d2d2d7;border-left-width:5px;border-radius:8px;padding:1em 1.25em .4em;margin:1.2em 0}
    .column.status-drifted{border-left-color:#cf222e}.column.status-detectable{border-left-color:#d4a72c}
    .column.status-stable{border-left-color:#4ac26b}.column.status-not_tested{border-left-color:#afb8c1}
    .column .meta{color:#57606a;font-size:.88em;margin:0}
    .column .reason{margin:.4em 0 .8em}
    .column-body{display:grid;grid-template-columns:minmax(250px,300px) minmax(0,1fr);gap:1.5em;align-items:start}
    @media (max-width:820px){.column-body{grid-template-columns:1fr}}
    table.stats{width:100%;font-size:.9em}
    .chart svg{display:block;width:100%;height:auto}
    .chart .hit{fill:transparent}.chart .bin:hover .hit{fill:#f0f3f6}
    .chart-note{border:1px dashed #d2d2d7;border-radius:6px;padding:2em 1em;text-align:center;margin:.4em 0}
    .top{text-align:right;font-size:.85em;margin:.3em 0 0}
    footer{margin:2.5em 0 1em;color:#57606a;font-size:.85em;border-top:1px solid #d2d2d7;padding-top:.6em}
    """
}
