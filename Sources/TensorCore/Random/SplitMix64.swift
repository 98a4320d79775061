import Foundation

/// Sebastiano Vigna's SplitMix64 generator: a 64-bit counter passed through a mixing function.
///
/// SplitMix64 is fast and statistically good, but its period is only 2⁶⁴ and its streams are
/// not meant to be split; its main use here is to expand one 64-bit seed into the larger state of
/// ``Xoshiro256StarStar``, exactly as its authors recommend. It follows the reference
/// implementation at <https://prng.di.unimi.it/splitmix64.c>, so the same seed gives the same
/// stream on every machine.
public struct SplitMix64: SeededRandomSource, Hashable {
    /// The counter, advanced by the golden-ratio increment on each draw.
    public private(set) var state: UInt64

    /// Creates a generator whose counter starts at `seed`.
    ///
    /// - Parameter seed: The initial counter; every value, zero included, is valid.
    public init(seed: UInt64) {
        state = seed
    }

    /// Returns the next 64 random bits.
    ///
    /// - Complexity: O(1).
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// SplitMix64's output function (a variant of the MurmurHash3 64-bit finalizer): a bijection
    /// that scatters the bits of `value`, also useful as a cheap, stable hash.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z &>> 31)
    }
}
