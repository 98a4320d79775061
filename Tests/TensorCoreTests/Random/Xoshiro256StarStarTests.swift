import Testing
@testable import TensorCore

/// The reference values below were produced by the authors' C code
/// (<https://prng.di.unimi.it/xoshiro256starstar.c> and `splitmix64.c`), copied verbatim into a
/// small program, seeded by filling the state with four SplitMix64 outputs as the authors
/// recommend, compiled with gcc 12 and printed with `%016llx`. The same program reproduces PHP's
/// published test vector for its `Xoshiro256StarStar` engine (seed 1234, 10 000 draws, `jump()`,
/// `jumpLong()`, then one draw: bytes 1f197e9ca7969123), an independent check of the seeding.
@Suite("Xoshiro256StarStar")
struct Xoshiro256StarStarTests {
    @Test("seed 0 gives the reference stream")
    func seedZero() {
        var random = Xoshiro256StarStar(seed: 0)
        let expected: [UInt64] = [
            0x99ec5f36cb75f2b4, 0xbf6e1f784956452a, 0x1a5f849d4933e6e0, 0x6aa594f1262d2d2c,
            0xbba5ad4a1f842e59, 0xffef8375d9ebcaca, 0x6c160deed2f54c98, 0x8920ad648fc30a3f,
        ]
        #expect((0..<8).map { _ in random.next() } == expected)
    }

    @Test("seed 42 gives the reference stream")
    func seedFortyTwo() {
        var random = Xoshiro256StarStar(seed: 42)
        let expected: [UInt64] = [
            0x15780b2e0c2ec716, 0x6104d9866d113a7e, 0xae17533239e499a1, 0xecb8ad4703b360a1,
            0xfde6dc7fe2ec5e64, 0xc50da53101795238, 0xb82154855a65ddb2, 0xd99a2743ebe60087,
        ]
        #expect((0..<8).map { _ in random.next() } == expected)
    }

    @Test("the seed is expanded with SplitMix64 as the reference recommends")
    func seedingUsesSplitMix64() {
        let random = Xoshiro256StarStar(seed: 0)
        #expect(random.state.0 == 0xe220a8397b1dcdaf)
        #expect(random.state.1 == 0x6e789e6aa1b965f4)
        #expect(random.state.2 == 0x06c45d188009454f)
        #expect(random.state.3 == 0xf88bb8a8724c81ec)
        var mixer = SplitMix64(seed: 0)
        #expect([mixer.next(), mixer.next()] == [0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4])
    }

    @Test("jump() matches the reference", arguments: [
        (UInt64(0), [UInt64(0x376215edc846d62c), 0x57c0611de8350ca7, 0xbc46a3515afee385, 0x06c27b341aca7b26]),
        (UInt64(42), [UInt64(0x50086ef83cbf4f4a), 0xba285ec21347d703, 0x5ea1247b4dc6452a, 0x03a5c66424702131]),
    ])
    func jump(seed: UInt64, expected: [UInt64]) {
        var random = Xoshiro256StarStar(seed: seed)
        random.jump()
        #expect((0..<4).map { _ in random.next() } == expected)
    }

    @Test("longJump() matches the reference", arguments: [
        (UInt64(0), [UInt64(0xe704a522a72937eb), 0x48c8f6cc958e7583, 0x72e3ab7db4438116, 0x8473b5e32802c8e9]),
        (UInt64(42), [UInt64(0xa0a4cb7719d49439), 0xa999704410efd911, 0xe396ccf96cd4f671, 0x53c286402f68b9ac]),
    ])
    func longJump(seed: UInt64, expected: [UInt64]) {
        var random = Xoshiro256StarStar(seed: seed)
        random.longJump()
        #expect((0..<4).map { _ in random.next() } == expected)
    }

    @Test("the same seed gives the same sequence, different seeds different ones")
    func determinism() {
        var first = Xoshiro256StarStar(seed: 2024)
        var second = Xoshiro256StarStar(seed: 2024)
        var other = Xoshiro256StarStar(seed: 2025)
        let a = (0..<1000).map { _ in first.next() }
        let b = (0..<1000).map { _ in second.next() }
        let c = (0..<1000).map { _ in other.next() }
        #expect(a == b)
        #expect(a != c)
    }

    @Test("a copy continues the stream independently of the original")
    func valueSemantics() {
        var original = Xoshiro256StarStar(seed: 7)
        _ = original.next()
        var copy = original
        let fromOriginal = (0..<10).map { _ in original.next() }
        let fromCopy = (0..<10).map { _ in copy.next() }
        #expect(fromOriginal == fromCopy)
        #expect(original == copy)
    }

    @Test("jumped streams do not overlap the start of the original stream")
    func jumpedStreamsDiffer() {
        var base = Xoshiro256StarStar(seed: 11)
        var jumped = base
        jumped.jump()
        let head = Set((0..<10_000).map { _ in base.next() })
        let other = (0..<10_000).map { _ in jumped.next() }
        #expect(head.isDisjoint(with: other))
    }

    @Test("a saved state restores the stream")
    func restoresState() throws {
        var random = Xoshiro256StarStar(seed: 5)
        _ = random.next()
        var restored = try Xoshiro256StarStar(state: random.state)
        #expect(random.next() == restored.next())
    }

    @Test("the all-zero state is rejected")
    func rejectsZeroState() {
        do {
            _ = try Xoshiro256StarStar(state: (0, 0, 0, 0))
            Issue.record("an all-zero state was accepted")
        } catch {
            #expect(error.code == .invalidParameter)
            #expect(error.parameter == "state")
        }
    }
}
