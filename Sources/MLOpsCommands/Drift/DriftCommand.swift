import MLOpsStorage
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
enum DriftOutputFormat: String, OutputFormatChoice {
    case text, json, html

    static var standard: DriftOutputFormat { .text }
}

/// The options that shape a comparison, shared by `drift compare` and `drift check`.
struct DriftOptions: ParsableArguments {
    @Option(help: "auto, or one method for every column.")
    var method: MethodChoice = .auto

    @Option(parsing: .upToNextOption, help: "Only these columns (--columns a,b or --columns a b): from CSV files only they are read, and the data-quality checks (duplicate rows included) look at them alone.")
    var columns: [String] = []

    @Option(help: "The threshold for the chosen method (a significance level for tests, a distance otherwise).")
    var threshold: Double?

    @Option(name: .customLong("min-effect"), help: "Smallest numeric shift that counts, in reference standard deviations (e.g. 0.1).")
    var minimumNumericEffect: Double?

    @Option(name: .customLong("min-category-effect"), help: "Smallest categorical change that counts, as a total variation distance (default 0.05 when --min-effect is set).")
    var minimumCategoricalEffect: Double?

    @Option(name: .customLong("dataset-rule"), help: "share:F (drifted when at least F of the tested columns drifted; default share:0.5), bh or bonferroni (any column after adjustment).")
    var datasetRule = DatasetRuleArgument(.shareOfColumns(0.5), text: "share:0.5")

    @Option(help: "Write the result to this file instead of standard output (never one of the command's inputs).")
    var output: String?

    @Flag(name: .customLong("fail-on-quality"), help: "Also exit 1 when a data-quality check finds an error.")
    var failOnQuality = false

    init() {}

    func validate() throws {
        if method == .auto, threshold != nil {
            throw ValidationError("--threshold needs --method (thresholds differ per method).")
        }
        if let output, output.isEmpty || output.hasSuffix("/") {
            throw ValidationError("--output '\(output)' is not a file name: give the path of the file to write.")
        }
    }

    /// The comparison's settings; a bad combination is a usage error that names it.
    func configuration() throws -> DriftConfiguration {
        var configuration = DriftConfiguration()
        if case .method(let chosen) = method {
            configuration.method = chosen
            if let threshold { configuration.methodThresholds[chosen] = threshold }
        }
        var names: [String] = []
        for name in columns.flatMap({ $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }) where !name.isEmpty && !names.contains(name) {
            names.append(name)  // a column named twice is tested once
        }
        if !columns.isEmpty && names.isEmpty {
            throw CommandFailure.usage("error: --columns '\(columns.joined(separator: " "))' names no column. Fix: list column names, such as --columns amount,country, or leave --columns out to test every column.")
        }
        if !names.isEmpty { configuration.columns = names }
        if minimumNumericEffect != nil || minimumCategoricalEffect != nil {
            configuration.minimumEffect = MinimumEffect(numeric: minimumNumericEffect ?? 0.1, categorical: minimumCategoricalEffect ?? 0.05)
        }
        configuration.datasetRule = datasetRule.rule
        return configuration
    }

    /// The usage error for a `--columns` name that `holder` ("neither file") lacks, listing the
    /// columns they have (`known`, repeats and all; the first 20 in order).
    static func unknownColumn(_ name: String, in holder: String, known: [String]) -> CommandFailure {
        let sorted = Array(Set(known)).sorted()
        let shown = sorted.prefix(20).joined(separator: ", ") + (sorted.count > 20 ? ", …" : "")
        return CommandFailure.usage("error: --columns names '\(name)', which \(holder) has (their columns: \(shown)). Fix: name the columns as the data spells them.")
    }

    /// Refuses an `--output` that is one of `inputs` (the same file by device and inode, so
    /// through symbolic links, hard links and `..` too): writing the report would destroy it.
    func refuseOutputOverInputs(_ inputs: [String]) throws {
        guard let output, let target = FileIdentity(path: output) else { return }
        for input in inputs where FileIdentity(path: input) == target {
            throw ValidationError("--output \(output) is the input \(input) (the same file): writing the report would replace it. Fix: choose another --output.")
        }
    }

