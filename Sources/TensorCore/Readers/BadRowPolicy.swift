/// What a reader does with a row that does not fit the table: a value of the wrong kind, the
/// wrong number of fields, a nested JSON value, or a malformed record.
public enum BadRowPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Stop and throw a ``TableError`` that names the line, the column and the value (the
    /// default). The reader then throws the same error from every later call.
    case fail
    /// Drop the row, count it in ``ReadReport/rowsSkipped`` and keep its reason (the first few)
    /// in ``ReadReport/skipReasons``.
    case skip
}
