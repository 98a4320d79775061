import Foundation

/// The xoshiro256** generator of David Blackman and Sebastiano Vigna: the default seeded random
/// source of this module.
///
/// It has 256 bits of state, a period of 2²⁵⁶ − 1, passes all known statistical test suites and
/// produces one 64-bit word in about a nanosecond. The implementation follows the authors'
/// reference C code (<https://prng.di.unimi.it/xoshiro256starstar.c>) bit for bit, and
/// ``init(seed:)`` expands the 64-bit seed with ``SplitMix64`` exactly as the authors recommend.
/// The same seed therefore gives the same stream on every machine, operating system and
/// toolchain, and the stream matches other faithful implementations of xoshiro256** seeded
/// through SplitMix64.
///
/// ```swift
/// var random = Xoshiro256StarStar(seed: 42)
/// let u = random.nextUniform()          // in [0, 1)
/// var worker = random
/// worker.jump()                          // an independent stream for another task
/// ```
///
/// It is a value type: copies evolve independently. It is not safe to share one instance between
/// concurrent tasks without synchronisation; give each task its own copy, separated by ``jump()``.
public struct Xoshiro256StarStar: SeededRandomSource, Hashable {
    /// The four 64-bit words of state. Never all zero.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose state is the first four outputs of ``SplitMix64`` seeded with `seed`.
    ///
    /// - Parameter seed: Any 64-bit value; every seed, zero included, is valid.
    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
        // Four consecutive SplitMix64 outputs are never all zero (its output function is a
        // bijection of the counter), so the forbidden all-zero state cannot occur.
    }

    /// Creates a generator from an explicit state, for example one saved earlier from ``state``.
    ///
    /// - Parameter state: The four state words.
    /// - Throws: ``DistributionError`` with code `invalidParameter` if all four words are zero,
    ///   the one state from which xoshiro256** produces only zeros.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) throws(DistributionError) {
        guard state.0 | state.1 | state.2 | state.3 != 0 else {
            throw DistributionError(.invalidParameter, parameter: "state", value: 0,
                                    requirement: "four words that are not all zero")
        }
        self.state = state
    }

    /// Returns the next 64 random bits.
    ///
    /// - Complexity: O(1).
    public mutating func next() -> UInt64 {
        let result = (state.1 &* 5).rotatedLeft(by: 7) &* 9
        let t = state.1 &<< 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3.rotatedLeft(by: 45)
        return result
    }

    /// Advances the state by 2¹²⁸ draws.
    ///
    /// Call it repeatedly on copies to obtain up to 2¹²⁸ non-overlapping streams of 2¹²⁸ numbers
    /// each, one per parallel task:
    ///
    /// ```swift
    /// var streams: [Xoshiro256StarStar] = []
    /// var base = Xoshiro256StarStar(seed: 7)
    /// for _ in 0..<workers { streams.append(base); base.jump() }
    /// ```
    ///
    /// - Complexity: O(1): 256 steps of the generator.
    public mutating func jump() {
        applyJump([0x180E_C6D3_3CFD_0ABA, 0xD5A6_1266_F0C9_392C,
                   0xA958_2618_E03F_C9AA, 0x39AB_DC45_29B1_661C])
    }

    /// Advances the state by 2¹⁹² draws, to create up to 2⁶⁴ starting points from each of which
    /// ``jump()`` then creates 2⁶⁴ streams.
    ///
    /// - Complexity: O(1): 256 steps of the generator.
    public mutating func longJump() {
        applyJump([0x76E1_5D3E_FEFD_CBBF, 0xC500_4E44_1C52_2FB3,
                   0x7771_0069_854E_E241, 0x3910_9BB0_2ACB_E635])
    }

    /// Applies a jump polynomial, as in the reference implementation.
    private mutating func applyJump(_ polynomial: [UInt64]) {
        var s0: UInt64 = 0, s1: UInt64 = 0, s2: UInt64 = 0, s3: UInt64 = 0
        for word in polynomial {
            for bit in 0..<64 {
                if word & (1 &<< UInt64(bit)) != 0 {
                    s0 ^= state.0
                    s1 ^= state.1
                    s2 ^= state.2
                    s3 ^= state.3
                }
                _ = next()
            }
        }
        state = (s0, s1, s2, s3)
    }

    /// Two generators are equal when their states are equal.
    public static func == (lhs: Xoshiro256StarStar, rhs: Xoshiro256StarStar) -> Bool {
        lhs.state == rhs.state
    }

    /// Hashes the state.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(state.0)
        hasher.combine(state.1)
        hasher.combine(state.2)
        hasher.combine(state.3)
    }
}

extension UInt64 {
    /// Rotates the bits left by `count` (0 < count < 64).
    @inline(__always)
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 {
        (self &<< count) | (self &>> (64 &- count))
    }
}
