/// An optional value that JSON always shows: encoded as `null` when absent (or, for a
/// floating-point value, when it is NaN or infinite, which JSON cannot hold), and decoded as
/// absent from `null` or a missing key.
///
/// Swift's synthesized `Codable` leaves nil optionals out of the JSON. Reports and command
/// outputs that people and scripts read want every key present, so the shape never depends on
/// the data; wrapping the optional properties keeps the synthesized conformance instead of a
/// hand-written `encode(to:)` per type:
///
/// ```swift
/// public struct ColumnSummary: Codable {
///     public var rows: Int
///     @ExplicitNull public var mean: Double?      // {"rows": 3, "mean": null}
/// }
/// ```
@propertyWrapper
public struct ExplicitNull<Value: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    /// The value, nil when absent.
    public var wrappedValue: Value?

    /// Wraps `wrappedValue`.
    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    /// Decodes `null` as absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    /// Encodes the value, or `null` when it is absent or a non-finite floating-point number.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        guard let value = wrappedValue, Self.isRepresentable(value) else {
            try container.encodeNil()
            return
        }
        try container.encode(value)
    }

    private static func isRepresentable(_ value: Value) -> Bool {
        switch value {
        case let number as Double: number.isFinite
        case let number as Float: number.isFinite
        default: true
        }
    }
}

extension KeyedDecodingContainer {
    /// Decodes an ``ExplicitNull`` whose key is missing as absent (synthesized `Codable` calls
    /// this overload for wrapped properties).
    public func decode<Value>(_ type: ExplicitNull<Value>.Type, forKey key: Key) throws -> ExplicitNull<Value> {
        try decodeIfPresent(type, forKey: key) ?? ExplicitNull(wrappedValue: nil)
    }
}
