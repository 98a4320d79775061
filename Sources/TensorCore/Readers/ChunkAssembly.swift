/// What a reader engine keeps while it assembles a chunk of rows, and the steps the CSV and
/// JSON Lines engines share: accepting a row into the scratch block, flushing the block into
/// the column builders, handing the builders' columns over as a table, reserving room, and
/// recording a bad row under the ``BadRowPolicy``.
protocol ChunkAssembly {
    /// Rows per scratch block.
    static var blockRows: Int { get }
    /// The column names.
    var names: [String] { get }
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
}

extension ChunkAssembly {
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
        columns.reserveCapacity(builders.count)
        for i in builders.indices { columns.append(builders[i].takeColumn()) }
        let rows = chunkRows
        chunkRows = 0
        return FeatureTable(uncheckedNames: names, columns: columns, rowCount: names.isEmpty ? 0 : rows)
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
