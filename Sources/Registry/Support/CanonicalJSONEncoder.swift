import Foundation
import TensorCore

/// Encodes `Encodable` values as canonical JSON: object keys sorted by their UTF-8 bytes, no
/// whitespace, `/` left unescaped, dates as whole milliseconds since the Unix epoch, data as
/// base64, and non-finite numbers refused.
///
/// The bytes are exactly those of Foundation's `JSONEncoder` with `[.sortedKeys,
/// .withoutEscapingSlashes]`, a millisecond date strategy and `.base64` data (a differential
/// test holds the two to that over every registry record type), so hashes and signatures made
/// over records written by either stay valid.
///
/// Hand-written because canonical encoding is on the registry's write path: every mutation
/// encodes its records and audit entry, and Foundation's encoder (which builds a tree of boxed
/// values, then sorts and writes it) took a quarter of a version-plus-alias pair's time. This one
/// keeps each object's members in one array, writes scalars straight to bytes, and sorts each
/// object's keys once when it is written out.
struct CanonicalJSONEncoder: Sendable {
    init() {}

    /// The canonical JSON of `value`.
    ///
    /// - Throws: `EncodingError.invalidValue` for a NaN or infinite number (JSON cannot hold it),
    ///   with the coding path to it, or for a value that encodes nothing at all (as Foundation
    ///   refuses it); any error the value's own `encode(to:)` throws.
    func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        guard let top = try CanonicalEncoder.canonicalValue(value, parentPath: [], key: nil, whenEmpty: nil) else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: [], debugDescription: "Top-level \(Value.self) did not encode any values."))
        }
        var output: [UInt8] = []
        output.reserveCapacity(256)
        top.write(to: &output)
        return output
    }
}

/// One encoded JSON value. Objects and arrays are classes so a nested container can keep
/// filling its storage after it was attached to its parent.
enum CanonicalValue {
    case null
    case bool(Bool)
    /// A number or string already written as JSON text (quotes and escapes included).
    case literal([UInt8])
    case object(CanonicalObject)
    case array(CanonicalArray)
    /// What a super encoder encodes, read when the whole value is written (it may encode after
    /// its place was reserved).
    case pending(CanonicalEncoder)

    func write(to output: inout [UInt8]) {
        switch self {
        case .pending(let encoder): (encoder.slot ?? .object(CanonicalObject())).write(to: &output)
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .literal(let bytes): output.append(contentsOf: bytes)
        case .object(let object): object.write(to: &output)
        case .array(let array): array.write(to: &output)
        }
    }
}

final class CanonicalObject {
    var keys: [String] = []
    var values: [CanonicalValue] = []

    func set(_ key: String, _ value: CanonicalValue) {
        keys.append(key)
        values.append(value)
    }

    /// The object already set under `key` (a container asked for twice fills one object).
    func existingObject(_ key: String) -> CanonicalObject? {
        guard let index = keys.lastIndex(of: key), case .object(let object) = values[index] else { return nil }
        return object
    }

    /// The array already set under `key`.
    func existingArray(_ key: String) -> CanonicalArray? {
        guard let index = keys.lastIndex(of: key), case .array(let array) = values[index] else { return nil }
        return array
    }

