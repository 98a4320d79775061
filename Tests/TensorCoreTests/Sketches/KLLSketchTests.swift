import Foundation
import Testing

@testable import TensorCore

@Suite("KLLSketch")
struct KLLSketchTests {
    @Test("The documented rank error bound matches DataSketches' constants for k = 200")
    func documentedBound() throws {
        let sketch = KLLSketch()
        #expect(sketch.k == 200)
        #expect(abs(sketch.rankErrorBound - 0.01329) < 0.0001)
        #expect(abs(sketch.pmfErrorBound - 0.01652) < 0.0001)
        let k100 = try KLLSketch(k: 100)
        #expect(k100.rankErrorBound > sketch.rankErrorBound)
    }

    @Test(
        "Every queried quantile and rank stays within rankErrorBound on uniform, normal, sorted, reverse-sorted and tied streams",
        arguments: SketchTestStream.allCases)
    func rankErrorWithinBound(stream: SketchTestStream) throws {
        for k in [200, 64] {
            for seed in UInt64(1)...4 {
                let n = 30_000 + Int(seed) * 7_919
                let values = stream.values(count: n, seed: seed &* 1_000 &+ UInt64(k))
                var sketch = try KLLSketch(k: k, seed: seed)
                for v in values { sketch.update(v) }
                #expect(sketch.count == n)
                #expect(sketch.isEstimationMode)
                let exact = SketchExactRanks(values)
                let (qErr, rErr) = try kllMaxErrors(sketch, exact: exact)
                #expect(qErr <= sketch.rankErrorBound, "quantile error \(qErr), k \(k), seed \(seed), \(stream)")
                #expect(rErr <= sketch.rankErrorBound, "rank error \(rErr), k \(k), seed \(seed), \(stream)")
                #expect(sketch.min == exact.sorted.first)
                #expect(sketch.max == exact.sorted.last)
                #expect(try sketch.quantile(0) == exact.sorted.first)
                #expect(try sketch.quantile(1) == exact.sorted.last)
            }
        }
    }

    @Test(
        "Batches sorted and compacted as runs stay within rankErrorBound, alone and mixed with single updates",
        arguments: SketchTestStream.allCases)
    func batchUpdatesWithinBound(stream: SketchTestStream) throws {
        for seed in UInt64(1)...3 {
            let n = 40_000 + Int(seed) * 3_001
            var values = stream.values(count: n, seed: seed &* 31)
            values[7] = .nan
            var sketch = try KLLSketch(k: 200, seed: seed)
            // Uneven batches, a few single updates between them, one batch below the threshold.
            var start = 0
            for (index, size) in [20_000, 150, 9_000, 12_345].enumerated() where start < n {
                let end = Swift.min(n, start + size)
                values[start..<end].withUnsafeBufferPointer { sketch.update(batch: $0) }
                start = end
                if index == 1, start < n { sketch.update(values[start]); start += 1 }
            }
            if start < n { values[start...].withUnsafeBufferPointer { sketch.update(batch: $0) } }
            let finite = values.filter { !$0.isNaN }
            #expect(sketch.count == finite.count)
            #expect(sketch.nanCount == 1)
            let exact = SketchExactRanks(finite)
            let (qErr, rErr) = try kllMaxErrors(sketch, exact: exact)
            #expect(qErr <= sketch.rankErrorBound, "quantile error \(qErr), seed \(seed), \(stream)")
            #expect(rErr <= sketch.rankErrorBound, "rank error \(rErr), seed \(seed), \(stream)")
            #expect(sketch.min == exact.sorted.first)
            #expect(sketch.max == exact.sorted.last)
            // The sketch stays mergeable and serialisable.
            var merged = KLLSketch()
            try merged.merge(sketch)
            #expect(merged.count == sketch.count)
            #expect(try KLLSketch(serialized: sketch.serialized()) == sketch)
        }
    }

    @Test(
        "Merging ten shard sketches stays within the single-sketch bound",
        arguments: SketchTestStream.allCases)
    func mergeOfShardsWithinBound(stream: SketchTestStream) throws {
        for seed in UInt64(1)...3 {
            let values = stream.values(count: 60_000, seed: seed &+ 77)
            // Contiguous shards (so sorted input gives disjoint ranges) of uneven size.
            var shards: [KLLSketch] = []
            var start = 0
            for s in 0..<10 {
                let end = s == 9 ? values.count : start + 2_000 + (s * 1_013) % 7_000
                // Half the runs share the default seed across shards, half use distinct seeds.
                var shard = try KLLSketch(k: 200, seed: seed.isMultiple(of: 2) ? 0 : UInt64(s))
                shard.update(contentsOf: values[start..<end])
                shards.append(shard)
                start = end
            }
            var merged = KLLSketch()
            for shard in shards { try merged.merge(shard) }
            #expect(merged.count == values.count)
            let exact = SketchExactRanks(values)
            let (qErr, rErr) = try kllMaxErrors(merged, exact: exact)
            #expect(qErr <= merged.rankErrorBound, "quantile error \(qErr), seed \(seed), \(stream)")
            #expect(rErr <= merged.rankErrorBound, "rank error \(rErr), seed \(seed), \(stream)")
            #expect(merged.min == exact.sorted.first)
            #expect(merged.max == exact.sorted.last)
            #expect(merged.retainedCount <= KLLSketch.totalCapacity(k: 200, numLevels: merged.numLevels))

            // A balanced tree of merges gives the same guarantee.
            var level = shards
            while level.count > 1 {
                var next: [KLLSketch] = []
                var i = 0
                while i < level.count {
                    var a = level[i]
                    if i + 1 < level.count { try a.merge(level[i + 1]) }
                    next.append(a)
                    i += 2
                }
                level = next
            }
            let tree = try #require(level.first)
            #expect(tree.count == values.count)
            let (tq, tr) = try kllMaxErrors(tree, exact: exact)
            #expect(tq <= tree.rankErrorBound && tr <= tree.rankErrorBound, "tree merge errors \(tq), \(tr)")
        }
    }

