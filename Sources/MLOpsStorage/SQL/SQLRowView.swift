/// One row of a query being read, seen in place: values are read from the driver's memory
/// without copying them into a ``SQLRow`` (on SQLite, straight from the statement).
///
/// A view is valid only inside the ``SQLConnection/reduceRows(_:_:into:_:)`` body it was lent to:
/// never keep it.
public struct SQLRowView {
    enum Source {
        case sqlite(OpaquePointer)
        case row(SQLRow)
    }

    let source: Source

    init(_ source: Source) {
        self.source = source
    }

    /// The integer in column `index` (0-based); nil for NULL or a value of another type.
    public func integer(at index: Int) -> Int64? {
        switch source {
        case .sqlite(let statement):
            return SQLiteRowReading.integer(statement, index)
        case .row(let row):
            guard index < row.values.count, case .integer(let value) = row.values[index] else { return nil }
            return value
        }
    }

    /// Whether column `index` (0-based) is NULL.
    public func isNull(at index: Int) -> Bool {
        switch source {
        case .sqlite(let statement):
            return SQLiteRowReading.isNull(statement, index)
        case .row(let row):
            guard index < row.values.count, case .null = row.values[index] else { return false }
            return true
        }
    }

    /// The text in column `index` (0-based), copied into a `String`; nil for NULL or a value of
    /// another type. ``withText(at:_:)`` reads it without the copy.
    public func text(at index: Int) -> String? {
        withText(at: index) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// Calls `body` with the UTF-8 bytes of the text in column `index` (0-based), or with nil for
    /// NULL or a value of another type. The bytes are valid only inside `body`.
    public func withText<Result>(at index: Int, _ body: (UnsafeRawBufferPointer?) throws -> Result) rethrows -> Result {
        switch source {
        case .sqlite(let statement):
            return try body(SQLiteRowReading.text(statement, index))
        case .row(let row):
            guard index < row.values.count, case .text(var text) = row.values[index] else { return try body(nil) }
            return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        }
    }
}

extension SQLConnection {
    /// Runs one query and folds its rows into `initial` as they are read, without materializing
    /// them: for scans over many rows (verifying an audit chain, exporting a table).
    ///
    /// The default reads every row into memory first (``query(_:_:)``) and then folds; SQLite
    /// folds while it steps the statement, allocating nothing per row.
    ///
    /// - Parameters:
    ///   - sql: the query, with `?` placeholders.
    ///   - arguments: one value per placeholder.
    ///   - initial: the state before the first row.
    ///   - body: updates the state from one row; returns false to stop reading.
    /// - Returns: the state after the last row read.
    public func reduceRows<State: Sendable>(
        _ sql: String, _ arguments: [SQLValue], into initial: State,
        _ body: @escaping @Sendable (inout State, borrowing SQLRowView) throws -> Bool
    ) async throws -> State {
        if let sqlite = self as? SQLiteConnection {
            return try await sqlite.reduceRowsInPlace(sql, arguments, into: initial, body)
        }
        var state = initial
        for row in try await query(sql, arguments) {
            guard try body(&state, SQLRowView(.row(row))) else { break }
        }
        return state
    }
}
