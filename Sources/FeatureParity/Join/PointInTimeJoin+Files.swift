import MLOpsStorage
import Foundation
import TensorCore

extension PointInTimeJoin {
    /// The most partitions ``joinFiles(events:features:output:partitions:spillFolder:)`` takes:
    /// each is an open file while the inputs are split and while the output is merged.
    public static let maximumPartitions = 512

    /// How many partitions keep a file join of `inputBytes` (both files together) within
    /// `memoryLimit` bytes: one (in memory) while the inputs take at most a third of the limit,
    /// more as they grow. A join in memory peaks near three times its input files' size (the
    /// tables, the index and the output), and a partition holds about `1/partitions` of them.
    ///
    /// - Returns: A count in `1...maximumPartitions`.
    public static func partitionCount(inputBytes: Int64, memoryLimit: Int64) -> Int {
        guard inputBytes > 0, memoryLimit > 0 else { return 1 }
        let needed = (Double(inputBytes) * 3 / Double(memoryLimit)).rounded(.up)
        return Int(min(Double(maximumPartitions), max(1, needed)))
    }

    /// Joins the events file to the features file and writes the training set to `output`: the
    /// file form of ``join(events:features:)``, for CSV or JSON Lines (by extension) in and out.
    ///
    /// With `partitions` above 1 the inputs never sit in memory whole: both files are read in
    /// chunks and split by a hash of the entity key into `partitions` spill files (every row of
    /// an entity lands in the same one), each partition is joined in memory on its own, and the
    /// partitions' rows are merged back into the events' file order. Memory is then bounded by
    /// the largest partition (about `1/partitions` of the inputs, unless one entity dominates)
    /// plus a buffer per partition. The output and the report are the same as the in-memory
    /// join's, byte for byte and count for count.
    ///
    /// The key is read as text; the time columns of both files are read as the files have them
    /// (ISO 8601 times, epoch seconds, or text mixing both), the same way on both sides, and as
    /// times when a later part of a file does not fit the first reading. The events' time column
    /// is written as the file has it. The output is written
    /// beside `output` and renamed over it at the end: a failure or a kill never leaves a
    /// half-written training set.
    ///
    /// - Parameters:
    ///   - events: The labelled events file.
    ///   - features: The feature rows file.
    ///   - output: The training set to write (`.csv`, or `.jsonl` for JSON Lines).
    ///   - partitions: 1 joins in memory; more splits by entity first (see
    ///     ``partitionCount(inputBytes:memoryLimit:)``).
    ///   - spillFolder: Where the partitions' spill files go (in a new folder removed at the
    ///     end); by default beside `output`. It needs about the inputs' size plus the output's.
    /// - Returns: The join's report.
    /// - Throws: ``FeatureParityError``: ``FeatureParityError/Code/fileError`` for a file that
    ///   cannot be read or written, ``FeatureParityError/Code/missingColumn``,
    ///   ``FeatureParityError/Code/invalidTime``, and
    ///   ``FeatureParityError/Code/invalidArgument`` for `partitions` outside
    ///   `1...maximumPartitions`.
    public func joinFiles(
        events: String, features: String, output: String, partitions: Int = 1, spillFolder: String? = nil
    ) throws(FeatureParityError) -> JoinReport {
        guard (1...Self.maximumPartitions).contains(partitions) else {
            throw FeatureParityError(
                .invalidArgument, "\(partitions) partitions is outside 1 to \(Self.maximumPartitions)", location: "partitions",
                fix: "choose 1 (in memory) up to \(Self.maximumPartitions).")
        }
        try checkColumnRoles()
        // Refused before any work: an output that cannot be written (a missing or read-only
        // folder, a folder in the way).
        if let problem = FileWriteProblem.at(output) {
            throw FeatureParityError(.fileError, "Cannot write the output: \(problem)", location: output, fix: "create the folder, or choose another output path.")
        }
        if partitions == 1 {
            let eventTable = try readEvents(events) { schema, late throws(FeatureParityError) in
                try TableInput.readAll(events, schema: schema, lateKeys: late, times: [eventTime])
            }
            let featureTable = try readFeatures(features) { schema, late throws(FeatureParityError) in
                try TableInput.readAll(features, schema: schema, lateKeys: late, times: Set([featureTime] + (createdTime.map { [$0] } ?? [])))
            }
            let table: FeatureTable, report: JoinReport
            do {
                (table, report) = try join(events: eventTable, features: featureTable)
            } catch {
                // An unreadable time names its file and the file's row.
                guard let inFeatures = error.inFeatures else { throw error }
                throw Self.located(error, in: inFeatures ? features : events)
            }
            do {
                try TableWriter.write(table, to: output)
            } catch {
                // The writer's own reason (its detail), not its whole sentence: the fix is given once, here.
                let problem = FileWriteProblem.at(output) ?? "\(output) cannot be written (\(error.detail ?? error.description))"
                throw FeatureParityError(.fileError, "Cannot write the output: \(problem)", location: output, fix: "check that its folder exists and may be written, and that the disk has room.")
            }
            return report
        }
        var partitioned = PartitionedJoin(join: self, partitions: partitions)
        return try partitioned.run(events: events, features: features, output: output, spillFolder: spillFolder)
    }

