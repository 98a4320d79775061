#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A hash set of byte strings that hands out dense codes (0, 1, 2, ...) in order of first
/// insertion, so a reader can dictionary-encode text without creating a `String` per field.
///
/// Each distinct entry is copied once into an arena and becomes one `String` (decoded as
/// UTF-8). Entries whose bytes are not valid UTF-8 are interned under their repaired form (with
/// U+FFFD), so that distinct codes always mean distinct strings.
struct ByteInterner: Sendable {
    /// The decoded strings, indexed by code.
    private(set) var strings: [String] = []
    /// The bytes of all entries, back to back.
    private var arena: [UInt8] = []
    /// Entry `i` occupies `arena[offsets[i] ..< offsets[i + 1]]`.
    private var offsets: [Int] = [0]
    /// The hash of each entry, for growth and removal.
    private var hashes: [UInt64] = []
    /// Open-addressing table, linear probing; its size is a power of two. A slot holds 0 when
    /// empty, else the entry's code + 1 in its low 32 bits and the high 32 bits of its hash in
    /// its high ones: a probe rejects most other entries without touching `hashes`, `offsets` or
    /// the arena (with millions of distinct entries each of those is a cache miss).
    private var slots: [UInt64] = [UInt64](repeating: 0, count: 16)

    @inline(__always)
    static func slotValue(code: Int32, hash: UInt64) -> UInt64 {
        (hash & 0xFFFF_FFFF_0000_0000) | UInt64(UInt32(bitPattern: code) &+ 1)
    }

    /// The number of entries.
    var count: Int { strings.count }

    /// A 64-bit hash of `count` bytes, eight at a time.
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= count {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < count {
            tail |= UInt64(p[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 29)
    }

    /// The code of `count` bytes at `p`, inserting them when new.
    ///
    /// - Returns: The code and whether it was inserted by this call.
    @inline(__always)
    mutating func intern(_ p: UnsafePointer<UInt8>, _ count: Int) -> (code: Int32, inserted: Bool) {
        let h = Self.hash(p, count)
        if let found = find(p, count, hash: h) { return (found.code, false) }
        return insert(p, count, hash: h, slot: emptySlot(for: h))
    }

    /// The code of `count` bytes at `p`, or `nil` when they were never interned.
    func lookup(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int32? {
        find(p, count, hash: Self.hash(p, count))?.code
    }

    /// The code and slot of the entry equal to the `count` bytes at `p` with hash `h`, if any.
    @inline(__always)
    private func find(_ p: UnsafePointer<UInt8>, _ count: Int, hash h: UInt64) -> (code: Int32, slot: Int)? {
        let mask = slots.count - 1
        let tag = h & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: h) & mask
        return slots.withUnsafeBufferPointer { table -> (code: Int32, slot: Int)? in
            while true {
                let value = table[slot]
                if value == 0 { return nil }
                if value & 0xFFFF_FFFF_0000_0000 == tag {
                    let c = Int(UInt32(truncatingIfNeeded: value) &- 1)
                    let start = offsets[c]
                    if offsets[c + 1] - start == count {
                        let equal = arena.withUnsafeBufferPointer { a -> Bool in
                            guard let base = a.baseAddress else { return count == 0 }
                            return Self.same(base + start, p, count)
                        }
                        if equal { return (Int32(truncatingIfNeeded: c), slot) }
                    }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Whether `count` bytes at `a` and `b` are equal: a plain loop for short keys (ids, codes,
    /// categories), where calling `memcmp` costs more than the comparison.
    @inline(__always)
    static func same(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        if count > 24 { return memcmp(a, b, count) == 0 }
        var i = 0
        while i < count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    /// The first empty slot on the probe path of hash `h`.
    @inline(__always)
    private func emptySlot(for h: UInt64) -> Int {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        return slot
    }

    /// Inserts a new entry at an empty slot (or re-interns its repaired UTF-8 form).
    @inline(never)
    private mutating func insert(_ p: UnsafePointer<UInt8>, _ count: Int, hash h: UInt64, slot: Int) -> (code: Int32, inserted: Bool) {
        let bytes = UnsafeBufferPointer(start: p, count: count)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            var repaired = String(decoding: bytes, as: UTF8.self)
            return repaired.withUTF8 { r -> (code: Int32, inserted: Bool) in
                guard let base = r.baseAddress else { return (0, false) }
                return intern(base, r.count)
            }
        }
        let code = Int32(truncatingIfNeeded: strings.count)
        strings.append(text)
        arena.append(contentsOf: bytes)
        offsets.append(arena.count)
        hashes.append(h)
        slots[slot] = Self.slotValue(code: code, hash: h)
        if strings.count * 2 > slots.count { grow() }
        return (code, true)
    }

    /// Doubles the table and reinserts every entry.
    private mutating func grow() {
        var table = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = table.count - 1
        for (code, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while table[slot] != 0 { slot = (slot + 1) & mask }
            table[slot] = Self.slotValue(code: Int32(truncatingIfNeeded: code), hash: h)
        }
        slots = table
    }

    /// Removes the most recently inserted entry (used to roll back a rejected row). Removing
    /// entries newest first keeps every remaining probe chain intact.
    mutating func removeLast() {
        guard let h = hashes.last else { return }
        let value = Self.slotValue(code: Int32(truncatingIfNeeded: hashes.count - 1), hash: h)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while slots[slot] != 0 {
            if slots[slot] == value {
                slots[slot] = 0
                break
            }
            slot = (slot + 1) & mask
        }
        hashes.removeLast()
        strings.removeLast()
        offsets.removeLast()
        arena.removeLast(arena.count - (offsets.last ?? 0))
    }

    /// The strings and their codes as a dictionary, leaving the interner empty.
    mutating func takeStrings() -> [String] {
        let result = strings
        self = ByteInterner()
        return result
    }
}
