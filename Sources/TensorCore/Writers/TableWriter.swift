import Foundation

/// Writes a table as CSV (RFC 4180 quoting) or JSON Lines, by the file's extension: `.jsonl`,
/// `.ndjson` and `.json` are JSON Lines, anything else CSV. Missing values are empty fields in
/// CSV and `null` in JSON; times are ISO 8601 in UTC (with microseconds when they have them);
/// numbers are written in the shortest form that reads back to the same double (integers
/// without a decimal point). What ``CSVReader`` and ``JSONLinesReader`` write is read back
/// to the same table.
public enum TableWriter {
    /// Writes `table` to `path` (replacing it), in chunks of about a megabyte.
    ///
    /// - Throws: ``TableError`` (``TableError/Code/fileUnwritable``) when the file cannot be
    ///   created or written.
    public static func write(_ table: FeatureTable, to path: String) throws(TableError) {
        let lowered = path.lowercased()
        let jsonLines = lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".json")
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw TableError(.fileUnwritable, path: path, detail: "it cannot be created (does its folder exist, and may it be written?)")
        }
        defer { try? handle.close() }
        var buffer = ""
        buffer.reserveCapacity(1 << 20)
        func flush(force: Bool = false) throws(TableError) {
            if force || buffer.utf8.count >= 1 << 20 {
                do { try handle.write(contentsOf: Data(buffer.utf8)) } catch {
                    throw TableError(.fileUnwritable, path: path, detail: error.localizedDescription)
                }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        let names = table.columnNames
        if !jsonLines {
            buffer += names.map(csvField).joined(separator: ",") + "\n"
        }
        let keys = names.map { jsonString($0) }
        for row in 0..<table.rowCount {
            if jsonLines { buffer += "{" }
            for (c, column) in table.columns.enumerated() {
                if c > 0 { buffer += "," }
                if jsonLines { buffer += keys[c] + ":" }
                switch column {
                case .double(let d):
                    if d.validity[row] { buffer += number(d.values[row], json: jsonLines) } else if jsonLines { buffer += "null" }
                case .categorical(let cat):
                    let code = cat.codes[row]
                    if code >= 0 { buffer += jsonLines ? jsonString(cat.dictionary[Int(code)]) : csvField(cat.dictionary[Int(code)]) } else if jsonLines { buffer += "null" }
                case .timestamp(let t):
                    if t.validity[row] { buffer += jsonLines ? "\"\(iso8601(t.values[row]))\"" : iso8601(t.values[row]) } else if jsonLines { buffer += "null" }
                }
            }
            buffer += jsonLines ? "}\n" : "\n"
            try flush()
        }
        try flush(force: true)
    }

    static func number(_ value: Double, json: Bool) -> String {
        if value.isNaN { return json ? "\"NaN\"" : "NaN" }
        if value.isInfinite { return json ? (value > 0 ? "\"Infinity\"" : "\"-Infinity\"") : (value > 0 ? "inf" : "-inf") }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || text.isEmpty == false && (text.first == " " || text.last == " ") else { return text }
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

    /// Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` (Howard Hinnant's civil-from-days).
    static func iso8601(_ micros: Int64) -> String {
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
        var text = String(format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
        if micro != 0 { text += String(format: ".%06lld", micro) }
        return text + "Z"
    }
}