    @Test("Merging many small shards (fewer values than k each) stays within the bound")
    func mergeManySmallShards() throws {
        var rng = SketchTestRNG(seed: 99)
        var all: [Double] = []
        var merged = KLLSketch()
        for shardIndex in 0..<300 {
            var shard = try KLLSketch(k: 200, seed: UInt64(shardIndex))
            for _ in 0..<(50 + rng.below(300)) {
                let v = rng.normal()
                all.append(v)
                shard.update(v)
            }
            try merged.merge(shard)
        }
        #expect(merged.count == all.count)
        let (qErr, rErr) = try kllMaxErrors(merged, exact: SketchExactRanks(all))
        #expect(qErr <= merged.rankErrorBound && rErr <= merged.rankErrorBound, "errors \(qErr), \(rErr)")
    }

    @Test("Streams of at most k values are answered exactly")
    func smallStreamsExact() throws {
        var rng = SketchTestRNG(seed: 5)
        let values = (0..<300).map { _ in rng.uniform() }
        var tooMany = try KLLSketch(k: 299)
        for v in values { tooMany.update(v) }
        #expect(tooMany.isEstimationMode)
        var sketch = try KLLSketch(k: 300)
        for v in values { sketch.update(v) }
        #expect(!sketch.isEstimationMode)
        let sorted = values.sorted()
        for i in 1..<100 {
            let q = Double(i) / 100
            let expected = sorted[Int((q * 300).rounded(.up)) - 1]
            #expect(try sketch.quantile(q) == expected)
        }
        #expect(try sketch.rank(sorted[149]) == 150.0 / 300.0)
        #expect(try sketch.rank(sorted[149], inclusive: false) == 149.0 / 300.0)
    }

    @Test("Batch and single updates build identical sketches")
    func batchEqualsSingle() throws {
        var rng = SketchTestRNG(seed: 8)
        var values = (0..<50_000).map { _ in rng.normal() }
        values[10] = .nan
        values[20] = .infinity
        var single = try KLLSketch(k: 120, seed: 3)
        for v in values { single.update(v) }
        var batch = try KLLSketch(k: 120, seed: 3)
        values.withUnsafeBufferPointer { batch.update(contentsOf: $0) }
        var sequence = try KLLSketch(k: 120, seed: 3)
        sequence.update(contentsOf: values.lazy.map { $0 })
        #expect(single == batch)
        #expect(single == sequence)
        #expect(single.hashValue == batch.hashValue)
    }

    @Test("NaN is counted separately and excluded; infinities are ordinary values")
    func nanAndInfinity() throws {
        var sketch = KLLSketch()
        sketch.update(.nan)
        #expect(sketch.nanCount == 1)
        #expect(sketch.count == 0)
        #expect(sketch.isEmpty)
        #expect(sketch.min == nil)
        for i in 0..<1_000 { sketch.update(Double(i)) }
        sketch.update(.infinity)
        sketch.update(-.infinity)
        sketch.update(Double.nan)
        #expect(sketch.nanCount == 2)
        #expect(sketch.count == 1_002)
        #expect(sketch.min == -.infinity)
        #expect(sketch.max == .infinity)
        #expect(try sketch.quantile(0) == -.infinity)
        #expect(try sketch.quantile(1) == .infinity)
        #expect(try sketch.rank(.infinity) == 1)
        #expect(try sketch.rank(-.infinity, inclusive: false) == 0)
        #expect(abs(try sketch.quantile(0.5) - 500) <= 1_002 * sketch.rankErrorBound)
        let cdf = try sketch.cdf(at: [-.infinity, 0, 999, .infinity])
        #expect(cdf.count == 5)
        #expect(cdf.last == 1)
        let pmf = try sketch.pmf(at: [250, 750])
        #expect(abs(pmf.reduce(0, +) - 1) < 1e-12)
    }

