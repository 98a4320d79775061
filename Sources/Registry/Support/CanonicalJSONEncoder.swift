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
/// writes every key and scalar once, as JSON text, into one byte arena as the value encodes
/// itself; an object keeps only where its keys and values lie in the arena, and is written out
/// in key order at the end (the keys compared in place, as bytes).
struct CanonicalJSONEncoder: Sendable {
    init() {}

    /// The canonical JSON of `value`.
    ///
    /// - Throws: `EncodingError.invalidValue` for a NaN or infinite number (JSON cannot hold it),
    ///   with the coding path to it, or for a value that encodes nothing at all (as Foundation
    ///   refuses it); any error the value's own `encode(to:)` throws.
    func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        if let record = value as? any CanonicalJSONRecord {
            var json = CanonicalJSONWriter()
            try record.writeCanonicalJSON(to: &json)
            return json.bytes
        }
        return try encodeThroughCodable(value)
    }

    /// ``encode(_:)`` through `value`'s `Encodable` conformance, even for a
    /// ``CanonicalJSONRecord`` (the tests hold the two paths to the same bytes).
    func encodeThroughCodable<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        let arena = CanonicalArena()
        guard let top = try CanonicalEncoder.canonicalValue(value, in: arena, parentPath: [], key: nil, emptyAsObject: false) else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: [], debugDescription: "Top-level \(Value.self) did not encode any values."))
        }
        var output: [UInt8] = []
        output.reserveCapacity(arena.bytes.count + 64)
        arena.bytes.withUnsafeBufferPointer { top.write(to: &output, from: $0) }
        return output
    }
}

/// The bytes one encoding writes as it goes: each key's UTF-8 (unescaped) and each scalar's JSON
/// text, in the order the value encodes them.
final class CanonicalArena {
    var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(512)
    }

    /// Appends `text`'s UTF-8 as it is; where it lies.
    func appendRaw(_ text: String) -> Range<Int> {
        let start = bytes.count
        bytes.append(contentsOf: text.utf8)
        return start..<bytes.count
    }

    /// Appends `text` as a JSON string (quotes and escapes included); where it lies.
    func appendString(_ text: String) -> CanonicalValue {
        let start = bytes.count
        CanonicalText.appendString(text, to: &bytes)
        return .text(start..<bytes.count)
    }

    /// Appends the decimal digits of `value`; where they lie.
    func appendInteger<Integer: BinaryInteger>(_ value: Integer) -> CanonicalValue {
        let start = bytes.count
        CanonicalText.appendInteger(value, to: &bytes)
        return .text(start..<bytes.count)
    }

    /// Appends JSON text already written; where it lies.
    func appendText(_ text: String) -> CanonicalValue {
        .text(appendRaw(text))
    }
}

/// One encoded JSON value. Objects and arrays are classes so a nested container can keep
/// filling its storage after it was attached to its parent.
enum CanonicalValue {
    case null
    case bool(Bool)
    /// A number or string written as JSON text (quotes and escapes included) in the arena.
    case text(Range<Int>)
    case object(CanonicalObject)
    case array(CanonicalArray)
    /// What a super encoder encodes, read when the whole value is written (it may encode after
    /// its place was reserved).
    case pending(CanonicalEncoder)

    func write(to output: inout [UInt8], from arena: UnsafeBufferPointer<UInt8>) {
        switch self {
        case .pending(let encoder): (encoder.slot ?? .object(CanonicalObject())).write(to: &output, from: arena)
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .text(let range): output.append(contentsOf: UnsafeBufferPointer(rebasing: arena[range]))
        case .object(let object): object.write(to: &output, from: arena)
        case .array(let array): array.write(to: &output, from: arena)
        }
    }
}

final class CanonicalObject {
    /// Each member: its key, as unescaped UTF-8 in the arena, and its value.
    var members: [(key: Range<Int>, value: CanonicalValue)] = []

    func set(_ key: Range<Int>, _ value: CanonicalValue) {
        // Room for a record's members at the first one: one allocation, not a growth per doubling.
        if members.isEmpty { members.reserveCapacity(24) }
        members.append((key, value))
    }

    /// The member set last under the key whose bytes are at `key` in `arena`.
    private func lastIndex(of key: String, in arena: CanonicalArena) -> Int? {
        var key = key
        return key.withUTF8 { wanted in
            arena.bytes.withUnsafeBufferPointer { bytes in
                members.lastIndex { Self.compare(UnsafeBufferPointer(rebasing: bytes[$0.key]), wanted) == 0 }
            }
        }
    }

