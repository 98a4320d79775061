#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// One field, as offsets into the source's buffer.
    struct FieldSpan {
        /// The first byte of the field's content (after an opening quote).
        var start: Int
        /// The content's length (up to a closing quote).
        var length: Int
        /// One past the field's last byte, text after a closing quote included.
        var rawEnd: Int
        /// ``escapedFlag`` and ``trailingFlag``.
        var flags: UInt8
    }

    /// A field whose quoted content holds `""` pairs.
    static let escapedFlag: UInt8 = 1
    /// A quoted field followed by more text before the delimiter (`"ab"cd`, read as `abcd`).
    static let trailingFlag: UInt8 = 2

    /// The outcome of scanning one field.
    enum FieldScan {
        /// A field, ending before `end` (at a delimiter, a line break or the end of the file),
        /// with `newlines` line feeds inside its quotes.
        case field(FieldSpan, end: Int, newlines: Int)
        /// The field runs past the bytes read so far.
        case needMore
        /// A quoted field is still open at the end of the file.
        case unterminated(newlines: Int)
    }

    /// The outcome of tokenizing a record.
    enum Token {
        /// A record of `fields` fields that ends before `next`, with `newlines` line feeds
        /// inside quoted fields.
        case record(fields: Int, next: Int, newlines: Int)
        /// An empty line ending before `next`.
        case blank(next: Int)
        /// The record runs past the bytes read so far.
        case needMore
        /// No bytes remain.
        case endOfInput
        /// A quoted field is still open at the end of the file.
        case unterminated(newlines: Int)
    }

    /// The outcome of the fast path for one record.
    enum FastOutcome {
        /// The record was written to the scratch slot; it ends before `next`.
        case accepted(next: Int, newlines: Int)
        /// Use the slow path for this record.
        case slow
        /// The record runs past the bytes read so far.
        case needMore
        /// An empty line ending before `next`.
        case blank(next: Int)
        /// No bytes remain.
        case endOfInput
    }

    /// A record read ahead for schema inference: its line and its fields' bytes, unescaped.
    struct BufferedRecord {
        var line: Int
        var fields: [[UInt8]]
    }

    /// Rows per scratch block.
    static let blockRows = 2_048

    var badRowPolicy: BadRowPolicy { options.badRowPolicy }
    var maxRecordedSkipReasons: Int { options.maxRecordedSkipReasons }

    /// The file.
    private(set) var source: ByteSource
    /// The options the reader was created with.
    let options: CSVReadOptions
    /// The delimiter byte.
    let delimiter: UInt8
    /// The missing markers.
    let markers: MissingMarkers
    /// The column names.
    private(set) var names: [String] = []
    /// The column kinds, once inferred.
    private(set) var kinds: [ColumnKind]?
    /// One builder per column, once the kinds are known.
    var builders: [ColumnBuilder] = []
    /// The scratch block the builders write to, once the kinds are known.
    private var scratch: ScratchBlock?
    /// Per column: 0 for a double column that takes the fast number path, 1 otherwise.
    private var fastNumber: [Bool] = []
    /// Rows written to the scratch block and not yet flushed.
    var scratchRows = 0
    /// Rows accepted into the current chunk (flushed or not); also the id of the next row.
    var chunkRows = 0
    /// The physical line (1-based) on which the next record starts.
    private var line = 1
    /// What has been read and skipped so far.
    var report = ReadReport()
    /// The error that stopped the reader under ``BadRowPolicy/fail``.
    var failure: TableError?
    /// Records read ahead for inference and not yet delivered.
    private var pending: [BufferedRecord] = []
    /// The next record of ``pending`` to deliver.
    private var pendingIndex = 0
    /// Average bytes per record in the inference sample, for reserving chunk capacity.
    private var bytesPerRecord = 0.0
    /// Whether every column takes the fast number path (then plain records go through
    /// ``parseNumericRecord(_:_:_:_:_:_:_:_:_:_:)``).
    private var allNumeric = false
    /// Whether blocks may be split with a ``CSVBlockWorker`` (all columns fast doubles, the
    /// option on, more than one processor).
    private var parallel = false
    /// The file offset before which no block is split (a quote was seen in that run).
    private var noParallelBefore = 0
    /// Whether splitting was declined for the bytes buffered now (too few, or more records than
    /// the chunk takes); cleared when the buffer refills or a new chunk starts.
    private var parallelDeclined = false
    /// The worker that parses the second half of split blocks, kept from block to block.
    private var blockWorker: CSVBlockWorker?
    /// Consecutive split blocks in which the two threads did not really run at once.
    private var weakParallelSteps = 0
    /// Blocks to read without splitting, because the other processor was busy recently.
    private var parallelPauseBlocks = 0
    /// How many blocks were split between two threads (for tests and diagnostics).
    private(set) var parallelSteps = 0
    /// Scratch space for the current record's fields (slow path).
    private var spans: [FieldSpan] = []
    /// `true` for the bytes that end an unquoted field: the delimiter, CR and LF.
    private let stops: UnsafeMutablePointer<Bool>
    /// Owns ``stops``.
    private let stopsOwner: StopTable

    /// Owns the 256-entry table of field-ending bytes.
    final class StopTable {
        let table: UnsafeMutablePointer<Bool>
        init(delimiter: UInt8) {
            table = .allocate(capacity: 256)
            table.initialize(repeating: false, count: 256)
            table[Int(delimiter)] = true
            table[0x0A] = true
            table[0x0D] = true
        }
        deinit { table.deallocate() }
    }

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
        guard options.inferenceRowCount >= 1 else {
            throw TableError(.invalidOption, value: String(options.inferenceRowCount), detail: "inferenceRowCount must be at least 1")
        }
        guard options.maxRecordedSkipReasons >= 0 else {
            throw TableError(.invalidOption, value: String(options.maxRecordedSkipReasons), detail: "maxRecordedSkipReasons must not be negative")
        }
        self.options = options
        self.delimiter = UInt8(truncatingIfNeeded: scalar.value)
        self.markers = MissingMarkers(options.missingMarkers)
        self.source = try ByteSource(path: path, blockSize: options.blockSize)
        self.stopsOwner = StopTable(delimiter: delimiter)
        self.stops = stopsOwner.table
        self.spans = [FieldSpan](repeating: FieldSpan(start: 0, length: 0, rawEnd: 0, flags: 0), count: 64)
        try readHeader()
    }

    // MARK: - Header

    /// Skips a UTF-8 byte-order mark and reads (or peeks) the first record to name the columns.
    private mutating func readHeader() throws(TableError) {
        while source.end - source.start < 3 && !source.eof { try source.refill() }
        if source.end - source.start >= 3, source.buffer[source.start] == 0xEF,
           source.buffer[source.start + 1] == 0xBB, source.buffer[source.start + 2] == 0xBF {
            source.start += 3
        }
        var first: (fields: Int, next: Int, newlines: Int)?
        scan: while true {
            switch tokenizeCurrent() {
            case .record(let fields, let next, let newlines):
                first = (fields, next, newlines)
                break scan
            case .blank(let next):
                source.start = next
                line += 1
            case .needMore:
                try source.refill()
            case .endOfInput:
                break scan
            case .unterminated:
                throw TableError(
                    .malformedRecord, line: line, path: source.path,
                    detail: "the first record has a quote that is never closed")
            }
        }
        let provided = options.columnNames
        guard let first else {
            if options.hasHeaderRow {
                throw TableError(.missingHeader, path: source.path, detail: "the file is empty")
            }
            try setNames(provided ?? [], headerLine: nil)
            return
        }
        if options.hasHeaderRow {
            var header = [String]()
            for i in 0..<first.fields {
                let (p, n) = fieldBytes(i)
                let text = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
                header.append(text.isEmpty ? "column\(i + 1)" : text)
            }
            if let provided, provided.count != header.count {
                throw TableError(
                    .invalidOption, path: source.path,
                    detail: "columnNames has \(provided.count) names but the header has \(header.count) fields")
            }
            let headerLine = line
            source.start = first.next
            line += 1 + first.newlines
            try setNames(provided ?? header, headerLine: headerLine)
        } else {
            if let provided, provided.count != first.fields {
                throw TableError(
                    .invalidOption, path: source.path,
                    detail: "columnNames has \(provided.count) names but the first row has \(first.fields) fields")
            }
            try setNames(provided ?? (1...first.fields).map { "column\($0)" }, headerLine: nil)
        }
    }

    /// Checks the names (unique; every schema key present) and keeps them.
    private mutating func setNames(_ list: [String], headerLine: Int?) throws(TableError) {
        var seen = Set<String>()
        for name in list where !seen.insert(name).inserted {
            throw TableError(.duplicateColumnName, line: headerLine, column: name, path: source.path)
        }
        for key in options.schema.keys.sorted() where !seen.contains(key) {
            throw TableError(
                .invalidOption, column: key, path: source.path,
                detail: "schema names a column the file does not have")
        }
        names = list
        if spans.count < list.count + 1 {
            spans = [FieldSpan](repeating: FieldSpan(start: 0, length: 0, rawEnd: 0, flags: 0), count: list.count + 1)
        }
    }

    // MARK: - Tokenizing

    /// Scans one field that starts at `p`.
    @inline(__always)
    static func scanField(
        _ b: UnsafeMutablePointer<UInt8>, _ end: Int, _ eof: Bool, _ p: Int, _ stops: UnsafeMutablePointer<Bool>
    ) -> FieldScan {
        let quote: UInt8 = 0x22
        if p < end && b[p] == quote {
            var q = p + 1
            var flags: UInt8 = 0
            var newlines = 0
            while true {
                if q >= end { return eof ? .unterminated(newlines: newlines) : .needMore }
                let c = b[q]
                if c == quote {
                    if q + 1 >= end {
                        if !eof { return .needMore }
                        break
                    }
                    if b[q + 1] == quote {
                        flags |= escapedFlag
                        q += 2
                        continue
                    }
                    break
                }
                if c == 0x0A { newlines += 1 }
                q += 1
            }
            var r = q + 1
            while r < end && !stops[Int(b[r])] { r += 1 }
            if r >= end && !eof { return .needMore }
            if r > q + 1 { flags |= trailingFlag }
            return .field(FieldSpan(start: p + 1, length: q - p - 1, rawEnd: r, flags: flags), end: r, newlines: newlines)
        }
        var q = p
        while q < end && !stops[Int(b[q])] { q += 1 }
        if q >= end && !eof { return .needMore }
        return .field(FieldSpan(start: p, length: q - p, rawEnd: q, flags: 0), end: q, newlines: 0)
    }

    /// Tokenizes the record at `source.start`, growing the span scratch space if the record
    /// has more fields than it holds.
    private mutating func tokenizeCurrent() -> Token {
        while true {
            let capacity = spans.count
            let (b, end, eof, from, delimiter, stops) = (source.buffer, source.end, source.eof, source.start, delimiter, stops)
            let token = spans.withUnsafeMutableBufferPointer { spanBuffer in
                Self.tokenize(b, end, eof, from, delimiter, stops, spanBuffer, capacity)
            }
            if case .record(let fields, _, _) = token, fields > capacity {
                spans = [FieldSpan](repeating: FieldSpan(start: 0, length: 0, rawEnd: 0, flags: 0), count: fields * 2)
                continue
            }
            return token
        }
    }

    /// Finds the fields of the record that starts at `from`. Spans beyond `capacity` are counted
    /// but not recorded.
    static func tokenize(
        _ b: UnsafeMutablePointer<UInt8>, _ end: Int, _ eof: Bool, _ from: Int, _ delimiter: UInt8,
        _ stops: UnsafeMutablePointer<Bool>, _ spans: UnsafeMutableBufferPointer<FieldSpan>, _ capacity: Int
    ) -> Token {
        let lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        var p = from
        guard p < end else { return eof ? .endOfInput : .needMore }
        if b[p] == lf { return .blank(next: p + 1) }
        if b[p] == cr {
            if p + 1 < end { return .blank(next: b[p + 1] == lf ? p + 2 : p + 1) }
            return eof ? .blank(next: p + 1) : .needMore
        }
        var fields = 0
        var newlines = 0
        while true {
            switch scanField(b, end, eof, p, stops) {
            case .needMore:
                return .needMore
            case .unterminated(let extra):
                return .unterminated(newlines: newlines + extra)
            case .field(let span, let fieldEnd, let extra):
                if fields < capacity { spans[fields] = span }
                fields += 1
                newlines += extra
                p = fieldEnd
            }
            if p >= end { return .record(fields: fields, next: p, newlines: newlines) }
            let c = b[p]
            if c == delimiter {
                p += 1
                continue
            }
            if c == lf { return .record(fields: fields, next: p + 1, newlines: newlines) }
            // CR: alone or followed by LF.
            if p + 1 < end { return .record(fields: fields, next: b[p + 1] == lf ? p + 2 : p + 1, newlines: newlines) }
            if !eof { return .needMore }
            return .record(fields: fields, next: p + 1, newlines: newlines)
        }
    }

    /// The content of field `i` of the tokenized record, unescaping it in place when needed.
    @inline(__always)
    private func fieldBytes(_ i: Int) -> (UnsafePointer<UInt8>, Int) {
        let span = spans[i]
        let b = source.buffer
        if span.flags == 0 { return (UnsafePointer(b + span.start), span.length) }
        return Self.unescape(b, span)
    }

    /// Collapses `""` pairs and appends text after the closing quote, in place.
    static func unescape(_ b: UnsafeMutablePointer<UInt8>, _ span: FieldSpan) -> (UnsafePointer<UInt8>, Int) {
        var w = span.start
        var r = span.start
        let contentEnd = span.start + span.length
        if span.flags & escapedFlag != 0 {
            while r < contentEnd {
                let c = b[r]
                b[w] = c
                w += 1
                r += c == 0x22 ? 2 : 1
            }
        } else {
            w = contentEnd
        }
        if span.flags & trailingFlag != 0 {
            var t = contentEnd + 1
            while t < span.rawEnd {
                b[w] = b[t]
                w += 1
                t += 1
            }
        }
        return (UnsafePointer(b + span.start), w - span.start)
    }

    // MARK: - Chunks

    /// The next chunk of at most `maxRows` rows, or `nil` when the file is exhausted.
    mutating func nextChunk(maxRows: Int) throws(TableError) -> FeatureTable? {
        if let failure { throw failure }
        guard maxRows >= 1 else {
            throw TableError(.invalidOption, value: String(maxRows), path: source.path, detail: "maxRows must be at least 1")
        }
        if kinds == nil { try inferSchema() }
        reserve(maxRows, readAhead: pending.count - pendingIndex, bytesLeft: source.fileSize - source.position, bytesPerRow: bytesPerRecord)
        parallelDeclined = false
        while chunkRows < maxRows && pendingIndex < pending.count {
            let record = pending[pendingIndex]
            pendingIndex += 1
            if let error = deliver(record) {
                try reject(error)
            } else {
                acceptRow()
            }
        }
        if pendingIndex >= pending.count && !pending.isEmpty {
            pending = []
            pendingIndex = 0
        }
        if chunkRows < maxRows {
            try stream(maxRows)
        }
        let rows = chunkRows
        report.rowsRead += rows
        if rows == 0 { return nil }
        return takeTable()
    }

    /// An empty table with the file's columns and kinds (inferring them if needed).
    mutating func emptyTable() throws(TableError) -> FeatureTable {
        if let failure { throw failure }
        if kinds == nil { try inferSchema() }
        return takeTable()
    }


    /// Reads up to `inferenceRowCount` records ahead, infers each column's kind and creates
    /// the builders; the records are delivered by the next chunks.
    private mutating func inferSchema() throws(TableError) {
        var records = [BufferedRecord]()
        let limit = options.inferenceRowCount
        let startPosition = source.position
        reading: while records.count < limit {
            switch tokenizeCurrent() {
            case .record(let fields, let next, let newlines):
                let recordLine = line
                line += 1 + newlines
                if fields != names.count {
                    source.start = next
                    try reject(countError(fields, recordLine))
                    continue
                }
                var copies = [[UInt8]]()
                copies.reserveCapacity(fields)
                for i in 0..<fields {
                    let (p, n) = fieldBytes(i)
                    copies.append(Array(UnsafeBufferPointer(start: p, count: n)))
                }
                source.start = next
                records.append(BufferedRecord(line: recordLine, fields: copies))
            case .blank(let next):
                source.start = next
                line += 1
            case .needMore:
                try source.refill()
            case .endOfInput:
                break reading
            case .unterminated(let newlines):
                try handleUnterminated(newlines)
            }
        }
        if !records.isEmpty {
            bytesPerRecord = Double(source.position - startPosition) / Double(records.count)
        }
        var inferred = [ColumnKind]()
        for (c, name) in names.enumerated() {
            if let forced = options.schema[name] {
                inferred.append(forced)
                continue
            }
            var inference = KindInference()
            for record in records { inference.observeText(record.fields[c], markers) }
            inferred.append(inference.kind)
        }
        kinds = inferred
        let block = ScratchBlock(columns: names.count, rows: Self.blockRows)
        scratch = block
        builders = []
        for (c, (name, kind)) in zip(names, inferred).enumerated() {
            builders.append(ColumnBuilder(
                name: name, kind: kind,
                acceptsEpochSeconds: kind == .timestamp && options.schema[name] == .timestamp,
                scratch: block, index: c))
        }
        fastNumber = inferred.map { $0 == .double && !markers.includesNumbers }
        allNumeric = !names.isEmpty && fastNumber.allSatisfy { $0 }
        parallel = options.parallelParsing && allNumeric
            && sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1
        pending = records
        pendingIndex = 0
    }

    /// Consumes the rest of the file after a quote that is never closed, and rejects the record.
    private mutating func handleUnterminated(_ newlines: Int) throws(TableError) {
        let recordLine = line
        line += 1 + newlines
        source.start = source.end
        try reject(TableError(
            .malformedRecord, line: recordLine, path: source.path,
            detail: "a quoted field opened on this line is never closed before the end of the file"))
    }

    /// The error for a record with the wrong number of fields.
    private func countError(_ fields: Int, _ recordLine: Int) -> TableError {
        TableError(
            .fieldCountMismatch, line: recordLine, path: source.path,
            detail: "expected \(names.count) fields as in the header, found \(fields)")
    }

    /// The error for a value that does not fit column `c`.
    private func valueError(_ c: Int, _ p: UnsafePointer<UInt8>, _ n: Int, _ recordLine: Int) -> TableError {
        let text = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        let kind = builders[c].kind
        let why = options.schema[names[c]] != nil
            ? "the schema option declares the column \(kind)"
            : "the column was inferred as \(kind) from the first \(options.inferenceRowCount) rows"
        return TableError(
            .invalidValue, line: recordLine, column: names[c], value: text, expectedKind: kind,
            path: source.path, detail: why)
    }

    /// Writes a buffered record to the scratch slot; returns the error if a value does not fit.
    private mutating func deliver(_ record: BufferedRecord) -> TableError? {
        let slot = scratchRows, row = chunkRows
        for c in 0..<record.fields.count {
            let failed = record.fields[c].withUnsafeBufferPointer { buffer -> TableError? in
                var empty: UInt8 = 0
                return withUnsafeMutablePointer(to: &empty) { fallback -> TableError? in
                    let p = buffer.baseAddress ?? UnsafePointer(fallback)
                    if builders[c].encodeText(p, buffer.count, markers, slot: slot, row: row) { return nil }
                    return valueError(c, p, buffer.count, record.line)
                }
            }
            if let failed { return failed }
        }
        return nil
    }

    /// Parses records from the source until the chunk holds `maxRows` rows or the file ends.
    private mutating func stream(_ maxRows: Int) throws(TableError) {
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
                && source.end - source.start >= Self.parallelMinimumBytes && source.position >= noParallelBefore {
                if try parallelStep(maxRows, block) { continue }
            }
            if allNumeric, let next = Self.parseNumericRecord(
                source.buffer, source.end, source.start, stops, delimiter, names.count, block.doubles,
                block.valid, Self.blockRows, scratchRows) {
                line += 1
                source.start = next
                acceptRow()
                continue
            }
            switch parseFast(block) {
            case .accepted(let next, let newlines):
                line += 1 + newlines
                source.start = next
                acceptRow()
            case .needMore:
                try source.refill()
                parallelDeclined = false
                if parallelPauseBlocks > 0 { parallelPauseBlocks -= 1 }
            case .blank(let next):
                source.start = next
                line += 1
            case .endOfInput:
                return
            case .slow:
                try parseSlow()
            }
        }
    }

    /// The smallest run of buffered bytes worth splitting between two threads.
    static let parallelMinimumBytes = 256 << 10

    /// Parses the complete records buffered at `source.start` in two halves: the second on a
    /// ``CSVBlockWorker`` thread, the first here with the usual paths; then appends the
    /// worker's rows (as many as the chunk still takes).
    ///
    /// - Returns: `false` when the buffered run is not eligible (too short, holds a quote, or
    ///   has more records than the chunk takes); nothing was consumed then.
    private mutating func parallelStep(_ maxRows: Int, _ block: ScratchBlock) throws(TableError) -> Bool {
        let b = source.buffer
        let s = source.start
        let e = source.end
        var lastLF = e - 1
        while lastLF >= s && b[lastLF] != 0x0A { lastLF -= 1 }
        guard lastLF >= s else { return false }
        let regionEnd = lastLF + 1
        guard regionEnd - s >= Self.parallelMinimumBytes,
              Double(maxRows - chunkRows) * bytesPerRecord >= Double(regionEnd - s) else {
            parallelDeclined = true
            return false
        }
        if memchr(b + s, 0x22, regionEnd - s) != nil {
            noParallelBefore = source.position + (regionEnd - s)
            return false
        }
        let middle = s + (regionEnd - s) / 2
        guard let midLF = memchr(b + middle, 0x0A, regionEnd - middle) else { return false }
        let mid = UnsafeMutableRawPointer(midLF).assumingMemoryBound(to: UInt8.self) - b + 1
        guard mid < regionEnd else { return false }
        let worker = blockWorker ?? CSVBlockWorker(
            delimiter: delimiter, stops: stops, columnCount: names.count, markers: markers)
        blockWorker = worker
        worker.prepare(
            buffer: b, start: mid, end: regionEnd,
            expectedRows: Int(Double(regionEnd - mid) / max(bytesPerRecord, 1) * 1.05) + 16)
        let wallStart = CSVBlockWorker.monotonicSeconds()
        let cpuStart = CSVBlockWorker.threadCPUSeconds()
        guard worker.launch() else {
            parallel = false
            return false
        }
        var thrown: TableError?
        do {
            try streamRun(maxRows, until: mid, block)
        } catch {
            thrown = error
        }
        worker.join()
        parallelSteps += 1
        // When the other processor is busy (another process, or a container's CPU quota), the
        // two threads share one processor and splitting only adds work: pause it for a while.
        let wall = CSVBlockWorker.monotonicSeconds() - wallStart
        let cpu = CSVBlockWorker.threadCPUSeconds() - cpuStart + worker.cpuSeconds
        if wall > 0 && cpu < 1.3 * wall {
            weakParallelSteps += 1
            if weakParallelSteps >= 2 {
                weakParallelSteps = 0
                parallelPauseBlocks = 16
            }
        } else {
            weakParallelSteps = 0
        }
        if let thrown { throw thrown }
        if source.start == s && chunkRows < maxRows {
            // No progress (cannot happen for complete records): continue without splitting.
            parallelDeclined = true
            return false
        }
        guard source.start == mid, chunkRows < maxRows else { return true }
        flushScratch()
        let take = min(worker.rows, maxRows - chunkRows)
        if take > 0 {
            for c in builders.indices {
                builders[c].appendBulk(worker.values[c].prefix(take), worker.validity[c].prefix(take))
            }
            chunkRows += take
        }
        if take == worker.rows {
            source.start = worker.stoppedAt
            line += worker.lines
        } else {
            source.start = worker.rowEnds[take - 1]
            line += worker.rowLines[take - 1]
        }
        return true
    }

    /// Parses the complete, quote-free records before `limit` (never refilling the buffer,
    /// which a worker is reading), until the chunk holds `maxRows` rows.
    private mutating func streamRun(_ maxRows: Int, until limit: Int, _ block: ScratchBlock) throws(TableError) {
        while chunkRows < maxRows && source.start < limit {
            if allNumeric, let next = Self.parseNumericRecord(
                source.buffer, source.end, source.start, stops, delimiter, names.count, block.doubles,
                block.valid, Self.blockRows, scratchRows) {
                line += 1
                source.start = next
                acceptRow()
                continue
            }
            switch parseFast(block) {
            case .accepted(let next, let newlines):
                line += 1 + newlines
                source.start = next
                acceptRow()
            case .blank(let next):
                source.start = next
                line += 1
            case .needMore, .endOfInput:
                return
            case .slow:
                guard try parseSlow(allowRefill: false) else { return }
            }
        }
    }

    /// The slow path for the record at `source.start`: tokenize it whole, check its field count
    /// and deliver its fields, accepting or rejecting it.
    ///
    /// - Parameter allowRefill: `false` while a ``CSVBlockWorker`` reads the buffer; a record
    ///   that runs past the buffered bytes is then left alone.
    /// - Returns: `false` when the record was left alone; nothing was consumed then.
    @discardableResult
    private mutating func parseSlow(allowRefill: Bool = true) throws(TableError) -> Bool {
        while true {
            switch tokenizeCurrent() {
            case .record(let fields, let next, let newlines):
                let recordLine = line
                line += 1 + newlines
                if fields != names.count {
                    source.start = next
                    try reject(countError(fields, recordLine))
                    return true
                }
                let error = deliverCurrent(recordLine)
                source.start = next
                if let error {
                    try reject(error)
                } else {
                    acceptRow()
                }
                return true
            case .blank(let next):
                source.start = next
                line += 1
                return true
            case .needMore:
                guard allowRefill else { return false }
                try source.refill()
            case .endOfInput:
                return true
            case .unterminated(let newlines):
                guard allowRefill else { return false }
                try handleUnterminated(newlines)
                return true
            }
        }
    }

    /// Writes the tokenized record's fields to the scratch slot.
    ///
    /// - Returns: The error if a value does not fit, else `nil`.
    private mutating func deliverCurrent(_ recordLine: Int) -> TableError? {
        let slot = scratchRows, row = chunkRows
        for c in 0..<names.count {
            let (p, n) = fieldBytes(c)
            if !builders[c].encodeText(p, n, markers, slot: slot, row: row) {
                return valueError(c, p, n, recordLine)
            }
        }
        return nil
    }

    /// The fast path: parses the record at `source.start` straight into the scratch slot.
    @inline(__always)
    private mutating func parseFast(_ block: ScratchBlock) -> FastOutcome {
        let slot = scratchRows
        let row = chunkRows
        let blockRows = Self.blockRows
        let doubles = block.doubles, valid = block.valid
        let markers = self.markers
        return fastNumber.withUnsafeBufferPointer { fast in
            Self.parseRecord(
                source.buffer, source.end, source.eof, source.start, stops, delimiter, names.count,
                { c in fast[c] },
                { c, value in
                    let index = c &* blockRows &+ slot
                    doubles[index] = value
                    valid[index] = true
                },
                { c, p, n in builders[c].encodeText(p, n, markers, slot: slot, row: row) })
        }
    }

    /// The fast path for tables whose columns are all doubles: a record of plain numbers is
    /// parsed by a small loop the compiler can inline the number scanner into.
    ///
    /// - Returns: `nil` when the record needs more than plain numbers (a missing value, a
    ///   quote, a wrong field count, the end of the buffer); nothing was written that matters then.
    @inline(never)
    static func parseNumericRecord(
        _ b: UnsafeMutablePointer<UInt8>, _ end: Int, _ start: Int, _ stops: UnsafeMutablePointer<Bool>,
        _ delimiter: UInt8, _ columnCount: Int, _ doubles: UnsafeMutablePointer<Double>,
        _ valid: UnsafeMutablePointer<Bool>, _ blockRows: Int, _ slot: Int
    ) -> Int? {
        var p = start
        let last = columnCount &- 1
        var index = slot
        for c in 0..<columnCount {
            guard let (value, q) = DecimalParser.scan(b, p, end), q < end else { return nil }
            let ch = b[q]
            doubles[index] = value
            valid[index] = true
            index &+= blockRows
            if c < last {
                guard ch == delimiter else { return nil }
            } else {
                if ch == 0x0A { return q &+ 1 }
                guard ch == 0x0D, q &+ 1 < end else { return nil }
                return b[q &+ 1] == 0x0A ? q &+ 2 : q &+ 1
            }
            p = q &+ 1
        }
        return nil
    }

    /// Parses one record that starts at `start` without tokenizing it first: numbers of the
    /// columns for which `isFastNumber` holds are scanned straight from the buffer (the scan
    /// also finds the field's end) and handed to `storeNumber`; other fields are scanned and
    /// handed to `encodeField`. Returns ``FastOutcome/slow`` for anything unusual.
    @inline(__always)
    static func parseRecord(
        _ b: UnsafeMutablePointer<UInt8>, _ end: Int, _ eof: Bool, _ start: Int,
        _ stops: UnsafeMutablePointer<Bool>, _ delimiter: UInt8, _ columnCount: Int,
        _ isFastNumber: (Int) -> Bool,
        _ storeNumber: (Int, Double) -> Void,
        _ encodeField: (Int, UnsafePointer<UInt8>, Int) -> Bool
    ) -> FastOutcome {
        var p = start
        let lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        guard p < end else { return eof ? .endOfInput : .needMore }
        if b[p] == lf { return .blank(next: p + 1) }
        if b[p] == cr {
            if p + 1 < end { return .blank(next: b[p + 1] == lf ? p + 2 : p + 1) }
            return eof ? .blank(next: p + 1) : .needMore
        }
        let last = columnCount - 1
        var newlines = 0
        for c in 0..<columnCount {
            var handled = false
            if isFastNumber(c), let (value, q) = DecimalParser.scan(b, p, end) {
                if q < end {
                    if stops[Int(b[q])] {
                        storeNumber(c, value)
                        p = q
                        handled = true
                    }
                } else if eof {
                    storeNumber(c, value)
                    p = q
                    handled = true
                } else {
                    return .needMore
                }
            }
            if !handled {
                switch scanField(b, end, eof, p, stops) {
                case .needMore:
                    return .needMore
                case .unterminated:
                    return .slow
                case .field(let span, let fieldEnd, let extra):
                    if span.flags != 0 { return .slow }
                    if !encodeField(c, UnsafePointer(b + span.start), span.length) { return .slow }
                    newlines += extra
                    p = fieldEnd
                }
            }
            if c < last {
                if p < end && b[p] == delimiter {
                    p += 1
                    continue
                }
                return .slow
            }
            if p >= end { return .accepted(next: p, newlines: newlines) }
            let ch = b[p]
            if ch == lf { return .accepted(next: p + 1, newlines: newlines) }
            if ch == cr {
                if p + 1 < end { return .accepted(next: b[p + 1] == lf ? p + 2 : p + 1, newlines: newlines) }
                return eof ? .accepted(next: p + 1, newlines: newlines) : .needMore
            }
            return .slow
        }
        return .slow
    }
}
