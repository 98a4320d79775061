/// The rows of a small CSV file (a trace or a node list): header, then fields per line.
///
/// Hand-written rather than TensorCore's numeric CSV engine: traces mix text (team names,
/// timestamps, selectors) with numbers and are small (tens of thousands of rows), so what
/// matters is the line number in errors. Works on UTF-8 bytes (Foundation's trimming was most
/// of a Philly replay's time); double quotes are honoured, `""` inside quotes is a quote.
struct CSVLines {
    var header: [String]
    /// (line number, fields), blank lines skipped; fields are trimmed of spaces and tabs.
    var rows: [(line: Int, fields: [String])]

    init(_ text: String) {
        var header: [String]?
        var rows: [(line: Int, fields: [String])] = []
        var text = text
        text.withUTF8 { bytes in
            var line = 0
            // A UTF-8 byte-order mark is not part of the header.
            var start = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != 10 { end += 1 }
                line += 1
                var last = end
                if last > start && bytes[last - 1] == 13 { last -= 1 }
                let fields = Self.fields(UnsafeBufferPointer(rebasing: bytes[start..<last]))
                let blank = fields.count == 1 && fields[0].isEmpty
                if !blank {
                    if header == nil {
                        header = fields.map { $0.lowercased() }
                    } else {
                        rows.append((line, fields))
                    }
                }
                if end >= bytes.count { break }
                start = end + 1
            }
        }
        self.header = header ?? []
        self.rows = rows
    }

    /// Refuses a NUL byte, a header that names a column twice (which of the two a row means would
    /// be a guess) and a row with more fields than the header has names (a stray comma, or a value
    /// with a comma that was not quoted). Rows may leave trailing optional columns out.
    ///
    /// - Throws: ``SchedulingError`` with `code`, at `source`'s line.
    func checkShape(source: String, code: SchedulingError.Code) throws(SchedulingError) {
        // A NUL byte is no text a trace means (a binary file, or a field cut from one).
        for (line, fields) in [(1, header)] + rows.map({ ($0.line, $0.fields) }) where fields.contains(where: { $0.utf8.contains(0) }) {
            throw SchedulingError(code, "holds a NUL byte", location: "\(source):\(line)", fix: "give UTF-8 text without NUL bytes")
        }
        var seen = Set<String>()
        for name in header where !name.isEmpty && !seen.insert(name).inserted {
            throw SchedulingError(code, "names the column \(name) twice in its header", location: "\(source):1", fix: "give each column one name")
        }
        for (line, fields) in rows where fields.count > header.count {
            throw SchedulingError(
                code, "has \(fields.count) fields where the header names \(header.count)", location: "\(source):\(line)",
                fix: "quote a value that holds a comma (\"a,b\"), or remove the extra field")
        }
    }

    static func fields(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var fields: [String] = []
        var i = 0
        while true {
            var value: String
            if i < bytes.count && bytes[i] == 34 {
                var collected: [UInt8] = []
                i += 1
                while i < bytes.count {
                    if bytes[i] == 34 {
                        if i + 1 < bytes.count && bytes[i + 1] == 34 {
                            collected.append(34)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    collected.append(bytes[i])
                    i += 1
                }
                while i < bytes.count && bytes[i] != 44 { i += 1 }
                value = String(decoding: collected, as: UTF8.self)
            } else {
                var from = i
                while i < bytes.count && bytes[i] != 44 { i += 1 }
                var to = i
                while from < to && (bytes[from] == 32 || bytes[from] == 9) { from += 1 }
                while to > from && (bytes[to - 1] == 32 || bytes[to - 1] == 9) { to -= 1 }
                value = String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
            }
            fields.append(value)
            if i >= bytes.count { break }
            i += 1
        }
        return fields
    }
}
