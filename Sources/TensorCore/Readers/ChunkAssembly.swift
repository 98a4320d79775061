/// What a reader engine keeps while it assembles a chunk of rows, and the steps the CSV and
/// JSON Lines engines share: the chunk loop itself (the rows read ahead for inference first,
/// then records parsed from the source), accepting a row into the scratch block, flushing the
/// block into the column builders, handing the builders' columns over as a table, reserving
/// room, creating the builders, and recording a bad row under the ``BadRowPolicy``.
///
/// An engine supplies the steps that depend on its format: ``inferSchema()`` reads rows ahead
/// into ``pending``, fixes the columns and kinds and creates the builders (with
/// ``makeBuilders(kinds:schema:)``); ``deliver(_:)`` writes one of those rows to the scratch
/// slot; ``stream(_:)`` parses records from the source until the chunk is full.
protocol ChunkAssembly {
    /// A row read ahead for schema inference, kept until a chunk delivers it.
    associatedtype ReadAheadRow

    /// Rows per scratch block.
    static var blockRows: Int { get }
    /// The file.
    var source: ByteSource { get }
    /// The column names.
    var names: [String] { get }
    /// The column kinds, once inferred.
    var kinds: [ColumnKind]? { get }
    /// One builder per column, once the kinds are known.
    var builders: [ColumnBuilder] { get set }
    /// Rows written to the scratch block and not yet flushed.
    var scratchRows: Int { get set }
    /// Rows accepted into the current chunk (flushed or not).
    var chunkRows: Int { get set }
    /// What has been read and skipped so far.
    var report: ReadReport { get set }
    /// The error that stopped the reader under ``BadRowPolicy/fail``.
    var failure: TableError? { get set }
    /// What to do with a bad row.
    var badRowPolicy: BadRowPolicy { get }
    /// How many skip reasons the report keeps.
    var maxRecordedSkipReasons: Int { get }
    /// Rows read ahead for inference and not yet delivered.
    var pending: [ReadAheadRow] { get set }
    /// The next row of ``pending`` to deliver.
    var pendingIndex: Int { get set }
    /// Average bytes per row in the inference sample, for reserving chunk capacity.
    var bytesPerRow: Double { get }

    /// Reads rows ahead into ``pending``, fixes the columns' kinds and creates the builders.
    mutating func inferSchema() throws(TableError)
    /// Writes a row read ahead to the scratch slot.
    ///
    /// - Returns: The error if a value does not fit, else `nil`.
    mutating func deliver(_ row: ReadAheadRow) -> TableError?
    /// Parses records from the source until the chunk holds `maxRows` rows or the file ends.
    mutating func stream(_ maxRows: Int) throws(TableError)
}

extension ChunkAssembly {
    /// Checks the options every engine takes.
    ///
    /// - Throws: ``TableError/Code/invalidOption`` when `inferenceRowCount` is below 1 or
    ///   `maxRecordedSkipReasons` is negative.
    static func checkOptions(inferenceRowCount: Int, maxRecordedSkipReasons: Int) throws(TableError) {
        guard inferenceRowCount >= 1 else {
            throw TableError(.invalidOption, value: String(inferenceRowCount), detail: "inferenceRowCount must be at least 1")
        }
        guard maxRecordedSkipReasons >= 0 else {
            throw TableError(.invalidOption, value: String(maxRecordedSkipReasons), detail: "maxRecordedSkipReasons must not be negative")
        }
    }

    /// The next chunk of at most `maxRows` rows, or `nil` when the file is exhausted: the rows
    /// read ahead for inference first, then records parsed by ``stream(_:)``.
    mutating func nextChunk(maxRows: Int) throws(TableError) -> FeatureTable? {
        if let failure { throw failure }
        guard maxRows >= 1 else {
            throw TableError(.invalidOption, value: String(maxRows), path: source.path, detail: "maxRows must be at least 1")
        }
        if kinds == nil { try inferSchema() }
        reserve(maxRows, readAhead: pending.count - pendingIndex, bytesLeft: source.fileSize - source.position, bytesPerRow: bytesPerRow)
        try deliverPending(maxRows)
        if chunkRows < maxRows {
            try stream(maxRows)
        }
        let rows = chunkRows
        report.rowsRead += rows
        if rows == 0 { return nil }
        return takeTable()
    }

    /// An empty table with the file's columns and kinds (inferring them if needed).
    mutating func emptyTable() throws(TableError) -> FeatureTable {
        if let failure { throw failure }
        if kinds == nil { try inferSchema() }
        return takeTable()
    }

