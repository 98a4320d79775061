import Foundation
import Testing

@testable import TensorCore

/// Two-pass reference moments (compensated sums) in the numpy / scipy definitions.
private struct ReferenceMoments {
    let n: Double
    let mean: Double
    let m2: Double
    let m3: Double
    let m4: Double

    init(_ values: [Double]) {
        n = Double(values.count)
        var sum = 0.0
        var c = 0.0
        for x in values {
            let y = x - c
            let t = sum + y
            c = (t - sum) - y
            sum = t
        }
        var mu = sum / n
        // One refinement step for the mean.
        mu += values.reduce(0) { $0 + ($1 - mu) } / n
        mean = mu
        var s2 = 0.0
        var s3 = 0.0
        var s4 = 0.0
        for x in values {
            let d = x - mu
            let d2 = d * d
            s2 += d2
            s3 += d2 * d
            s4 += d2 * d2
        }
        m2 = s2
        m3 = s3
        m4 = s4
    }

    var variance: Double { m2 / n }
    var sampleVariance: Double { m2 / (n - 1) }
    var skewness: Double { n.squareRoot() * m3 / (m2 * m2.squareRoot()) }
    var kurtosis: Double { n * m4 / (m2 * m2) - 3 }
}

private func expectMatches(_ sketch: MomentSketch, _ values: [Double], _ context: String) {
    let ref = ReferenceMoments(values)
    let sd = ref.variance.squareRoot()
    #expect(sketch.count == values.count, "\(context)")
    #expect(sketchClose(sketch.mean, ref.mean, relative: 1e-12, scale: sd), "\(context): mean \(sketch.mean) vs \(ref.mean)")
    #expect(sketchClose(sketch.variance, ref.variance, relative: 1e-12), "\(context): variance \(sketch.variance) vs \(ref.variance)")
    #expect(sketchClose(sketch.sampleVariance, ref.sampleVariance, relative: 1e-12), "\(context): sample variance")
    #expect(sketchClose(sketch.standardDeviation, sd, relative: 1e-12), "\(context): std")
    // Skewness and kurtosis are dimensionless: compare to 1e-12 of max(|value|, 1).
    #expect(sketchClose(sketch.skewness, ref.skewness, relative: 1e-12, scale: 1), "\(context): skew \(sketch.skewness) vs \(ref.skewness)")
    #expect(sketchClose(sketch.kurtosis, ref.kurtosis, relative: 1e-12, scale: 1), "\(context): kurtosis \(sketch.kurtosis) vs \(ref.kurtosis)")
    #expect(sketch.min == values.min(), "\(context): min")
    #expect(sketch.max == values.max(), "\(context): max")
}

private func stream(_ kind: Int, count n: Int, seed: UInt64) -> [Double] {
    var rng = SketchTestRNG(seed: seed)
    switch kind {
    case 0: return (0..<n).map { _ in 1_000 + 3 * rng.normal() }  // large mean, small spread
    case 1: return (0..<n).map { _ in rng.uniform() }
    case 2: return (0..<n).map { _ in -log(1 - rng.uniform()) * 40 }  // exponential: skewed
    default: return (0..<n).map { _ in rng.normal() * (rng.uniform() < 0.05 ? 10 : 1) }  // heavy tails
    }
}

@Suite("MomentSketch")
struct MomentSketchTests {
    @Test("Matches numpy and scipy on a fixed sample")
    func scipyReference() {
        var sketch = MomentSketch()
        sketch.update(contentsOf: [1.0, 2, 3, 4, 10, -2.5, 7.25])
        // numpy.mean/var/var(ddof=1)/std; scipy.stats.skew/kurtosis with bias=True and bias=False.
        #expect(sketchClose(sketch.mean, 3.5357142857142856, relative: 1e-14))
        #expect(sketchClose(sketch.variance, 14.471938775510205, relative: 1e-14))
        #expect(sketchClose(sketch.sampleVariance, 16.883928571428573, relative: 1e-14))
        #expect(sketchClose(sketch.standardDeviation, 3.8042001492442803, relative: 1e-14))
        #expect(sketchClose(sketch.skewness, 0.21149333259964834, relative: 1e-13))
        #expect(sketchClose(sketch.kurtosis, -0.7418048400753086, relative: 1e-13))
        #expect(sketchClose(sketch.adjustedSkewness, 0.2741266896040902, relative: 1e-13))
        #expect(sketchClose(sketch.adjustedKurtosis, 0.019668383819259727, relative: 1e-12))
        #expect(sketchClose(sketch.sum, 24.75, relative: 1e-14))
    }

