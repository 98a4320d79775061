import ArgumentParser
import FeatureParity
import Foundation
import TensorCore

/// `mlops parity`: training–serving skew between offline and online feature values.
struct ParityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parity",
        abstract: "Compare offline (training) and online (served) feature values per entity and as distributions; exit 1 on skew.",
        discussion: """
            OFFLINE holds the features computed offline, ONLINE what was served (a parity log), both CSV or \
            JSON Lines with the --key column and the same feature column names. With --timestamp, each online \
            row is compared with the offline row of its entity at or before its time; without, with the \
            entity's offline row (the last in the file). Per feature: match_rate (numbers agree within \
            --tolerance, absolute or relative; text exactly; both missing agree), mean_abs_diff, max_abs_diff, \
            distribution_distance (Jensen–Shannon distance over ten quantile bins for numbers, L∞ over category \
            shares for text, as TFDV does), threshold and skewed. A feature is skewed below --match-rate \
            (default 0.99) or above its distance threshold (default 0.1).
            Exit codes: 0 no skew, 1 skew, 2 bad input.
            """)

    @Argument(help: ArgumentHelp("The offline (training) feature values.", valueName: "offline"))
    var offline: String

    @Argument(help: ArgumentHelp("The online (served) feature values.", valueName: "online"))
    var online: String

    @Option(help: ArgumentHelp("The entity key column.", valueName: "column"))
    var key: String

    @Option(help: ArgumentHelp("The time column, in both files: compare as of each online row's time.", valueName: "column"))
    var timestamp: String?

    @Option(name: .customLong("match-rate"), help: "The smallest share of agreeing pairs (default 0.99).")
    var matchRate: Double = 0.99

    @Option(name: .customLong("distance-threshold"), help: "The largest distribution distance, numeric and categorical (default 0.1).")
    var distanceThreshold: Double = 0.1

    @Option(help: "Numbers within this, absolutely or relatively, agree (default 1e-9).")
    var tolerance: Double = 1e-9

    @OptionGroup var formatting: FormatOptions<DriftOutputFormat>

    func validate() throws {
        if let timestamp, timestamp == key {
            throw ValidationError("--key and --timestamp both name '\(key)'. Fix: name the entity id column with --key and the time column with --timestamp.")
        }
    }

    func run() async throws {
        var thresholds = SkewThresholds()
        thresholds.minimumMatchRate = matchRate
        thresholds.numericDistance = distanceThreshold
        thresholds.categoricalDistance = distanceThreshold
        thresholds.tolerance = tolerance
        try thresholds.validate()
        let times = timestamp.map { [$0] } ?? []
        // Each file is opened twice (its columns first): a pipe is read into a copy first.
        let offlineFile = try PipedInput(offline, option: "OFFLINE"), onlineFile = try PipedInput(online, option: "ONLINE")
        let offlineTable = try FeatureFile.read(offlineFile.path, key: key, times: times)
        let onlineTable = try FeatureFile.read(onlineFile.path, key: key, times: times)
        let report = try SkewReport(offline: offlineTable, online: onlineTable, key: key, timestamp: timestamp, thresholds: thresholds)
        switch formatting.format {
        case .json: try Terminal.printJSON(report)
        case .text: Terminal.output(Self.text(report))
        case .html: Terminal.output(Self.html(report, offline: offline, online: online))
        }
        if report.skewed { throw ExitCode(1) }
    }

    static func number(_ value: Double?) -> String { value.map { String(format: "%.4g", $0) } ?? "–" }

    static func text(_ report: SkewReport) -> String {
        var lines = [
            "\(report.skewed ? "SKEW" : "no skew"): \(report.pairedRows) of \(report.onlineRows) online rows paired with offline values (\(report.unpairedRows) unpaired: \(report.unpairedUnseenEntity) for entities unseen offline, \(report.unpairedNoEarlierValue) without an earlier offline row, \(report.unpairedRows - report.unpairedUnseenEntity - report.unpairedNoEarlierValue) without a key or time)",
            "feature  kind  pairs  match rate  mean |diff|  max |diff|  distance (threshold)  skewed",
        ]
        for f in report.features {
            lines.append(
                "\(f.name)  \(f.kind)  \(f.pairs)  \(String(format: "%.4f", f.matchRate))  \(number(f.meanAbsDiff))  \(number(f.maxAbsDiff))  \(number(f.distributionDistance)) (\(number(f.threshold)))  \(f.skewed ? "SKEWED: \(f.reason)" : "no")")
            for e in f.examples where f.skewed {
                lines.append("    entity \(e.entity): offline \(e.offline ?? "missing"), online \(e.online ?? "missing")")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func html(_ report: SkewReport, offline: String, online: String) -> String {
        var body = "<h1>Training–serving skew</h1><p>Offline <code>\(HTML.escape(offline))</code> against online <code>\(HTML.escape(online))</code>: "
        body += "\(report.pairedRows) of \(report.onlineRows) online rows paired; <strong>\(report.skewed ? "skew found" : "no skew")</strong>.</p>"
        body += HTML.table(
            headers: ["feature", "kind", "pairs", "match rate", "mean |diff|", "max |diff|", "distance", "threshold", "skewed"],
            rows: report.features.map {
                [$0.name, $0.kind, "\($0.pairs)", String(format: "%.4f", $0.matchRate), number($0.meanAbsDiff), number($0.maxAbsDiff), number($0.distributionDistance), number($0.threshold), $0.skewed ? "yes: \($0.reason)" : "no"]
            })
        for f in report.features where f.skewed && !f.examples.isEmpty {
            body += "<h2>\(HTML.escape(f.name)): disagreeing pairs</h2>"
            body += HTML.table(headers: ["entity", "offline", "online"], rows: f.examples.map { [$0.entity, $0.offline ?? "missing", $0.online ?? "missing"] })
        }
        return HTML.page(title: "Training–serving skew", body: body)
    }
}
