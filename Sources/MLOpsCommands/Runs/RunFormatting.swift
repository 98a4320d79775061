import Foundation
import Lineage

/// How runs print in tables and JSON.
enum RunFormatting {
    static func time(_ date: Date?) -> String {
        date?.formatted(Date.ISO8601FormatStyle()) ?? "-"
    }

    static func metrics(_ run: Run, limit: Int = 3) -> String {
        run.latestMetrics.keys.sorted().prefix(limit).map { key in
            "\(key)=\(String(format: "%.4g", run.latestMetrics[key]?.value ?? .nan))"
        }.joined(separator: " ")
    }

    static func table(_ runs: [Run]) -> String {
        var lines = ["RUN ID                                EXPERIMENT       NAME                 STATUS    STARTED               METRICS"]
        for run in runs {
            lines.append([
                run.id.value, pad(run.experiment, 16), pad(run.name, 20), pad(run.status.rawValue, 9), pad(time(run.startTime), 21), metrics(run),
            ].joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - text.count)
    }
}
