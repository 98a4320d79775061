/// Schema inference for JSON Lines: the rows read ahead, the columns (the keys in order of first
/// appearance, then the schema's other keys) and their kinds, and the delivery of those rows to
/// the first chunks (through ``ChunkAssembly/deliverPending(_:)``).
extension JSONLinesEngine {
    /// The bytes of a bare `NaN` value.
    static let bareNaN: [UInt8] = Array("NaN".utf8)

    /// A scalar kept for a row read ahead for inference.
    enum BufferedScalar {
        case null
        case bool(Bool)
        case number([UInt8])
        case string([UInt8])
    }

    /// A row read ahead for inference.
    struct BufferedRow {
        var line: Int
        var values: [(key: [UInt8], value: BufferedScalar)]
    }

    /// Reads up to `inferenceRowCount` rows ahead and fixes the columns and kinds.
    mutating func inferSchema() throws(TableError) {
        var rows = [BufferedRow]()
        var order = [[UInt8]]()
        var seen = Set<[UInt8]>()
        let startPosition = source.position
        while rows.count < options.inferenceRowCount {
            guard let (start, end, next) = try nextLine() else { break }
            let lineNumber = line
            line += 1
            var values = [(key: [UInt8], value: BufferedScalar)]()
            let b = source.buffer
            let result: TableError?
            var blank = false
            do throws(LineFailure) {
                blank = try !Self.scanObject(b, start, end) { (key, length, value) throws(LineFailure) in
                    let keyBytes = Array(UnsafeBufferPointer(start: key, count: length))
                    let kept: BufferedScalar
                    switch value {
                    case .null: kept = .null
                    case .bool(let v): kept = .bool(v)
                    case .number(let s, let n): kept = .number(Array(UnsafeBufferPointer(start: b + s, count: n)))
                    case .string(let s, let n): kept = .string(Array(UnsafeBufferPointer(start: b + s, count: n)))
                    }
                    values.append((keyBytes, kept))
                }
                result = nil
            } catch {
                result = lineError(error, lineNumber)
            }
            source.start = next
            if let result {
                try reject(result)
                continue
            }
            if blank { continue }
            for (key, _) in values where seen.insert(key).inserted { order.append(key) }
            rows.append(BufferedRow(line: lineNumber, values: values))
        }
        if !rows.isEmpty {
            bytesPerRow = Double(source.position - startPosition) / Double(rows.count)
        }
        var columnNames = order.map { String(decoding: $0, as: UTF8.self) }
        var known = Set(columnNames)
        for key in options.schema.keys.sorted() where !known.contains(key) {
            columnNames.append(key)
            known.insert(key)
        }
        // Keys that repair to the same string (invalid UTF-8) become one column.
        var unique = [String]()
        var uniqueSet = Set<String>()
        for name in columnNames where uniqueSet.insert(name).inserted { unique.append(name) }
        names = unique
        for name in names {
            var copy = name
            copy.withUTF8 { u in
                if let base = u.baseAddress {
                    _ = keys.intern(base, u.count)
                } else {
                    var empty: UInt8 = 0
                    _ = keys.intern(&empty, 0)
                }
            }
        }
        var inferred = [ColumnKind]()
        for name in names {
            if let forced = Self.forcedKind(name, schema: options.schema, exactText: options.exactTextColumns) {
                inferred.append(forced)
                continue
            }
            let keyBytes = Array(name.utf8)
            var inference = KindInference()
            for row in rows {
                for (key, value) in row.values where key == keyBytes {
                    switch value {
                    case .null: break
                    case .bool: inference.observeNumber()
                    // A bare NaN is a missing value here (``ColumnBuilder/encodeNumberLiteral``):
                    // it leaves a column of times or text what the other values make it.
                    case .number(let bytes) where bytes == Self.bareNaN: inference.observeBareNaN()
                    case .number(let bytes): inference.observeNumber(bytes)
                    case .string(let bytes): inference.observeText(bytes, markers)
                    }
                }
            }
            inferred.append(inference.kind)
        }
        kinds = inferred
        // Every text column keeps its strings: the markers stand for missing numbers and times.
        scratch = makeBuilders(kinds: inferred, schema: options.schema, exactText: Set(names), selected: nil, booleanFree: options.booleanFreeColumns)
        current = [Scalar](repeating: .null, count: names.count)
        stamps = [Int](repeating: 0, count: names.count)
        pending = rows
        pendingIndex = 0
    }

    /// Writes a buffered row to the scratch slot; returns the error if a value does not fit.
    mutating func deliver(_ row: BufferedRow) -> TableError? {
        var valueIndex = [Int](repeating: -1, count: names.count)
        for (i, entry) in row.values.enumerated() {
            let code = entry.key.withUnsafeBufferPointer { k -> Int32? in
                var empty: UInt8 = 0
                return withUnsafeMutablePointer(to: &empty) { fallback in
                    keys.lookup(k.baseAddress ?? UnsafePointer(fallback), k.count)
                }
            }
            guard let code else {
                // Only invalid UTF-8 keys fail here; their repaired name is the column.
                let name = String(decoding: entry.key, as: UTF8.self)
                if let c = names.firstIndex(of: name) { valueIndex[c] = i }
                continue
            }
            valueIndex[Int(code)] = i  // a repeated key: the last value wins
        }
        let slot = scratchRows, rowID = chunkRows
        for c in 0..<names.count {
            guard valueIndex[c] >= 0 else {
                builders[c].encodeMissing(slot)
                continue
            }
            let ok: Bool
            var shown = ""
            switch row.values[valueIndex[c]].value {
            case .null:
                builders[c].encodeMissing(slot)
                ok = true
            case .bool(let v):
                ok = builders[c].encodeBool(v, slot: slot, row: rowID)
                shown = v ? "true" : "false"
            case .number(let bytes):
                ok = Self.withBytes(bytes) { p, n in builders[c].encodeNumberLiteral(p, n, slot: slot, row: rowID) }
                shown = String(decoding: bytes, as: UTF8.self)
            case .string(let bytes):
                ok = Self.withBytes(bytes) { p, n in builders[c].encodeText(p, n, markers, slot: slot, row: rowID) }
                shown = String(decoding: bytes, as: UTF8.self)
            }
            if !ok { return valueError(c, shown, row.line) }
        }
        return nil
    }

    /// Calls `body` with a pointer to the bytes (a valid pointer even when empty).
    static func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        bytes.withUnsafeBufferPointer { buffer in
            var empty: UInt8 = 0
            return withUnsafeMutablePointer(to: &empty) { fallback in
                body(buffer.baseAddress ?? UnsafePointer(fallback), buffer.count)
            }
        }
    }
}
