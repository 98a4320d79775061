#if canImport(Glibc)
import Glibc
#endif

/// Builds one column of a chunk: encodes each value into its slot of a ``ScratchBlock`` and, per
/// block, appends the accepted rows to the column's arrays.
///
/// Encoding never appends: the reader writes row `r` of every column and then either accepts
/// the row (advancing `r`) or drops it (leaving `r`, so the next row overwrites the slots). The
/// only side effect to undo is a string added to a categorical dictionary, which
/// ``rollback(row:)`` removes.
struct ColumnBuilder {
    /// The column's name.
    let name: String
    /// The column's kind, fixed when the schema was inferred.
    let kind: ColumnKind
    /// Whether numbers are accepted as epoch seconds (a timestamp column forced by the schema).
    let acceptsEpochSeconds: Bool
    /// Whether the column's text is kept exactly as written: only an empty field is missing,
    /// whatever the missing markers (a categorical column named in `exactTextColumns`).
    let exactText: Bool
    /// Whether a JSON boolean is refused here (``JSONLinesReadOptions/booleanFreeColumns``).
    let refusesBooleans: Bool
    /// This column's double slots in the scratch block.
    let doubleSlots: UnsafeMutablePointer<Double>
    /// This column's microsecond slots.
    let longSlots: UnsafeMutablePointer<Int64>
    /// This column's code slots.
    let codeSlots: UnsafeMutablePointer<Int32>
    /// This column's validity slots.
    let validSlots: UnsafeMutablePointer<Bool>
    /// Whether the column is left out of the table: its fields are accepted unread.
    let skipped: Bool

    /// Accepted double values (kind `.double`).
    private var doubles: [Double] = []
    /// Accepted microseconds (kind `.timestamp`).
    private var micros: [Int64] = []
    /// Accepted validity flags (kinds `.double` and `.timestamp`).
    private var validity: [Bool] = []
    /// Accepted codes (kind `.categorical`).
    private var codes: [Int32] = []
    /// The dictionary being built (kind `.categorical`).
    private var interner = ByteInterner()
    /// The row id at which the newest dictionary entry was added, for rollback.
    private var lastInsertRow = -1
    /// Missing rows accepted so far.
    private var nullCount = 0

    /// Creates an empty builder writing to column `index` of `scratch`.
    init(
        name: String, kind: ColumnKind, acceptsEpochSeconds: Bool, exactText: Bool = false, refusesBooleans: Bool = false,
        scratch: ScratchBlock, index: Int, skipped: Bool = false
    ) {
        self.refusesBooleans = refusesBooleans
        self.skipped = skipped
        self.name = name
        self.kind = kind
        self.acceptsEpochSeconds = acceptsEpochSeconds
        self.exactText = exactText
        let offset = index * scratch.rows
        doubleSlots = scratch.doubles + offset
        longSlots = scratch.longs + offset
        codeSlots = scratch.codes + offset
        validSlots = scratch.valid + offset
    }

    /// Encodes a missing value at slot `r`.
    @inline(__always)
    func encodeMissing(_ r: Int) {
        switch kind {
        case .double: doubleSlots[r] = .nan
        case .timestamp: longSlots[r] = 0
        case .categorical: codeSlots[r] = -1
        }
        validSlots[r] = false
    }

    /// Encodes a text value (a CSV field, or a JSON string after unescaping) at slot `r`: a
    /// missing marker, or a value parsed by the column's kind.
    ///
    /// - Parameters:
    ///   - row: The row's id within the chunk, for dictionary rollback.
    /// - Returns: `false` when the text does not fit the kind.
    @inline(__always)
    mutating func encodeText(_ p: UnsafePointer<UInt8>, _ n: Int, _ markers: MissingMarkers, slot r: Int, row: Int) -> Bool {
        if skipped { return true }
        switch kind {
        case .double:
            return Self.encodeDoubleText(p, n, markers, doubleSlots + r, validSlots + r)
        case .categorical:
            if exactText ? n == 0 : markers.matchesInText(p, n) {
                encodeMissing(r)
                return true
            }
            encodeCategory(p, n, slot: r, row: row)
            return true
        case .timestamp:
            if markers.matchesInText(p, n) {
                encodeMissing(r)
                return true
            }
            var value = TimestampParser.parseISO8601(p, n)
            if value == nil && acceptsEpochSeconds { value = TimestampParser.parseEpochSeconds(p, n) }
            guard let value else { return false }
            longSlots[r] = value
            validSlots[r] = true
            return true
        }
    }

    /// Encodes a text value of a double column at `value` and `valid`: a number, or a missing
    /// marker (tested first when some marker would parse as a number).
    ///
    /// - Returns: `false` when the text is neither.
    @inline(__always)
    static func encodeDoubleText(
        _ p: UnsafePointer<UInt8>, _ n: Int, _ markers: MissingMarkers,
        _ value: UnsafeMutablePointer<Double>, _ valid: UnsafeMutablePointer<Bool>
    ) -> Bool {
        if !markers.includesNumbers, let v = DecimalParser.parse(p, n) {
            value.pointee = v
            valid.pointee = true
            return true
        }
        if markers.matches(p, n) {
            value.pointee = .nan
            valid.pointee = false
            return true
        }
        guard let v = DecimalParser.parse(p, n) else { return false }
        value.pointee = v
        valid.pointee = true
        return true
    }

    /// Encodes a number already parsed by the reader's fast path (kind `.double` only).
    @inline(__always)
    func encodeDouble(_ value: Double, slot r: Int) {
        doubleSlots[r] = value
        validSlots[r] = true
    }

