import Foundation

// MARK: - Equality

extension HeavyHitters: Hashable {
    /// Two sketches are equal when they have the same capacity and total weight and monitor
    /// the same keys with the same counters, regardless of internal order.
    public static func == (lhs: HeavyHitters, rhs: HeavyHitters) -> Bool {
        guard lhs.capacity == rhs.capacity, lhs.totalWeight == rhs.totalWeight,
            lhs.keys.count == rhs.keys.count
        else { return false }
        for i in lhs.keys.indices {
            guard let j = rhs.slots[lhs.keys[i]], rhs.counts[j] == lhs.counts[i], rhs.errors[j] == lhs.errors[i]
            else { return false }
        }
        return true
    }

    /// Hashes the same content that ``==(_:_:)`` compares, independently of order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(capacity)
        hasher.combine(totalWeight)
        hasher.combine(keys.count)
        var combined = 0
        for i in keys.indices {
            var h = Hasher()
            h.combine(keys[i])
            h.combine(counts[i])
            h.combine(errors[i])
            combined &+= h.finalize()
        }
        hasher.combine(combined)
    }
}

// MARK: - Validation shared by the decoders

extension HeavyHitters {
    /// Rebuilds a sketch from its fields, checking every invariant the guarantee relies on.
    init(
        validating capacity: Int, totalWeight: UInt64, keys: [Key], counts: [UInt64], errors: [UInt64],
        corrupted: (String) -> SketchError
    ) throws(SketchError) {
        guard capacity >= 1 && capacity <= HeavyHitters.maxCapacity else {
            throw corrupted("the capacity is \(capacity), outside 1...\(HeavyHitters.maxCapacity)")
        }
        guard keys.count == counts.count && keys.count == errors.count else {
            throw corrupted("there are \(keys.count) keys, \(counts.count) counts and \(errors.count) errors")
        }
        guard keys.count <= capacity else {
            throw corrupted("there are \(keys.count) keys but the capacity is \(capacity)")
        }
        var sum: UInt64 = 0
        for i in keys.indices {
            guard counts[i] > 0 else { throw corrupted("entry \(i) has a zero count") }
            guard errors[i] <= counts[i] else {
                throw corrupted("entry \(i) has overestimate \(errors[i]) above its count \(counts[i])")
            }
            let (s, overflow) = sum.addingReportingOverflow(counts[i])
            guard !overflow else { throw corrupted("the counts overflow UInt64") }
            sum = s
        }
        guard sum <= totalWeight else {
            throw corrupted("the counts add up to \(sum), more than the total weight \(totalWeight)")
        }
        self.init(validCapacity: capacity)
        self.totalWeight = totalWeight
        self.keys = keys
        self.counts = counts
        self.errors = errors
        rebuildIndex()
        guard slots.count == keys.count else { throw corrupted("a key appears more than once") }
    }
}

// MARK: - Codable

extension HeavyHitters: Codable {
    enum CodingKeys: String, CodingKey {
        case capacity, totalWeight, keys, counts, maxOverestimates
    }

    /// Decodes a sketch from a keyed container with fields `capacity`, `totalWeight`,
    /// `keys` (array of `Key`), `counts` and `maxOverestimates` (arrays of UInt64, parallel
    /// to `keys`), validating every invariant.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: Decoding errors, or `DecodingError.dataCorrupted` with the
    ///   ``SketchError`` message when the fields are inconsistent.
    /// - Complexity: O(m).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let capacity = try c.decode(Int.self, forKey: .capacity)
        let total = try c.decode(UInt64.self, forKey: .totalWeight)
        let keys = try c.decode([Key].self, forKey: .keys)
        let counts = try c.decode([UInt64].self, forKey: .counts)
        let errors = try c.decode([UInt64].self, forKey: .maxOverestimates)
        do throws(SketchError) {
            try self.init(
                validating: capacity, totalWeight: total, keys: keys, counts: counts, errors: errors,
                corrupted: { what in
                    SketchError(
                        .corrupted,
                        "The encoded HeavyHitters is corrupt: \(what); encode it unmodified with HeavyHitters.encode(to:).")
                })
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    /// Encodes the sketch as a keyed container (see ``init(from:)`` for the fields).
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Errors from the encoder or from encoding a key.
    /// - Complexity: O(m).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(capacity, forKey: .capacity)
        try c.encode(totalWeight, forKey: .totalWeight)
        try c.encode(heap.map { keys[$0] }, forKey: .keys)
        try c.encode(heap.map { counts[$0] }, forKey: .counts)
        try c.encode(heap.map { errors[$0] }, forKey: .maxOverestimates)
    }
}

// MARK: - Binary form

extension HeavyHitters {
    /// Magic tag "HHS" that starts the binary form.
    static var magic: [UInt8] { Array("HHS".utf8) }
    /// The binary format version written by `serialized()`.
    public static var serialVersion: UInt8 { 1 }

    /// Writes the binary form with a key-specific encoding.
    ///
    /// Layout: `"HHS"`, version `1`, key kind (UInt8: 1 = UTF-8 string, 2 = Int64),
    /// capacity (UInt32), total weight (UInt64), entry count E (UInt32), then E entries
    /// of count (UInt64), max overestimate (UInt64) and key (string: UInt32 byte length +
    /// UTF-8 bytes; Int64: 8 bytes), all little-endian, in heap order.
    func serialized(keyKind: UInt8, writeKey: (Key, inout SketchByteWriter) -> Void) -> [UInt8] {
        var w = SketchByteWriter(magic: HeavyHitters.magic, version: HeavyHitters.serialVersion, reserving: 17 + 24 * keys.count)
        w.write(keyKind)
        w.write(UInt32(capacity))
        w.write(totalWeight)
        w.write(UInt32(keys.count))
        for i in heap {
            w.write(counts[i])
            w.write(errors[i])
            writeKey(keys[i], &w)
        }
        return w.bytes
    }

