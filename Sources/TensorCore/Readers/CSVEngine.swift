// CSVEngine is split by concern; this file holds the type, its stored state, `init` and the
// record loop that each chunk runs (`stream(_:)`). The others:
// - ChunkAssembly.swift: the chunk loop shared with JSONLinesEngine (`nextChunk`, read-ahead
//   delivery, the scratch block, the builders, `reject`).
// - CSVEngine+Header.swift: the byte-order mark, the header record and the column names.
// - CSVEngine+Tokenizer.swift: field spans, `scanField`, `tokenize` and `unescape`.
// - CSVEngine+SchemaInference.swift: the records read ahead, kind inference, the builders.
// - CSVEngine+FastPath.swift: records parsed straight into the scratch block
//   (`parseRecord`, `parseNumericRecord` for all-double tables).
// - CSVEngine+SlowPath.swift: records tokenized whole first, and a quote never closed.
// - CSVEngine+RecordErrors.swift: the errors that name what is wrong with a record.
// - CSVEngine+ParallelSplit.swift: a buffered run split with a `CSVBlockWorker` thread.

/// The parsing state behind ``CSVReader``: the byte source, the header, the inferred schema,
/// the column builders and the running report.
///
/// Each record is first tried on a fast path that parses fields straight from the buffer into
/// the scratch block: numbers of double columns are read by ``DecimalParser/scan(_:_:_:)``,
/// which also finds where the field ends. Anything unusual (a quoted field with `""` or text
/// after its closing quote, a wrong number of fields, a value that does not fit, a quote left
/// open) sends the record to the slow path, which first tokenizes the whole record into spans
/// (``tokenize(_:_:_:_:_:_:_:_:)``), then checks the field count and delivers the fields,
/// naming the exact problem. A record that runs past the bytes read so far is retried from its
/// start after the source refills; nothing is committed until a record is accepted.
struct CSVEngine: ChunkAssembly {
    /// Rows per scratch block.
    static let blockRows = 2_048

    var badRowPolicy: BadRowPolicy { options.badRowPolicy }
    var maxRecordedSkipReasons: Int { options.maxRecordedSkipReasons }

    /// The file.
    var source: ByteSource
    /// The options the reader was created with.
    let options: CSVReadOptions
    /// The delimiter byte.
    let delimiter: UInt8
    /// The missing markers.
    let markers: MissingMarkers
    /// The column names.
    var names: [String] = []
    /// The column kinds, once inferred.
    var kinds: [ColumnKind]?
    /// One builder per column, once the kinds are known.
    var builders: [ColumnBuilder] = []
    /// The scratch block the builders write to, once the kinds are known.
    var scratch: ScratchBlock?
    /// Per column: whether it is a double column that takes the fast number path.
    var fastNumber: [Bool] = []
    /// Rows written to the scratch block and not yet flushed.
    var scratchRows = 0
    /// Rows accepted into the current chunk (flushed or not); also the id of the next row.
    var chunkRows = 0
    /// The physical line (1-based) on which the next record starts.
    var line = 1
    /// What has been read and skipped so far.
    var report = ReadReport()
    /// The error that stopped the reader under ``BadRowPolicy/fail``.
    var failure: TableError?
    /// Records read ahead for inference and not yet delivered.
    var pending: [BufferedRecord] = []
    /// The next record of ``pending`` to deliver.
    var pendingIndex = 0
    /// Average bytes per record in the inference sample, for reserving chunk capacity.
    var bytesPerRow = 0.0
    /// Whether every column takes the fast number path (then plain records go through
    /// ``parseNumericRecord(_:_:_:_:_:_:_:_:_:_:)``).
    var allNumeric = false
    /// Whether blocks may be split with a ``CSVBlockWorker`` (all columns fast doubles, the
    /// option on, more than one processor).
    var parallel = false
    /// Whether splitting was declined for the bytes buffered now (too few, or more records than
    /// the chunk takes); cleared when the buffer refills or a new chunk starts.
    var parallelDeclined = false
    /// The worker that parses the second half of split blocks, kept from block to block.
    var blockWorker: CSVBlockWorker?
    /// Consecutive split blocks in which the two threads did not really run at once.
    var weakParallelSteps = 0
    /// Blocks to read without splitting, because the other processor was busy recently.
    var parallelPauseBlocks = 0
    /// How many blocks were split between two threads (for tests and diagnostics).
    var parallelSteps = 0
    /// Scratch space for the current record's fields (slow path).
    var spans: [FieldSpan] = []
    /// `true` for the bytes that end an unquoted field: the delimiter, CR and LF.
    let stops: UnsafeMutablePointer<Bool>
    /// Owns ``stops``.
    private let stopsOwner: StopTable

    /// Opens the file, validates the options and reads the header.
    ///
    /// - Throws: ``TableError`` when the file cannot be read, an option is invalid, or the
    ///   header is missing or repeats a name.
    init(path: String, options: CSVReadOptions) throws(TableError) {
        let scalar = options.delimiter
        guard scalar.isASCII, scalar != "\"", scalar != "\r", scalar != "\n" else {
            throw TableError(
                .invalidOption, value: String(scalar),
                detail: "the delimiter must be one ASCII character other than a quote, CR or LF")
        }
        try Self.checkOptions(inferenceRowCount: options.inferenceRowCount, maxRecordedSkipReasons: options.maxRecordedSkipReasons)
        try Self.checkExactText(options.exactTextColumns, schema: options.schema)
        self.options = options
        self.delimiter = UInt8(truncatingIfNeeded: scalar.value)
        self.markers = MissingMarkers(options.missingMarkers)
        self.source = try ByteSource(path: path, blockSize: options.blockSize)
        self.stopsOwner = StopTable(delimiter: delimiter)
        self.stops = stopsOwner.table
        self.spans = [FieldSpan](repeating: FieldSpan(start: 0, length: 0, rawEnd: 0, flags: 0), count: 64)
        try readHeader()
    }

    /// Parses records from the source until the chunk holds `maxRows` rows or the file ends:
    /// a split run when one is worth it, else the all-numeric path, the fast path and, for
    /// anything unusual, the slow path.
    mutating func stream(_ maxRows: Int) throws(TableError) {
        parallelDeclined = false
        let columnCount = names.count
        guard columnCount > 0, let block = scratch else {
            // No columns to fill: consume the rest of the file.
            while source.hasMore {
                source.start = source.end
                try source.refill()
            }
            return
        }
        while chunkRows < maxRows {
            if parallel && !parallelDeclined && parallelPauseBlocks == 0
                && source.end - source.start >= Self.parallelMinimumBytes {
                if try parallelStep(maxRows, block) { continue }
            }
            guard let outcome = takeFastRecord(block) else { continue }
            switch outcome {
            case .accepted, .blank:
                continue   // taken by takeFastRecord
            case .needMore:
                try source.refill()
                parallelDeclined = false
                if parallelPauseBlocks > 0 { parallelPauseBlocks -= 1 }
            case .endOfInput:
                return
            case .slow:
                try parseSlow()
            }
        }
    }
}
