import Foundation

/// One feature or source value: a number or a category (text).
///
/// In JSON a number is a JSON number and a category a JSON string, so stored rows and logs read
/// as plain JSON. Literals work: `let values: [String: FeatureValue] = ["spend_7d": 700, "country": "DE"]`.
public enum FeatureValue: Sendable, Hashable, Codable, CustomStringConvertible,
    ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    /// A number.
    case number(Double)
    /// A category.
    case text(String)

    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(stringLiteral value: String) { self = .text(value) }

    /// The number, if this is one.
    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The value as a category: text as is, a number as its text (see ``text(ofNumber:)``).
    public var category: String {
        switch self {
        case .number(let value): return Self.text(ofNumber: value)
        case .text(let text): return text
        }
    }

    /// The text a number stands for where text is expected (a key, a category): integers up to
    /// 2^53 without a decimal point, so `42` and `42.0` are the same; others in Swift's shortest
    /// round-trip form.
    public static func text(ofNumber value: Double) -> String {
        value == value.rounded() && abs(value) <= 9_007_199_254_740_992 ? String(Int64(value)) : String(value)
    }

    public var description: String {
        switch self {
        case .number(let value): return String(value)
        case .text(let text): return "\"\(text)\""
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try container.encode(value)
        case .text(let text): try container.encode(text)
        }
    }
}