    @Test("Moments match a two-pass computation to 1e-12 on many seeded streams")
    func matchesTwoPass() {
        for kind in 0..<4 {
            for seed in UInt64(1)...5 {
                for n in [2, 3, 17, 1_000, 40_000] {
                    let values = stream(kind, count: n, seed: seed &* 31 &+ UInt64(n))
                    var sketch = MomentSketch()
                    for v in values { sketch.update(v) }
                    expectMatches(sketch, values, "kind \(kind) seed \(seed) n \(n)")
                }
            }
        }
    }

    @Test("Merging shards equals the whole, in any grouping")
    func mergeEqualsWhole() throws {
        for kind in 0..<4 {
            for seed in UInt64(1)...4 {
                let values = stream(kind, count: 30_000, seed: seed)
                var rng = SketchTestRNG(seed: seed &+ 9)
                // Ten shards of random sizes, some empty.
                var cuts = (0..<9).map { _ in rng.below(values.count) }
                cuts.append(contentsOf: [0, values.count, cuts[0]])
                cuts.sort()
                var shards: [MomentSketch] = []
                for i in 0..<(cuts.count - 1) {
                    var s = MomentSketch()
                    values[cuts[i]..<cuts[i + 1]].withContiguousStorageIfAvailable { s.update(contentsOf: $0) }
                    shards.append(s)
                }
                var sequential = MomentSketch()
                for s in shards { try sequential.merge(s) }
                expectMatches(sequential, values, "sequential kind \(kind) seed \(seed)")
                var level = shards
                while level.count > 1 {
                    var next: [MomentSketch] = []
                    var i = 0
                    while i < level.count {
                        var a = level[i]
                        if i + 1 < level.count { try a.merge(level[i + 1]) }
                        next.append(a)
                        i += 2
                    }
                    level = next
                }
                expectMatches(try #require(level.first), values, "tree kind \(kind) seed \(seed)")
            }
        }
    }

    @Test("NaN is counted and excluded; infinities follow numpy")
    func specialValues() throws {
        var sketch = MomentSketch()
        #expect(sketch.mean.isNaN)
        #expect(sketch.variance.isNaN)
        #expect(sketch.min == nil)
        #expect(sketch.sum == 0)
        sketch.update(.nan)
        #expect(sketch.nanCount == 1 && sketch.count == 0)
        for x in [1.0, 2, 4] { sketch.update(x) }
        #expect(sketch.mean == 7.0 / 3)
        #expect(sketch.nanCount == 1 && sketch.count == 3)
        var constant = MomentSketch()
        for _ in 0..<10 { constant.update(5) }
        #expect(constant.variance == 0)
        #expect(constant.skewness.isNaN)  // scipy: nan for constant data
        #expect(constant.kurtosis.isNaN)
        #expect(MomentSketch().sampleVariance.isNaN)
        var withInf = sketch
        withInf.update(.infinity)
        #expect(withInf.count == 4 && withInf.finiteCount == 3)
        #expect(withInf.mean == .infinity)  // numpy.mean([1, 2, 4, inf]) == inf
        #expect(withInf.variance.isNaN)  // numpy.var(...) is nan
        #expect(withInf.max == .infinity)
        #expect(withInf.finiteMean == 7.0 / 3)
        withInf.update(-.infinity)
        #expect(withInf.mean.isNaN)
        #expect(withInf.min == -.infinity)
        var merged = MomentSketch()
        try merged.merge(withInf)
        #expect(merged == withInf)
        #expect(merged.positiveInfinityCount == 1 && merged.negativeInfinityCount == 1 && merged.nanCount == 1)
    }

    @Test("Serialization round-trips; truncated or corrupted bytes throw")
    func serialization() throws {
        var sketch = MomentSketch()
        sketch.update(contentsOf: stream(2, count: 1_000, seed: 3))
        sketch.update(.nan)
        sketch.update(-.infinity)
        for s in [sketch, MomentSketch()] {
            let bytes = s.serialized()
            #expect(bytes.count == 84)
            #expect(try MomentSketch(serialized: bytes) == s)
            let json = try JSONEncoder().encode(s)
            #expect(try JSONDecoder().decode(MomentSketch.self, from: json) == s)
        }
        let bytes = sketch.serialized()
        let decode = { (b: [UInt8]) throws(SketchError) in try MomentSketch(serialized: b) }
        for length in 0..<bytes.count {
            #expect(sketchDecodeError(Array(bytes.prefix(length)), as: decode) == .truncated)
        }
        var bad = bytes
        bad[4 + 32 + 15] = 0xFF  // M2 becomes negative or NaN
        #expect(sketchDecodeError(bad, as: decode) == .corrupted)
        bad = bytes
        bad[4 + 24] = 0  // -infinity count 0, but min is -infinity
        #expect(sketchDecodeError(bad, as: decode) == .corrupted)
        bad = bytes
        bad[2] = UInt8(ascii: "X")
        #expect(sketchDecodeError(bad, as: decode) == .badMagic)
    }
}

@Suite("MomentSketch near the largest double")
struct MomentSketchOverflowTests {
    /// Values of opposite signs near ±1.8e308: their differences overflow, the mean must not.
    static let values: [Double] = Array(repeating: [1e308, -1e308, .greatestFiniteMagnitude, -.greatestFiniteMagnitude], count: 600).flatMap { $0 }

