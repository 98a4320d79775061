import DriftStats
import Foundation
import MLOpsStorage
import TensorCore

/// Chapter 3: the training period becomes a stored baseline; simulated traffic streams through
/// a profiler from several tasks; a later period drifts and the window check raises it; the
/// full comparison is written as an HTML and a JSON report.
struct DriftChapter: DemoChapter {
    let slug = "drift"
    let title = "3. DriftStats: a later period drifts, the streaming profile raises it"

    /// Rows per traffic window.
    static let windowRows = 20_000
    /// The window (0-based) from which traffic drifts.
    static let driftStart = 3

    func run(in context: DemoContext) async throws -> (ChapterReport, String) {
        let reference = try DemoData.traffic(rows: 50_000, drifted: false, seed: context.seed)
        let baselines = try await SQLBaselineStore(database: context.database)
        let stored = try await baselines.save(try DatasetProfile(profiling: reference), as: "fraud-traffic", note: "training period, seed \(context.seed)")

        // Serving: four tasks profile each window's requests; every window is checked against the baseline.
        let profiler = try StreamingProfiler(schema: zip(reference.columnNames, reference.columnKinds).map { ($0, $1) }, settings: stored.profile.settings)
        let comparison = try ProfileComparison(configuration: DriftConfiguration(minimumEffect: MinimumEffect()))
        var windows: [(Int, DriftReport)] = []
        for window in 0..<5 {
            let traffic = try DemoData.traffic(rows: Self.windowRows, drifted: window >= Self.driftStart, seed: context.seed &+ UInt64(window + 1))
            try await Self.serve(traffic, through: profiler, tasks: 4)
            windows.append((window, comparison.compare(reference: stored.profile, current: try profiler.drain())))
        }

        // The whole later period against the training period, on the raw rows.
        let later = try DemoData.traffic(rows: 50_000, drifted: true, seed: context.seed &+ 99)
        let report = try DriftAnalyzer(configuration: DriftConfiguration(minimumEffect: MinimumEffect())).compare(reference: reference, current: later)
        try context.write(Array(report.html(title: "Drift: later period against the training period").utf8), to: "drift-report.html")
        try context.write(try report.jsonData(), to: "drift-report.json")

        let firstAlarm = windows.first { $0.1.drifted }?.0
        let falseAlarms = windows.prefix(Self.driftStart).filter { $0.1.drifted }.count
        var highlights = [
            "baseline fraud-traffic v\(stored.version) saved: \(stored.profile.rowCount) rows profiled into sketches",
            "\(falseAlarms == 0 ? "no alarm" : "\(falseAlarms) false alarm(s)") in windows 1–\(Self.driftStart); traffic drifts from window \(Self.driftStart + 1): "
                + (firstAlarm.map { "raised at window \($0 + 1)" } ?? "NOT raised"),
            "later period: \(report.dataset.reason)",
        ]
        let issues = report.allIssues
        if !issues.isEmpty { highlights.append("data quality: " + issues.prefix(3).map { "\($0.check.rawValue) on \($0.column ?? "dataset")" }.joined(separator: ", ")) }
        let rows = windows.map { window, result in
            [
                "\(window + 1)", result.drifted ? "DRIFTED" : "stable",
                result.columns.filter(\.drifted).map(\.name).joined(separator: ", "),
                result.dataset.reason,
            ]
        }
        var body = "<p>The training period (50,000 rows) is profiled into sketches and stored as baseline <code>fraud-traffic</code>. "
        body += "Five windows of 20,000 simulated requests are recorded by four tasks into a streaming profiler; "
        body += "each window is compared with the baseline on the sketches alone. Traffic drifts from window \(Self.driftStart + 1) "
        body += "(larger amounts, more US and a new country, missing devices).</p>"
        body += HTML.table(headers: ["window", "decision", "drifted columns", "reason"], rows: rows)
        if let first = windows.first?.1 {
            // What "stable" meant: the smallest change each window-1 check could have flagged.
            let resolved = first.columns.compactMap { column in column.resolution.map { (column.name, $0) } }
            if let (name, resolution) = resolved.first(where: { $0.1.shiftMeasure == .wassersteinStandardDeviations }) {
                highlights.append("window 1, \(name): \(resolution.summary)")
            }
            body += "<h2>What a stable window rules out</h2><p>Each check on sketches reports its resolution: "
            body += "how far the sketches' statistic may be off and the smallest shift it flags.</p><ul>"
            for (name, resolution) in resolved { body += "<li><b>\(HTML.escape(name))</b>: \(HTML.escape(resolution.summary))</li>" }
            body += "</ul>"
        }
        if let alarm = windows.first(where: { $0.1.drifted }) {
            body += "<h2>Why window \(alarm.0 + 1) alarmed</h2><ul>"
            for column in alarm.1.columns where column.status != .stable {
                body += "<li><b>\(HTML.escape(column.name))</b>: \(HTML.escape(column.reason))</li>"
            }
            for issue in alarm.1.allIssues { body += "<li>quality: \(HTML.escape(issue.description))</li>" }
            body += "</ul>"
        }
        body += "<p>The whole later period against the training period, on the raw rows: "
        body += "<a href=\"drift-report.html\">drift-report.html</a> (JSON: <a href=\"drift-report.json\">drift-report.json</a>).</p>"
        let facts = [
            ChapterReport.Fact(label: "baseline", value: "fraud-traffic v\(stored.version)"),
            ChapterReport.Fact(label: "first alarm", value: firstAlarm.map { "window \($0 + 1)" } ?? "none"),
            ChapterReport.Fact(label: "later period drifted columns", value: "\(report.dataset.driftedColumns) of \(report.dataset.testedColumns)"),
            ChapterReport.Fact(label: "quality findings", value: "\(issues.count)"),
        ]
        return (ChapterReport(slug: slug, title: title, highlights: highlights, facts: facts, files: ["drift-report.html", "drift-report.json"]), body)
    }

    /// Feeds a window's rows to the profiler from `tasks` concurrent tasks, one row per
    /// `record` call as request handlers would.
    static func serve(_ table: FeatureTable, through profiler: StreamingProfiler, tasks: Int) async throws {
        guard case .double(let amounts) = table.columns[0], case .categorical(let countries) = table.columns[1],
              case .categorical(let devices) = table.columns[2], case .double(let hours) = table.columns[3] else {
            throw CommandFailure.usage("error: the demo traffic has an unexpected shape")
        }
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for row in stride(from: task, to: table.rowCount, by: tasks) {
                        profiler.record { profile in
                            profile.update(column: 0, amounts[row] ?? .nan)
                            profile.update(column: 1, countries[row])
                            profile.update(column: 2, devices[row])
                            profile.update(column: 3, hours[row] ?? .nan)
                        }
                    }
                }
            }
        }
    }
}
