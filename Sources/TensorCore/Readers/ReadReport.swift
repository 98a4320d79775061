/// What a reader did: how many rows it kept and skipped, and why it skipped the first few.
///
/// ``CSVReader/readAll(path:options:)`` returns the report of the whole file; a streaming
/// reader's ``CSVReader/report`` (or ``JSONLinesReader/report``) grows with every chunk.
public struct ReadReport: Sendable, Hashable, CustomStringConvertible {
    /// Rows delivered in tables so far.
    public var rowsRead: Int
    /// Rows dropped under ``BadRowPolicy/skip``.
    public var rowsSkipped: Int
    /// The reasons of the first skipped rows, in file order (at most the reader's
    /// `maxRecordedSkipReasons`, 10 by default).
    public var skipReasons: [TableError]

    /// Creates a report.
    ///
    /// - Parameters:
    ///   - rowsRead: Rows delivered.
    ///   - rowsSkipped: Rows dropped.
    ///   - skipReasons: The reasons of the first dropped rows.
    /// - Complexity: O(1).
    public init(rowsRead: Int = 0, rowsSkipped: Int = 0, skipReasons: [TableError] = []) {
        self.rowsRead = rowsRead
        self.rowsSkipped = rowsSkipped
        self.skipReasons = skipReasons
    }

    /// A one-line summary, for example `read 998 rows, skipped 2`.
    public var description: String {
        var text = "read \(rowsRead) rows, skipped \(rowsSkipped)"
        if let first = skipReasons.first { text += " (first: \(first))" }
        return text
    }
}