    /// Encodes a JSON number literal (already validated): the value of a double column, the
    /// literal text of a categorical column, or epoch seconds of a forced timestamp column.
    ///
    /// - Returns: `false` when the number does not fit the kind.
    mutating func encodeNumberLiteral(_ p: UnsafePointer<UInt8>, _ n: Int, slot r: Int, row: Int) -> Bool {
        // A bare `NaN` (Python's json writes it for a missing float) is a missing value in a text
        // or time column, as pandas reads it; a number column keeps it as a NaN, as CSV does.
        if kind != .double, n == 3, p[0] == 0x4E, p[1] == 0x61, p[2] == 0x4E {
            encodeMissing(r)
            return true
        }
        switch kind {
        case .double:
            guard let v = DecimalParser.parse(p, n) else { return false }
            doubleSlots[r] = v
        case .categorical:
            encodeCategory(p, n, slot: r, row: row)
        case .timestamp:
            guard acceptsEpochSeconds, let v = TimestampParser.parseEpochSeconds(p, n) else { return false }
            longSlots[r] = v
        }
        validSlots[r] = true
        return true
    }

    /// Encodes a JSON boolean: 1 or 0 in a double column, `true` or `false` in a categorical one.
    ///
    /// - Returns: `false` in a timestamp column, and in a column that refuses booleans.
    mutating func encodeBool(_ value: Bool, slot r: Int, row: Int) -> Bool {
        if refusesBooleans { return false }
        switch kind {
        case .double:
            doubleSlots[r] = value ? 1 : 0
        case .categorical:
            let text: StaticString = value ? "true" : "false"
            encodeCategory(text.utf8Start, text.utf8CodeUnitCount, slot: r, row: row)
        case .timestamp:
            return false
        }
        validSlots[r] = true
        return true
    }

    /// Encodes a categorical value (never a missing marker).
    @inline(__always)
    private mutating func encodeCategory(_ p: UnsafePointer<UInt8>, _ n: Int, slot r: Int, row: Int) {
        let (code, inserted) = interner.intern(p, n)
        if inserted { lastInsertRow = row }
        codeSlots[r] = code
        validSlots[r] = true
    }

    /// Removes the dictionary entry that row `row` added, if any (the row was dropped).
    mutating func rollback(row: Int) {
        if kind == .categorical && lastInsertRow == row {
            interner.removeLast()
            lastInsertRow = -1
        }
    }

    /// Reserves room for `rows` more accepted rows.
    mutating func reserve(_ rows: Int) {
        if skipped { return }
        switch kind {
        case .double:
            doubles.reserveCapacity(doubles.count + rows)
            validity.reserveCapacity(validity.count + rows)
            doubles.withUnsafeMutableBufferPointer { Self.adviseHugePages($0.baseAddress, rows * 8) }
        case .timestamp:
            micros.reserveCapacity(micros.count + rows)
            validity.reserveCapacity(validity.count + rows)
            micros.withUnsafeMutableBufferPointer { Self.adviseHugePages($0.baseAddress, rows * 8) }
        case .categorical:
            codes.reserveCapacity(codes.count + rows)
        }
    }

    /// Appends the first `count` scratch slots to the accepted rows.
    mutating func flush(_ count: Int) {
        guard count > 0, !skipped else { return }
        let flags = UnsafeBufferPointer(start: validSlots, count: count)
        var present = 0
        for f in flags where f { present += 1 }
        nullCount += count - present
        switch kind {
        case .double:
            doubles.append(contentsOf: UnsafeBufferPointer(start: doubleSlots, count: count))
            validity.append(contentsOf: flags)
        case .timestamp:
            micros.append(contentsOf: UnsafeBufferPointer(start: longSlots, count: count))
            validity.append(contentsOf: flags)
        case .categorical:
            codes.append(contentsOf: UnsafeBufferPointer(start: codeSlots, count: count))
        }
    }

    /// Asks Linux to back a large, not yet touched array buffer with 2 MiB pages, which cuts
    /// the page faults of filling it by a factor of 512 (the system's transparent huge pages are
    /// often in `madvise` mode). A hint only: failure, or another system, changes nothing.
    static func adviseHugePages<T>(_ base: UnsafeMutablePointer<T>?, _ bytes: Int) {
        #if os(Linux)
        guard let base, bytes >= 4 << 20 else { return }
        let page = 2 << 20
        let address = Int(bitPattern: UnsafeMutableRawPointer(base))
        let start = (address + page - 1) & ~(page - 1)
        let end = (address + bytes) & ~(page - 1)
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, MADV_HUGEPAGE)
        #endif
    }

    /// Appends rows parsed elsewhere (by a ``CSVBlockWorker``) to a double column.
    mutating func appendBulk(_ values: ArraySlice<Double>, _ flags: ArraySlice<Bool>) {
        var present = 0
        for f in flags where f { present += 1 }
        nullCount += flags.count - present
        doubles.append(contentsOf: values)
        validity.append(contentsOf: flags)
    }

    /// The finished column; the builder is left empty for the next chunk (with a fresh
    /// dictionary, so a chunk's dictionary holds only the strings its rows use).
    mutating func takeColumn() -> Column {
        defer {
            doubles = []
            micros = []
            validity = []
            codes = []
            nullCount = 0
            lastInsertRow = -1
        }
        switch kind {
        case .double:
            return .double(DoubleColumn(uncheckedValues: doubles, validity: validity, nullCount: nullCount))
        case .timestamp:
            return .timestamp(TimestampColumn(uncheckedValues: micros, validity: validity, nullCount: nullCount))
        case .categorical:
            return .categorical(CategoricalColumn(
                uncheckedDictionary: interner.takeStrings(), codes: codes, nullCount: nullCount))
        }
    }
}
