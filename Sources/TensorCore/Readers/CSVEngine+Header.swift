/// The start of a CSV file: the byte-order mark, the header record (or the first record, which
/// only counts the columns) and the checked column names.
extension CSVEngine {
    /// Skips a UTF-8 byte-order mark and reads (or peeks) the first record to name the columns.
    mutating func readHeader() throws(TableError) {
        try source.skipByteOrderMark()
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
        for key in options.columns ?? [] where !seen.contains(key) {
            throw TableError(
                .invalidOption, column: key, path: source.path,
                detail: "columns names a column the file does not have")
        }
        names = list
        if spans.count < list.count + 1 {
            spans = [FieldSpan](repeating: FieldSpan(start: 0, length: 0, rawEnd: 0, flags: 0), count: list.count + 1)
        }
    }
}
