import DriftStats
import Foundation

/// The text form of a drift report: one line per column, the decision, the quality findings.
enum DriftPrinting {
    static func text(_ report: DriftReport) -> String {
        var lines: [String] = []
        let width = max(6, report.columns.map(\.name.count).max() ?? 6)
        func pad(_ text: String, _ count: Int) -> String { text.count >= count ? text : text + String(repeating: " ", count: count - text.count) }
        lines.append("\(pad("column", width))  \(pad("method", 14))  \(pad("statistic", 10))  \(pad("p-value", 10))  \(pad("threshold", 9))  status")
        for column in report.columns {
            lines.append([
                pad(column.name, width),
                pad(column.method?.rawValue ?? "—", 14),
                pad(column.statistic.map(format) ?? "—", 10),
                pad(column.pValue.map(format) ?? "—", 10),
                pad(column.threshold.map(format) ?? "—", 9),
                column.status.rawValue.uppercased(),
            ].joined(separator: "  "))
            if column.status != .stable { lines.append("\(String(repeating: " ", count: width))  \(column.reason)") }
        }
        lines.append("")
        lines.append("\(report.drifted ? "DRIFTED" : "NO DRIFT"): \(report.dataset.reason)")
        if let season = report.season { lines.append("reference narrowed to \(season)") }
        if let joint = report.multivariate { lines.append("numeric columns together (\(joint.columns.joined(separator: ", "))): \(joint.reason)") }
        let issues = report.allIssues
        if !issues.isEmpty {
            lines.append("")
            lines.append("data quality (\(issues.count)):")
            for issue in issues { lines.append("  \(issue)") }
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String {
        if value != 0 && abs(value) < 1e-3 { return String(format: "%.2e", value) }
        return String(format: "%.4g", value)
    }
}
