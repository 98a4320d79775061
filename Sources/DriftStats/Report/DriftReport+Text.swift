import Foundation

extension DriftReport {
    /// The report as plain text for a terminal or a log: one line per column (method,
    /// statistic, p-value, threshold, status) with the reason under every column that is not
    /// stable, then the dataset's decision and the data-quality findings. `mlops drift` prints it.
    public func text() -> String {
        var lines: [String] = []
        let width = Swift.max(6, columns.map(\.name.count).max() ?? 6)
        func pad(_ text: String, _ count: Int) -> String {
            text.count >= count ? text : text + String(repeating: " ", count: count - text.count)
        }
        func number(_ value: Double?) -> String { value.map(DriftAnalyzer.format) ?? "—" }
        lines.append("\(pad("column", width))  \(pad("method", 14))  \(pad("statistic", 10))  \(pad("p-value", 10))  \(pad("threshold", 9))  status")
        for column in columns {
            lines.append([
                pad(column.name, width),
                pad(column.method?.rawValue ?? "—", 14),
                pad(number(column.statistic), 10),
                pad(number(column.pValue), 10),
                pad(number(column.threshold), 9),
                column.status.rawValue.uppercased(),
            ].joined(separator: "  "))
            if column.status != .stable { lines.append("\(String(repeating: " ", count: width))  \(column.reason)") }
            if let resolution = column.resolution { lines.append("\(String(repeating: " ", count: width))  \(resolution.summary)") }
        }
        lines.append("")
        lines.append("\(drifted ? "DRIFTED" : "NO DRIFT"): \(dataset.reason)")
        if let season { lines.append("reference narrowed to \(season)") }
        if let joint = multivariate { lines.append("numeric columns together (\(joint.columns.joined(separator: ", "))): \(joint.reason)") }
        let findings = allIssues
        if !findings.isEmpty {
            lines.append("")
            lines.append("data quality (\(findings.count)):")
            for issue in findings { lines.append("  \(issue)") }
        }
        return lines.joined(separator: "\n")
    }
}
