import ArgumentParser
import Foundation
import Lineage
import MLOpsStorage

/// `mlops runs`: what Lineage recorded.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List, show, search and compare recorded runs.",
        subcommands: [RunsList.self, RunsShow.self, RunsSearch.self, RunsDiff.self, RunsImportMLflow.self])
}

/// The page of runs that list and search print.
struct RunsOutput: Encodable {
    let runs: [Run]
    /// `null` on the last page.
    @ExplicitNull var nextPageToken: String?
}

struct RunsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List runs, newest first (reads the store; never changes it).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @OptionGroup var page: PageOptions
    @Option(help: "Only runs of this experiment.") var experiment: String?

    func run() async throws {
        let query = try RunQuery(experiment: experiment, limit: page.limit, pageToken: page.pageToken)
        let result = try await store.withLineageStore(.read) { try await $0.searchRuns(query) }
        try RunsSearch.print(result, format: formatting.format)
    }
}

/// `--limit` and `--page-token`, shared by `runs list` and `runs search`.
struct PageOptions: ParsableArguments {
    /// The largest page a store returns.
    static let maximumLimit = 10_000

    @Option(help: "How many runs to print (1 to 10000).") var limit = 50
    @Option(help: "Continue from the next_page_token of a previous page (JSON), or the token after 'more:' (text).") var pageToken: String?

    init() {}

    func validate() throws {
        guard (1...Self.maximumLimit).contains(limit) else {
            throw ValidationError("--limit \(limit) is out of range: give a page size from 1 to \(Self.maximumLimit), and --page-token for more.")
        }
    }
}

