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
            Inputs larger than memory are split by entity into partitions that are joined one at a time \
            (spill files go to a temporary folder beside the output, or --spill-folder, and are removed at \
            the end); the output is the same. The partition count comes from --memory-limit (default: half \
            of this machine's memory) and the input files' size, or is set with --partitions.
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

    @Option(help: ArgumentHelp("Split the inputs by entity into this many partitions, joined one at a time (1: all in memory; at most 512).", valueName: "count"))
    var partitions: Int?

    @Option(name: .customLong("memory-limit"), help: ArgumentHelp("The memory the join may use, such as 512M or 8G: sets the partition count from the inputs' size (default: half of this machine's memory).", valueName: "size"))
    var memoryLimit: String?

    @Option(name: .customLong("spill-folder"), help: ArgumentHelp("Where partitions are spilled (default: beside --output).", valueName: "folder"))
    var spillFolder: String?

    @OptionGroup var formatting: FormatOptions<OutputFormat>

    /// Binary formats users may ask for by name, which the join does not write (extension: name).
    static let unwrittenFormats: KeyValuePairs<String, String> = [
        "parquet": "Parquet", "arrow": "Arrow", "feather": "Feather", "orc": "ORC", "avro": "Avro", "xlsx": "Excel",
        "pkl": "pickle", "pickle": "pickle", "h5": "HDF5", "hdf5": "HDF5", "xls": "Excel", "parq": "Parquet", "pq": "Parquet", "npy": "NumPy",
        "gz": "gzip", "tgz": "gzip", "zst": "Zstandard", "bz2": "bzip2", "xz": "xz", "lz4": "LZ4", "zip": "zip", "7z": "7-Zip", "tar": "tar",
        "npz": "NumPy", "ipc": "Arrow", "xlsm": "Excel", "ods": "OpenDocument", "sqlite": "SQLite", "db": "database", "duckdb": "DuckDB",
    ]

    func validate() throws {
        if output.isEmpty || output.hasSuffix("/") { throw ValidationError("--output '\(output)' is not a file name: give the path of the file to write.") }
        // Any other name is written as CSV; a binary format's name would get CSV text under it.
        let lowered = output.lowercased()
        if let format = Self.unwrittenFormats.first(where: { lowered.hasSuffix(".\($0.key)") }) {
            throw ValidationError("--output \(output) names a file in \(format.value) format, which features join does not write (it writes CSV or JSON Lines). Fix: name a .csv file, or .jsonl for JSON Lines.")
        }
        let inputs = [events, features].compactMap { FileIdentity(path: $0) }
        if let target = FileIdentity(path: output), inputs.contains(target) {
            throw ValidationError("--output \(output) is one of the inputs: writing it would replace it. Fix: choose another file.")
        }
        if let partitions, !(1...PointInTimeJoin.maximumPartitions).contains(partitions) {
            throw ValidationError("--partitions \(partitions) is outside 1 to \(PointInTimeJoin.maximumPartitions). Fix: give 1 (in memory) up to \(PointInTimeJoin.maximumPartitions).")
        }
        if partitions != nil, memoryLimit != nil {
            throw ValidationError("--partitions and --memory-limit both set the partition count. Fix: give one of them.")
        }
        if let memoryLimit, Self.bytes(memoryLimit) == nil {
            throw ValidationError("--memory-limit '\(memoryLimit)' is not a size. Fix: give bytes or a number with K, M, G or T (1024-based), such as 512M or 8G.")
        }
    }

    /// A size such as `8G`, `512M`, `1.5GiB` or `1000000` (bytes), 1024-based; nil when not one.
    static func bytes(_ text: String) -> Int64? {
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where digits.hasSuffix(suffix) && digits.count > suffix.count {
            digits.removeLast(suffix.count)
            break
        }
        var scale = 1.0
        if let unit = digits.last, let power = ["K": 1.0, "M": 2.0, "G": 3.0, "T": 4.0][String(unit)] {
            scale = pow(1024, power)
            digits.removeLast()
        }
        guard let value = Double(digits), value.isFinite, value > 0, value * scale < 9e18 else { return nil }
        return Int64(value * scale)
    }

    /// The partition count: as given, or from the memory limit and the size of the inputs read.
    func partitionCount(reading inputs: [String]) -> Int {
        if let partitions { return partitions }
        let limit = memoryLimit.flatMap(Self.bytes) ?? Int64(ProcessInfo.processInfo.physicalMemory / 2)
        let size = inputs.reduce(Int64(0)) { total, path in
            total + (((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0)
        }
        return PointInTimeJoin.partitionCount(inputBytes: size, memoryLimit: limit)
    }

    func run() async throws {
        let timeToLive = try TimeToLive(parsing: ttl)
        let join = PointInTimeJoin(key: key, eventTime: eventTime, featureTime: featureTime, createdTime: createdTime, ttl: timeToLive)
        // Each file is opened twice (its columns first): a pipe is read into a copy first.
        let eventFile = try PipedInput(events, option: "--events"), featureFile = try PipedInput(features, option: "--features")
        let report = try join.joinFiles(
            events: eventFile.path, features: featureFile.path, output: output,
            partitions: partitionCount(reading: [eventFile.path, featureFile.path]), spillFolder: spillFolder)
        switch formatting.format {
        case .json: try Terminal.printJSON(report)
        case .text: Terminal.output(Self.text(report, output: output))
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
