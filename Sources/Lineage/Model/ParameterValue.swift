/// A typed parameter of a run: the learning rate is a number, the model family a string.
///
/// In JSON a parameter is its plain value: `60`, `0.5`, `true`, `"logistic"`; a NaN or infinite
/// double is the text `"NaN"`, `"Infinity"` or `"-Infinity"`. A plain value does not say whether
/// `60` was an integer or a double, so ``Run`` writes each parameter's ``typeName`` beside it
/// (`parameter_types`) and reads the values back with their types.
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

// MARK: - JSON

extension ParameterValue {
    /// Writes the plain value (a non-finite double as text, since JSON has no literal for it).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .double(let value):
            if value.isFinite { try container.encode(value) } else { try container.encode(Self.nonFiniteText(value)) }
        case .bool(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }

    /// Reads a plain value, its type guessed from the JSON (a whole number is an integer); ``Run``
    /// then gives each value its recorded type. Also reads the shape earlier
    /// builds wrote, `{"int": {"_0": 60}}`, which names the type itself.
    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: TypeKey.self), let key = keyed.allKeys.first {
            guard keyed.allKeys.count == 1 else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: keyed, debugDescription: "a parameter names one type, not \(keyed.allKeys.map(\.stringValue).sorted())")
            }
            let inner = try keyed.nestedContainer(keyedBy: TypeKey.self, forKey: key)
            let payload = TypeKey(stringValue: "_0")
            switch key.stringValue {
            case "int": self = .int(try inner.decode(Int64.self, forKey: payload))
            case "double":
                if let value = try? inner.decode(Double.self, forKey: payload) {
                    self = .double(value)
                } else {
                    let text = try inner.decode(String.self, forKey: payload)
                    guard let value = Self.nonFinite(text) else {
                        throw DecodingError.dataCorruptedError(forKey: payload, in: inner, debugDescription: "'\(text)' is not a double")
                    }
                    self = .double(value)
                }
            case "bool": self = .bool(try inner.decode(Bool.self, forKey: payload))
            case "string": self = .string(try inner.decode(String.self, forKey: payload))
            default:
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: keyed, debugDescription: "'\(key.stringValue)' is not a parameter type (int, double, bool or string)")
            }
            return
        }
        let container = try decoder.singleValueContainer()
        // Text first: a decoder set to read "NaN" as a double would otherwise turn the text
        // parameter "NaN" into a number.
        if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            // A negative zero (`-0.0`) reads as the integer 0 too, but only a double can be one.
            if value == 0, let double = try? container.decode(Double.self), double.sign == .minus {
                self = .double(double)
            } else {
                self = .int(value)
            }
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a parameter is a number, a boolean or text")
        }
    }

    /// The value as `typeName` says it was recorded, or nil when it cannot be: JSON writes the
    /// double 60.0 as `60` and a NaN as `"NaN"`, which read back as an integer and as text.
    func retyped(as typeName: String) -> ParameterValue? {
        if typeName == self.typeName { return self }
        switch (typeName, self) {
        case ("double", .int(let value)): return .double(Double(value))
        case ("double", .string(let text)): return Self.nonFinite(text).map(ParameterValue.double)
        case ("int", .double(let value)):
            guard let exact = Int64(exactly: value) else { return nil }
            return .int(exact)
        default: return nil
        }
    }

    private struct TypeKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static func nonFiniteText(_ value: Double) -> String {
        value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity")
    }

    private static func nonFinite(_ text: String) -> Double? {
        switch text {
        case "NaN": .nan
        case "Infinity": .infinity
        case "-Infinity": -.infinity
        default: nil
        }
    }
}