    /// The object already set under `key` (a container asked for twice fills one object).
    func existingObject(_ key: String, in arena: CanonicalArena) -> CanonicalObject? {
        guard let index = lastIndex(of: key, in: arena), case .object(let object) = members[index].value else { return nil }
        return object
    }

    /// The array already set under `key`.
    func existingArray(_ key: String, in arena: CanonicalArena) -> CanonicalArray? {
        guard let index = lastIndex(of: key, in: arena), case .array(let array) = members[index].value else { return nil }
        return array
    }

    /// Orders two byte strings (negative, zero, positive).
    static func compare(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Int {
        let shared = min(left.count, right.count)
        if shared > 0, let a = left.baseAddress, let b = right.baseAddress {
            let order = memcmp(a, b, shared)
            if order != 0 { return Int(order) }
        }
        return left.count - right.count
    }

    /// Writes the members in key order (UTF-8 bytes); a key set twice keeps its last value, as
    /// a dictionary-backed encoder would. (Keys are compared by their bytes: two spellings of
    /// one canonically equivalent key, which only a hand-written `encode(to:)` could produce,
    /// stay two members, where Foundation's dictionary would fold them.)
    func write(to output: inout [UInt8], from arena: UnsafeBufferPointer<UInt8>) {
        output.append(UInt8(ascii: "{"))
        let members = members
        func key(_ index: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: arena[members[index].key]) }
        // The members' order, on the stack. Insertion sort, stable: an object has a handful of
        // members, often nearly in order.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: members.count) { order in
            for index in order.indices { order[index] = index }
            for position in order.indices.dropFirst() {
                let member = order[position]
                var slot = position
                while slot > 0, Self.compare(key(order[slot - 1]), key(member)) > 0 {
                    order[slot] = order[slot - 1]
                    slot -= 1
                }
                order[slot] = member
            }
            var first = true
            for position in order.indices {
                let index = order[position]
                // Of equal keys (adjacent after sorting), only the last set is written.
                if position + 1 < order.count, Self.compare(key(order[position + 1]), key(index)) == 0 { continue }
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                CanonicalText.appendString(utf8: key(index), to: &output)
                output.append(UInt8(ascii: ":"))
                members[index].value.write(to: &output, from: arena)
            }
        }
        output.append(UInt8(ascii: "}"))
    }
}

final class CanonicalArray {
    var values: [CanonicalValue] = []

    func write(to output: inout [UInt8], from arena: UnsafeBufferPointer<UInt8>) {
        output.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            value.write(to: &output, from: arena)
        }
        output.append(UInt8(ascii: "]"))
    }
}

/// JSON text for scalars, as Foundation's encoder writes it.
enum CanonicalText {
    /// `"`, `\` and the control characters U+0000–U+001F escaped (short forms where JSON has
    /// them, else `\u00xx` in lowercase hex); everything else, `/` and U+007F included, as is.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendString(utf8: $0, to: &output) }
    }

    /// ``appendString(_:to:)`` for text given as UTF-8; runs that need no escape are copied whole.
    static func appendString(utf8 bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var runStart = 0
        for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            runStart = index + 1
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case 0x08: output.append(contentsOf: #"\b"#.utf8)
            case 0x0C: output.append(contentsOf: #"\f"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            default:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        output.append(UInt8(ascii: "\""))
    }

    /// The decimal digits of `value`, with a leading `-` when it is negative.
    static func appendInteger<Integer: BinaryInteger>(_ value: Integer, to output: inout [UInt8]) {
        guard let small = Int64(exactly: value) else {
            output.append(contentsOf: String(value).utf8)
            return
        }
        if small < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = small.magnitude
        // At most 20 digits, written backwards into a fixed buffer.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var position = buffer.count
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            output.append(contentsOf: buffer[position...])
        }
    }

    /// The shortest text that reads back as the same number (Swift's `description`), with a
    /// trailing `.0` dropped.
    static func floatingPoint<F: BinaryFloatingPoint & CustomStringConvertible>(
        _ value: F, at codingPath: @autoclosure () -> [any CodingKey]
    ) throws -> String {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: codingPath(), debugDescription: "Unable to encode \(F.self).\(value) directly in JSON."))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}

