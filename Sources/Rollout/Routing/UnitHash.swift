/// The salted hash that makes assignment sticky: the same salt and unit key give the same bucket
/// on every replica, after every restart, in every language that implements these few lines.
///
/// The hash is 64-bit FNV-1a over the salt's UTF-8 bytes, one `0xFF` byte (which never occurs
/// in UTF-8, so salt "ab" with key "c" and salt "a" with key "bc" differ), and the key's UTF-8
/// bytes; then MurmurHash3's 64-bit finaliser (`fmix64`) mixes it so every output bit depends on
/// every input bit. The bucket is the high 64 bits of `hash × 10,000`, a value in `0..<10_000`
/// without the bias of `hash % 10,000`.
///
/// Hand-written: the choice of hash is part of the format (a replica in another language must
/// compute the same buckets), so it has to be fixed and documented here, not delegated to a
/// library whose hash may change (Swift's `Hasher` is randomly seeded per process on purpose).
public struct UnitHash: Sendable, Hashable {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The FNV state after the salt and the separator: every key continues from here.
    @usableFromInline let saltState: UInt64

    /// A hash for `salt`; the salt may be empty.
    public init(salt: String) {
        var state = Self.offsetBasis
        for byte in salt.utf8 { state = (state ^ UInt64(byte)) &* Self.prime }
        state = (state ^ 0xFF) &* Self.prime
        saltState = state
    }

    /// The 64-bit hash of `unit` under this salt.
    @inlinable
    public func hash(_ unit: String) -> UInt64 {
        var unit = unit
        return unit.withUTF8 { hash(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The 64-bit hash of a unit key given as UTF-8 bytes.
    @inlinable
    public func hash(bytes: UnsafeRawBufferPointer) -> UInt64 {
        var state = saltState
        for byte in bytes { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return Self.finalize(state)
    }

    /// The bucket, in `0..<10_000`, of `unit` under this salt.
    @inlinable
    public func bucket(_ unit: String) -> Int { Self.bucket(ofHash: hash(unit)) }

    /// The bucket, in `0..<10_000`, of a hash.
    @inlinable
    public static func bucket(ofHash hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash.multipliedFullWidth(by: UInt64(TrafficWeights.bucketCount)).high)
    }

    /// MurmurHash3's `fmix64`.
    @inlinable
    static func finalize(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h &*= 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }
}
