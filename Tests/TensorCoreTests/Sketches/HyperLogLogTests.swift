import Foundation
import Testing

@testable import TensorCore

@Suite("HyperLogLog")
struct HyperLogLogTests {
    @Test("The hash is xxHash64 with seed 0, matching the reference vectors")
    func referenceHashes() {
        #expect(HyperLogLog.hash("") == 0xEF46_DB37_51D8_E999)
        #expect(HyperLogLog.hash("a") == 0xD24E_C4F1_A98C_6E5B)
        #expect(HyperLogLog.hash("abc") == 0x44BC_2CF5_AD77_0999)
        #expect(HyperLogLog.hash("Nobody inspects the spammish repetition") == 0xFBCE_A83C_8A37_8BF1)
        let bytes = (0..<100).map { UInt8($0) }
        #expect(bytes.withUnsafeBytes { HyperLogLog.hash(bytes: $0) } == 0x6AC1_E580_3216_6597)
        // Fixed-width values hash as their 8 little-endian bytes.
        #expect(HyperLogLog.hash(Int64(1)) == 0x9F29_CB17_A2A4_9995)
        #expect(HyperLogLog.hash(1.5) == 0x49F7_B96B_6B5C_CAF9)
        let word: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0]
        #expect(word.withUnsafeBytes { HyperLogLog.hash(bytes: $0) } == HyperLogLog.hash(Int64(1)))
        // Substrings and strings hash alike; -0.0 and 0.0, and all NaNs, are one value each.
        let text = "prefix-model-42"
        #expect(HyperLogLog.hash(text.dropFirst(7)) == HyperLogLog.hash("model-42"))
        #expect(HyperLogLog.hash(-0.0) == HyperLogLog.hash(0.0))
        #expect(HyperLogLog.hash(Double.nan) == HyperLogLog.hash(-Double.nan))
        #expect(HyperLogLog.hash(Double(bitPattern: 0x7FF0_0000_0000_0001)) == HyperLogLog.hash(Double.nan))
    }

    @Test(
        "The estimate stays within four standard errors for cardinalities from 0 to 10^6",
        arguments: [4, 10, 14])
    func cardinalityWithinBound(precision: Int) throws {
        let cardinalities = [0, 1, 2, 5, 10, 100, 1_000, 5_000, 20_000, 40_000, 100_000, 1_000_000]
        for seed in UInt64(1)...3 {
            for n in cardinalities where n <= 100_000 || seed == 1 {
                var sketch = try HyperLogLog(precision: precision)
                var rng = SketchTestRNG(seed: seed &* 7_777 &+ UInt64(n))
                let base = rng.next()
                for i in 0..<n {
                    // Distinct values, each added twice (duplicates must not count).
                    let v = Int64(bitPattern: base &+ UInt64(i) &* 0x9E37_79B9)
                    sketch.update(v)
                    if i.isMultiple(of: 3) { sketch.update(v) }
                }
                let estimate = sketch.cardinality
                let tolerance = Swift.max(4 * sketch.relativeStandardError * Double(n), 0.5)
                #expect(abs(estimate - Double(n)) <= tolerance, "p \(precision), n \(n), estimate \(estimate), seed \(seed)")
                let classic = sketch.classicCardinality
                // The classic estimator has a known bump near its 2.5m switch point.
                let classicTolerance = Swift.max(6 * sketch.relativeStandardError * Double(n), 0.5)
                #expect(abs(classic - Double(n)) <= classicTolerance, "classic: p \(precision), n \(n), estimate \(classic)")
                if n == 0 {
                    #expect(estimate == 0)
                    #expect(sketch.isEmpty)
                }
            }
        }
    }

    @Test("Doubles, strings and bytes are counted as distinct values")
    func otherValueTypes() throws {
        var doubles = HyperLogLog()
        var strings = HyperLogLog()
        var bytes = HyperLogLog()
        for i in 0..<30_000 {
            doubles.update(Double(i) * 0.25)
            strings.update("user-\(i % 10_000)")
            bytes.update(bytes: Array("k\(i)".utf8))
        }
        doubles.update(-0.0)
        doubles.update(0.0)
        #expect(abs(doubles.cardinality - 30_000) <= 4 * doubles.relativeStandardError * 30_000)
        #expect(abs(strings.cardinality - 10_000) <= 4 * strings.relativeStandardError * 10_000)
        #expect(abs(bytes.cardinality - 30_000) <= 4 * bytes.relativeStandardError * 30_000)
        var nanOnly = HyperLogLog()
        nanOnly.update(Double.nan)
        nanOnly.update(-Double.nan)
        nanOnly.update(Double.infinity)
        #expect(abs(nanOnly.cardinality - 2) < 0.01)
    }

    @Test("Merging shards equals one sketch over all the data, overlaps counted once")
    func mergeEqualsWhole() throws {
        var whole = try HyperLogLog(precision: 12)
        var shards = (0..<10).map { _ in HyperLogLog(validPrecision: 12) }
        for i in 0..<200_000 {
            // Shards overlap: value i goes to shard i % 10 and (i + 1) % 10.
            let v = Int64(i % 150_000)
            whole.update(v)
            shards[i % 10].update(v)
            shards[(i + 1) % 10].update(v)
        }
        var merged = try HyperLogLog(precision: 12)
        for shard in shards { try merged.merge(shard) }
        #expect(merged == whole)
        #expect(abs(merged.cardinality - 150_000) <= 4 * merged.relativeStandardError * 150_000)
        var other = try HyperLogLog(precision: 13)
        do {
            try other.merge(whole)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .incompatibleSketches)
        }
    }

    @Test("Batch updates equal single updates")
    func batchUpdates() throws {
        let doubles = (0..<10_000).map { Double($0) / 7 }
        let ints = (0..<10_000).map { Int64($0) * 31 }
        var single = HyperLogLog()
        for v in doubles { single.update(v) }
        for v in ints { single.update(v) }
        var batch = HyperLogLog()
        doubles.withUnsafeBufferPointer { batch.update(contentsOf: $0) }
        ints.withUnsafeBufferPointer { batch.update(contentsOf: $0) }
        #expect(single == batch)
    }

    @Test("Invalid precision throws a typed error")
    func invalidPrecision() {
        for p in [3, 19, -1] {
            do {
                _ = try HyperLogLog(precision: p)
                Issue.record("expected an error for p \(p)")
            } catch {
                #expect(error.code == .invalidParameter)
            }
        }
        #expect(HyperLogLog.relativeStandardError(precision: 14) == 1.04 / 128)
    }

    @Test("Serialization round-trips; truncated or corrupted bytes throw")
    func serialization() throws {
        var sketch = try HyperLogLog(precision: 8)
        for i in 0..<5_000 { sketch.update(Int64(i)) }
        let bytes = sketch.serialized()
        #expect(bytes.count == 5 + 256)
        #expect(try HyperLogLog(serialized: bytes) == sketch)
        #expect(try HyperLogLog(serialized: HyperLogLog().serialized()) == HyperLogLog())
        let json = try JSONEncoder().encode(sketch)
        #expect(try JSONDecoder().decode(HyperLogLog.self, from: json) == sketch)
        let decode = { (b: [UInt8]) throws(SketchError) in try HyperLogLog(serialized: b) }
        for length in 0..<bytes.count {
            #expect(sketchDecodeError(Array(bytes.prefix(length)), as: decode) != nil)
        }
        #expect(sketchDecodeError(Array(bytes.prefix(100)), as: decode) == .truncated)
        #expect(sketchDecodeError(bytes + [1], as: decode) == .corrupted)
        var bad = bytes
        bad[10] = 60  // above 64 - 8 + 1
        #expect(sketchDecodeError(bad, as: decode) == .corrupted)
        bad = bytes
        bad[4] = 20
        #expect(sketchDecodeError(bad, as: decode) == .corrupted)
        bad = bytes
        bad[1] = 0
        #expect(sketchDecodeError(bad, as: decode) == .badMagic)
        #expect(sketchDecodeError(KLLSketch().serialized(), as: decode) == .badMagic)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(HyperLogLog.self, from: Data("\"AAAA\"".utf8)) }
    }
}
