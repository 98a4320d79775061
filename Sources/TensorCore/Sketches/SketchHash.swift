import Foundation

/// The fixed, platform-independent 64-bit hash used by ``HyperLogLog``: xxHash64
/// (Yann Collet, XXH64 specification, seed 0) over little-endian bytes.
///
/// Unlike Swift's `Hasher`, which is randomly seeded per process, this hash gives the
/// same value on every run and platform, so serialized sketches from different
/// processes can be merged.
enum SketchHash {
    static let prime1: UInt64 = 11_400_714_785_074_694_791
    static let prime2: UInt64 = 14_029_467_366_897_019_727
    static let prime3: UInt64 = 1_609_587_929_392_839_161
    static let prime4: UInt64 = 9_650_029_242_287_828_579
    static let prime5: UInt64 = 2_870_177_450_012_600_261

    @inline(__always)
    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 &- r)) }

    @inline(__always)
    static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* prime2, 31) &* prime1
    }

    @inline(__always)
    static func mergeRound(_ acc: UInt64, _ val: UInt64) -> UInt64 {
        (acc ^ round(0, val)) &* prime1 &+ prime4
    }

    @inline(__always)
    static func avalanche(_ hash: UInt64) -> UInt64 {
        var h = hash
        h ^= h >> 33
        h &*= prime2
        h ^= h >> 29
        h &*= prime3
        h ^= h >> 32
        return h
    }

    /// xxHash64 (seed 0) of the 8 little-endian bytes of `word`; equal to
    /// `xxHash64(bytes:)` of those 8 bytes, but branch- and allocation-free.
    @inline(__always)
    static func xxHash64(word: UInt64) -> UInt64 {
        var h: UInt64 = prime5 &+ 8
        h ^= round(0, word)
        h = rotl(h, 27) &* prime1 &+ prime4
        return avalanche(h)
    }

    @inline(__always)
    private static func load64(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    private static func load32(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
    }

    /// xxHash64 (seed 0) of `bytes`.
    static func xxHash64(bytes: UnsafeRawBufferPointer) -> UInt64 {
        let length = bytes.count
        guard let p = bytes.baseAddress, length > 0 else { return avalanche(prime5) }
        var offset = 0
        var h: UInt64
        if length >= 32 {
            var v1 = prime1 &+ prime2
            var v2 = prime2
            var v3: UInt64 = 0
            var v4: UInt64 = 0 &- prime1
            let limit = length - 32
            while offset <= limit {
                v1 = round(v1, load64(p, offset))
                v2 = round(v2, load64(p, offset + 8))
                v3 = round(v3, load64(p, offset + 16))
                v4 = round(v4, load64(p, offset + 24))
                offset += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = mergeRound(h, v1)
            h = mergeRound(h, v2)
            h = mergeRound(h, v3)
            h = mergeRound(h, v4)
        } else {
            h = prime5
        }
        h &+= UInt64(length)
        while length - offset >= 8 {
            h ^= round(0, load64(p, offset))
            h = rotl(h, 27) &* prime1 &+ prime4
            offset += 8
        }
        if length - offset >= 4 {
            h ^= load32(p, offset) &* prime1
            h = rotl(h, 23) &* prime2 &+ prime3
            offset += 4
        }
        while offset < length {
            h ^= UInt64(p.load(fromByteOffset: offset, as: UInt8.self)) &* prime5
            h = rotl(h, 11) &* prime1
            offset += 1
        }
        return avalanche(h)
    }

    /// xxHash64 (seed 0) of any byte collection; contiguous storage is hashed in place,
    /// anything else is copied first.
    static func xxHash64(bytes: some Collection<UInt8>) -> UInt64 {
        if let h = bytes.withContiguousStorageIfAvailable({ xxHash64(bytes: UnsafeRawBufferPointer($0)) }) {
            return h
        }
        return Array(bytes).withUnsafeBytes { xxHash64(bytes: $0) }
    }
}
