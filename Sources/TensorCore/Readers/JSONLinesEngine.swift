#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parsing state behind ``JSONLinesReader``: a small hand-written scanner for flat JSON
/// objects, one per line, feeding the same column builders as the CSV reader.
///
/// Each line is scanned once; keys and string values are unescaped in place in the buffer
/// (an escape never grows), numbers are validated against JSON's grammar and parsed by
/// ``DecimalParser``. Nothing is committed until the whole line has been read and every value
/// accepted.
struct JSONLinesEngine: ChunkAssembly {
    /// A scanned scalar value.
    enum Scalar {
        case null
        case bool(Bool)
        /// A number literal: offset and length in the buffer.
        case number(Int, Int)
        /// A string's unescaped bytes: offset and length in the buffer.
        case string(Int, Int)
    }

    /// A scalar kept for a row read ahead for inference.
    enum BufferedScalar {
        case null
        case bool(Bool)
        case number([UInt8])
        case string([UInt8])
    }

    /// A row read ahead for inference.
    struct BufferedRow {
        var line: Int
        var values: [(key: [UInt8], value: BufferedScalar)]
    }

    /// Why a line could not be read.
    struct LineFailure: Error {
        var code: TableError.Code
        var key: String?
        var value: String?
        var detail: String
    }

    /// Rows per scratch block.
    static let blockRows = 2_048

    var badRowPolicy: BadRowPolicy { options.badRowPolicy }
    var maxRecordedSkipReasons: Int { options.maxRecordedSkipReasons }

    /// The file.
    private(set) var source: ByteSource
    /// The options the reader was created with.
    let options: JSONLinesReadOptions
    /// The missing markers for string values.
    let markers: MissingMarkers
    /// The column names, once inferred.
    private(set) var names: [String] = []
    /// The column kinds, once inferred.
    private(set) var kinds: [ColumnKind]?
    /// Maps a key's bytes to its column (codes are column indices).
    private var keys = ByteInterner()
    /// One builder per column.
    var builders: [ColumnBuilder] = []
    /// The scratch block the builders write to.
    private var scratch: ScratchBlock?
    /// Rows written to the scratch block and not yet flushed.
    var scratchRows = 0
    /// Rows accepted into the current chunk.
    var chunkRows = 0
    /// The line number (1-based) of the next line.
    private var line = 1
    /// What has been read and skipped so far.
    var report = ReadReport()
    /// The error that stopped the reader under ``BadRowPolicy/fail``.
    var failure: TableError?
    /// Rows read ahead for inference and not yet delivered.
    private var pending: [BufferedRow] = []
    /// The next row of ``pending`` to deliver.
    private var pendingIndex = 0
    /// The values of the current line, by column.
    private var current: [Scalar] = []
    /// The line stamp of each entry of ``current``; an entry is set when it equals ``stamp``.
    private var stamps: [Int] = []
    /// The current line's stamp.
    private var stamp = 0
    /// Average bytes per line in the inference sample.
    private var bytesPerRow = 0.0

    /// Opens the file and validates the options.
    init(path: String, options: JSONLinesReadOptions) throws(TableError) {
        guard options.inferenceRowCount >= 1 else {
            throw TableError(.invalidOption, value: String(options.inferenceRowCount), detail: "inferenceRowCount must be at least 1")
        }
        guard options.maxRecordedSkipReasons >= 0 else {
            throw TableError(.invalidOption, value: String(options.maxRecordedSkipReasons), detail: "maxRecordedSkipReasons must not be negative")
        }
        self.options = options
        self.markers = MissingMarkers(options.missingMarkers)
        self.source = try ByteSource(path: path, blockSize: options.blockSize)
        while source.end - source.start < 3 && !source.eof { try source.refill() }
        if source.end - source.start >= 3, source.buffer[source.start] == 0xEF,
           source.buffer[source.start + 1] == 0xBB, source.buffer[source.start + 2] == 0xBF {
            source.start += 3
        }
    }

    // MARK: - Lines

    /// The next line's bounds (without its line break), reading more of the file as needed;
    /// `nil` at the end of the file.
    private mutating func nextLine() throws(TableError) -> (start: Int, end: Int, next: Int)? {
        var searchFrom = source.start
        while true {
            let begin = source.start
            let end = source.end
            if searchFrom < end, let hit = memchr(source.buffer + searchFrom, 0x0A, end - searchFrom) {
                let lf = UnsafeMutableRawPointer(hit).assumingMemoryBound(to: UInt8.self) - source.buffer
                var lineEnd = lf
                if lineEnd > begin && source.buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                return (begin, lineEnd, lf + 1)
            }
            if source.eof {
                if begin >= end { return nil }
                var lineEnd = end
                if source.buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                return (begin, lineEnd, end)
            }
            let scanned = end - begin
            try source.refill()
            searchFrom = source.start + scanned
        }
    }