    @Test("the mean stays finite (0 here) and the variance is infinite, as numpy's is; the bytes decode again")
    func oppositeSignsNearTheLargestDouble() throws {
        var oneByOne = MomentSketch()
        for x in Self.values { oneByOne.update(x) }
        var blocks = MomentSketch()
        Self.values.withUnsafeBufferPointer { blocks.update(contentsOf: $0) }
        var halves = MomentSketch()
        var second = MomentSketch()
        for x in Self.values.prefix(1_000) { halves.update(x) }
        for x in Self.values.dropFirst(1_000) { second.update(x) }
        try halves.merge(second)
        // A merge of two one-sided halves: their means' difference overflows.
        var positive = MomentSketch(), negative = MomentSketch()
        for x in Self.values where x > 0 { positive.update(x) }
        for x in Self.values where x < 0 { negative.update(x) }
        try positive.merge(negative)
        for sketch in [oneByOne, blocks, halves, positive] {
            #expect(sketch.mean.isFinite)
            #expect(abs(sketch.mean) <= 1e300, "\(sketch.mean)")
            #expect(sketch.variance == .infinity)
            #expect(sketch.min == -.greatestFiniteMagnitude && sketch.max == .greatestFiniteMagnitude)
            let decoded = try MomentSketch(serialized: sketch.serialized())
            #expect(decoded.count == Self.values.count)
        }
    }

    @Test("one value beyond ±1.3e154 (its square overflows) has variance 0, not NaN; ordinary values keep their moments")
    func firstValueAndOrdinaryValues() {
        var single = MomentSketch()
        single.update(1e200)
        #expect(single.mean == 1e200 && single.variance == 0)
        var two = MomentSketch()
        two.update(1e200)
        two.update(-1e200)
        #expect(two.mean == 0 && two.variance == .infinity)
        var sketch = MomentSketch()
        for x in [1.0, 2.0, 4.0, 8.0] { sketch.update(x) }
        #expect(sketch.mean == 3.75)
        #expect(abs(sketch.variance - 7.1875) < 1e-12)
    }
}