    /// `error`, about a row of the file at `path`, with the file named first in its location.
    static func located(_ error: FeatureParityError, in path: String) -> FeatureParityError {
        var named = error
        named.location = error.location.map { "\(path): \($0)" } ?? path
        return named
    }

    /// The kinds forced on the features when reading them as the file has them fails: the key as
    /// text, the times as times.
    var featureSchema: [String: ColumnKind] {
        // Assigned one by one: a literal with two equal names would stop the process.
        var schema: [String: ColumnKind] = [featureTime: .timestamp]
        if let createdTime { schema[createdTime] = .timestamp }
        schema[key] = .categorical
        return schema
    }

    /// Reads the events with `read`: with the key as text and the time column as the file has
    /// it (numbers or ISO times, so it is written back as it was), and again with the time
    /// forced to times when its forms are mixed and the first reading fails.
    func readEvents<Result>(_ path: String, _ read: ([String: ColumnKind], Set<String>) throws(FeatureParityError) -> Result) throws(FeatureParityError) -> Result {
        var forced: [String: ColumnKind] = [eventTime: .timestamp]
        forced[key] = .categorical
        return try readKeepingTimeForms(path, forced: forced, read)
    }

    /// Reads the features with `read` the same way: the time columns as the file has them, so
    /// epoch seconds are read by the same code on both sides (equal texts, equal times) and
    /// counted as such in ``JoinReport/featureTimeFormats``; ``featureSchema`` when that fails.
    func readFeatures<Result>(_ path: String, _ read: ([String: ColumnKind], Set<String>) throws(FeatureParityError) -> Result) throws(FeatureParityError) -> Result {
        try readKeepingTimeForms(path, forced: featureSchema, read)
    }

    /// `read` with only the key forced to text, then again when that reading of `path` fails:
    /// with a column that held a value of another kind than its first rows (numbers, then text
    /// further down) read as text, as pandas reads such a column as `object` (a JSON Lines key
    /// first seen after those rows likewise, as a column of its own), or with `forced`
    /// (the time columns as times). Only a failure to read the file itself (its location) is
    /// retried: a failure to write a spill file is not a question of a column's kind.
    private func readKeepingTimeForms<Result>(
        _ path: String, forced: [String: ColumnKind], _ read: ([String: ColumnKind], Set<String>) throws(FeatureParityError) -> Result
    ) throws(FeatureParityError) -> Result {
        var schema: [String: ColumnKind] = [key: .categorical]
        var lateKeys: Set<String> = []
        // Each retry forces one more column, or the time columns once: it ends.
        while true {
            do {
                return try read(schema, lateKeys)
            } catch let error where error.code == .fileError && error.location == path {
                if let column = error.lateKey, !lateKeys.contains(column) {
                    // A JSON Lines key first seen late: a column of its own, as text (a forced
                    // column keeps the kind it was forced to).
                    lateKeys.insert(column)
                    if schema[column] == nil { schema[column] = forced[column] ?? .categorical }
                } else if let column = error.mistypedColumn, forced[column] == nil, schema[column] == nil {
                    schema[column] = .categorical
                } else if forced.contains(where: { schema[$0.key] != $0.value }) {
                    schema.merge(forced) { _, forcedKind in forcedKind }
                } else {
                    throw error
                }
            }
        }
    }
}
