import Foundation
import Testing

@testable import TensorCore

/// The largest |sketch CDF − exact CDF| over every distinct value of the data (inclusive
/// ranks): the sup-norm error that ``KLLSketch/rankErrorBound(failureProbability:)`` bounds.
func kllSupRankError(_ sketch: KLLSketch, sorted: [Double]) -> Double {
    let steps = sketch.cumulativeSteps()
    let n = Double(sorted.count)
    var worst = 0.0
    var step = -1
    var i = 0
    while i < sorted.count {
        let x = sorted[i]
        var j = i
        while j < sorted.count && sorted[j] == x { j += 1 }
        while step + 1 < steps.count && steps[step + 1].value <= x { step += 1 }
        let estimate = step >= 0 ? steps[step].rank : 0
        worst = Swift.max(worst, abs(estimate - Double(j) / n))
        i = j
    }
    return worst
}

@Suite("KLLSketch error account")
struct KLLErrorAccountTests {
    @Test("The compaction variance is zero until the first compaction, then counts 4^h per compaction")
    func varianceStartsAtZero() throws {
        var sketch = try KLLSketch(k: 64, seed: 1)
        for i in 0..<64 { sketch.update(Double(i)) }
        #expect(sketch.compactionVariance == 0)
        #expect(sketch.rankErrorBound(failureProbability: 1e-6) == 0)
        for i in 64..<10_000 { sketch.update(Double(i)) }
        let variance = try #require(sketch.compactionVariance)
        #expect(variance > 0)
        // Every compaction adds a power of four: the sum is an integer.
        #expect(variance == variance.rounded())
        #expect(sketch.rankErrorBound(failureProbability: 1e-6) > 0)
        // A smaller failure probability costs a wider bound.
        #expect(sketch.rankErrorBound(failureProbability: 1e-9) > sketch.rankErrorBound(failureProbability: 1e-3))
    }

    @Test(
        "The sup-norm rank error over every value stays within the bound at failure probability 1e-6",
        arguments: SketchTestStream.allCases)
    func supErrorWithinBound(stream: SketchTestStream) throws {
        for (k, seed) in [(200, UInt64(1)), (64, 2), (1_000, 3)] {
            let values = stream.values(count: 50_000, seed: seed &* 97)
            // Single updates, a batch and a merge of shards: every way a sketch compacts.
            var single = try KLLSketch(k: k, seed: seed)
            for v in values { single.update(v) }
            var batch = try KLLSketch(k: k, seed: seed)
            values.withUnsafeBufferPointer { batch.update(batch: $0) }
            var merged = try KLLSketch(k: k, seed: seed)
            for shard in 0..<7 {
                var part = try KLLSketch(k: k, seed: UInt64(shard))
                part.update(contentsOf: values[(shard * values.count / 7)..<((shard + 1) * values.count / 7)])
                try merged.merge(part)
            }
            let sorted = values.sorted()
            for (name, sketch) in [("single", single), ("batch", batch), ("merged", merged)] {
                let bound = sketch.rankErrorBound(failureProbability: 1e-6)
                let error = kllSupRankError(sketch, sorted: sorted)
                #expect(error <= bound, "\(name) k \(k) \(stream): error \(error) above bound \(bound)")
                #expect(try KLLSketch(serialized: sketch.serialized()).compactionVariance == sketch.compactionVariance)
            }
        }
    }

    @Test("The bound is calibrated: at failure probability 0.05 it fails in at most 5% of 200 seeded sketches, and it is within 10x of the error seen")
    func calibration() throws {
        var failures = 0
        var ratios: [Double] = []
        for seed in UInt64(1)...200 {
            let values = SketchTestStream.normal.values(count: 20_000, seed: seed &+ 5_000)
            var sketch = try KLLSketch(k: 128, seed: seed)
            for v in values { sketch.update(v) }
            let bound = sketch.rankErrorBound(failureProbability: 0.05)
            let error = kllSupRankError(sketch, sorted: values.sorted())
            if error > bound { failures += 1 }
            ratios.append(bound / Swift.max(error, 1e-12))
        }
        #expect(failures <= 10, "\(failures) of 200 sketches broke the 95% bound")
        let median = ratios.sorted()[ratios.count / 2]
        // Not vacuous: the bound is a small multiple of the typical error.
        #expect(median < 10, "median bound / error = \(median)")
        // Report the figures (printed once, for Documentation/SketchResolution.md).
        for k in [200, 1_000, 1_500, 2_000] {
            for n in [20_000, 100_000] {
                var sketch = try KLLSketch(k: k, seed: 9)
                let values = SketchTestStream.normal.values(count: n, seed: 9)
                for v in values { sketch.update(v) }
                let error = kllSupRankError(sketch, sorted: values.sorted())
                print("KLL k=\(k) n=\(n): sup error \(error), bound(0.05) \(sketch.rankErrorBound(failureProbability: 0.05)), bound(1e-6) \(sketch.rankErrorBound(failureProbability: 1e-6)), 99% figure \(sketch.rankErrorBound), bytes \(sketch.serialized().count)")
            }
        }
    }

    @Test("Version-1 bytes still read, with the variance unknown and the 99% figure as the fallback")
    func versionOneBytes() throws {
        var sketch = try KLLSketch(k: 40, seed: 4)
        for i in 0..<3_000 { sketch.update(Double(i % 997)) }
        let v2 = sketch.serialized()
        // A version-1 form: the same fields without the variance (8 bytes after the generator state).
        var v1 = v2
        v1[3] = 1
        v1.removeSubrange(48..<56)
        let old = try KLLSketch(serialized: v1)
        #expect(old.compactionVariance == nil)
        #expect(old.count == sketch.count)
        #expect(try old.quantiles([0.5]) == sketch.quantiles([0.5]))
        #expect(old.rankErrorBound(failureProbability: 1e-6) == old.rankErrorBound)
        // Merging with an unknown account leaves the account unknown.
        var merged = sketch
        try merged.merge(old)
        #expect(merged.compactionVariance == nil)
        // A bad stored variance is refused.
        let decode = { (b: [UInt8]) throws(SketchError) in try KLLSketch(serialized: b) }
        for bad in [-1.0, .infinity, 0.0] {
            var bytes = v2
            let bits = bad.bitPattern
            for i in 0..<8 { bytes[48 + i] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i))) }
            #expect(sketchDecodeError(bytes, as: decode) == .corrupted, "variance \(bad)")
        }
    }
}
