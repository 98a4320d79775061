import Foundation

/// A deterministic source of random 64-bit words whose whole output is fixed by a seed.
///
/// Conforming types are value types: copying a source copies its state, so the copy and the
/// original then produce the same numbers independently. Pass a source `inout` to the code that
/// draws from it, and give each task or thread its own source (see
/// ``Xoshiro256StarStar/jump()`` for independent parallel streams).
///
/// The samplers in this module (``nextUniform()``, ``nextNormal()``, ``nextGamma(shape:scale:)``,
/// ``nextInt(below:)`` and others) are extensions on this protocol. They use their own,
/// documented algorithms rather than the standard library's, so the numbers they produce for a
/// given seed do not change when the Swift toolchain changes.
///
/// Conforming types must implement:
/// - `init(seed: UInt64)`: a source whose stream is determined by `seed` alone, identical on
///   every machine, operating system and toolchain;
/// - `next() -> UInt64`: the next word of the stream, every bit uniformly distributed.
public protocol SeededRandomSource: RandomNumberGenerator, Sendable {
    /// Creates a source whose output is determined entirely by `seed`.
    ///
    /// The same seed gives the same stream on every machine, operating system and toolchain.
    ///
    /// - Parameter seed: Any 64-bit value; every seed, zero included, is valid.
    init(seed: UInt64)

    /// Returns the next 64 random bits of the stream and advances the state.
    ///
    /// - Complexity: O(1).
    mutating func next() -> UInt64
}
