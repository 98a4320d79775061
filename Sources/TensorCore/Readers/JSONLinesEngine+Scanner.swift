#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The scanner for one line of JSON Lines: a flat JSON object of scalar values, scanned in one
/// pass (``scanObject(_:_:_:_:)``), with strings unescaped in place (``scanString(_:_:_:)``,
/// ``hex4(_:_:_:)``, ``writeUTF8(_:_:_:)``) and numbers checked against JSON's grammar
/// (``scanNumber(_:_:_:)``), plus the bare `NaN`, `Infinity` and `-Infinity` that Python's
/// `json` module writes. ``LineFailure`` says why a line is not such an object.
extension JSONLinesEngine {
    /// A scanned scalar value.
    enum Scalar {
        case null
        case bool(Bool)
        /// A number literal: offset and length in the buffer.
        case number(Int, Int)
        /// A string's unescaped bytes: offset and length in the buffer.
        case string(Int, Int)
    }

    /// Why a line could not be read.
    struct LineFailure: Error {
        var code: TableError.Code
        var key: String?
        var value: String?
        var detail: String
    }

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
                case 0x2D where matches(b, i, end, "-Infinity"):
                    value = .number(i, 9)
                    i += 9
                case 0x49 where matches(b, i, end, "Infinity"), 0x4E where matches(b, i, end, "NaN"):
                    // Not JSON, but what Python's `json.dumps` writes for non-finite floats by
                    // default, and what pandas' `read_json` and DuckDB's `read_json` read as
                    // numbers: taken as the number literals they stand for.
                    let n = c == 0x49 ? 8 : 3
                    value = .number(i, n)
                    i += n
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
}
