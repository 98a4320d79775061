import Foundation
import Testing

@testable import TensorCore

/// Checks the SpaceSaving guarantee of `sketch` for every key against exact weights.
private func checkGuarantee<Key>(
    _ sketch: HeavyHitters<Key>, exact: [Key: UInt64], context: String
) {
    let n = exact.values.reduce(0, +)
    #expect(sketch.totalWeight == n, "\(context): total")
    let bound = sketch.errorBound
    #expect(Double(sketch.minimumCount) <= bound, "\(context): minimum count")
    var monitored = 0
    for (key, f) in exact {
        let item = sketch.estimate(key)
        #expect(f <= item.estimate, "\(context): underestimate for \(key)")
        #expect(item.estimate >= f && item.estimate - f <= item.maxOverestimate, "\(context): overestimate beyond maxOverestimate for \(key)")
        #expect(Double(item.maxOverestimate) <= bound, "\(context): maxOverestimate above N/m for \(key)")
        #expect(item.lowerBound <= f, "\(context): lower bound for \(key)")
        if sketch.slots[key] != nil { monitored += 1 }
        // Every key heavier than N/m is monitored.
        if Double(f) > bound { #expect(sketch.slots[key] != nil, "\(context): heavy key \(key) not monitored") }
    }
    #expect(monitored == sketch.monitoredCount, "\(context): monitored keys must have been seen")
    let frequent = Set(sketch.frequentItems(aboveFraction: 1 / Double(sketch.capacity)).map(\.key))
    for (key, f) in exact where Double(f) > bound { #expect(frequent.contains(key), "\(context): frequent \(key)") }
}

@Suite("HeavyHitters")
struct HeavyHittersTests {
    @Test("The SpaceSaving guarantee holds for every key on Zipf streams", arguments: [1.0, 1.3, 0.7])
    func guaranteeOnZipf(exponent: Double) throws {
        let zipf = SketchTestZipf(keys: 5_000, exponent: exponent)
        for seed in UInt64(1)...4 {
            var rng = SketchTestRNG(seed: seed)
            var sketch = try HeavyHitters<String>(capacity: 50 + Int(seed) * 25)
            var exact: [String: UInt64] = [:]
            for _ in 0..<60_000 {
                let key = "k\(zipf.sample(&rng))"
                let weight = seed.isMultiple(of: 2) ? UInt64(1 + rng.below(5)) : 1
                sketch.update(key, weight: weight)
                exact[key, default: 0] += weight
            }
            #expect(sketch.isFull)
            checkGuarantee(sketch, exact: exact, context: "s \(exponent) seed \(seed)")
            // The top keys are found in order of their true weights.
            let top = sketch.topK(3)
            #expect(top.count == 3)
            #expect(top[0].estimate >= top[1].estimate && top[1].estimate >= top[2].estimate)
            if exponent >= 1 { #expect(top[0].key == "k0") }
        }
    }

    @Test("The guarantee holds after merging ten shards, in sequence and as a tree")
    func guaranteeAfterMerge() throws {
        let zipf = SketchTestZipf(keys: 20_000, exponent: 1.1)
        for seed in UInt64(1)...3 {
            var rng = SketchTestRNG(seed: seed &+ 100)
            var exact: [Int64: UInt64] = [:]
            var shards: [HeavyHitters<Int64>] = []
            for s in 0..<10 {
                var shard = try HeavyHitters<Int64>(capacity: 64)
                // Each shard sees a differently skewed slice of the key space.
                let shift = Int64(s * 37)
                for _ in 0..<(5_000 + s * 1_500) {
                    let key = (Int64(zipf.sample(&rng)) + shift) % 20_000
                    shard.update(key)
                    exact[key, default: 0] += 1
                }
                shards.append(shard)
            }
            var merged = try HeavyHitters<Int64>(capacity: 64)
            for shard in shards { try merged.merge(shard) }
            checkGuarantee(merged, exact: exact, context: "sequential seed \(seed)")
            var level = shards
            while level.count > 1 {
                var next: [HeavyHitters<Int64>] = []
                var i = 0
                while i < level.count {
                    var a = level[i]
                    if i + 1 < level.count { try a.merge(level[i + 1]) }
                    next.append(a)
                    i += 2
                }
                level = next
            }
            checkGuarantee(try #require(level.first), exact: exact, context: "tree seed \(seed)")
            // Merged sketches keep working as streams continue.
            for _ in 0..<10_000 {
                let key = Int64(zipf.sample(&rng))
                merged.update(key)
                exact[key, default: 0] += 1
            }
            checkGuarantee(merged, exact: exact, context: "continued seed \(seed)")
        }
    }

    @Test("Merging charges a key missing from a full shard with that shard's minimum counter")
    func mergeChargesMissingKeys() throws {
        // Shard A monitors x exactly; shard B saw x 5 times but evicted it (its minimum is 20).
        var a = try HeavyHitters<String>(capacity: 4)
        var b = try HeavyHitters<String>(capacity: 4)
        var exact: [String: UInt64] = [:]
        for (key, w) in [("x", 100), ("a", 10), ("b", 10), ("c", 10)] {
            a.update(key, weight: UInt64(w))
            exact[key, default: 0] += UInt64(w)
        }
        for (key, w) in [("x", 5), ("d", 20), ("e", 20), ("f", 20), ("g", 20)] {
            b.update(key, weight: UInt64(w))
            exact[key, default: 0] += UInt64(w)
        }
        #expect(b.slots["x"] == nil)
        #expect(b.minimumCount == 20)
        var ab = a
        try ab.merge(b)
        var ba = b
        try ba.merge(a)
        for merged in [ab, ba] {
            checkGuarantee(merged, exact: exact, context: "charged merge")
            let x = merged.estimate("x")
            #expect(x.estimate == 120 && x.maxOverestimate == 20)
            #expect(merged.topK(1).first?.key == "x")
        }
    }

    @Test("A sketch that is not full is exact")
    func exactWhenNotFull() throws {
        var sketch = try HeavyHitters<String>(capacity: 10)
        for (key, w) in [("a", 5), ("b", 3), ("c", 9)] { sketch.update(key, weight: UInt64(w)) }
        sketch.update("a")
        sketch.update("d", weight: 0)
        #expect(sketch.totalWeight == 18)
        #expect(sketch.topK(10).map(\.key) == ["c", "a", "b"])
        #expect(sketch.topK(10).allSatisfy { $0.maxOverestimate == 0 })
        #expect(sketch.estimate("a").estimate == 6)
        #expect(sketch.estimate("zzz").estimate == 0)
        #expect(sketch.topK(0).isEmpty)
        #expect(sketch.topK(-3).isEmpty)
        var other = try HeavyHitters<String>(capacity: 10)
        other.update("a", weight: 2)
        other.update("e")
        try sketch.merge(other)
        #expect(sketch.estimate("a").estimate == 8)
        #expect(sketch.estimate("e").estimate == 1)
        #expect(sketch.topK(10).allSatisfy { $0.maxOverestimate == 0 })
    }

    @Test("Invalid parameters and mismatched merges throw typed errors")
    func invalidParameters() throws {
        for capacity in [0, -1, HeavyHitters<String>.maxCapacity + 1] {
            do {
                _ = try HeavyHitters<String>(capacity: capacity)
                Issue.record("expected an error for capacity \(capacity)")
            } catch {
                #expect(error.code == .invalidParameter)
            }
        }
        var a = try HeavyHitters<String>(capacity: 10)
        let b = try HeavyHitters<String>(capacity: 11)
        do {
            try a.merge(b)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .incompatibleSketches)
        }
        var big = try HeavyHitters<String>(capacity: 10)
        big.update("x", weight: .max)
        var big2 = big
        big2.update("y", weight: 5)
        #expect(big2.totalWeight == .max)
        do {
            try big.merge(big2)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .overflow)
        }
    }

    @Test("Binary and Codable forms round-trip; corrupt bytes throw")
    func serialization() throws {
        var rng = SketchTestRNG(seed: 4)
        let zipf = SketchTestZipf(keys: 1_000, exponent: 1.2)
        var strings = try HeavyHitters<String>(capacity: 40)
        var ints = try HeavyHitters<Int64>(capacity: 40)
        for _ in 0..<20_000 {
            let k = zipf.sample(&rng)
            strings.update("ключ-\(k)", weight: UInt64(1 + k % 3))
            ints.update(Int64(k) - 500)
        }
        let sBytes = strings.serialized()
        let iBytes = ints.serialized()
        #expect(try HeavyHitters<String>(serialized: sBytes) == strings)
        #expect(try HeavyHitters<Int64>(serialized: iBytes) == ints)
        #expect(try HeavyHitters<String>(serialized: sBytes).serialized() == sBytes)
        let empty = try HeavyHitters<String>(capacity: 3)
        #expect(try HeavyHitters<String>(serialized: empty.serialized()) == empty)
        let json = try JSONEncoder().encode(strings)
        let decoded = try JSONDecoder().decode(HeavyHitters<String>.self, from: json)
        #expect(decoded == strings)
        #expect(decoded.hashValue == strings.hashValue)
        #expect(decoded.topK(5) == strings.topK(5))

        let decodeS = { (b: [UInt8]) throws(SketchError) in try HeavyHitters<String>(serialized: b) }
        let decodeI = { (b: [UInt8]) throws(SketchError) in try HeavyHitters<Int64>(serialized: b) }
        for length in 0..<sBytes.count {
            #expect(sketchDecodeError(Array(sBytes.prefix(length)), as: decodeS) != nil)
        }
        #expect(sketchDecodeError(sBytes, as: decodeI) == .incompatibleSketches)
        #expect(sketchDecodeError(iBytes + [0], as: decodeI) == .corrupted)
        // Entry 0's overestimate above its count.
        var bad = iBytes
        let entry0 = 4 + 1 + 4 + 8 + 4
        for i in 0..<8 { bad[entry0 + 8 + i] = 0xFF }
        #expect(sketchDecodeError(bad, as: decodeI) == .corrupted)
        // Duplicate key: copy entry 0's key into entry 1.
        bad = iBytes
        for i in 0..<8 { bad[entry0 + 24 + 16 + i] = iBytes[entry0 + 16 + i] }
        #expect(sketchDecodeError(bad, as: decodeI) == .corrupted)
        // Invalid UTF-8 in a key.
        bad = sBytes
        bad[entry0 + 16 + 4] = 0xFF
        #expect(sketchDecodeError(bad, as: decodeS) == .corrupted)
        for _ in 0..<2_000 {
            var b = sBytes
            b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next())
            if var d = try? HeavyHitters<String>(serialized: b) {
                d.update("new")
                _ = d.topK(3)
            }
        }
        // Inconsistent Codable fields are rejected.
        let badJSON = Data(#"{"capacity":2,"totalWeight":1,"keys":["a","b","c"],"counts":[1,1,1],"maxOverestimates":[0,0,0]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(HeavyHitters<String>.self, from: badJSON) }
    }
}
