import Foundation
import TensorCore

/// A record that writes its canonical JSON itself, member by member in key order, instead of
/// through `Encodable`.
///
/// Only the records every registry mutation writes conform (a version, its identity, an alias
/// and its history entry): through `Encodable` those four took about 18 µs of a
/// version-plus-alias pair (boxed keyed containers, a metadata look-up and a cast per member);
/// written directly, the pair got about 20 µs faster and 47 heap allocations lighter
/// (Documentation/Benchmarks.md). ``CanonicalJSONEncoder`` uses the conformance
/// wherever one of them is encoded, so the bytes are held to Foundation's by the same
/// differential test as every other record's, and to the `Encodable` path by a test of their
/// own.
protocol CanonicalJSONRecord: Encodable {
    /// Writes the record as one JSON object, its members in the order of their keys' UTF-8 bytes.
    ///
    /// - Throws: `EncodingError.invalidValue` for a NaN or infinite number, as the `Encodable`
    ///   path throws it.
    func writeCanonicalJSON(to json: inout CanonicalJSONWriter) throws
}

/// Writes canonical JSON straight into bytes: objects whose keys the caller gives in their
/// order, scalars as ``CanonicalText`` spells them, maps sorted by their keys' UTF-8 bytes, and
/// any other value through ``CanonicalJSONEncoder``.
struct CanonicalJSONWriter {
    /// What was written so far.
    private(set) var bytes: [UInt8] = []
    /// No member is written yet in the innermost open object.
    private var atFirstMember = true
    #if DEBUG
    /// The last key of each open object, to check that keys come in order (debug builds: the
    /// tests).
    private var lastKeys: [[UInt8]] = []
    #endif

    init() {
        bytes.reserveCapacity(512)
    }

    /// An object whose members `body` writes, each ``key(_:)`` followed by one value.
    mutating func object(_ body: (inout CanonicalJSONWriter) throws -> Void) rethrows {
        bytes.append(UInt8(ascii: "{"))
        let outerFirst = atFirstMember
        atFirstMember = true
        #if DEBUG
        lastKeys.append([])
        #endif
        try body(&self)
        #if DEBUG
        lastKeys.removeLast()
        #endif
        atFirstMember = outerFirst
        bytes.append(UInt8(ascii: "}"))
    }

    /// Starts a member of the open object: `name` is plain ASCII that JSON need not escape, and
    /// comes after the object's previous key in byte order.
    mutating func key(_ name: StaticString) {
        let utf8 = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        #if DEBUG
        assert(lastKeys[lastKeys.count - 1].lexicographicallyPrecedes(utf8) || lastKeys[lastKeys.count - 1].isEmpty, "key \(name) is out of order")
        lastKeys[lastKeys.count - 1] = Array(utf8)
        #endif
        if !atFirstMember { bytes.append(UInt8(ascii: ",")) }
        atFirstMember = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: utf8)
        bytes.append(contentsOf: "\":".utf8)
    }

    mutating func null() {
        bytes.append(contentsOf: "null".utf8)
    }

    mutating func string(_ text: String) {
        CanonicalText.appendString(text, to: &bytes)
    }

    /// `text`, or `null`.
    mutating func string(_ text: String?) {
        if let text { string(text) } else { null() }
    }

    mutating func integer(_ value: some BinaryInteger) {
        CanonicalText.appendInteger(value, to: &bytes)
    }

    /// `value`, or `null`.
    mutating func integer(_ value: Int?) {
        if let value { integer(value) } else { null() }
    }

    /// Whole milliseconds since the Unix epoch, as every registry record keeps its times.
    mutating func date(_ date: Date) {
        CanonicalText.appendInteger(date.millisecondsSince1970, to: &bytes)
    }

    /// A map of texts, as an object sorted by its keys' UTF-8 bytes.
    mutating func strings(_ map: [String: String]) {
        sortedObject(map) { json, _, value in json.string(value) }
    }

    /// A map of finite numbers, as an object sorted by its keys' UTF-8 bytes.
    ///
    /// - Throws: `EncodingError.invalidValue` for a NaN or infinite number, its coding path
    ///   `key` and the member's key.
    mutating func numbers(_ map: [String: Double], at key: some CodingKey) throws {
        try sortedObject(map) { json, member, value in
            json.bytes.append(contentsOf: try CanonicalText.floatingPoint(value, at: [key, CanonicalIndexKey(name: member)]).utf8)
        }
    }

    /// `value` through ``CanonicalJSONEncoder`` (a nested record with a shape of its own), or
    /// `null`; an error's coding path starts at `key`.
    mutating func encodable<Value: Encodable>(_ value: Value?, at key: some CodingKey) throws {
        guard let value else { return null() }
        let arena = CanonicalArena()
        let top = try CanonicalEncoder.canonicalValue(value, in: arena, parentPath: [], key: key)
        arena.bytes.withUnsafeBufferPointer { top.write(to: &bytes, from: $0) }
    }

    /// An object of `map`'s members in the order of their keys' bytes, each value written by
    /// `write`.
    private mutating func sortedObject<Value>(
        _ map: [String: Value], _ write: (inout CanonicalJSONWriter, String, Value) throws -> Void
    ) rethrows {
        guard !map.isEmpty else { return bytes.append(contentsOf: "{}".utf8) }
        bytes.append(UInt8(ascii: "{"))
        for (index, member) in map.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(member.key)
            bytes.append(UInt8(ascii: ":"))
            try write(&self, member.key, member.value)
        }
        bytes.append(UInt8(ascii: "}"))
    }
}
