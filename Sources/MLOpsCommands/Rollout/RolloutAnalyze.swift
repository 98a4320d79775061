import ArgumentParser
import Foundation
import MLOpsStorage
import Rollout
import TensorCore

/// `mlops rollout analyze`: replay logged events through an analysis policy.
struct RolloutAnalyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Replay per-request events through a rollout's analysis policy, looking every N events, and print the decision.",
        discussion: """
            EVENTS is CSV, or JSON Lines (.jsonl, .ndjson, .json), with columns timestamp (seconds or ISO \
            8601), unit, variant and the metric; rows out of time order are put in order. Each look runs \
            the sample-ratio check, the minimums and the always-valid confidence sequence (Waudby-Smith et \
            al. 2024; see Documentation/Rollout.md); the first promote or rollback ends the replay.
            JSON keys: decision (promote, continue, hold, rollback), reason, decided_after_events, srm \
            (p_value, mismatch, observed, expected_split), looks (events, estimate, interval, decision, …).
            Exit codes: 0 promote, continue or hold; 1 rollback; 2 bad input.
            """)

    @Argument(help: ArgumentHelp("The events file.", valueName: "events"))
    var events: String

    @Option(help: "The control variant's name.")
    var control: String

    @Option(help: "The candidate variant's name.")
    var candidate: String

    @Option(help: ArgumentHelp("The metric column.", valueName: "column"))
    var metric: String

    @Option(help: ArgumentHelp("A pre-exposure covariate column: adjusts the metric with CUPED.", valueName: "column"))
    var covariate: String?

    @Flag(name: .customLong("check-units"), help: "Also read the unit column and count units seen in both variants (broken stickiness); slower on files with millions of distinct units.")
    var checkUnits = false

    @OptionGroup var policyOptions: PolicyOptions

    @OptionGroup var formatting: FormatOptions<OutputFormat>

    func validate() throws {
        for (flag, name) in [("--metric", metric), ("--control", control), ("--candidate", candidate)] where name.isEmpty {
            throw ValidationError("\(flag) is empty: name a column or variant.")
        }
        for reserved in ["timestamp", "unit", "variant"] where metric == reserved || covariate == reserved {
            throw ValidationError("--metric and --covariate must name a metric column, not '\(reserved)'.")
        }
    }

    func run() async throws {
        var policy = try policyOptions.resolve()
        if covariate != nil { policy.cuped = true }
        if !policy.guardrails.isEmpty {
            // Said, not refused: the same policy file drives the in-process controller, where they apply.
            Terminal.error("note: the policy's \(policy.guardrails.count) guardrail(s) are not replayed: an event log holds outcomes, not the requests (errors, latencies) guardrails read.")
        }
        let replay = try EventReplay(control: control, candidate: candidate, policy: policy)
        // The file is opened twice (its columns first): a pipe is read into a copy first.
        let eventFile = try PipedInput(events, option: "EVENTS")
        let table = try Self.readEvents(eventFile.path, metric: metric, covariate: covariate, units: checkUnits)
        let rolloutEvents: RolloutEvents
        do {
            rolloutEvents = try RolloutEvents(table: table, metric: metric, covariate: covariate)
        } catch {
            throw CommandFailure.usage("error: \(events): \(error)")
        }
        Terminal.progress("replaying \(rolloutEvents.timestamps.count) events, a look every \(policy.lookEvery)")
        let result: ReplayResult
        do {
            result = try replay.run(rolloutEvents)
        } catch {
            throw CommandFailure.usage("error: \(events): \(error)")
        }
        switch formatting.format {
        case .json: try Terminal.printJSON(result)
        case .text: Terminal.output(Self.text(result))
        }
        if result.decision == .rollback { throw ExitCode(1) }
    }

    /// Reads the columns the replay needs (the unit only with `units`), with their kinds forced
    /// (variant and unit as text, the metric as numbers); only columns the file has are asked
    /// for, so a missing one is reported by name afterwards. CSV files are read without the
    /// columns the replay does not use.
    static func readEvents(_ path: String, metric: String, covariate: String?, units: Bool) throws -> FeatureTable {
        if let problem = FileReadProblem.at(path) { throw CommandFailure.usage("error: no events file: \(problem). Fix: name the CSV or JSON Lines event log.") }
        try TableFile.refuseBinary(path)
        // Assigned one by one: a literal with two equal names would stop the process.
        var wanted: [String: ColumnKind] = [metric: .double]
        if let covariate { wanted[covariate] = .double }
        wanted["unit"] = .categorical
        wanted["variant"] = .categorical
        let lowered = path.lowercased()
        let jsonLines = lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".json")
        do {
            let header = jsonLines ? try JSONLinesReader(path: path).columnNames : try CSVReader(path: path).columnNames
            let present = Set(header)
            if !units { wanted["unit"] = nil }
            // A column the replay needs and a CSV file lacks is named with the file's own columns
            // (the table read below holds only the wanted ones; a JSON Lines reader learns its
            // columns from the records, and its table holds them all).
            for name in ["timestamp", "variant", metric] + (covariate.map { [$0] } ?? []) + (units ? ["unit"] : []) where !jsonLines && !present.contains(name) {
                throw CommandFailure.usage(
                    "error: \(path) has no '\(name)' column (its columns: \(header.isEmpty ? "none" : header.joined(separator: ", "))). Fix: name the column as the file spells it (--metric, --covariate), or log timestamp, unit, variant and the metric per event.")
            }
            let schema = wanted.filter { present.contains($0.key) }
            let table: FeatureTable
            if jsonLines {
                let read = try JSONLinesReader.readAll(path: path, options: JSONLinesReadOptions(schema: schema)).0
                // The reader keeps every key it met; the units count only with --check-units, as
                // for CSV (QA sweep: JSON Lines reported units in both variants without it).
                table = units ? read : try read.selecting(read.columnNames.filter { $0 != "unit" })
            } else {
                let columns = (["timestamp"] + Array(wanted.keys)).filter { present.contains($0) }
                table = try CSVReader.readAll(path: path, options: CSVReadOptions(schema: schema, columns: Array(Set(columns)))).0
            }
            // Said as what it is, before a column's kind (inferred from no rows) is blamed.
            if table.rowCount == 0 {
                throw CommandFailure.usage("error: \(path) holds no events (\(header.isEmpty ? "it is empty" : "only its header")): there is nothing to replay. Fix: name the event log the serving process wrote.")
            }
            return table
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure.usage("error: cannot read \(path): \(error)")
        }
    }

    static func text(_ result: ReplayResult) -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.4g", $0) } ?? "–" }
        var lines = [
            "decision: \(result.decision.rawValue) after \(result.decidedAfterEvents) of \(result.events) events",
            "reason: \(result.reason)",
            String(
                format: "sample ratio: %ld control, %ld candidate against %@ (p = %.3g%@)", result.srm.observed[0], result.srm.observed[1],
                result.srm.expectedSplit.map { String(format: "%g", $0) }.joined(separator: "/"), result.srm.pValue, result.srm.mismatch ? ", MISMATCH" : ""),
        ]
        var notes: [String] = []
        if result.otherVariantEvents > 0 { notes.append("\(result.otherVariantEvents) events of other variants ignored") }
        if result.missingMetricEvents > 0 { notes.append("\(result.missingMetricEvents) events without the metric") }
        if let units = result.unitsInSeveralVariants, units > 0 { notes.append("\(units) units seen in both variants (broken stickiness)") }
        if result.reorderedEvents > 0 { notes.append("\(result.reorderedEvents) events out of time order, sorted") }
        if !notes.isEmpty { lines.append("notes: " + notes.joined(separator: "; ")) }
        lines.append("looks (\(result.looks.count), α = \(result.alpha)):  events  estimate  interval  decision")
        let shown = result.looks.count <= 12 ? Array(result.looks) : Array(result.looks.prefix(5)) + Array(result.looks.suffix(6))
        for (i, look) in shown.enumerated() {
            if result.looks.count > 12 && i == 5 { lines.append("  …") }
            let interval = look.interval.map { "[\(number($0[0])), \(number($0[1]))]" } ?? "–"
            lines.append("  \(look.events)  \(number(look.estimate))  \(interval)  \(look.decision.rawValue)")
        }
        return lines.joined(separator: "\n")
    }
}
