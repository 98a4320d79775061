/// The CSV slow path: a record that the fast path declined is tokenized whole, its field count
/// checked and its fields delivered, so that a bad record is rejected with the exact problem;
/// and a quoted field that is never closed before the end of the file.
extension CSVEngine {
    /// The slow path for the record at `source.start`: tokenize it whole, check its field count
    /// and deliver its fields, accepting or rejecting it.
    ///
    /// - Parameter allowRefill: `false` while a ``CSVBlockWorker`` reads the buffer; a record
    ///   that runs past the buffered bytes is then left alone.
    /// - Returns: `false` when the record was left alone; nothing was consumed then.
    @discardableResult
    mutating func parseSlow(allowRefill: Bool = true) throws(TableError) -> Bool {
        while true {
            switch tokenizeCurrent() {
            case .record(let fields, let next, let newlines):
                let recordLine = line
                line += 1 + newlines
                if fields != names.count {
                    source.start = next
                    try reject(countError(fields, recordLine))
                    return true
                }
                let error = deliverCurrent(recordLine)
                source.start = next
                if let error {
                    try reject(error)
                } else {
                    acceptRow()
                }
                return true
            case .blank(let next):
                source.start = next
                line += 1
                return true
            case .needMore:
                guard allowRefill else { return false }
                try source.refill()
            case .endOfInput:
                return true
            case .unterminated(let newlines):
                guard allowRefill else { return false }
                try handleUnterminated(newlines)
                return true
            }
        }
    }

    /// Writes the tokenized record's fields to the scratch slot.
    ///
    /// - Returns: The error if a value does not fit, else `nil`.
    private mutating func deliverCurrent(_ recordLine: Int) -> TableError? {
        let slot = scratchRows, row = chunkRows
        for c in 0..<names.count {
            let (p, n) = fieldBytes(c)
            if !builders[c].encodeText(p, n, markers, slot: slot, row: row) {
                return valueError(c, p, n, recordLine)
            }
        }
        return nil
    }

    /// Consumes the rest of the file after a quote that is never closed, and rejects the record.
    mutating func handleUnterminated(_ newlines: Int) throws(TableError) {
        let recordLine = line
        line += 1 + newlines
        source.start = source.end
        try reject(TableError(
            .malformedRecord, line: recordLine, path: source.path,
            detail: "a quoted field opened on this line is never closed before the end of the file"))
    }
}