    /// Writes the members in key order (UTF-8 bytes); a key set twice keeps its last value, as
    /// a dictionary-backed encoder would. (Keys are compared by their bytes: two spellings of
    /// one canonically equivalent key, which only a hand-written `encode(to:)` could produce,
    /// stay two members, where Foundation's dictionary would fold them.)
    func write(to output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        let order = keys.indices.sorted { a, b in
            let order = Self.compareBytes(keys[a], keys[b])
            return order == 0 ? a < b : order < 0
        }
        var first = true
        for (position, index) in order.enumerated() {
            // Of equal keys (adjacent after sorting), only the last set is written.
            if position + 1 < order.count, Self.compareBytes(keys[order[position + 1]], keys[index]) == 0 { continue }
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            CanonicalText.appendString(keys[index], to: &output)
            output.append(UInt8(ascii: ":"))
            values[index].write(to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }
}

extension CanonicalObject {
    /// Orders two keys by their UTF-8 bytes (negative, zero, positive), comparing memory in
    /// place: a key is usually a short ASCII name, and the sort compares each pair of them.
    static func compareBytes(_ left: String, _ right: String) -> Int {
        var (left, right) = (left, right)
        return left.withUTF8 { a in
            right.withUTF8 { b in
                let shared = min(a.count, b.count)
                if shared > 0, let x = a.baseAddress, let y = b.baseAddress {
                    let order = memcmp(x, y, shared)
                    if order != 0 { return Int(order) }
                }
                return a.count - b.count
            }
        }
    }
}

final class CanonicalArray {
    var values: [CanonicalValue] = []

    func write(to output: inout [UInt8]) {
        output.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            value.write(to: &output)
        }
        output.append(UInt8(ascii: "]"))
    }
}

/// JSON text for scalars, as Foundation's encoder writes it.
enum CanonicalText {
    static func string(_ text: String) -> CanonicalValue {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        appendString(text, to: &bytes)
        return .literal(bytes)
    }

    /// `"`, `\` and the control characters U+0000–U+001F escaped (short forms where JSON has
    /// them, else `\u00xx` in lowercase hex); everything else, `/` and U+007F included, as is.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case 0x08: output.append(contentsOf: #"\b"#.utf8)
            case 0x0C: output.append(contentsOf: #"\f"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    static func integer(_ value: some BinaryInteger) -> CanonicalValue {
        .literal(Array(String(value).utf8))
    }

    /// The shortest text that reads back as the same number (Swift's `description`), with a
    /// trailing `.0` dropped.
    static func floatingPoint<F: BinaryFloatingPoint & CustomStringConvertible>(
        _ value: F, at codingPath: @autoclosure () -> [any CodingKey]
    ) throws -> CanonicalValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: codingPath(), debugDescription: "Unable to encode \(F.self).\(value) directly in JSON."))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .literal(Array(text.utf8))
    }
}

