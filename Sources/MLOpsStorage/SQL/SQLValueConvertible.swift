/// A Swift type that converts to and from a ``SQLValue``.
///
/// `Int`, `Int64`, `Int32`, `Double`, `Float`, `Bool`, `String`, `[UInt8]` and `Optional`s of them conform.
public protocol SQLValueConvertible: Sendable {
    /// The value to bind.
    var sqlValue: SQLValue { get }
    /// Reads the value back, or `nil` when the stored value has another type.
    init?(sqlValue: SQLValue)
}

extension Int64: SQLValueConvertible {
    /// The integer as ``SQLValue/integer(_:)``.
    public var sqlValue: SQLValue { .integer(self) }
    /// Reads an integer; a real with no fractional part is accepted too.
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .integer(let value): self = value
        case .real(let value) where value.rounded() == value && abs(value) < 9.2e18: self = Int64(value)
        default: return nil
        }
    }
}

extension Int: SQLValueConvertible {
    /// The integer as ``SQLValue/integer(_:)``.
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    /// Reads an integer.
    public init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self = Int(value)
    }
}

extension Int32: SQLValueConvertible {
    /// The integer as ``SQLValue/integer(_:)``.
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    /// Reads an integer that fits in 32 bits.
    public init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue), let narrow = Int32(exactly: value) else { return nil }
        self = narrow
    }
}

extension Double: SQLValueConvertible {
    /// The double as ``SQLValue/real(_:)``.
    public var sqlValue: SQLValue { .real(self) }
    /// Reads a real; integers convert.
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        default: return nil
        }
    }
}

extension Float: SQLValueConvertible {
    /// The float as ``SQLValue/real(_:)``.
    public var sqlValue: SQLValue { .real(Double(self)) }
    /// Reads a real; integers convert.
    public init?(sqlValue: SQLValue) {
        guard let value = Double(sqlValue: sqlValue) else { return nil }
        self = Float(value)
    }
}

extension Bool: SQLValueConvertible {
    /// The boolean as the integer 1 or 0.
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    /// Reads 0 as false and any other integer as true.
    public init?(sqlValue: SQLValue) {
        guard case .integer(let value) = sqlValue else { return nil }
        self = value != 0
    }
}

extension String: SQLValueConvertible {
    /// The string as ``SQLValue/text(_:)``.
    public var sqlValue: SQLValue { .text(self) }
    /// Reads text.
    public init?(sqlValue: SQLValue) {
        guard case .text(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Array: SQLValueConvertible where Element == UInt8 {
    /// The bytes as ``SQLValue/blob(_:)``.
    public var sqlValue: SQLValue { .blob(self) }
    /// Reads a blob.
    public init?(sqlValue: SQLValue) {
        guard case .blob(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Optional: SQLValueConvertible where Wrapped: SQLValueConvertible {
    /// The wrapped value, or ``SQLValue/null``.
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
    /// Reads NULL as `nil`, otherwise the wrapped type.
    public init?(sqlValue: SQLValue) {
        if case .null = sqlValue {
            self = .none
        } else if let value = Wrapped(sqlValue: sqlValue) {
            self = .some(value)
        } else {
            return nil
        }
    }
}

extension SQLValue: SQLValueConvertible {
    /// The value itself.
    public var sqlValue: SQLValue { self }
    /// The value itself.
    public init?(sqlValue: SQLValue) { self = sqlValue }
}
