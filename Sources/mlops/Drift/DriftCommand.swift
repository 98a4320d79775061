import ArgumentParser
import DriftStats
import Foundation
import TensorCore

/// `mlops drift`: compare data with its reference and gate a pipeline on the answer.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare current data with a reference (files or a stored baseline); exit 1 when it drifted.",
        subcommands: [DriftCompare.self, DriftBaselineCommand.self, DriftCheck.self],
        defaultSubcommand: DriftCompare.self)
}

/// How the drift commands print: text for people, json for programs, html for a page to open.
enum DriftOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, html
}

/// The options that shape a comparison, shared by `drift compare` and `drift check`.
struct DriftOptions: ParsableArguments {
    @Option(help: "auto, or one method for every column: \(DriftMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
    var method: String = "auto"

    @Option(parsing: .upToNextOption, help: "Only these columns (space or comma separated).")
    var columns: [String] = []

    @Option(help: "The threshold for the chosen method (a significance level for tests, a distance otherwise).")
    var threshold: Double?

    @Option(name: .customLong("min-effect"), help: "Smallest numeric shift that counts, in reference standard deviations (e.g. 0.1).")
    var minimumNumericEffect: Double?

    @Option(name: .customLong("min-category-effect"), help: "Smallest categorical change that counts, as a total variation distance (default 0.05 when --min-effect is set).")
    var minimumCategoricalEffect: Double?

    @Option(name: .customLong("dataset-rule"), help: "share:F (drifted when at least F of the tested columns drifted; default share:0.5), bh or bonferroni (any column after adjustment).")
    var datasetRule: String = "share:0.5"

    @Option(help: "text, json or html.")
    var format: DriftOutputFormat = .text

    @Option(help: "Write the result to this file instead of standard output.")
    var output: String?

    @Flag(name: .customLong("fail-on-quality"), help: "Also exit 1 when a data-quality check finds an error.")
    var failOnQuality = false

    func configuration() throws -> DriftConfiguration {
        var configuration = DriftConfiguration()
        if method != "auto" {
            guard let chosen = DriftMethod(rawValue: method) else {
                throw CommandFailure.usage("error: unknown method '\(method)'; use auto or one of \(DriftMethod.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            configuration.method = chosen
            if let threshold { configuration.methodThresholds[chosen] = threshold }
        } else if threshold != nil {
            throw CommandFailure.usage("error: --threshold needs --method (thresholds differ per method)")
        }
        let names = columns.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
        if !names.isEmpty { configuration.columns = names }
        if minimumNumericEffect != nil || minimumCategoricalEffect != nil {
            configuration.minimumEffect = MinimumEffect(numeric: minimumNumericEffect ?? 0.1, categorical: minimumCategoricalEffect ?? 0.05)
        }
        switch datasetRule.lowercased() {
        case "bh": configuration.datasetRule = .anyColumn(adjustment: .benjaminiHochberg)
        case "bonferroni": configuration.datasetRule = .anyColumn(adjustment: .bonferroni)
        case let rule where rule.hasPrefix("share:"):
            guard let share = Double(rule.dropFirst(6)) else {
                throw CommandFailure.usage("error: --dataset-rule \(datasetRule): the share must be a number, e.g. share:0.5")
            }
            configuration.datasetRule = .shareOfColumns(share)
        default:
            throw CommandFailure.usage("error: --dataset-rule \(datasetRule): use share:F, bh or bonferroni")
        }
        return configuration
    }

    /// Prints or writes the report, then exits 1 when the dataset drifted (or, with
    /// --fail-on-quality, when a quality check found an error), and 2 when no column could be
    /// compared at all.
    func finish(_ report: DriftReport, title: String) throws {
        let text: String
        switch format {
        case .json: text = String(decoding: try report.jsonData(), as: UTF8.self)
        case .html: text = report.html(title: title)
        case .text: text = report.text()
        }
        if let output {
            do {
                try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CommandFailure.usage("error: cannot write \(output): \(error.localizedDescription)")
            }
            Terminal.error("wrote \(output): \(report.dataset.reason)")
        } else {
            print(text)
        }
        if report.dataset.testedColumns == 0 && !report.columns.isEmpty {
            // Nothing could be compared (renamed headers, a typo in --columns, all-null data):
            // never a pass.
            throw CommandFailure.usage("error: no column could be compared; see each column's reason above. Fix: check that both files have the same header and that --columns names exist.")
        }
        if report.drifted {
            throw ExitCode(1)
        }
        if failOnQuality && report.allIssues.contains(where: { $0.severity == .error }) {
            throw ExitCode(1)
        }
    }
}

struct DriftCompare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two CSV or JSON Lines files column by column (the default: mlops drift REFERENCE CURRENT).",
        discussion: "Exit codes: 0 no drift, 1 the dataset drifted, 2 bad usage or unreadable input.")

    @Argument(help: "The reference data (CSV, or JSON Lines with .jsonl/.ndjson).") var reference: String
    @Argument(help: "The current data, same formats.") var current: String
    @OptionGroup var options: DriftOptions

    @Option(name: .customLong("season-column"), help: "Compare with the reference rows of the same seasons, placed by this timestamp column.")
    var seasonColumn: String?

    @Option(help: "The season with --season-column: hour_of_day, day_of_week or hour_of_week.")
    var season: String = "hour_of_week"

    @Flag(help: "Also compare the numeric columns jointly (MMD test and PCA reconstruction error); joint drift makes the dataset drifted.")
    var multivariate = false

    @Option(help: "The model's prediction column (reported as prediction drift).")
    var prediction: String?

    @Option(parsing: .upToNextOption, help: "The model's probability columns; a confidence column is derived from them.")
    var probabilities: [String] = []

    func run() async throws {
        var configuration = try options.configuration()
        if let seasonColumn {
            guard let period = SeasonalBaseline.Period(rawValue: season) else {
                throw CommandFailure.usage("error: --season \(season): use hour_of_day, day_of_week or hour_of_week")
            }
            configuration.season = SeasonalBaseline(timestampColumn: seasonColumn, period: period)
        }
        if multivariate { configuration.multivariate = MultivariateOptions() }
        if prediction != nil || !probabilities.isEmpty {
            configuration.modelOutputs = ModelOutputColumns(prediction: prediction, probabilities: probabilities.flatMap { $0.split(separator: ",").map(String.init) })
        }
        let analyzer: DriftAnalyzer
        do {
            analyzer = try DriftAnalyzer(configuration: configuration)
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
        let referenceTable = try TableFile.read(reference)
        let currentTable = try TableFile.read(current)
        let report: DriftReport
        do {
            report = try analyzer.compare(reference: referenceTable, current: currentTable)
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
        try options.finish(report, title: "Drift: \(URL(fileURLWithPath: current).lastPathComponent) against \(URL(fileURLWithPath: reference).lastPathComponent)")
    }
}
