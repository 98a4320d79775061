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
    /// Open-addressing table of codes (-1 = empty), linear probing; its size is a power of two.
    private var slots: [Int32] = [Int32](repeating: -1, count: 16)

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
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let code = slots[slot]
            if code < 0 { break }
            let c = Int(code)
            if hashes[c] == h {
                let start = offsets[c]
                if offsets[c + 1] - start == count {
                    let equal = arena.withUnsafeBufferPointer { a -> Bool in
                        guard let base = a.baseAddress else { return count == 0 }
                        return count == 0 || memcmp(base + start, p, count) == 0
                    }
                    if equal { return (code, false) }
                }
            }
            slot = (slot + 1) & mask
        }
        return insert(p, count, hash: h, slot: slot)
    }

    /// The code of `count` bytes at `p`, or `nil` when they were never interned.
    func lookup(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int32? {
        let h = Self.hash(p, count)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let code = slots[slot]
            if code < 0 { return nil }
            let c = Int(code)
            if hashes[c] == h {
                let start = offsets[c]
                if offsets[c + 1] - start == count {
                    let equal = arena.withUnsafeBufferPointer { a -> Bool in
                        guard let base = a.baseAddress else { return count == 0 }
                        return count == 0 || memcmp(base + start, p, count) == 0
                    }
                    if equal { return code }
                }
            }
            slot = (slot + 1) & mask
        }
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
        slots[slot] = code
        if strings.count * 2 > slots.count { grow() }
        return (code, true)
    }

    /// Doubles the table and reinserts every entry.
    private mutating func grow() {
        var table = [Int32](repeating: -1, count: slots.count * 2)
        let mask = table.count - 1
        for (code, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while table[slot] >= 0 { slot = (slot + 1) & mask }
            table[slot] = Int32(truncatingIfNeeded: code)
        }
        slots = table
    }

    /// Removes the most recently inserted entry (used to roll back a rejected row). Removing
    /// entries newest first keeps every remaining probe chain intact.
    mutating func removeLast() {
        guard let h = hashes.last else { return }
        let code = Int32(truncatingIfNeeded: hashes.count - 1)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while slots[slot] >= 0 {
            if slots[slot] == code {
                slots[slot] = -1
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