    /// Reads the binary form written by ``serialized(keyKind:writeKey:)``.
    init(
        serialized bytes: some Collection<UInt8>, keyKind: UInt8, keyKindName: String,
        readKey: (inout SketchByteReader, Int) throws(SketchError) -> Key
    ) throws(SketchError) {
        var r = try SketchByteReader(
            bytes, magic: HeavyHitters.magic, supportedVersion: HeavyHitters.serialVersion, typeName: "HeavyHitters")
        let kind = try r.readUInt8("key kind")
        guard kind == keyKind else {
            throw SketchError(
                .incompatibleSketches,
                "The HeavyHitters bytes hold keys of kind \(kind) but HeavyHitters<\(keyKindName)> reads kind \(keyKind) (1 = String, 2 = Int64); deserialize with the key type it was written with.")
        }
        let capacity = Int(try r.readUInt32("capacity"))
        guard capacity >= 1 && capacity <= HeavyHitters.maxCapacity else {
            throw r.corrupted("the capacity is \(capacity), outside 1...\(HeavyHitters.maxCapacity)")
        }
        let total = try r.readUInt64("total weight")
        let entryCount = Int(try r.readUInt32("entry count"))
        guard entryCount <= capacity else {
            throw r.corrupted("there are \(entryCount) entries but the capacity is \(capacity)")
        }
        // Each entry takes at least 16 bytes; reject impossible counts before allocating.
        guard r.remaining >= 16 * entryCount else {
            throw SketchError(
                .truncated,
                "The HeavyHitters bytes have \(r.remaining) bytes left but \(entryCount) entries need at least \(16 * entryCount); pass the complete serialized bytes.")
        }
        var keys: [Key] = []
        var counts: [UInt64] = []
        var errors: [UInt64] = []
        keys.reserveCapacity(entryCount)
        counts.reserveCapacity(entryCount)
        errors.reserveCapacity(entryCount)
        for i in 0..<entryCount {
            counts.append(try r.readUInt64("count of entry \(i)"))
            errors.append(try r.readUInt64("overestimate of entry \(i)"))
            keys.append(try readKey(&r, i))
        }
        try r.finish()
        let reader = r
        try self.init(
            validating: capacity, totalWeight: total, keys: keys, counts: counts, errors: errors,
            corrupted: { reader.corrupted($0) })
    }
}

extension HeavyHitters where Key == String {
    /// Returns the compact binary form of a sketch with `String` keys.
    ///
    /// Layout (little-endian): `"HHS"`, version `1`, key kind `1`, capacity (UInt32),
    /// total weight (UInt64), entry count E (UInt32), then E entries of count (UInt64),
    /// max overestimate (UInt64), key byte length (UInt32) and the key's UTF-8 bytes.
    ///
    /// - Returns: The bytes, readable by `init(serialized:)` on any platform.
    /// - Complexity: O(m + total key length).
    public func serialized() -> [UInt8] {
        serialized(keyKind: 1) { key, w in
            let utf8 = Array(key.utf8)
            w.write(UInt32(truncatingIfNeeded: utf8.count))
            w.write(contentsOf: utf8)
        }
    }

    /// Reads a sketch with `String` keys from its binary form, validating every field.
    ///
    /// - Parameter bytes: The output of `serialized()`.
    /// - Throws: ``SketchError`` (``SketchError/Code/truncated``, ``SketchError/Code/badMagic``,
    ///   ``SketchError/Code/unsupportedVersion``, ``SketchError/Code/corrupted`` for
    ///   malformed bytes, invalid UTF-8 or duplicate keys, or
    ///   ``SketchError/Code/incompatibleSketches`` for bytes written with `Int64` keys).
    /// - Complexity: O(bytes.count).
    public init(serialized bytes: some Collection<UInt8>) throws(SketchError) {
        try self.init(serialized: bytes, keyKind: 1, keyKindName: "String") { (r: inout SketchByteReader, i: Int) throws(SketchError) -> String in
            let length = Int(try r.readUInt32("key length of entry \(i)"))
            let raw = try r.readBytes(length, field: "key of entry \(i)")
            guard let key = String(validating: raw, as: UTF8.self) else {
                throw r.corrupted("the key of entry \(i) is not valid UTF-8")
            }
            return key
        }
    }
}

extension HeavyHitters where Key == Int64 {
    /// Returns the compact binary form of a sketch with `Int64` keys.
    ///
    /// Layout (little-endian): `"HHS"`, version `1`, key kind `2`, capacity (UInt32),
    /// total weight (UInt64), entry count E (UInt32), then E entries of count (UInt64),
    /// max overestimate (UInt64) and key (8 bytes).
    ///
    /// - Returns: The bytes, readable by `init(serialized:)` on any platform.
    /// - Complexity: O(m).
    public func serialized() -> [UInt8] {
        serialized(keyKind: 2) { key, w in w.write(UInt64(bitPattern: key)) }
    }

    /// Reads a sketch with `Int64` keys from its binary form, validating every field.
    ///
    /// - Parameter bytes: The output of `serialized()`.
    /// - Throws: ``SketchError`` as the `String` variant.
    /// - Complexity: O(bytes.count).
    public init(serialized bytes: some Collection<UInt8>) throws(SketchError) {
        try self.init(serialized: bytes, keyKind: 2, keyKindName: "Int64") { (r: inout SketchByteReader, i: Int) throws(SketchError) -> Int64 in
            Int64(bitPattern: try r.readUInt64("key of entry \(i)"))
        }
    }
}