    /// Delivers the rows read ahead, as many as the chunk still takes, and drops the list once
    /// every row has been delivered.
    mutating func deliverPending(_ maxRows: Int) throws(TableError) {
        while chunkRows < maxRows && pendingIndex < pending.count {
            let row = pending[pendingIndex]
            pendingIndex += 1
            if let error = deliver(row) {
                try reject(error)
            } else {
                acceptRow()
            }
        }
        if pendingIndex >= pending.count && !pending.isEmpty {
            pending = []
            pendingIndex = 0
        }
    }

    /// Checks that `schema` forces no kind other than categorical on an exact-text column.
    ///
    /// - Throws: ``TableError/Code/invalidOption`` naming the column.
    static func checkExactText(_ exactText: Set<String>, schema: [String: ColumnKind]) throws(TableError) {
        for name in exactText.sorted() {
            if let kind = schema[name], kind != .categorical {
                throw TableError(
                    .invalidOption, column: name, value: kind.rawValue,
                    detail: "an exact-text column is read as categorical text; leave it out of the schema or of exactTextColumns")
            }
        }
    }

    /// The kind a column is forced to: the schema's, or categorical for an exact-text column.
    static func forcedKind(_ name: String, schema: [String: ColumnKind], exactText: Set<String>) -> ColumnKind? {
        schema[name] ?? (exactText.contains(name) ? .categorical : nil)
    }

    /// Creates one builder per column over a new scratch block; a timestamp column forced by
    /// `schema` also accepts numbers as epoch seconds; a column in `exactText` takes only an
    /// empty field as missing; a column not in `selected` (when given) is skipped: scanned past,
    /// never kept.
    ///
    /// - Returns: The scratch block, which the engine must keep: the builders point into it.
    mutating func makeBuilders(
        kinds: [ColumnKind], schema: [String: ColumnKind], exactText: Set<String>, selected: Set<String>?, booleanFree: Set<String> = []
    ) -> ScratchBlock {
        let block = ScratchBlock(columns: names.count, rows: Self.blockRows)
        builders = []
        for (c, (name, kind)) in zip(names, kinds).enumerated() {
            builders.append(ColumnBuilder(
                name: name, kind: kind,
                acceptsEpochSeconds: kind == .timestamp && schema[name] == .timestamp,
                exactText: kind == .categorical && exactText.contains(name),
                refusesBooleans: booleanFree.contains(name),
                scratch: block, index: c, skipped: selected.map { !$0.contains(name) } ?? false))
        }
        return block
    }

    /// Reserves room in the builders for the rows the chunk will likely hold: the rows already
    /// read ahead plus the bytes left over the average row size, with a little slack.
    mutating func reserve(_ maxRows: Int, readAhead: Int, bytesLeft: Int, bytesPerRow: Double) {
        var expected = readAhead
        if bytesPerRow > 0 && bytesLeft > 0 {
            expected += Int(Swift.min(Double(bytesLeft) / bytesPerRow * 1.02, 1e9)) + 64
        }
        let rows = Swift.min(maxRows, expected)
        guard rows > 0 else { return }
        for i in builders.indices { builders[i].reserve(rows) }
    }

    /// Counts the row in the scratch slot as accepted, flushing a full block.
    @inline(__always)
    mutating func acceptRow() {
        scratchRows += 1
        chunkRows += 1
        if scratchRows == Self.blockRows { flushScratch() }
    }

    /// Appends the scratch block's rows to the builders' arrays.
    mutating func flushScratch() {
        if scratchRows == 0 { return }
        for i in builders.indices { builders[i].flush(scratchRows) }
        scratchRows = 0
    }

    /// The builders' columns as a table, leaving the builders empty.
    mutating func takeTable() -> FeatureTable {
        flushScratch()
        var columns = [Column]()
        var kept = [String]()
        columns.reserveCapacity(builders.count)
        for i in builders.indices where !builders[i].skipped {
            columns.append(builders[i].takeColumn())
            kept.append(names[i])
        }
        let rows = chunkRows
        chunkRows = 0
        return FeatureTable(uncheckedNames: kept, columns: columns, rowCount: kept.isEmpty ? 0 : rows)
    }

    /// Records a bad row: throws under ``BadRowPolicy/fail``, counts it under ``BadRowPolicy/skip``.
    mutating func reject(_ error: TableError) throws(TableError) {
        for i in builders.indices { builders[i].rollback(row: chunkRows) }
        switch badRowPolicy {
        case .fail:
            failure = error
            throw error
        case .skip:
            report.rowsSkipped += 1
            if report.skipReasons.count < maxRecordedSkipReasons {
                report.skipReasons.append(error)
            }
        }
    }
}