/// The `Encoder` handed to each value: it fills `slot` with what the value encodes (nil while
/// it has encoded nothing).
///
/// The coding path (which only an error or a value's own `encode(to:)` reads) is kept as its
/// parent's path and the last key, and joined only when asked for: building it for every member
/// cost two array allocations each.
final class CanonicalEncoder: Encoder {
    let arena: CanonicalArena
    let parentPath: [any CodingKey]
    let key: (any CodingKey)?
    var codingPath: [any CodingKey] { key.map { parentPath + [$0] } ?? parentPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var slot: CanonicalValue?

    init(arena: CanonicalArena, parentPath: [any CodingKey], key: (any CodingKey)?) {
        self.arena = arena
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
        return KeyedEncodingContainer(CanonicalKeyedContainer<Key>(object: object, arena: arena, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: CanonicalArray
        if case .array(let existing)? = slot {
            array = existing
        } else {
            array = CanonicalArray()
            slot = .array(array)
        }
        return CanonicalUnkeyedContainer(array: array, arena: arena, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        CanonicalSingleValueContainer(encoder: self)
    }

    /// Encodes `value` into `slot`, with dates, data and URLs in the canonical forms.
    func encodeValue<Value: Encodable>(_ value: Value) throws {
        slot = try Self.canonicalValue(value, in: arena, parentPath: parentPath, key: key)
    }

    /// The JSON of one value: scalars written directly, dates, data, URLs and decimals in their
    /// canonical forms, anything else through its own `encode(to:)` (`{}` when that encodes
    /// nothing, as Foundation writes it).
    static func canonicalValue<Value: Encodable>(
        _ value: Value, in arena: CanonicalArena, parentPath: [any CodingKey], key: (any CodingKey)?
    ) throws -> CanonicalValue {
        // A nested value that encodes nothing is written `{}`, as Foundation writes it.
        try canonicalValue(value, in: arena, parentPath: parentPath, key: key, emptyAsObject: true) ?? .null
    }

    /// ``canonicalValue(_:in:parentPath:key:)``; a value that encodes nothing is `{}` with
    /// `emptyAsObject`, else nil. `value` is at `key` under `parentPath` (at `parentPath` itself
    /// when `key` is nil).
    static func canonicalValue<Value: Encodable>(
        _ value: Value, in arena: CanonicalArena, parentPath: [any CodingKey], key: (any CodingKey)?, emptyAsObject: Bool
    ) throws -> CanonicalValue? {
        // Metatype checks first: a cast that is known to succeed is cheap, a failing one is not.
        if Value.self == String.self, let text = value as? String { return arena.appendString(text) }
        if Value.self == Double.self, let number = value as? Double {
            return arena.appendText(try CanonicalText.floatingPoint(number, at: key.map { parentPath + [$0] } ?? parentPath))
        }
        if Value.self == Int.self, let number = value as? Int { return arena.appendInteger(number) }
        if Value.self == Int64.self, let number = value as? Int64 { return arena.appendInteger(number) }
        if Value.self == Bool.self, let flag = value as? Bool { return .bool(flag) }
        if Value.self == Date.self, let date = value as? Date { return arena.appendInteger(date.millisecondsSince1970) }
        if Value.self == Data.self, let data = value as? Data { return arena.appendString(data.base64EncodedString()) }
        if Value.self == URL.self, let url = value as? URL { return arena.appendString(url.absoluteString) }
        if Value.self == Decimal.self, let decimal = value as? Decimal { return arena.appendText(decimal.description) }
        let encoder = CanonicalEncoder(arena: arena, parentPath: parentPath, key: key)
        try value.encode(to: encoder)
        if let slot = encoder.slot { return slot }
        return emptyAsObject ? .object(CanonicalObject()) : nil
    }
}

struct CanonicalKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: CanonicalObject
    let arena: CanonicalArena
    let codingPath: [any CodingKey]

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }
    private func set(_ key: Key, _ value: CanonicalValue) { object.set(arena.appendRaw(key.stringValue), value) }

    mutating func encodeNil(forKey key: Key) throws { set(key, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(key, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws {
        let range = arena.appendRaw(key.stringValue)
        object.set(range, arena.appendString(value))
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        let text = try CanonicalText.floatingPoint(value, at: path(key))
        set(key, arena.appendText(text))
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        let text = try CanonicalText.floatingPoint(value, at: path(key))
        set(key, arena.appendText(text))
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { encodeInteger(value, forKey: key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { encodeInteger(value, forKey: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { encodeInteger(value, forKey: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { encodeInteger(value, forKey: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { encodeInteger(value, forKey: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { encodeInteger(value, forKey: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { encodeInteger(value, forKey: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { encodeInteger(value, forKey: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { encodeInteger(value, forKey: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { encodeInteger(value, forKey: key) }

    private func encodeInteger(_ value: some BinaryInteger, forKey key: Key) {
        let range = arena.appendRaw(key.stringValue)
        object.set(range, arena.appendInteger(value))
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        // The key first, so keys and values lie in the arena in the order they were encoded.
        let range = arena.appendRaw(key.stringValue)
        object.set(range, try CanonicalEncoder.canonicalValue(value, in: arena, parentPath: codingPath, key: key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested: CanonicalObject
        if let existing = object.existingObject(key.stringValue, in: arena) {
            nested = existing
        } else {
            nested = CanonicalObject()
            set(key, .object(nested))
        }
        return KeyedEncodingContainer(CanonicalKeyedContainer<NestedKey>(object: nested, arena: arena, codingPath: path(key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested: CanonicalArray
        if let existing = object.existingArray(key.stringValue, in: arena) {
            nested = existing
        } else {
            nested = CanonicalArray()
            set(key, .array(nested))
        }
        return CanonicalUnkeyedContainer(array: nested, arena: arena, codingPath: path(key))
    }

    mutating func superEncoder() -> any Encoder {
        // Under the key "super", which `Key` itself may not have.
        let encoder = CanonicalEncoder(arena: arena, parentPath: codingPath, key: CanonicalIndexKey(name: "super"))
        object.set(arena.appendRaw("super"), .pending(encoder))
        return encoder
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let encoder = CanonicalEncoder(arena: arena, parentPath: codingPath, key: key)
        set(key, .pending(encoder))
        return encoder
    }
}

struct CanonicalUnkeyedContainer: UnkeyedEncodingContainer {
    let array: CanonicalArray
    let arena: CanonicalArena
    let codingPath: [any CodingKey]
    var count: Int { array.values.count }

    private var nextKey: CanonicalIndexKey { CanonicalIndexKey(index: array.values.count) }
    private var nextPath: [any CodingKey] { codingPath + [nextKey] }

    mutating func encodeNil() throws { array.values.append(.null) }
    mutating func encode(_ value: Bool) throws { array.values.append(.bool(value)) }
    mutating func encode(_ value: String) throws { array.values.append(arena.appendString(value)) }
    mutating func encode(_ value: Double) throws { array.values.append(arena.appendText(try CanonicalText.floatingPoint(value, at: nextPath))) }
    mutating func encode(_ value: Float) throws { array.values.append(arena.appendText(try CanonicalText.floatingPoint(value, at: nextPath))) }
    mutating func encode(_ value: Int) throws { array.values.append(arena.appendInteger(value)) }
    mutating func encode(_ value: Int64) throws { array.values.append(arena.appendInteger(value)) }
    mutating func encode(_ value: UInt64) throws { array.values.append(arena.appendInteger(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        array.values.append(try CanonicalEncoder.canonicalValue(value, in: arena, parentPath: codingPath, key: nextKey))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        let nested = CanonicalObject()
        array.values.append(.object(nested))
        return KeyedEncodingContainer(CanonicalKeyedContainer<NestedKey>(object: nested, arena: arena, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        let nested = CanonicalArray()
        array.values.append(.array(nested))
        return CanonicalUnkeyedContainer(array: nested, arena: arena, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = CanonicalEncoder(arena: arena, parentPath: codingPath, key: nextKey)
        array.values.append(.pending(encoder))
        return encoder
    }
}

struct CanonicalSingleValueContainer: SingleValueEncodingContainer {
    let encoder: CanonicalEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    private var arena: CanonicalArena { encoder.arena }

    mutating func encodeNil() throws { encoder.slot = .null }
    mutating func encode(_ value: Bool) throws { encoder.slot = .bool(value) }
    mutating func encode(_ value: String) throws { encoder.slot = arena.appendString(value) }
    mutating func encode(_ value: Double) throws { encoder.slot = arena.appendText(try CanonicalText.floatingPoint(value, at: codingPath)) }
    mutating func encode(_ value: Float) throws { encoder.slot = arena.appendText(try CanonicalText.floatingPoint(value, at: codingPath)) }
    mutating func encode(_ value: Int) throws { encoder.slot = arena.appendInteger(value) }
    mutating func encode(_ value: Int8) throws { encoder.slot = arena.appendInteger(value) }
    mutating func encode(_ value: Int16) throws { encoder.slot = arena.appendInteger(value) }
    mutating func encode(_ value: Int32) throws { encoder.slot = arena.appendInteger(value) }
    mutating func encode(_ value: Int64) throws { encoder.slot = arena.appendInteger(value) }
    mutating func encode(_ value: UInt) throws { encoder.slot = arena.appendInteger(value) }
    mutating func encode(_ value: UInt8) throws { encoder.slot = arena.appendInteger(value) }
    mutating func encode(_ value: UInt16) throws { encoder.slot = arena.appendInteger(value) }
    mutating func encode(_ value: UInt32) throws { encoder.slot = arena.appendInteger(value) }
    mutating func encode(_ value: UInt64) throws { encoder.slot = arena.appendInteger(value) }
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
