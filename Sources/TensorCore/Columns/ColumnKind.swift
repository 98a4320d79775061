/// The storage type of a ``Column``: what one cell of it holds.
///
/// Readers infer a kind per column (see ``CSVReader``), and callers can force one through the
/// `schema` option of ``CSVReadOptions`` or ``JSONLinesReadOptions``.
public enum ColumnKind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// 64-bit floating-point numbers (``DoubleColumn``).
    case double
    /// Dictionary-encoded strings (``CategoricalColumn``).
    case categorical
    /// Instants as Int64 microseconds since the Unix epoch, UTC (``TimestampColumn``).
    case timestamp

    /// The raw name, for example `double`.
    public var description: String { rawValue }
}