    /// Prints or writes the report, then exits 1 when the dataset drifted (or, with
    /// --fail-on-quality, when a quality check found an error), and 2 when nothing could be
    /// compared at all.
    func finish(_ report: DriftReport, format: DriftOutputFormat, title: String) throws {
        let text: String
        switch format {
        case .json: text = String(decoding: try report.jsonData(), as: UTF8.self)
        case .html: text = report.html(title: title)
        case .text: text = report.text()
        }
        if let output {
            try OutputFile.write(text + "\n", to: output)
            Terminal.error("wrote \(output): \(report.dataset.reason)")
        } else {
            Terminal.output(text)
        }
        if report.dataset.testedColumns == 0 {
            // Nothing could be compared (renamed headers, a typo in --columns, all-null or empty
            // data, JSON Lines records without fields): never a pass.
            if report.columns.isEmpty {
                throw CommandFailure.usage("error: there was nothing to compare: the data has no columns (empty files, or JSON Lines records without fields). Fix: check both inputs.")
            }
            throw CommandFailure.usage("error: no column could be compared; see each column's reason above. Fix: check that both inputs have rows, the same header, and that --columns names exist.")
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
        usage: "mlops drift compare [<options>] <reference> <current>",
        discussion: """
            Exit codes: 0 no drift, 1 the dataset drifted, 2 bad usage, unreadable input, or nothing that could be compared.

            --columns and --probabilities take every word up to the next option: written before the files, they take the files too, which are then given back when exactly two of the words name files (a note on standard error says so). Writing the files first avoids the question.
            """)

    // Optional only to the parser: a file that --columns or --probabilities took is given back
    // in validate() (SwallowedArguments), which refuses a command still without both.
    @Argument(help: ArgumentHelp("The reference data (CSV, or JSON Lines with .jsonl, .ndjson or .json).", valueName: "reference"))
    var referencePath: String?
    @Argument(help: ArgumentHelp("The current data, same formats.", valueName: "current"))
    var currentPath: String?
    /// The reference file (validate() has made sure there is one).
    var reference: String { referencePath ?? "" }
    /// The current file.
    var current: String { currentPath ?? "" }
    @OptionGroup var drift: DriftOptions
    @OptionGroup var formatting: FormatOptions<DriftOutputFormat>

    @Option(name: .customLong("season-column"), help: "Compare with the reference rows of the same seasons, placed by this timestamp column.")
    var seasonColumn: String?

    @Option(help: "The season with --season-column (default hour_of_week).")
    var season: SeasonalBaseline.Period?

    @Flag(help: "Also compare the numeric columns jointly (MMD test and PCA reconstruction error); joint drift makes the dataset drifted.")
    var multivariate = false

    @Option(help: "The model's prediction column (reported as prediction drift).")
    var prediction: String?

    @Option(parsing: .upToNextOption, help: "The model's probability columns (--probabilities p,q or --probabilities p q); a confidence column is derived from them.")
    var probabilities: [String] = []

    mutating func validate() throws {
        var files = [referencePath, currentPath], lists = [drift.columns, probabilities]
        let given = files
        try SwallowedArguments.recover(&files, names: ["reference", "current"], from: &lists, flags: ["--columns", "--probabilities"])
        if files != given {
            let flag = lists[0].count < drift.columns.count ? "--columns" : "--probabilities"
            Terminal.error(SwallowedArguments.note(files, names: ["reference", "current"], flag: flag))
        }
        (referencePath, currentPath, drift.columns, probabilities) = (files[0], files[1], lists[0], lists[1])
        if season != nil && seasonColumn == nil {
            throw ValidationError("--season needs --season-column (the timestamp column that places rows in seasons).")
        }
        do {
            _ = try DriftAnalyzer(configuration: try configuration())
        } catch let error as DriftError {
            throw ValidationError("\(error)")
        }
        try drift.refuseOutputOverInputs([reference, current])
    }

    func configuration() throws -> DriftConfiguration {
        var configuration = try drift.configuration()
        if let seasonColumn {
            configuration.season = SeasonalBaseline(timestampColumn: seasonColumn, period: season ?? .hourOfWeek)
        }
        if multivariate { configuration.multivariate = MultivariateOptions() }
        if prediction != nil || !probabilities.isEmpty {
            configuration.modelOutputs = ModelOutputColumns(prediction: prediction, probabilities: probabilities.flatMap { $0.split(separator: ",").map(String.init) })
        }
        return configuration
    }

    /// Refuses a `--probabilities` column that is not a probability in a file that has it: text,
    /// or a number outside [0, 1] (missing values and NaN aside). Its confidence would otherwise
    /// be left out without a word, or exceed 1.
    static func checkProbabilities(_ names: [String], in tables: [(path: String, table: FeatureTable)]) throws {
        for name in names {
            for (path, table) in tables {
                switch table.column(named: name) {
                case nil:
                    continue
                case .double(let column)?:
                    guard let row = column.values.indices.first(where: { column.validity[$0] && !(column.values[$0] >= 0 && column.values[$0] <= 1) && !column.values[$0].isNaN }) else { continue }
                    throw CommandFailure.usage(
                        "error: --probabilities names '\(name)', whose value \(column.values[row]) in row \(row + 1) of \(path) is not a probability. Fix: name the model's probability columns (values from 0 to 1).")
                case let other?:
                    throw CommandFailure.usage(
                        "error: --probabilities names '\(name)', which \(path) holds as \(other.kind == .timestamp ? "times" : "text"), not probabilities. Fix: name the model's probability columns (numbers from 0 to 1).")
                }
            }
        }
    }

    func run() async throws {
        let analyzer: DriftAnalyzer
        do {
            analyzer = try DriftAnalyzer(configuration: try configuration())
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
        // With --columns, only those (and the season and model-output columns) are parsed.
        let configured = try configuration()
        let needed = configured.columns.map { names in
            names + [configured.season?.timestampColumn, configured.modelOutputs?.prediction].compactMap { $0 } + (configured.modelOutputs?.probabilities ?? [])
        }
        let (referenceTable, currentTable) = try TableFile.readPair(reference, current, only: needed)
        // A column --columns names that neither file has is a typo: said as one, not reported as
        // a column the current data has and the reference lacks.
        for name in configured.columns ?? [] where referenceTable.column(named: name) == nil && currentTable.column(named: name) == nil {
            throw DriftOptions.unknownColumn(
                name, in: "neither file", known: TableFile.header(of: reference, read: referenceTable) + TableFile.header(of: current, read: currentTable))
        }
        // Model-output columns are asked for by name: one neither file has is a typo, not a pass.
        for name in [configured.modelOutputs?.prediction].compactMap({ $0 }) + (configured.modelOutputs?.probabilities ?? [])
        where referenceTable.column(named: name) == nil && currentTable.column(named: name) == nil {
            let flag = name == configured.modelOutputs?.prediction ? "--prediction" : "--probabilities"
            throw CommandFailure.usage(
                "error: \(flag) names '\(name)', which neither file has (the current file's columns: \(currentTable.columnNames.prefix(20).joined(separator: ", "))). Fix: name the model's output column as the files spell it.")
        }
        try Self.checkProbabilities(configured.modelOutputs?.probabilities ?? [], in: [(reference, referenceTable), (current, currentTable)])
        let report: DriftReport
        do {
            report = try analyzer.compare(reference: referenceTable, current: currentTable)
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
        try drift.finish(
            report, format: formatting.format,
            title: "Drift: \(URL(fileURLWithPath: current).lastPathComponent) against \(URL(fileURLWithPath: reference).lastPathComponent)")
    }
}
