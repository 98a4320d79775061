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
    let nextPageToken: String?
}

struct RunsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List runs, newest first.")

    @OptionGroup var options: GlobalOptions
    @Option(help: "Only runs of this experiment.") var experiment: String?
    @Option(help: "How many runs to print.") var limit = 50
    @Option(help: "Continue from the nextPageToken of a previous page.") var pageToken: String?

    func run() async throws {
        let query = try RunQuery(experiment: experiment, limit: limit, pageToken: pageToken)
        let page = try await StoreAccess.withLineage(options) { try await $0.searchRuns(query) }
        try RunsSearch.print(page, format: options.format)
    }
}

struct RunsSearch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Search runs with a filter.",
        discussion: """
            Filter examples: metrics.auc > 0.9 and params.model = "gbt" and tags.team = "fraud"
            Fields: metrics.KEY, params.KEY, tags.KEY, attributes.{status,name,owner,experiment,start_time,end_time,run_id}.
            Operators: = != < <= > >= like in (...); and, or, not, parentheses.
            """)

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The filter.") var filter: String
    @Option(name: .customLong("order-by"), help: "An ordering such as 'metrics.auc desc' (repeatable).") var orderBy: [String] = []
    @Option(help: "Only runs of this experiment.") var experiment: String?
    @Option(help: "How many runs to print.") var limit = 50
    @Option(help: "Continue from the nextPageToken of a previous page.") var pageToken: String?

    func run() async throws {
        let query: RunQuery
        do {
            query = try RunQuery(experiment: experiment, filter: filter, orderBy: orderBy, limit: limit, pageToken: pageToken)
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
        let page = try await StoreAccess.withLineage(options) { try await $0.searchRuns(query) }
        try Self.print(page, format: options.format)
    }

    static func print(_ page: RunPage, format: OutputFormat) throws {
        switch format {
        case .json:
            try Terminal.printJSON(RunsOutput(runs: page.runs, nextPageToken: page.nextPageToken))
        case .text:
            Swift.print(RunFormatting.table(page.runs))
            if let token = page.nextPageToken { Swift.print("more: --page-token \(token)") }
        }
    }
}

struct RunsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one run and whether it can be reproduced.")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The run id.") var runID: String

    struct Output: Encodable {
        let run: Run
        let reproducibility: ReproducibilityCheck
    }

    func run() async throws {
        let id = try StoreAccess.runID(runID)
        let run = try await StoreAccess.withLineage(options) { try await $0.run(id) }
        let check = ReproducibilityCheck(run: run)
        switch options.format {
        case .json:
            try Terminal.printJSON(Output(run: run, reproducibility: check))
        case .text:
            print("Run \(run.id)  \(run.experiment) / \(run.name)  [\(run.status.rawValue)]")
            print("  started \(RunFormatting.time(run.startTime)), ended \(RunFormatting.time(run.endTime))\(run.owner.map { ", by \($0)" } ?? "")")
            if let parent = run.parentRunID { print("  parent run \(parent)") }
            for (key, value) in run.parameters.sorted(by: { $0.key < $1.key }) { print("  param  \(key) = \(value)") }
            for (key, point) in run.latestMetrics.sorted(by: { $0.key < $1.key }) { print("  metric \(key) = \(point.value) (step \(point.step))") }
            for (key, value) in run.tags.sorted(by: { $0.key < $1.key }) { print("  tag    \(key) = \(value)") }
            for edge in run.edges { print("  \(edge.direction == .input ? "input " : "output") \(edge.role): \(edge.kind.rawValue) sha256:\(edge.digest.hex)") }
            if let environment = run.environment {
                print("  code   \(environment.gitCommit ?? "no commit")\(environment.gitDirty == true ? " (uncommitted changes)" : "")")
                if !environment.seeds.isEmpty { print("  seeds  \(environment.seeds.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))") }
            }
            if check.isReproducible {
                print("  reproducible: yes")
            } else {
                print("  reproducible: no")
                for gap in check.gaps { print("    - \(gap.explanation)") }
            }
        }
    }
}

struct RunsDiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "What differs between two runs, the likeliest explanation of a metric change first.")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The first run id.") var first: String
    @Argument(help: "The second run id.") var second: String

    func run() async throws {
        let a = try StoreAccess.runID(first), b = try StoreAccess.runID(second)
        let (left, right) = try await StoreAccess.withLineage(options) { store in (try await store.run(a), try await store.run(b)) }
        let diff = RunDiff(left, right)
        switch options.format {
        case .json:
            try Terminal.printJSON(diff)
        case .text:
            print("\(left.name) (\(left.id)) → \(right.name) (\(right.id))")
            for change in diff.metricChanges {
                print(String(format: "  metric %@: %.6g → %.6g (%+.4g)", change.key, change.left, change.right, change.delta))
            }
            if diff.differences.isEmpty { print("  no recorded difference in data, code, parameters, seeds or environment") }
            for (rank, difference) in diff.differences.enumerated() {
                print("  \(rank + 1). [\(difference.category.rawValue)] \(difference.name): \(difference.left ?? "—") → \(difference.right ?? "—")")
            }
        }
    }
}

struct RunsImportMLflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-mlflow",
        abstract: "Import the runs of an MLflow SQLite tracking database (read-only; safe to run again).")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The MLflow database file (the path of its sqlite:/// tracking URI).") var path: String

    func run() async throws {
        let location = try options.location()
        let database = try await location.openDatabase()
        let report: MLflowImporter.Report
        do {
            report = try await MLflowImporter(path: path).importRuns(into: try await SQLLineageStore(database: database))
            try await database.close()
        } catch {
            try? await database.close()
            throw error
        }
        switch options.format {
        case .json: try Terminal.printJSON(report)
        case .text:
            print("Imported \(report.imported) runs (\(report.metricPoints) metric points) from \(report.experiments.count) experiments into \(location)")
            if report.alreadyPresent > 0 { print("  \(report.alreadyPresent) runs were already in the store") }
            if report.skippedDeleted > 0 { print("  \(report.skippedDeleted) deleted runs skipped") }
        }
    }
}
