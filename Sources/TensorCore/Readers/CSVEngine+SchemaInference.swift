#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Schema inference for CSV: the records read ahead to infer each column's kind, the choice
/// of parsing paths that follows from the kinds, and the delivery of those records to the first
/// chunks (through ``ChunkAssembly/deliverPending(_:)``).
extension CSVEngine {
    /// A record read ahead for schema inference: its line and its fields' bytes, unescaped.
    struct BufferedRecord {
        var line: Int
        var fields: [[UInt8]]
    }

    /// Reads up to `inferenceRowCount` records ahead, infers each column's kind and creates
    /// the builders; the records are delivered by the next chunks.
    mutating func inferSchema() throws(TableError) {
        var records = [BufferedRecord]()
        let limit = options.inferenceRowCount
        let startPosition = source.position
        reading: while records.count < limit {
            switch tokenizeCurrent() {
            case .record(let fields, let next, let newlines):
                let recordLine = line
                line += 1 + newlines
                if fields != names.count {
                    source.start = next
                    try reject(countError(fields, recordLine))
                    continue
                }
                var copies = [[UInt8]]()
                copies.reserveCapacity(fields)
                for i in 0..<fields {
                    let (p, n) = fieldBytes(i)
                    copies.append(Array(UnsafeBufferPointer(start: p, count: n)))
                }
                source.start = next
                records.append(BufferedRecord(line: recordLine, fields: copies))
            case .blank(let next):
                source.start = next
                line += 1
            case .needMore:
                try source.refill()
            case .endOfInput:
                break reading
            case .unterminated(let newlines):
                try handleUnterminated(newlines)
            }
        }
        if !records.isEmpty {
            bytesPerRow = Double(source.position - startPosition) / Double(records.count)
        }
        var inferred = [ColumnKind]()
        for (c, name) in names.enumerated() {
            if let forced = Self.forcedKind(name, schema: options.schema, exactText: options.exactTextColumns) {
                inferred.append(forced)
                continue
            }
            var inference = KindInference()
            for record in records { inference.observeText(record.fields[c], markers) }
            inferred.append(inference.kind)
        }
        kinds = inferred
        let selected = options.columns.map(Set.init)
        scratch = makeBuilders(kinds: inferred, schema: options.schema, exactText: options.exactTextColumns, selected: selected)
        // A column left out is scanned past as text, never parsed as a number.
        fastNumber = zip(names, inferred).map { name, kind in
            kind == .double && !markers.includesNumbers && selected.map { $0.contains(name) } != false
        }
        allNumeric = !names.isEmpty && fastNumber.allSatisfy { $0 }
        parallel = options.parallelParsing && allNumeric
            && sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1
        pending = records
        pendingIndex = 0
    }

    /// Writes a buffered record to the scratch slot; returns the error if a value does not fit.
    mutating func deliver(_ record: BufferedRecord) -> TableError? {
        let slot = scratchRows, row = chunkRows
        for c in 0..<record.fields.count {
            let failed = record.fields[c].withUnsafeBufferPointer { buffer -> TableError? in
                var empty: UInt8 = 0
                return withUnsafeMutablePointer(to: &empty) { fallback -> TableError? in
                    let p = buffer.baseAddress ?? UnsafePointer(fallback)
                    if builders[c].encodeText(p, buffer.count, markers, slot: slot, row: row) { return nil }
                    return valueError(c, p, buffer.count, record.line)
                }
            }
            if let failed { return failed }
        }
        return nil
    }
}
