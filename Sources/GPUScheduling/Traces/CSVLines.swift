/// The rows of a small CSV file (a trace or a node list): header, then fields per line.
///
/// Hand-written rather than TensorCore's numeric CSV engine: traces mix text (team names,
/// timestamps, selectors) with numbers and are small (tens of thousands of rows), so what
/// matters is the line number in errors, not throughput. Double quotes are honoured.
struct CSVLines {
    var header: [String]
    /// (line number, fields), blank lines skipped.
    var rows: [(line: Int, fields: [String])]

    init(_ text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { ($0.offset + 1, $0.element) }
        while let first = lines.first, first.1.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { lines.removeFirst() }
        header = lines.first.map { Self.fields(of: $0.1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() } } ?? []
        rows = lines.dropFirst().compactMap { line, text in
            text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : (line, Self.fields(of: text))
        }
    }

    static func fields(of line: Substring) -> [String] {
        var text = line
        if text.last == "\r" { text = text.dropLast() }
        if !text.contains("\"") { return text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = text.makeIterator()
        while let c = iterator.next() {
            if quoted {
                if c == "\"" {
                    quoted = false
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        fields.append(current)
        return fields
    }
}

import Foundation
