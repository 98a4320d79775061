/// Turns a table's rows into CSV or JSON Lines bytes, one row at a time: what ``TableWriter``
/// writes, for callers that pick rows (a partition, a merge) or stream many tables into one file.
///
/// Missing values are empty fields in CSV and `null` in JSON; times are ISO 8601 in UTC;
/// numbers are written in the shortest form that reads back to the same double. Each distinct
/// text of a categorical column is escaped once, the first time a row uses it.
public struct TableRowEncoder {
    /// The file formats rows can be written in.
    public enum Format: Sendable, Hashable {
        /// RFC 4180 CSV with a header row.
        case csv
        /// One JSON object per line.
        case jsonLines

        /// The format a file name asks for: `.jsonl`, `.ndjson` and `.json` are JSON Lines,
        /// anything else CSV.
        public init(path: String) {
            let lowered = path.lowercased()
            self = lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".json") ? .jsonLines : .csv
        }
    }

    /// The format rows are written in.
    public let format: Format
    private let columns: [Column]
    private let keys: [[UInt8]]
    /// Per categorical column, the escaped bytes of each dictionary entry once used.
    private var escaped: [[[UInt8]?]]

    /// An encoder of `table`'s rows.
    public init(_ table: FeatureTable, format: Format) {
        self.format = format
        columns = table.columns
        keys = table.columnNames.map { Array((TableWriter.jsonString($0) + ":").utf8) }
        escaped = table.columns.map { column in
            guard case .categorical(let c) = column else { return [] }
            return [[UInt8]?](repeating: nil, count: c.dictionary.count)
        }
    }

    /// The bytes that open a file of `columnNames` in `format`: the CSV header line, or nothing.
    public static func header(_ columnNames: [String], format: Format) -> [UInt8] {
        guard format == .csv else { return [] }
        return Array((columnNames.map(TableWriter.csvField).joined(separator: ",") + "\n").utf8)
    }

    /// Appends row `row` (with its line break) to `buffer`.
    ///
    /// `row` must be below the table's row count.
    public mutating func append(row: Int, to buffer: inout [UInt8]) {
        let json = format == .jsonLines
        if json { buffer.append(UInt8(ascii: "{")) }
        for c in columns.indices {
            if c > 0 { buffer.append(UInt8(ascii: ",")) }
            if json { buffer.append(contentsOf: keys[c]) }
            switch columns[c] {
            case .double(let d):
                if d.validity[row] { TableWriter.appendNumber(d.values[row], json: json, to: &buffer) } else if json { appendNull(to: &buffer) }
            case .categorical(let cat):
                let code = Int(cat.codes[row])
                if code >= 0 {
                    if let bytes = escaped[c][code] {
                        buffer.append(contentsOf: bytes)
                    } else {
                        let text = cat.dictionary[code]
                        let bytes = Array((json ? TableWriter.jsonString(text) : TableWriter.csvField(text)).utf8)
                        escaped[c][code] = bytes
                        buffer.append(contentsOf: bytes)
                    }
                } else if json { appendNull(to: &buffer) }
            case .timestamp(let t):
                if t.validity[row] {
                    if json { buffer.append(UInt8(ascii: "\"")) }
                    TableWriter.appendISO8601(t.values[row], to: &buffer)
                    if json { buffer.append(UInt8(ascii: "\"")) }
                } else if json { appendNull(to: &buffer) }
            }
        }
        if json { buffer.append(UInt8(ascii: "}")) }
        buffer.append(0x0A)
    }

    private func appendNull(to buffer: inout [UInt8]) {
        buffer.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
    }
}
