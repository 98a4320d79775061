/// A value bound to, or read from, a SQL statement.
///
/// The five storage classes both drivers agree on. Literals build values directly:
/// `["fraud", 3, 0.91, nil]` is an array of `SQLValue`.
public enum SQLValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// A 64-bit signed integer (SQLite INTEGER, PostgreSQL BIGINT/INTEGER/SMALLINT/BOOLEAN).
    case integer(Int64)
    /// A double (SQLite REAL, PostgreSQL DOUBLE PRECISION/REAL/NUMERIC).
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Raw bytes (SQLite BLOB, PostgreSQL BYTEA).
    case blob([UInt8])

    /// Whether this is SQL NULL.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the storage class, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .integer: "integer"
        case .real: "real"
        case .text: "text"
        case .blob: "blob"
        }
    }
}

extension SQLValue: ExpressibleByNilLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByBooleanLiteral
{
    /// SQL NULL.
    public init(nilLiteral: ()) { self = .null }
    /// An integer value.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// A real value.
    public init(floatLiteral value: Double) { self = .real(value) }
    /// A text value.
    public init(stringLiteral value: String) { self = .text(value) }
    /// A boolean stored as the integer 1 or 0.
    public init(booleanLiteral value: Bool) { self = .integer(value ? 1 : 0) }
}
