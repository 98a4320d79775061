import Foundation

/// Writes a table as CSV (RFC 4180 quoting) or JSON Lines, by the file's extension: `.jsonl`,
/// `.ndjson` and `.json` are JSON Lines, anything else CSV. Missing values are empty fields in
/// CSV and `null` in JSON; times are ISO 8601 in UTC (with microseconds when they have them);
/// numbers are written in the shortest form that reads back to the same double (integers
/// without a decimal point); a NaN is `NaN` in CSV and `null` in JSON Lines, as pandas writes
/// it. ``CSVReader`` and ``JSONLinesReader`` read what it writes back to the same table, except
/// text equal to a missing marker (in CSV `NA`, `null`, `None`, `NaN` and pandas' other markers;
/// in either format the empty string), which reads as missing, and a NaN in JSON Lines, which
/// reads back as missing.
///
/// The file is written beside `path` under a temporary name and renamed over it at the end, so
/// a failure or a crash never leaves a half-written file at `path`.
public enum TableWriter {
    /// Writes `table` to `path` (replacing it), in chunks of about a megabyte.
    ///
    /// - Throws: ``TableError`` (``TableError/Code/fileUnwritable``) when the file cannot be
    ///   created or written.
    public static func write(_ table: FeatureTable, to path: String) throws(TableError) {
        let format = TableRowEncoder.Format(path: path)
        let file = try BufferedFileWriter(path: path)
        try file.append(TableRowEncoder.header(table.columnNames, format: format))
        // Bytes, not Strings: each dictionary entry and name is escaped once, integers and times
        // are formatted digit by digit.
        var encoder = TableRowEncoder(table, format: format)
        for row in 0..<table.rowCount {
            try file.withBuffer { buffer in encoder.append(row: row, to: &buffer) }
        }
        try file.finish()
    }

    /// Appends a number: integers digit by digit, other values in Swift's shortest round-trip form
    /// (negative zero as `-0.0`, which reads back as itself; `-0` is the integer 0 to JSON readers).
    static func appendNumber(_ value: Double, json: Bool, to buffer: inout [UInt8]) {
        if isWrittenAsInteger(value) {
            appendInteger(Int64(value), to: &buffer)
        } else {
            buffer.append(contentsOf: number(value, json: json).utf8)
        }
    }

    static func appendInteger(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for i in stride(from: count - 1, through: 0, by: -1) { buffer.append(d[i]) }
        }
    }

    static func appendDigits(_ value: Int64, width: Int, to buffer: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            buffer.append(UInt8(ascii: "0") + UInt8(v / divisor % 10))
            v %= divisor
            divisor /= 10
        }
    }

    /// Appends microseconds since the epoch as ISO 8601 (see ``iso8601(_:)``).
    static func appendISO8601(_ micros: Int64, to buffer: inout [UInt8]) {
        let c = civil(micros)
        if c.year < 0 || c.year > 9999 {
            buffer.append(contentsOf: iso8601(micros).utf8)
            return
        }
        appendDigits(c.year, width: 4, to: &buffer)
        buffer.append(UInt8(ascii: "-"))
        appendDigits(c.month, width: 2, to: &buffer)
        buffer.append(UInt8(ascii: "-"))
        appendDigits(c.day, width: 2, to: &buffer)
        buffer.append(UInt8(ascii: "T"))
        appendDigits(c.secondOfDay / 3600, width: 2, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
        appendDigits(c.secondOfDay / 60 % 60, width: 2, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
        appendDigits(c.secondOfDay % 60, width: 2, to: &buffer)
        if c.micro != 0 {
            buffer.append(UInt8(ascii: "."))
            appendDigits(c.micro, width: 6, to: &buffer)
        }
        buffer.append(UInt8(ascii: "Z"))
    }

    static func number(_ value: Double, json: Bool) -> String {
        // A NaN is null in JSON Lines, as pandas' `to_json` writes it (JSON has no NaN; the
        // string "NaN" would make the column text for a reader).
        if value.isNaN { return json ? "null" : "NaN" }
        if value.isInfinite { return json ? (value > 0 ? "\"Infinity\"" : "\"-Infinity\"") : (value > 0 ? "inf" : "-inf") }
        if isWrittenAsInteger(value) { return String(Int64(value)) }
        return "\(value)"
    }

    /// Whether a value is written as integer digits: whole, below 10¹⁵ in magnitude, and not a
    /// negative zero.
    @inline(__always)
    static func isWrittenAsInteger(_ value: Double) -> Bool {
        value == value.rounded() && abs(value) < 1e15 && !(value == 0 && value.sign == .minus)
    }

    /// `text` as one CSV field: quoted (with quotes doubled) when it holds a comma, a quote, a
    /// line break, or leading or trailing spaces; as is otherwise.
    public static func csvField(_ text: String) -> String {
        // Bytes, not Characters: every byte that needs quoting is ASCII.
        let utf8 = text.utf8
        let needsQuotes = utf8.first == UInt8(ascii: " ") || utf8.last == UInt8(ascii: " ")
            || utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// The civil date and time of microseconds since the epoch (Howard Hinnant's civil-from-days).
    static func civil(_ micros: Int64) -> (year: Int64, month: Int64, day: Int64, secondOfDay: Int64, micro: Int64) {
        let (secondsTotal, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        var seconds = secondsTotal
        var micro = fraction
        if micro < 0 { micro += 1_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay, micro)
    }

    /// Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`.
    static func iso8601(_ micros: Int64) -> String {
        let c = civil(micros)
        var text = String(format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", c.year, c.month, c.day, c.secondOfDay / 3600, c.secondOfDay / 60 % 60, c.secondOfDay % 60)
        if c.micro != 0 { text += String(format: ".%06lld", c.micro) }
        return text + "Z"
    }
}
