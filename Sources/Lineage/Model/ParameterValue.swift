/// A typed parameter of a run: the learning rate is a number, the model family a string.
public enum ParameterValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// An integer.
    case int(Int64)
    /// A floating-point number.
    case double(Double)
    /// A boolean.
    case bool(Bool)
    /// Text.
    case string(String)

    /// The value as text, the way it is shown and compared with string filters.
    public var description: String {
        switch self {
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        case .string(let value): value
        }
    }

    /// The value as a number, for numeric filters (`params.lr < 0.1`); nil for text.
    public var numericValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        case .bool(let value): value ? 1 : 0
        case .string: nil
        }
    }

    /// The stored type name: `int`, `double`, `bool` or `string`.
    public var typeName: String {
        switch self {
        case .int: "int"
        case .double: "double"
        case .bool: "bool"
        case .string: "string"
        }
    }

    /// Equal when of the same type and value; doubles compare by bit pattern, so a NaN equals itself.
    public static func == (lhs: ParameterValue, rhs: ParameterValue) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a.bitPattern == b.bitPattern || a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        default: false
        }
    }

    /// Hashes consistently with `==` (zero by value, so 0.0 and -0.0 hash alike).
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .int(let value): hasher.combine(0); hasher.combine(value)
        case .double(let value): hasher.combine(1); hasher.combine(value == 0 ? 0 : value.bitPattern)
        case .bool(let value): hasher.combine(2); hasher.combine(value)
        case .string(let value): hasher.combine(3); hasher.combine(value)
        }
    }

    /// Rebuilds a value from its stored type name and text; nil when they do not fit.
    public init?(typeName: String, text: String) {
        switch typeName {
        case "int": guard let value = Int64(text) else { return nil }; self = .int(value)
        case "double": guard let value = Double(text) else { return nil }; self = .double(value)
        case "bool": self = .bool(text == "true")
        case "string": self = .string(text)
        default: return nil
        }
    }
}

extension ParameterValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByStringLiteral {
    /// An integer parameter.
    public init(integerLiteral value: Int64) { self = .int(value) }
    /// A floating-point parameter.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A boolean parameter.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// A text parameter.
    public init(stringLiteral value: String) { self = .string(value) }
}
