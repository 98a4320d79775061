/// The errors for a rejected CSV record, naming its line and what is wrong with it.
extension CSVEngine {
    /// The error for a record with the wrong number of fields.
    func countError(_ fields: Int, _ recordLine: Int) -> TableError {
        TableError(
            .fieldCountMismatch, line: recordLine, path: source.path,
            detail: "expected \(names.count) fields as in the header, found \(fields)")
    }

    /// The error for a value that does not fit column `c`.
    func valueError(_ c: Int, _ p: UnsafePointer<UInt8>, _ n: Int, _ recordLine: Int) -> TableError {
        let text = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        let kind = builders[c].kind
        let why = options.schema[names[c]] != nil
            ? "the schema option declares the column \(kind)"
            : "the column was inferred as \(kind) from the first \(options.inferenceRowCount) rows"
        return TableError(
            .invalidValue, line: recordLine, column: names[c], value: text, expectedKind: kind,
            path: source.path, detail: why)
    }
}
