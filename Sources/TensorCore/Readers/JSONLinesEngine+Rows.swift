/// One JSON Lines line turned into a row: its scanned values written to the scratch slot by
/// column (a key left out is a missing value), and the errors for a line that is rejected.
extension JSONLinesEngine {
    /// What happened to one line.
    enum LineOutcome {
        case accepted
        case blank
        case rejected(TableError)
    }

    /// Scans the line in `buffer[start ..< end]` and writes its values to the scratch slot.
    mutating func parseCurrent(_ start: Int, _ end: Int, _ lineNumber: Int) -> LineOutcome {
        stamp += 1
        let b = source.buffer
        let stampNow = stamp
        var unknown: String?
        do throws(LineFailure) {
            let nonBlank = try Self.scanObject(b, start, end) { (key, length, value) throws(LineFailure) in
                guard let code = keys.lookup(key, length) else {
                    if unknown == nil { unknown = Self.text(key, length) }
                    return
                }
                current[Int(code)] = value
                stamps[Int(code)] = stampNow
            }
            if !nonBlank { return .blank }
        } catch {
            return .rejected(lineError(error, lineNumber))
        }
        if let unknown {
            return .rejected(TableError(
                .unknownKey, line: lineNumber, column: unknown, path: source.path,
                detail: "the columns were fixed from the first \(options.inferenceRowCount) rows"))
        }
        let slot = scratchRows, row = chunkRows
        for c in 0..<names.count {
            guard stamps[c] == stampNow else {
                builders[c].encodeMissing(slot)
                continue
            }
            let ok: Bool
            var shown = ""
            switch current[c] {
            case .null:
                builders[c].encodeMissing(slot)
                ok = true
            case .bool(let v):
                ok = builders[c].encodeBool(v, slot: slot, row: row)
                shown = v ? "true" : "false"
            case .number(let s, let n):
                ok = builders[c].encodeNumberLiteral(UnsafePointer(b + s), n, slot: slot, row: row)
                if !ok { shown = Self.text(b + s, n) }
            case .string(let s, let n):
                ok = builders[c].encodeText(UnsafePointer(b + s), n, markers, slot: slot, row: row)
                if !ok { shown = Self.text(b + s, n) }
            }
            if !ok { return .rejected(valueError(c, shown, lineNumber)) }
        }
        return .accepted
    }

    /// The ``TableError`` for a line that could not be scanned.
    func lineError(_ failure: LineFailure, _ lineNumber: Int) -> TableError {
        TableError(
            failure.code, line: lineNumber, column: failure.key, value: failure.value, path: source.path,
            detail: failure.detail)
    }

    /// The error for a value that does not fit column `c`.
    func valueError(_ c: Int, _ shown: String, _ lineNumber: Int) -> TableError {
        let kind = builders[c].kind
        let why = options.schema[names[c]] != nil
            ? "the schema option declares the key \(kind)"
            : "the key was inferred as \(kind) from the first \(options.inferenceRowCount) rows"
        return TableError(
            .invalidValue, line: lineNumber, column: names[c], value: shown, expectedKind: kind,
            path: source.path, detail: why)
    }
}
