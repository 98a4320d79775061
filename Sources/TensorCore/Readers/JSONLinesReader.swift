import Foundation
import Synchronization

/// Reads a JSON Lines file (one JSON object per line) into ``FeatureTable``s, all at once or
/// in chunks of a bounded number of rows.
///
/// ```swift
/// let (events, report) = try JSONLinesReader.readAll(path: "events.jsonl")
///
/// let reader = try JSONLinesReader(path: "huge.jsonl", options: JSONLinesReadOptions(badRowPolicy: .skip))
/// while let chunk = try reader.nextChunk(maxRows: 50_000) { process(chunk) }
/// ```
///
/// ## Format
/// Each non-blank line must be one flat JSON object whose values are numbers, strings,
/// `true`/`false` or `null`. Lines end with LF or CRLF; blank lines are skipped; a UTF-8
/// byte-order mark is skipped. A value that is an object or an array is a
/// ``TableError/Code/nestedValue`` error naming the line and the key. When a key repeats in one
/// object, the last value wins.
///
/// ## Columns and kinds
/// The columns are the keys of the first ``JSONLinesReadOptions/inferenceRowCount`` rows (1000
/// by default) in order of first appearance, followed by keys named only in
/// ``JSONLinesReadOptions/schema``. A key first seen later is a ``TableError/Code/unknownKey``
/// error (or a skipped row). A key absent from a row, `null`, and a string listed in
/// ``JSONLinesReadOptions/missingMarkers`` are missing values.
///
/// Kinds are inferred as for CSV (see ``CSVReader``), where numbers and booleans count as
/// numbers and strings are read like CSV fields (so `"3.5"` is a number and
/// `"2026-11-25T08:30:00Z"` a timestamp):
/// - in a double column, `true` and `false` are 1 and 0 (unless the key is one of
///   ``JSONLinesReadOptions/booleanFreeColumns``, where a boolean is an error);
/// - in a categorical column, a number is kept as its literal text (`1e3` stays `"1e3"`) and a
///   boolean as `"true"` or `"false"`;
/// - in a timestamp column, strings are ISO-8601; numbers are epoch seconds only when the
///   schema forces the column to ``ColumnKind/timestamp``; booleans never fit.
///
/// Bad rows (malformed JSON, nested values, unknown keys, values that do not fit) follow
/// ``JSONLinesReadOptions/badRowPolicy``, and errors name the line (1-based).
///
/// ## Speed
/// A hand-written scanner reads each line once from a block buffer (no `JSONSerialization`, no
/// `String` per value except one per distinct categorical value); it is slower than the CSV
/// reader per byte because JSON repeats every key on every line.
///
/// ## Thread safety
/// A reader may be shared between tasks: calls are serialized by a lock.
public final class JSONLinesReader: Sendable {
    /// The parsing state, one caller at a time.
    private let engine: Mutex<JSONLinesEngine>

    /// Opens a JSON Lines file.
    ///
    /// - Parameters:
    ///   - path: The file's path.
    ///   - options: How to type and validate the file.
    /// - Throws: ``TableError`` when the file cannot be opened or an option is invalid.
    /// - Complexity: O(1).
    public init(path: String, options: JSONLinesReadOptions = JSONLinesReadOptions()) throws(TableError) {
        engine = Mutex(try JSONLinesEngine(path: path, options: options))
    }

    /// The column names, once the first chunk has fixed them (empty before).
    public var columnNames: [String] {
        engine.withLock { $0.names }
    }

    /// The column kinds, once the first chunk has fixed them (`nil` before).
    public var columnKinds: [ColumnKind]? {
        engine.withLock { $0.kinds }
    }

    /// What has been read and skipped so far, over all chunks.
    public var report: ReadReport {
        engine.withLock { $0.report }
    }

    /// Reads the next rows.
    ///
    /// The first call also reads ahead the rows the columns and kinds are inferred from.
    ///
    /// - Parameter maxRows: The most rows the chunk may hold (at least 1); skipped rows do not
    ///   count.
    /// - Returns: A table of 1 to `maxRows` rows, or `nil` when no rows remain.
    /// - Throws: ``TableError`` for a bad row under ``BadRowPolicy/fail`` (and the same error
    ///   from every later call), a read failure, or `maxRows < 1`.
    /// - Complexity: O(bytes consumed); memory O(`maxRows` + block size).
    public func nextChunk(maxRows: Int) throws(TableError) -> FeatureTable? {
        try engine.withLock { engine throws(TableError) in try engine.nextChunk(maxRows: maxRows) }
    }

    /// Reads a whole JSON Lines file into one table.
    ///
    /// An empty file gives a table without rows whose columns are the schema's keys (sorted).
    ///
    /// - Parameters:
    ///   - path: The file's path.
    ///   - options: How to type and validate the file.
    /// - Returns: The table, and the report of rows read and skipped.
    /// - Throws: ``TableError`` as ``init(path:options:)`` and ``nextChunk(maxRows:)`` do.
    /// - Complexity: O(file size).
    public static func readAll(
        path: String, options: JSONLinesReadOptions = JSONLinesReadOptions()
    ) throws(TableError) -> (FeatureTable, ReadReport) {
        var engine = try JSONLinesEngine(path: path, options: options)
        if let table = try engine.nextChunk(maxRows: Int.max) {
            return (table, engine.report)
        }
        return (try engine.emptyTable(), engine.report)
    }
}
