import ArgumentParser
import Foundation
import Lineage
import MLOpsStorage

/// `mlops lineage`: the provenance graph.
struct LineageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Walk the provenance graph and export it as OpenLineage events.",
        subcommands: [LineageAncestors.self, LineageDescendants.self, LineageOpenLineage.self])
}

/// Prints a provenance graph as text or JSON.
enum ProvenancePrinting {
    /// Refuses (exit 2) a digest no run recorded: an empty graph would read as "recorded, with
    /// nothing before or after it", as `runs show` refuses an unknown run.
    static func requireRecorded(_ digest: Digest, in lineage: some LineageStore) async throws {
        guard try await lineage.artifact(digest) == nil else { return }
        throw CommandFailure.usage(
            "error: no run recorded an artifact with digest \(digest); nothing to trace. Fix: check the digest (`mlops runs show RUN` lists each run's artifacts and datasets).")
    }

    static func print(_ graph: ProvenanceGraph, title: String, format: OutputFormat) throws {
        switch format {
        case .json:
            try Terminal.printJSON(graph)
        case .text:
            Terminal.output("\(title) of sha256:\(graph.root.hex)")
            if graph.runs.isEmpty { Terminal.output("  none recorded") }
            let artifacts = Dictionary(graph.artifacts.map { ($0.digest, $0) }, uniquingKeysWith: { first, _ in first })
            // Each run's edges found once (a scan of every edge for every run was quadratic: a
            // chain of 8,000 runs took seconds).
            let edgesByRun = Dictionary(grouping: graph.edges, by: \.runID)
            for run in graph.runs {
                Terminal.output("  run \(run.id)  \(run.experiment) / \(run.name)  [\(run.status.rawValue)]")
                for edge in edgesByRun[run.id] ?? [] {
                    let name = artifacts[edge.digest]?.name ?? "?"
                    Terminal.output("    \(edge.direction == .input ? "read " : "wrote") \(edge.role): \(name) (\(edge.kind.rawValue), sha256:\(edge.digest.hex.prefix(12))…)")
                }
            }
        }
    }
}

struct LineageAncestors: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ancestors", abstract: "Everything an artifact came from: data, feature sets, runs (reads the store; never changes it).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @Argument(help: "The artifact's digest (sha256:… or 64 hex digits).") var digest: Digest

    func run() async throws {
        let graph = try await store.withLineageStore(.read) { lineage in
            try await ProvenancePrinting.requireRecorded(digest, in: lineage)
            return try await lineage.ancestors(of: digest)
        }
        try ProvenancePrinting.print(graph, title: "Ancestors", format: formatting.format)
    }
}

struct LineageDescendants: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "descendants", abstract: "Everything that came from an artifact: runs, models, reports (reads the store; never changes it).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @Argument(help: "The artifact's digest (sha256:… or 64 hex digits).") var digest: Digest

    func run() async throws {
        let graph = try await store.withLineageStore(.read) { lineage in
            try await ProvenancePrinting.requireRecorded(digest, in: lineage)
            return try await lineage.descendants(of: digest)
        }
        try ProvenancePrinting.print(graph, title: "Descendants", format: formatting.format)
    }
}

struct LineageOpenLineage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openlineage", abstract: "Print the store's runs as OpenLineage RunEvents (a JSON array, or JSON Lines).")

    @OptionGroup var store: StoreOptions
    @Option(help: "Only this run (a UUID).") var run: RunID?
    @Option(help: "Only runs of this experiment.") var experiment: String?
    @Flag(name: .customLong("json-lines"), help: "One event per line instead of a JSON array.") var jsonLines = false
    @Option(help: "The OpenLineage namespace of jobs and datasets.") var namespace = "swift-mlops"

    func validate() throws {
        if (run as RunID?) != nil && experiment != nil {
            throw ValidationError("--run and --experiment both choose the runs to export: give one of them.")
        }
        if namespace.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--namespace is empty: give the OpenLineage namespace of jobs and datasets (default swift-mlops).")
        }
    }

    func run() async throws {
        let exporter = OpenLineageExporter(namespace: namespace)
        let only: RunID? = run
        let events = try await store.withLineageStore(.read) { store -> [JSONValue] in
            var runs: [Run] = []
            if let only {
                runs = [try await store.run(only)]
            } else {
                var token: String? = nil
                repeat {
                    let page = try await store.searchRuns(try RunQuery(experiment: experiment, orderBy: ["attributes.start_time asc"], limit: 1000, pageToken: token))
                    runs += page.runs
                    token = page.nextPageToken
                } while token != nil
            }
            var events: [JSONValue] = []
            for run in runs {
                let parent = try await run.parentRunID.asyncMap { try await store.run($0) }
                events += exporter.events(for: run, parent: parent)
            }
            return events
        }
        Terminal.write(try exporter.encode(events, jsonLines: jsonLines))
        if !jsonLines { Terminal.output("") }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
