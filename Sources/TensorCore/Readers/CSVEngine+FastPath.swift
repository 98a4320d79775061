/// The CSV fast path: a record parsed straight from the buffer into the scratch slot without
/// tokenizing it first (``parseRecord(_:_:_:_:_:_:_:_:_:_:)``), and for tables whose columns are
/// all doubles, the tighter loop of ``parseNumericRecord(_:_:_:_:_:_:_:_:_:_:)``. Both are
/// static so that a ``CSVBlockWorker`` runs the same code on its own thread.
extension CSVEngine {
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

    /// Takes the record at `source.start` by a fast path, the numeric one first when every
    /// column holds doubles, or skips a blank line: then returns nil. Otherwise returns what the
    /// caller handles: ``FastOutcome/needMore``, ``FastOutcome/endOfInput`` or ``FastOutcome/slow``.
    /// The one step of both the reading loop and a parallel run's own loop.
    @inline(__always)
    mutating func takeFastRecord(_ block: ScratchBlock) -> FastOutcome? {
        if allNumeric, let next = Self.parseNumericRecord(
            source.buffer, source.end, source.start, stops, delimiter, names.count, block.doubles,
            block.valid, Self.blockRows, scratchRows, emptyIsMissing: markers.includesEmpty) {
            line += 1
            source.start = next
            acceptRow()
            return nil
        }
        switch parseFast(block) {
        case .accepted(let next, let newlines):
            line += 1 + newlines
            source.start = next
            acceptRow()
            return nil
        case .blank(let next):
            source.start = next
            line += 1
            return nil
        case let other:
            return other
        }
    }

    /// The fast path: parses the record at `source.start` straight into the scratch slot.
    @inline(__always)
    mutating func parseFast(_ block: ScratchBlock) -> FastOutcome {
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
    /// An empty field is a missing value here when `emptyIsMissing` (the empty string is one of
    /// the missing markers) and the table has more than one column (a lone empty field is a
    /// blank line, which the general path skips).
    ///
    /// - Returns: `nil` when the record needs more than plain numbers and empty fields (another
    ///   missing marker, a quote inside a field, a wrong field count, the end of the buffer);
    ///   nothing was written that matters then.
    @inline(never)
    static func parseNumericRecord(
        _ b: UnsafeMutablePointer<UInt8>, _ end: Int, _ start: Int, _ stops: UnsafeMutablePointer<Bool>,
        _ delimiter: UInt8, _ columnCount: Int, _ doubles: UnsafeMutablePointer<Double>,
        _ valid: UnsafeMutablePointer<Bool>, _ blockRows: Int, _ slot: Int, emptyIsMissing: Bool
    ) -> Int? {
        var p = start
        let last = columnCount &- 1
        let emptyFields = emptyIsMissing && columnCount > 1
        var index = slot
        for c in 0..<columnCount {
            let value: Double, q: Int
            var present = true
            if p < end, b[p] == 0x22 {
                // A quoted number (`"12.5"`): a number cannot hold a quote, so the field is the
                // number between the quotes when the closing one follows it. (Tested first: the
                // number scanner would take a quote to its general path before failing.)
                guard let (number, r) = DecimalParser.scan(b, p &+ 1, end), r < end, b[r] == 0x22 else { return nil }
                (value, q) = (number, r &+ 1)
            } else if let (number, r) = DecimalParser.scan(b, p, end) {
                (value, q) = (number, r)
            } else if emptyFields, p < end, stops[Int(b[p])] {
                // An empty field (a delimiter, LF or CR where it starts): missing, stored as the
                // general path stores it.
                (value, q) = (.nan, p)
                present = false
            } else {
                return nil
            }
            guard q < end else { return nil }
            let ch = b[q]
            doubles[index] = value
            valid[index] = present
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
            if isFastNumber(c), p &+ 1 < end, b[p] == 0x22, let (value, r) = DecimalParser.scan(b, p &+ 1, end), r &+ 1 < end, b[r] == 0x22,
               stops[Int(b[r &+ 1])] {
                // A quoted number whose closing quote ends the field.
                storeNumber(c, value)
                p = r &+ 1
                handled = true
            } else if isFastNumber(c), let (value, q) = DecimalParser.scan(b, p, end) {
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
