// JSONLinesEngine is split by concern; this file holds the type, its stored state, `init` and the
// line loop that each chunk runs (`stream(_:)`). The others:
// - ChunkAssembly.swift: the chunk loop shared with CSVEngine (`nextChunk`, read-ahead
//   delivery, the scratch block, the builders, `reject`).
// - JSONLinesEngine+Lines.swift: finding the next line in the buffer (`nextLine`).
// - JSONLinesEngine+Scanner.swift: the flat-object scanner (`scanObject`, `scanString`,
//   `scanNumber`, `hex4`, `writeUTF8`) and its `LineFailure`.
// - JSONLinesEngine+Rows.swift: a scanned line written to the scratch slot as one row, and the
//   errors for a rejected line.
// - JSONLinesEngine+SchemaInference.swift: the rows read ahead, the columns and kinds, the
//   builders.

/// The parsing state behind ``JSONLinesReader``: a small hand-written scanner for flat JSON
/// objects, one per line, feeding the same column builders as the CSV reader.
///
/// Each line is scanned once; keys and string values are unescaped in place in the buffer
/// (an escape never grows), numbers are validated against JSON's grammar and parsed by
/// ``DecimalParser``. Nothing is committed until the whole line has been read and every value
/// accepted.
struct JSONLinesEngine: ChunkAssembly {
    /// Rows per scratch block.
    static let blockRows = 2_048

    var badRowPolicy: BadRowPolicy { options.badRowPolicy }
    var maxRecordedSkipReasons: Int { options.maxRecordedSkipReasons }

    /// The file.
    var source: ByteSource
    /// The options the reader was created with.
    let options: JSONLinesReadOptions
    /// The missing markers for string values.
    let markers: MissingMarkers
    /// The column names, once inferred.
    var names: [String] = []
    /// The column kinds, once inferred.
    var kinds: [ColumnKind]?
    /// Maps a key's bytes to its column (codes are column indices).
    var keys = ByteInterner()
    /// One builder per column.
    var builders: [ColumnBuilder] = []
    /// The scratch block the builders write to.
    var scratch: ScratchBlock?
    /// Rows written to the scratch block and not yet flushed.
    var scratchRows = 0
    /// Rows accepted into the current chunk.
    var chunkRows = 0
    /// The line number (1-based) of the next line.
    var line = 1
    /// What has been read and skipped so far.
    var report = ReadReport()
    /// The error that stopped the reader under ``BadRowPolicy/fail``.
    var failure: TableError?
    /// Rows read ahead for inference and not yet delivered.
    var pending: [BufferedRow] = []
    /// The next row of ``pending`` to deliver.
    var pendingIndex = 0
    /// The values of the current line, by column.
    var current: [Scalar] = []
    /// The line stamp of each entry of ``current``; an entry is set when it equals ``stamp``.
    var stamps: [Int] = []
    /// The current line's stamp.
    var stamp = 0
    /// Average bytes per line in the inference sample.
    var bytesPerRow = 0.0

    /// Opens the file and validates the options.
    init(path: String, options: JSONLinesReadOptions) throws(TableError) {
        try Self.checkOptions(inferenceRowCount: options.inferenceRowCount, maxRecordedSkipReasons: options.maxRecordedSkipReasons)
        try Self.checkExactText(options.exactTextColumns, schema: options.schema)
        self.options = options
        self.markers = MissingMarkers(options.missingMarkers)
        self.source = try ByteSource(path: path, blockSize: options.blockSize)
        try source.skipByteOrderMark()
    }

    /// Reads lines from the source until the chunk holds `maxRows` rows or the file ends.
    mutating func stream(_ maxRows: Int) throws(TableError) {
        while chunkRows < maxRows {
            guard let (start, end, next) = try nextLine() else { break }
            let lineNumber = line
            line += 1
            let outcome = parseCurrent(start, end, lineNumber)
            source.start = next
            switch outcome {
            case .accepted: acceptRow()
            case .blank: continue
            case .rejected(let error): try reject(error)
            }
        }
    }
}