    @Test("Invalid queries and parameters throw typed errors")
    func invalidArguments() throws {
        let empty = KLLSketch()
        #expect(throws: SketchError.self) { try empty.quantile(0.5) }
        do {
            _ = try empty.quantile(0.5)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .emptySketch)
        }
        var sketch = KLLSketch()
        sketch.update(1)
        for bad in [-0.1, 1.1, Double.nan] {
            do {
                _ = try sketch.quantile(bad)
                Issue.record("expected an error for \(bad)")
            } catch {
                #expect(error.code == .invalidArgument)
            }
        }
        do {
            _ = try sketch.rank(.nan)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidArgument)
        }
        do {
            _ = try sketch.cdf(at: [2, 1])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidArgument)
        }
        for k in [0, 7, 65_536] {
            do {
                _ = try KLLSketch(k: k)
                Issue.record("expected an error for k \(k)")
            } catch {
                #expect(error.code == .invalidParameter)
                #expect(error.message.contains("k = 200"))
            }
        }
        var a = KLLSketch()
        let b = try KLLSketch(k: 100)
        do {
            try a.merge(b)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .incompatibleSketches)
        }
    }

    @Test("Serialization round-trips exactly, including through Codable")
    func serializationRoundTrip() throws {
        var rng = SketchTestRNG(seed: 12)
        var sketches = [KLLSketch(), try KLLSketch(k: 8)]
        var small = KLLSketch()
        small.update(3)
        small.update(.nan)
        sketches.append(small)
        var large = try KLLSketch(k: 150, seed: 4)
        for _ in 0..<100_000 { large.update(rng.normal()) }
        sketches.append(large)
        var merged = large
        var other = try KLLSketch(k: 150, seed: 5)
        for _ in 0..<33_333 { other.update(rng.uniform() - 3) }
        try merged.merge(other)
        sketches.append(merged)
        for sketch in sketches {
            let bytes = sketch.serialized()
            let copy = try KLLSketch(serialized: bytes)
            #expect(copy == sketch)
            #expect(copy.serialized() == bytes)
            if !sketch.isEmpty {
                #expect(try copy.quantiles([0.1, 0.5, 0.9]) == sketch.quantiles([0.1, 0.5, 0.9]))
            }
            let json = try JSONEncoder().encode(sketch)
            #expect(try JSONDecoder().decode(KLLSketch.self, from: json) == sketch)
            // Both copies keep evolving identically.
            var s1 = sketch
            var s2 = copy
            for i in 0..<5_000 {
                s1.update(Double(i))
                s2.update(Double(i))
            }
            #expect(s1 == s2)
        }
    }

    @Test("Truncated or corrupted bytes give a typed error, never a trap")
    func corruptBytes() throws {
        var sketch = try KLLSketch(k: 40, seed: 1)
        var rng = SketchTestRNG(seed: 3)
        for _ in 0..<5_000 { sketch.update(rng.uniform()) }
        let bytes = sketch.serialized()
        let decode = { (b: [UInt8]) throws(SketchError) in try KLLSketch(serialized: b) }
        for length in 0..<bytes.count {
            #expect(sketchDecodeError(Array(bytes.prefix(length)), as: decode) != nil, "prefix \(length)")
        }
        #expect(sketchDecodeError(bytes + [0], as: decode) == .corrupted)
        var bad = bytes
        bad[0] = UInt8(ascii: "X")
        #expect(sketchDecodeError(bad, as: decode) == .badMagic)
        bad = bytes
        bad[3] = 9
        #expect(sketchDecodeError(bad, as: decode) == .unsupportedVersion)
        bad = bytes
        bad[8] ^= 1  // count no longer matches the level weights
        #expect(sketchDecodeError(bad, as: decode) == .corrupted)
        bad = bytes
        // Make the last retained value NaN.
        for i in 0..<8 { bad[bad.count - 8 + i] = i == 7 ? 0x7F : (i == 6 ? 0xF8 : 0) }
        #expect(sketchDecodeError(bad, as: decode) == .corrupted)
        // Swap two values of level 1 so it is no longer sorted.
        bad = bytes
        let level1 = 56 + 4 * sketch.numLevels + 8 * (sketch.levels[1] - sketch.levels[0])
        #expect(sketch.levels[2] - sketch.levels[1] >= 2)
        #expect(sketch.items[sketch.levels[1]] < sketch.items[sketch.levels[1] + 1])
        for i in 0..<8 { bad.swapAt(level1 + i, level1 + 8 + i) }
        #expect(sketchDecodeError(bad, as: decode) == .corrupted)
        // Random single-byte corruption: decoding either fails with a typed error or
        // yields a sketch that answers queries.
        for _ in 0..<2_000 {
            var b = bytes
            let i = rng.below(b.count)
            b[i] = UInt8(truncatingIfNeeded: rng.next())
            if let decoded = try? KLLSketch(serialized: b), !decoded.isEmpty {
                _ = try decoded.quantiles([0.25, 0.5, 0.75])
                var copy = decoded
                for v in 0..<2_000 { copy.update(Double(v)) }
                do {
                    try copy.merge(decoded)
                } catch {
                    // A corrupted count near Int.max can only overflow, never trap.
                    #expect(error.code == .overflow)
                }
            }
        }
        #expect(sketchDecodeError(Array(bytes.prefix(30)), as: decode) == .truncated)
    }
}