/// The `Encoder` handed to each value: it fills `slot` with what the value encodes (nil while
/// it has encoded nothing).
///
/// The coding path (which only an error or a value's own `encode(to:)` reads) is kept as its
/// parent's path and the last key, and joined only when asked for: building it for every member
/// cost two array allocations each.
final class CanonicalEncoder: Encoder {
    let parentPath: [any CodingKey]
    let key: (any CodingKey)?
    var codingPath: [any CodingKey] { key.map { parentPath + [$0] } ?? parentPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var slot: CanonicalValue?

    init(parentPath: [any CodingKey], key: (any CodingKey)?) {
        self.parentPath = parentPath
        self.key = key
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: CanonicalObject
        if case .object(let existing)? = slot {
            object = existing
        } else {
            object = CanonicalObject()
            slot = .object(object)
        }
        return KeyedEncodingContainer(CanonicalKeyedContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: CanonicalArray
        if case .array(let existing)? = slot {
            array = existing
        } else {
            array = CanonicalArray()
            slot = .array(array)
        }
        return CanonicalUnkeyedContainer(array: array, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        CanonicalSingleValueContainer(encoder: self)
    }

    /// Encodes `value` into `slot`, with dates, data and URLs in the canonical forms.
    func encodeValue<Value: Encodable>(_ value: Value) throws {
        slot = try Self.canonicalValue(value, parentPath: parentPath, key: key)
    }

    /// The JSON of one value: scalars written directly, dates, data, URLs and decimals in their
    /// canonical forms, anything else through its own `encode(to:)` (`{}` when that encodes
    /// nothing, as Foundation writes it).
    static func canonicalValue<Value: Encodable>(_ value: Value, parentPath: [any CodingKey], key: (any CodingKey)?) throws -> CanonicalValue {
        // A nested value that encodes nothing is written `{}`, as Foundation writes it.
        try canonicalValue(value, parentPath: parentPath, key: key, whenEmpty: .object(CanonicalObject())) ?? .null
    }

    /// ``canonicalValue(_:parentPath:key:)``, with `whenEmpty` for a value that encodes nothing.
    /// `value` is at `key` under `parentPath` (at `parentPath` itself when `key` is nil).
    static func canonicalValue<Value: Encodable>(
        _ value: Value, parentPath: [any CodingKey], key: (any CodingKey)?, whenEmpty: CanonicalValue?
    ) throws -> CanonicalValue? {
        // Metatype checks first: a cast that is known to succeed is cheap, a failing one is not.
        if Value.self == String.self, let text = value as? String { return CanonicalText.string(text) }
        if Value.self == Double.self, let number = value as? Double {
            return try CanonicalText.floatingPoint(number, at: key.map { parentPath + [$0] } ?? parentPath)
        }
        if Value.self == Int.self, let number = value as? Int { return CanonicalText.integer(number) }
        if Value.self == Int64.self, let number = value as? Int64 { return CanonicalText.integer(number) }
        if Value.self == Bool.self, let flag = value as? Bool { return .bool(flag) }
        if Value.self == Date.self, let date = value as? Date { return CanonicalText.integer(date.millisecondsSince1970) }
        if Value.self == Data.self, let data = value as? Data { return CanonicalText.string(data.base64EncodedString()) }
        if Value.self == URL.self, let url = value as? URL { return CanonicalText.string(url.absoluteString) }
        if Value.self == Decimal.self, let decimal = value as? Decimal { return .literal(Array(decimal.description.utf8)) }
        let encoder = CanonicalEncoder(parentPath: parentPath, key: key)
        try value.encode(to: encoder)
        return encoder.slot ?? whenEmpty
    }
}

struct CanonicalKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: CanonicalObject
    let codingPath: [any CodingKey]

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    mutating func encodeNil(forKey key: Key) throws { object.set(key.stringValue, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { object.set(key.stringValue, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { object.set(key.stringValue, CanonicalText.string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        object.set(key.stringValue, try CanonicalText.floatingPoint(value, at: path(key)))
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        object.set(key.stringValue, try CanonicalText.floatingPoint(value, at: path(key)))
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { object.set(key.stringValue, CanonicalText.integer(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { object.set(key.stringValue, CanonicalText.integer(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { object.set(key.stringValue, CanonicalText.integer(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { object.set(key.stringValue, CanonicalText.integer(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { object.set(key.stringValue, CanonicalText.integer(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { object.set(key.stringValue, CanonicalText.integer(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { object.set(key.stringValue, CanonicalText.integer(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { object.set(key.stringValue, CanonicalText.integer(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { object.set(key.stringValue, CanonicalText.integer(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { object.set(key.stringValue, CanonicalText.integer(value)) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        object.set(key.stringValue, try CanonicalEncoder.canonicalValue(value, parentPath: codingPath, key: key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested: CanonicalObject
        if let existing = object.existingObject(key.stringValue) {
            nested = existing
        } else {
            nested = CanonicalObject()
            object.set(key.stringValue, .object(nested))
        }
        return KeyedEncodingContainer(CanonicalKeyedContainer<NestedKey>(object: nested, codingPath: path(key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested: CanonicalArray
        if let existing = object.existingArray(key.stringValue) {
            nested = existing
        } else {
            nested = CanonicalArray()
            object.set(key.stringValue, .array(nested))
        }
        return CanonicalUnkeyedContainer(array: nested, codingPath: path(key))
    }

    mutating func superEncoder() -> any Encoder {
        // Under the key "super", which `Key` itself may not have.
        let encoder = CanonicalEncoder(parentPath: codingPath, key: CanonicalIndexKey(name: "super"))
        object.set("super", .pending(encoder))
        return encoder
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let encoder = CanonicalEncoder(parentPath: codingPath, key: key)
        object.set(key.stringValue, .pending(encoder))
        return encoder
    }
}

struct CanonicalUnkeyedContainer: UnkeyedEncodingContainer {
    let array: CanonicalArray
    let codingPath: [any CodingKey]
    var count: Int { array.values.count }

    private var nextKey: CanonicalIndexKey { CanonicalIndexKey(index: array.values.count) }
    private var nextPath: [any CodingKey] { codingPath + [nextKey] }

    mutating func encodeNil() throws { array.values.append(.null) }
    mutating func encode(_ value: Bool) throws { array.values.append(.bool(value)) }
    mutating func encode(_ value: String) throws { array.values.append(CanonicalText.string(value)) }
    mutating func encode(_ value: Double) throws { array.values.append(try CanonicalText.floatingPoint(value, at: nextPath)) }
    mutating func encode(_ value: Float) throws { array.values.append(try CanonicalText.floatingPoint(value, at: nextPath)) }
    mutating func encode(_ value: Int) throws { array.values.append(CanonicalText.integer(value)) }
    mutating func encode(_ value: Int64) throws { array.values.append(CanonicalText.integer(value)) }
    mutating func encode(_ value: UInt64) throws { array.values.append(CanonicalText.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        array.values.append(try CanonicalEncoder.canonicalValue(value, parentPath: codingPath, key: nextKey))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        let nested = CanonicalObject()
        array.values.append(.object(nested))
        return KeyedEncodingContainer(CanonicalKeyedContainer<NestedKey>(object: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        let nested = CanonicalArray()
        array.values.append(.array(nested))
        return CanonicalUnkeyedContainer(array: nested, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = CanonicalEncoder(parentPath: codingPath, key: nextKey)
        array.values.append(.pending(encoder))
        return encoder
    }
}

struct CanonicalSingleValueContainer: SingleValueEncodingContainer {
    let encoder: CanonicalEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.slot = .null }
    mutating func encode(_ value: Bool) throws { encoder.slot = .bool(value) }
    mutating func encode(_ value: String) throws { encoder.slot = CanonicalText.string(value) }
    mutating func encode(_ value: Double) throws { encoder.slot = try CanonicalText.floatingPoint(value, at: codingPath) }
    mutating func encode(_ value: Float) throws { encoder.slot = try CanonicalText.floatingPoint(value, at: codingPath) }
    mutating func encode(_ value: Int) throws { encoder.slot = CanonicalText.integer(value) }
    mutating func encode(_ value: Int8) throws { encoder.slot = CanonicalText.integer(value) }
    mutating func encode(_ value: Int16) throws { encoder.slot = CanonicalText.integer(value) }
    mutating func encode(_ value: Int32) throws { encoder.slot = CanonicalText.integer(value) }
    mutating func encode(_ value: Int64) throws { encoder.slot = CanonicalText.integer(value) }
    mutating func encode(_ value: UInt) throws { encoder.slot = CanonicalText.integer(value) }
    mutating func encode(_ value: UInt8) throws { encoder.slot = CanonicalText.integer(value) }
    mutating func encode(_ value: UInt16) throws { encoder.slot = CanonicalText.integer(value) }
    mutating func encode(_ value: UInt32) throws { encoder.slot = CanonicalText.integer(value) }
    mutating func encode(_ value: UInt64) throws { encoder.slot = CanonicalText.integer(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value) }
}

/// A coding key of the encoder's own (for error paths): an array element's index, or `super`.
struct CanonicalIndexKey: CodingKey {
    private let name: String?
    let intValue: Int?
    /// Spelled out only when asked for (an error's path): most index keys are never read.
    var stringValue: String { name ?? "Index \(intValue ?? 0)" }

    init(index: Int) {
        name = nil
        intValue = index
    }

    init(name: String) {
        self.name = name
        intValue = nil
    }

    init?(stringValue: String) { self.init(name: stringValue) }
    init?(intValue: Int) { self.init(index: intValue) }
}
