import ArgumentParser
import FeatureParity
import Foundation
import TensorCore

/// `mlops features join`: a point-in-time-correct training set.
struct FeaturesJoin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Join each labelled event to the latest feature values of its entity at or before the event time, within a TTL.",
        discussion: """
            Reads CSV or JSON Lines (.jsonl, .ndjson, .json) files. For each event row, takes the feature \
            row of the same --key with the latest --feature-time at or before the event's --event-time \
            and no older than --ttl (merge_asof backward semantics, TTL inclusive; among rows with the same \
            entity and time, the later in the file). Every event row is written, in order; where no row is \
            within the TTL the feature columns are empty. Times may be ISO 8601 (any offset, converted to \
            UTC) or epoch seconds, mixed. --created-time COLUMN hides feature rows created after the event \
            (backfills). The report (--format json, or text) counts matched events, events without a value \
            and why, missing values per feature, duplicate feature rows and time formats.
            Exit codes: 0 written, 2 bad input.
            """)

    @Option(help: ArgumentHelp("The labelled events (CSV or JSON Lines).", valueName: "file"))
    var events: String

    @Option(help: ArgumentHelp("The feature rows (CSV or JSON Lines).", valueName: "file"))
    var features: String

    @Option(help: ArgumentHelp("The entity key column, in both files.", valueName: "column"))
    var key: String

    @Option(name: .customLong("event-time"), help: ArgumentHelp("The events' time column.", valueName: "column"))
    var eventTime: String

    @Option(name: .customLong("feature-time"), help: ArgumentHelp("The features' time column.", valueName: "column"))
    var featureTime: String

    @Option(name: .customLong("created-time"), help: ArgumentHelp("The features' creation-time column: rows created after an event stay hidden from it.", valueName: "column"))
    var createdTime: String?

    @Option(help: ArgumentHelp("How old a value may be: 2d, 36h, 90m, 45s, 1w, or a sum such as 1d12h.", valueName: "duration"))
    var ttl: String

    @Option(help: ArgumentHelp("Where to write the training set (.csv, or .jsonl for JSON Lines).", valueName: "file"))
    var output: String

    @OptionGroup var formatting: FormatOptions<OutputFormat>

    func validate() throws {
        if output.isEmpty || output.hasSuffix("/") { throw ValidationError("--output '\(output)' is not a file name: give the path of the file to write.") }
        let inputs = [events, features].compactMap { FileIdentity(path: $0) }
        if let target = FileIdentity(path: output), inputs.contains(target) {
            throw ValidationError("--output \(output) is one of the inputs: writing it would replace it. Fix: choose another file.")
        }
    }

    func run() async throws {
        let timeToLive = try TimeToLive(parsing: ttl)
        var timeColumns = [featureTime]
        if let createdTime { timeColumns.append(createdTime) }
        // The events' time column is written back as it was read: read it as the file has it
        // (numbers or ISO times), and force it to times only when its forms are mixed.
        let eventTable: FeatureTable
        do {
            eventTable = try Self.read(events, key: key, times: [])
        } catch {
            eventTable = try Self.read(events, key: key, times: [eventTime])
        }
        let featureTable = try Self.read(features, key: key, times: timeColumns)
        let join = PointInTimeJoin(key: key, eventTime: eventTime, featureTime: featureTime, createdTime: createdTime, ttl: timeToLive)
        let (table, report) = try join.join(events: eventTable, features: featureTable)
        do {
            try TableWriter.write(table, to: output)
        } catch {
            throw CommandFailure.usage("error: cannot write \(output): \(error)")
        }
        switch formatting.format {
        case .json: try Terminal.printJSON(report)
        case .text: Terminal.output(Self.text(report, output: output))
        }
    }

    /// Reads a table with its key forced to text and its time columns forced to times (ISO 8601
    /// or epoch seconds, mixed), where the file has them.
    static func read(_ path: String, key: String, times: [String]) throws -> FeatureTable {
        guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure.usage("error: no file at \(path)") }
        let lowered = path.lowercased()
        let jsonLines = lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".json")
        do {
            let present = Set(jsonLines ? try JSONLinesReader(path: path).columnNames : try CSVReader(path: path).columnNames)
            var schema: [String: ColumnKind] = [key: .categorical]
            for time in times { schema[time] = .timestamp }
            schema = schema.filter { present.contains($0.key) }
            if jsonLines { return try JSONLinesReader.readAll(path: path, options: JSONLinesReadOptions(schema: schema)).0 }
            return try CSVReader.readAll(path: path, options: CSVReadOptions(schema: schema)).0
        } catch {
            throw CommandFailure.usage("error: cannot read \(path): \(error)")
        }
    }

    static func text(_ report: JoinReport, output: String) -> String {
        var lines = [
            "wrote \(report.events) rows to \(output): \(report.matchedEvents) with feature values, \(report.events - report.matchedEvents) without (kept, empty)",
            "without a value: \(report.eventsWithoutEntity) unseen entity, \(report.eventsWithoutEarlierValue) no earlier row, \(report.eventsOutsideTTL) older than the TTL (\(report.ttl ?? "none")), \(report.eventsWithoutKey) no key, \(report.eventsWithoutTime) no time",
            "features: \(report.featureRows) rows over \(report.entities) entities; \(report.duplicateFeatureRows) duplicate (entity, time) rows (the later wins); \(report.featureRowsWithoutKeyOrTime) without key or time",
        ]
        if report.backfilledRowsSkipped > 0 { lines.append("backfilled rows passed over: \(report.backfilledRowsSkipped)") }
        for feature in report.features { lines.append("  \(feature.name): \(feature.missing) missing") }
        return lines.joined(separator: "\n")
    }
}