struct RunsSearch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Search runs with a filter (reads the store; never changes it).",
        discussion: """
            Filter examples: metrics.auc > 0.9 and params.model = "gbt" and tags.team = "fraud"
            Fields: metrics.KEY, params.KEY, tags.KEY, attributes.{status,name,run_name,owner,user_id,experiment,start_time,end_time,created,run_id} (the prefix may be left out), datasets.{name,digest,context}.
            Operators: = != < <= > >= like (case-sensitive) ilike (ASCII case ignored) in (...) not in (...) is [not] null; and, or, not, parentheses.
            MLflow's filters work as written: see Documentation/CommandLine.md for the table next to MLflow's.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @OptionGroup var page: PageOptions
    @Argument(help: "The filter.") var filter: String
    @Option(name: .customLong("order-by"), help: "An ordering such as 'metrics.auc desc' (repeatable).") var orderBy: [String] = []
    @Option(help: "Only runs of this experiment.") var experiment: String?

    /// The query; a filter or ordering that does not parse is a usage error before the store is opened.
    func query() throws -> RunQuery {
        do {
            return try RunQuery(experiment: experiment, filter: filter, orderBy: orderBy, limit: page.limit, pageToken: page.pageToken)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func validate() throws {
        _ = try query()
    }

    func run() async throws {
        let query = try query()
        let result = try await store.withLineageStore(.read) { try await $0.searchRuns(query) }
        try Self.print(result, format: formatting.format)
    }

    static func print(_ page: RunPage, format: OutputFormat) throws {
        switch format {
        case .json:
            try Terminal.printJSON(RunsOutput(runs: page.runs, nextPageToken: page.nextPageToken))
        case .text:
            Terminal.output(RunFormatting.table(page.runs))
            if let token = page.nextPageToken { Terminal.output("more: --page-token \(token)") }
        }
    }
}

struct RunsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one run and whether it can be reproduced (reads the store; never changes it).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @Argument(help: "The run id (a UUID, as `mlops runs list` prints it).") var runID: RunID

    struct Output: Encodable {
        let run: Run
        let reproducibility: ReproducibilityCheck
    }

    func run() async throws {
        let run = try await store.withLineageStore(.read) { try await $0.run(runID) }
        let check = ReproducibilityCheck(run: run)
        switch formatting.format {
        case .json:
            try Terminal.printJSON(Output(run: run, reproducibility: check))
        case .text:
            Terminal.output("Run \(run.id)  \(run.experiment) / \(run.name)  [\(run.status.rawValue)]")
            Terminal.output("  started \(RunFormatting.time(run.startTime)), ended \(RunFormatting.time(run.endTime))\(run.owner.map { ", by \($0)" } ?? "")")
            if let parent = run.parentRunID { Terminal.output("  parent run \(parent)") }
            for (key, value) in run.parameters.sorted(by: { $0.key < $1.key }) { Terminal.output("  param  \(key) = \(value)") }
            for (key, point) in run.latestMetrics.sorted(by: { $0.key < $1.key }) { Terminal.output("  metric \(key) = \(point.value) (step \(point.step))") }
            for (key, value) in run.tags.sorted(by: { $0.key < $1.key }) { Terminal.output("  tag    \(key) = \(value)") }
            for edge in run.edges { Terminal.output("  \(edge.direction == .input ? "input " : "output") \(edge.role): \(edge.kind.rawValue) sha256:\(edge.digest.hex)") }
            if let environment = run.environment {
                Terminal.output("  code   \(environment.gitCommit ?? "no commit")\(environment.gitDirty == true ? " (uncommitted changes)" : "")")
                if !environment.seeds.isEmpty { Terminal.output("  seeds  \(environment.seeds.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))") }
            }
            if check.isReproducible {
                Terminal.output("  reproducible: yes")
            } else {
                Terminal.output("  reproducible: no")
                for gap in check.gaps { Terminal.output("    - \(gap.explanation)") }
            }
        }
    }
}

struct RunsDiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "What differs between two runs, the likeliest explanation of a metric change first (reads the store; never changes it).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @Argument(help: "The first run id (a UUID).") var first: RunID
    @Argument(help: "The second run id (a UUID).") var second: RunID

    func run() async throws {
        let (left, right) = try await store.withLineageStore(.read) { store in (try await store.run(first), try await store.run(second)) }
        let diff = RunDiff(left, right)
        switch formatting.format {
        case .json:
            try Terminal.printJSON(diff)
        case .text:
            Terminal.output("\(left.name) (\(left.id)) → \(right.name) (\(right.id))")
            for change in diff.metricChanges {
                Terminal.output(String(format: "  metric %@: %.6g → %.6g (%+.4g)", change.key, change.left, change.right, change.delta))
            }
            if diff.differences.isEmpty { Terminal.output("  no recorded difference in data, code, parameters, seeds or environment") }
            for (rank, difference) in diff.differences.enumerated() {
                Terminal.output("  \(rank + 1). [\(difference.category.rawValue)] \(difference.name): \(difference.left ?? "—") → \(difference.right ?? "—")")
            }
        }
    }
}

struct RunsImportMLflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-mlflow",
        abstract: "Import the runs of an MLflow SQLite tracking database (read-only; safe to run again).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @Argument(help: "The MLflow database file (the path of its sqlite:/// tracking URI).") var path: String

    func validate() throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("there is no MLflow database at \(path): give the path of the tracking URI's SQLite file (sqlite:///PATH).")
        }
    }

    func run() async throws {
        let location = store.location
        // The MLflow file is checked first: a wrong file must not create or migrate the store.
        try await MLflowImporter(path: path).checkSource()
        let report = try await store.withLineageStore(.write) { try await MLflowImporter(path: path).importRuns(into: $0) }
        switch formatting.format {
        case .json: try Terminal.printJSON(report)
        case .text:
            Terminal.output("Imported \(report.imported) runs (\(report.metricPoints) metric points) from \(report.experiments.count) experiments into \(location)")
            if report.alreadyPresent > 0 { Terminal.output("  \(report.alreadyPresent) runs were already in the store") }
            if report.skippedDeleted > 0 { Terminal.output("  \(report.skippedDeleted) deleted runs skipped") }
        }
    }
}