    // MARK: - Scanning

    /// Whether a byte is JSON whitespace.
    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }

    /// Scans one line as a flat JSON object, calling `visit` with each key's bytes and value.
    ///
    /// - Returns: `false` for a blank line.
    /// - Throws: ``LineFailure`` when the line is not a flat JSON object.
    static func scanObject(
        _ b: UnsafeMutablePointer<UInt8>, _ start: Int, _ end: Int,
        _ visit: (UnsafePointer<UInt8>, Int, Scalar) throws(LineFailure) -> Void
    ) throws(LineFailure) -> Bool {
        var i = start
        @inline(__always) func skipSpace() {
            while i < end && isSpace(b[i]) { i += 1 }
        }
        func describe(_ k: Int) -> String {
            k < end ? "'\(String(decoding: CollectionOfOne(b[k]), as: UTF8.self))' at byte \(k - start + 1)" : "the end of the line"
        }
        skipSpace()
        if i == end { return false }
        guard b[i] == 0x7B else {  // {
            throw LineFailure(
                code: .malformedRecord, detail: b[i] == 0x5B
                    ? "the line is a JSON array, but each line must be one JSON object"
                    : "expected '{' but found \(describe(i))")
        }
        i += 1
        skipSpace()
        if i < end && b[i] == 0x7D {  // }
            i += 1
        } else {
            while true {
                skipSpace()
                guard i < end, b[i] == 0x22 else {
                    throw LineFailure(code: .malformedRecord, detail: "expected a key in quotes but found \(describe(i))")
                }
                let (keyStart, keyLength, afterKey) = try scanString(b, i, end)
                i = afterKey
                let key = UnsafePointer(b + keyStart)
                skipSpace()
                guard i < end, b[i] == 0x3A else {  // :
                    throw LineFailure(
                        code: .malformedRecord, key: text(key, keyLength),
                        detail: "expected ':' after the key but found \(describe(i))")
                }
                i += 1
                skipSpace()
                guard i < end else {
                    throw LineFailure(code: .malformedRecord, key: text(key, keyLength), detail: "the value is missing")
                }
                let c = b[i]
                let value: Scalar
                switch c {
                case 0x22:
                    let (s, n, after) = try scanString(b, i, end)
                    value = .string(s, n)
                    i = after
                case 0x2D, 0x30...0x39:
                    let after = scanNumber(b, i, end)
                    guard after > i else {
                        throw LineFailure(
                            code: .malformedRecord, key: text(key, keyLength),
                            detail: "the value is not a valid JSON number")
                    }
                    value = .number(i, after - i)
                    i = after
                case 0x74 where matches(b, i, end, "true"):
                    value = .bool(true)
                    i += 4
                case 0x66 where matches(b, i, end, "false"):
                    value = .bool(false)
                    i += 5
                case 0x6E where matches(b, i, end, "null"):
                    value = .null
                    i += 4
                case 0x7B, 0x5B:
                    throw LineFailure(
                        code: .nestedValue, key: text(key, keyLength), value: c == 0x7B ? "object" : "array",
                        detail: "in key \"\(text(key, keyLength))\"")
                default:
                    throw LineFailure(
                        code: .malformedRecord, key: text(key, keyLength),
                        detail: "the value starts with \(describe(i)), which begins no JSON value")
                }
                try visit(key, keyLength, value)
                skipSpace()
                guard i < end else {
                    throw LineFailure(code: .malformedRecord, detail: "the object is not closed with '}'")
                }
                if b[i] == 0x2C {  // ,
                    i += 1
                    continue
                }
                if b[i] == 0x7D {
                    i += 1
                    break
                }
                throw LineFailure(code: .malformedRecord, detail: "expected ',' or '}' but found \(describe(i))")
            }
        }
        skipSpace()
        guard i == end else {
            throw LineFailure(code: .malformedRecord, detail: "unexpected text after the object: \(describe(i))")
        }
        return true
    }

    /// Whether the bytes at `i` spell `word`.
    static func matches(_ b: UnsafeMutablePointer<UInt8>, _ i: Int, _ end: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= end else { return false }
        return memcmp(b + i, word.utf8Start, n) == 0
    }

    /// Text for messages.
    static func text(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// The end of a JSON number starting at `i` (`i` itself when there is none).
    static func scanNumber(_ b: UnsafeMutablePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var i = start
        @inline(__always) func isDigit(_ k: Int) -> Bool { k < end && b[k] &- 0x30 < 10 }
        if i < end && b[i] == 0x2D { i += 1 }
        if i < end && b[i] == 0x30 {
            i += 1
        } else if isDigit(i) {
            while isDigit(i) { i += 1 }
        } else {
            return start
        }
        if i < end && b[i] == 0x2E {
            i += 1
            guard isDigit(i) else { return start }
            while isDigit(i) { i += 1 }
        }
        if i < end && (b[i] | 0x20) == 0x65 {
            i += 1
            if i < end && (b[i] == 0x2B || b[i] == 0x2D) { i += 1 }
            guard isDigit(i) else { return start }
            while isDigit(i) { i += 1 }
        }
        // A number must end at a delimiter of the object.
        if i < end && !(isSpace(b[i]) || b[i] == 0x2C || b[i] == 0x7D) { return start }
        return i
    }

    /// Scans a JSON string whose opening quote is at `i`, unescaping it in place.
    ///
    /// - Returns: The content's offset and length, and the index after the closing quote.
    static func scanString(_ b: UnsafeMutablePointer<UInt8>, _ i: Int, _ end: Int) throws(LineFailure) -> (Int, Int, Int) {
        let contentStart = i + 1
        var r = contentStart
        // Fast scan: no escapes.
        while r < end {
            let c = b[r]
            if c == 0x22 { return (contentStart, r - contentStart, r + 1) }
            if c == 0x5C || c < 0x20 { break }
            r += 1
        }
        var w = r
        while r < end {
            let c = b[r]
            if c == 0x22 { return (contentStart, w - contentStart, r + 1) }
            if c < 0x20 {
                throw LineFailure(code: .malformedRecord, detail: "a string holds a raw control character; escape it (for example \\t)")
            }
            if c != 0x5C {
                b[w] = c
                w += 1
                r += 1
                continue
            }
            guard r + 1 < end else { break }
            let e = b[r + 1]
            r += 2
            switch e {
            case 0x22, 0x5C, 0x2F: b[w] = e
            case 0x62: b[w] = 0x08
            case 0x66: b[w] = 0x0C
            case 0x6E: b[w] = 0x0A
            case 0x72: b[w] = 0x0D
            case 0x74: b[w] = 0x09
            case 0x75:
                guard var scalar = hex4(b, r, end) else {
                    throw LineFailure(code: .malformedRecord, detail: "a \\u escape needs four hexadecimal digits")
                }
                r += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate: combine with a following low surrogate.
                    if r + 6 <= end, b[r] == 0x5C, b[r + 1] == 0x75, let low = hex4(b, r + 2, end),
                       low >= 0xDC00 && low < 0xE000 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        r += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    scalar = 0xFFFD
                }
                w = writeUTF8(b, w, scalar)
                continue
            default:
                throw LineFailure(code: .malformedRecord, detail: "a string holds an unknown escape '\\\(String(decoding: CollectionOfOne(e), as: UTF8.self))'")
            }
            w += 1
        }
        throw LineFailure(code: .malformedRecord, detail: "a string is not closed before the end of the line")
    }

    /// Four hexadecimal digits at `i`, or `nil`.
    static func hex4(_ b: UnsafeMutablePointer<UInt8>, _ i: Int, _ end: Int) -> UInt32? {
        guard i + 4 <= end else { return nil }
        var v: UInt32 = 0
        for k in i..<(i + 4) {
            let c = b[k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }

    /// Writes a scalar as UTF-8 at `w` (never longer than the escape it replaces).
    static func writeUTF8(_ b: UnsafeMutablePointer<UInt8>, _ w: Int, _ scalar: UInt32) -> Int {
        switch scalar {
        case 0..<0x80:
            b[w] = UInt8(scalar)
            return w + 1
        case 0x80..<0x800:
            b[w] = UInt8(0xC0 | (scalar >> 6))
            b[w + 1] = UInt8(0x80 | (scalar & 0x3F))
            return w + 2
        case 0x800..<0x10000:
            b[w] = UInt8(0xE0 | (scalar >> 12))
            b[w + 1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            b[w + 2] = UInt8(0x80 | (scalar & 0x3F))
            return w + 3
        default:
            b[w] = UInt8(0xF0 | (scalar >> 18))
            b[w + 1] = UInt8(0x80 | ((scalar >> 12) & 0x3F))
            b[w + 2] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            b[w + 3] = UInt8(0x80 | (scalar & 0x3F))
            return w + 4
        }
    }

    // MARK: - Chunks

    /// The next chunk of at most `maxRows` rows, or `nil` when the file is exhausted.
    mutating func nextChunk(maxRows: Int) throws(TableError) -> FeatureTable? {
        if let failure { throw failure }
        guard maxRows >= 1 else {
            throw TableError(.invalidOption, value: String(maxRows), path: source.path, detail: "maxRows must be at least 1")
        }
        if kinds == nil { try inferSchema() }
        reserve(maxRows, readAhead: pending.count - pendingIndex, bytesLeft: source.fileSize - source.position, bytesPerRow: bytesPerRow)
        while chunkRows < maxRows && pendingIndex < pending.count {
            let row = pending[pendingIndex]
            pendingIndex += 1
            if let error = deliver(row) {
                try reject(error)
            } else {
                acceptRow()
            }
        }
        if pendingIndex >= pending.count && !pending.isEmpty {
            pending = []
            pendingIndex = 0
        }
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
        let rows = chunkRows
        report.rowsRead += rows
        if rows == 0 { return nil }
        return takeTable()
    }

    /// An empty table with the inferred columns.
    mutating func emptyTable() throws(TableError) -> FeatureTable {
        if let failure { throw failure }
        if kinds == nil { try inferSchema() }
        return takeTable()
    }

    /// What happened to one line.
    enum LineOutcome {
        case accepted
        case blank
        case rejected(TableError)
    }

    /// Scans the line in `buffer[start ..< end]` and writes its values to the scratch slot.
    private mutating func parseCurrent(_ start: Int, _ end: Int, _ lineNumber: Int) -> LineOutcome {
        stamp += 1
        let b = source.buffer
        let stampNow = stamp
        var unknown: String?
        do throws(LineFailure) {
            let nonBlank = try Self.scanObject(b, start, end) { (key, length, value) throws(LineFailure) in
                guard let code = keys.lookup(key, length) else {
                    if unknown == nil { unknown = Self.text(key, length) }
                    return
                }
                current[Int(code)] = value
                stamps[Int(code)] = stampNow
            }
            if !nonBlank { return .blank }
        } catch {
            return .rejected(lineError(error, lineNumber))
        }
        if let unknown {
            return .rejected(TableError(
                .unknownKey, line: lineNumber, column: unknown, path: source.path,
                detail: "the columns were fixed from the first \(options.inferenceRowCount) rows"))
        }
        let slot = scratchRows, row = chunkRows
        for c in 0..<names.count {
            guard stamps[c] == stampNow else {
                builders[c].encodeMissing(slot)
                continue
            }
            let ok: Bool
            var shown = ""
            switch current[c] {
            case .null:
                builders[c].encodeMissing(slot)
                ok = true
            case .bool(let v):
                ok = builders[c].encodeBool(v, slot: slot, row: row)
                shown = v ? "true" : "false"
            case .number(let s, let n):
                ok = builders[c].encodeNumberLiteral(UnsafePointer(b + s), n, slot: slot, row: row)
                if !ok { shown = Self.text(b + s, n) }
            case .string(let s, let n):
                ok = builders[c].encodeText(UnsafePointer(b + s), n, markers, slot: slot, row: row)
                if !ok { shown = Self.text(b + s, n) }
            }
            if !ok { return .rejected(valueError(c, shown, lineNumber)) }
        }
        return .accepted
    }

    /// The ``TableError`` for a line that could not be scanned.
    private func lineError(_ failure: LineFailure, _ lineNumber: Int) -> TableError {
        TableError(
            failure.code, line: lineNumber, column: failure.key, value: failure.value, path: source.path,
            detail: failure.detail)
    }

    /// The error for a value that does not fit column `c`.
    private func valueError(_ c: Int, _ shown: String, _ lineNumber: Int) -> TableError {
        let kind = builders[c].kind
        let why = options.schema[names[c]] != nil
            ? "the schema option declares the key \(kind)"
            : "the key was inferred as \(kind) from the first \(options.inferenceRowCount) rows"
        return TableError(
            .invalidValue, line: lineNumber, column: names[c], value: shown, expectedKind: kind,
            path: source.path, detail: why)
    }

    /// Reads up to `inferenceRowCount` rows ahead and fixes the columns and kinds.
    private mutating func inferSchema() throws(TableError) {
        var rows = [BufferedRow]()
        var order = [[UInt8]]()
        var seen = Set<[UInt8]>()
        let startPosition = source.position
        while rows.count < options.inferenceRowCount {
            guard let (start, end, next) = try nextLine() else { break }
            let lineNumber = line
            line += 1
            var values = [(key: [UInt8], value: BufferedScalar)]()
            let b = source.buffer
            let result: TableError?
            var blank = false
            do throws(LineFailure) {
                blank = try !Self.scanObject(b, start, end) { (key, length, value) throws(LineFailure) in
                    let keyBytes = Array(UnsafeBufferPointer(start: key, count: length))
                    let kept: BufferedScalar
                    switch value {
                    case .null: kept = .null
                    case .bool(let v): kept = .bool(v)
                    case .number(let s, let n): kept = .number(Array(UnsafeBufferPointer(start: b + s, count: n)))
                    case .string(let s, let n): kept = .string(Array(UnsafeBufferPointer(start: b + s, count: n)))
                    }
                    values.append((keyBytes, kept))
                }
                result = nil
            } catch {
                result = lineError(error, lineNumber)
            }
            source.start = next
            if let result {
                try reject(result)
                continue
            }
            if blank { continue }
            for (key, _) in values where seen.insert(key).inserted { order.append(key) }
            rows.append(BufferedRow(line: lineNumber, values: values))
        }
        if !rows.isEmpty {
            bytesPerRow = Double(source.position - startPosition) / Double(rows.count)
        }
        var columnNames = order.map { String(decoding: $0, as: UTF8.self) }
        var known = Set(columnNames)
        for key in options.schema.keys.sorted() where !known.contains(key) {
            columnNames.append(key)
            known.insert(key)
        }
        // Keys that repair to the same string (invalid UTF-8) become one column.
        var unique = [String]()
        var uniqueSet = Set<String>()
        for name in columnNames where uniqueSet.insert(name).inserted { unique.append(name) }
        names = unique
        for name in names {
            var copy = name
            copy.withUTF8 { u in
                if let base = u.baseAddress {
                    _ = keys.intern(base, u.count)
                } else {
                    var empty: UInt8 = 0
                    _ = keys.intern(&empty, 0)
                }
            }
        }
        var inferred = [ColumnKind]()
        for name in names {
            if let forced = options.schema[name] {
                inferred.append(forced)
                continue
            }
            let keyBytes = Array(name.utf8)
            var inference = KindInference()
            for row in rows {
                for (key, value) in row.values where key == keyBytes {
                    switch value {
                    case .null: break
                    case .bool, .number: inference.observeNumber()
                    case .string(let bytes): inference.observeText(bytes, markers)
                    }
                }
            }
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
        current = [Scalar](repeating: .null, count: names.count)
        stamps = [Int](repeating: 0, count: names.count)
        pending = rows
        pendingIndex = 0
    }

    /// Writes a buffered row to the scratch slot; returns the error if a value does not fit.
    private mutating func deliver(_ row: BufferedRow) -> TableError? {
        var valueIndex = [Int](repeating: -1, count: names.count)
        for (i, entry) in row.values.enumerated() {
            let code = entry.key.withUnsafeBufferPointer { k -> Int32? in
                var empty: UInt8 = 0
                return withUnsafeMutablePointer(to: &empty) { fallback in
                    keys.lookup(k.baseAddress ?? UnsafePointer(fallback), k.count)
                }
            }
            guard let code else {
                // Only invalid UTF-8 keys fail here; their repaired name is the column.
                let name = String(decoding: entry.key, as: UTF8.self)
                if let c = names.firstIndex(of: name) { valueIndex[c] = i }
                continue
            }
            valueIndex[Int(code)] = i  // a repeated key: the last value wins
        }
        let slot = scratchRows, rowID = chunkRows
        for c in 0..<names.count {
            guard valueIndex[c] >= 0 else {
                builders[c].encodeMissing(slot)
                continue
            }
            let ok: Bool
            var shown = ""
            switch row.values[valueIndex[c]].value {
            case .null:
                builders[c].encodeMissing(slot)
                ok = true
            case .bool(let v):
                ok = builders[c].encodeBool(v, slot: slot, row: rowID)
                shown = v ? "true" : "false"
            case .number(let bytes):
                ok = Self.withBytes(bytes) { p, n in builders[c].encodeNumberLiteral(p, n, slot: slot, row: rowID) }
                shown = String(decoding: bytes, as: UTF8.self)
            case .string(let bytes):
                ok = Self.withBytes(bytes) { p, n in builders[c].encodeText(p, n, markers, slot: slot, row: rowID) }
                shown = String(decoding: bytes, as: UTF8.self)
            }
            if !ok { return valueError(c, shown, row.line) }
        }
        return nil
    }

    /// Calls `body` with a pointer to the bytes (a valid pointer even when empty).
    static func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        bytes.withUnsafeBufferPointer { buffer in
            var empty: UInt8 = 0
            return withUnsafeMutablePointer(to: &empty) { fallback in
                body(buffer.baseAddress ?? UnsafePointer(fallback), buffer.count)
            }
        }
    }

}
