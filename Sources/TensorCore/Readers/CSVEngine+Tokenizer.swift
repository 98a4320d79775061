/// Splitting CSV records into fields: the span of each field in the buffer, the table of bytes
/// that end an unquoted field, ``scanField(_:_:_:_:_:)`` (one field, quoted or not),
/// ``tokenize(_:_:_:_:_:_:_:_:)`` (a whole record) and ``unescape(_:_:)`` (a quoted field's
/// content, in place). The fast path scans fields one at a time; the header, inference and the
/// slow path tokenize whole records.
extension CSVEngine {
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
    mutating func tokenizeCurrent() -> Token {
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
    func fieldBytes(_ i: Int) -> (UnsafePointer<UInt8>, Int) {
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
}
