import Foundation

// MARK: - Equality

extension KLLSketch: Hashable {
    /// Structural equality: same `k`, counts, extremes, generator state and the same
    /// retained items in the same levels (free buffer space is ignored).
    public static func == (lhs: KLLSketch, rhs: KLLSketch) -> Bool {
        guard lhs.k == rhs.k, lhs.count == rhs.count, lhs.nanCount == rhs.nanCount,
            lhs.minValue.bitPattern == rhs.minValue.bitPattern,
            lhs.maxValue.bitPattern == rhs.maxValue.bitPattern,
            lhs.random == rhs.random, lhs.numLevels == rhs.numLevels,
            lhs.compactionVariance?.bitPattern == rhs.compactionVariance?.bitPattern
        else { return false }
        for h in 0...lhs.numLevels where lhs.levels[h] - lhs.levels[0] != rhs.levels[h] - rhs.levels[0] {
            return false
        }
        let a = lhs.levels[0]
        let b = rhs.levels[0]
        for i in 0..<lhs.retainedCount where lhs.items[a + i].bitPattern != rhs.items[b + i].bitPattern {
            return false
        }
        return true
    }

    /// Hashes the same fields that ``==(_:_:)`` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(k)
        hasher.combine(count)
        hasher.combine(nanCount)
        hasher.combine(minValue.bitPattern)
        hasher.combine(maxValue.bitPattern)
        hasher.combine(random)
        hasher.combine(compactionVariance?.bitPattern)
        for h in 0...numLevels { hasher.combine(levels[h] - levels[0]) }
        for i in levels[0]..<items.count { hasher.combine(items[i].bitPattern) }
    }
}

// MARK: - Binary form

extension KLLSketch {
    /// Magic tag "KLL" that starts the binary form.
    static let magic: [UInt8] = Array("KLL".utf8)
    /// The binary format version written by ``serialized()``. Version 1 (no compaction
    /// variance) is still read; its sketches fall back to the 99 % rank-error figure.
    public static let serialVersion: UInt8 = 2

    /// Returns the compact binary form of the sketch.
    ///
    /// Layout (all integers little-endian):
    /// `"KLL"`, version `2` (UInt8), `k` (UInt16), minimum level width `8` (UInt8),
    /// number of levels L (UInt8), `count` (UInt64), `nanCount` (UInt64), `min` and `max`
    /// (IEEE-754 bits, UInt64 each), generator state (UInt64), ``compactionVariance``
    /// (IEEE-754 bits; NaN when unknown), L level sizes (UInt32 each, level 0 first), then the
    /// retained values (IEEE-754 bits, UInt64 each) level by level.
    /// Size: 56 + 4L + 8r bytes for r retained values (about 5 KB at k = 200).
    ///
    /// - Returns: The bytes, readable by ``init(serialized:)`` on any platform.
    /// - Complexity: O(r).
    public func serialized() -> [UInt8] {
        var w = SketchByteWriter(
            magic: KLLSketch.magic, version: KLLSketch.serialVersion,
            reserving: 56 + 4 * numLevels + 8 * retainedCount)
        w.write(UInt16(k))
        w.write(UInt8(KLLSketch.minLevelWidth))
        w.write(UInt8(numLevels))
        w.write(UInt64(count))
        w.write(UInt64(nanCount))
        w.write(minValue)
        w.write(maxValue)
        w.write(random.state)
        w.write(compactionVariance ?? .nan)
        for h in 0..<numLevels { w.write(UInt32(levels[h + 1] - levels[h])) }
        for i in levels[0]..<items.count { w.write(items[i]) }
        return w.bytes
    }

    /// Reads a sketch from its binary form (see ``serialized()``), validating every field.
    ///
    /// - Parameter bytes: The output of ``serialized()``.
    /// - Throws: ``SketchError`` with code ``SketchError/Code/truncated``,
    ///   ``SketchError/Code/badMagic``, ``SketchError/Code/unsupportedVersion`` or
    ///   ``SketchError/Code/corrupted`` (naming the bad field) for malformed bytes; never traps.
    /// - Complexity: O(bytes.count).
    public init(serialized bytes: some Collection<UInt8>) throws(SketchError) {
        var r = try SketchByteReader(
            bytes, magic: KLLSketch.magic, supportedVersions: 1...KLLSketch.serialVersion, typeName: "KLLSketch")
        let k = Int(try r.readUInt16("k"))
        guard k >= KLLSketch.minK else { throw r.corrupted("k is \(k), below the minimum \(KLLSketch.minK)") }
        let m = Int(try r.readUInt8("minimum level width"))
        guard m == KLLSketch.minLevelWidth else {
            throw r.corrupted("the minimum level width is \(m) but only \(KLLSketch.minLevelWidth) is supported")
        }
        let numLevels = Int(try r.readUInt8("number of levels"))
        guard numLevels >= 1 && numLevels <= 62 else {
            throw r.corrupted("the number of levels is \(numLevels), outside 1...62")
        }
        let count = try r.readCount("count")
        let nanCount = try r.readCount("NaN count")
        let minValue = try r.readDouble("min")
        let maxValue = try r.readDouble("max")
        let state = try r.readUInt64("generator state")
        var variance: Double?
        if r.version >= 2 {
            let stored = try r.readDouble("compaction variance")
            if !stored.isNaN {
                guard stored.isFinite && stored >= 0 else {
                    throw r.corrupted("the compaction variance is \(stored); it must be a finite number of at least 0 (or NaN for unknown)")
                }
                variance = stored
            }
        }
        var sizes: [Int] = []
        for h in 0..<numLevels { sizes.append(Int(try r.readUInt32("size of level \(h)"))) }
        let retained = sizes.reduce(0, +)
        let capacity = KLLSketch.totalCapacity(k: k, numLevels: numLevels)
        guard retained <= capacity else {
            throw r.corrupted("the levels hold \(retained) values but \(numLevels) levels of k = \(k) have room for \(capacity)")
        }
        guard r.remaining >= 8 * retained else {
            throw SketchError(
                .truncated,
                "The KLLSketch bytes hold \(r.remaining) bytes of values but the level sizes need \(8 * retained); pass the complete serialized bytes.")
        }
        var items = [Double](repeating: 0, count: capacity)
        let start = capacity - retained
        for i in 0..<retained { items[start + i] = try r.readDouble("value \(i)") }
        try r.finish()

        // Validate the contents.
        var weightSum = 0
        var offset = start
        var levels = [start]
        for (h, size) in sizes.enumerated() {
            let (w, o1) = size.multipliedReportingOverflow(by: 1 << h)
            let (s, o2) = weightSum.addingReportingOverflow(w)
            guard !o1 && !o2 else { throw r.corrupted("the level weights overflow") }
            weightSum = s
            for i in offset..<(offset + size) {
                let v = items[i]
                guard !v.isNaN else { throw r.corrupted("value \(i - start) is NaN") }
                guard v >= minValue && v <= maxValue else {
                    throw r.corrupted("value \(i - start) (\(v)) lies outside [min, max] = [\(minValue), \(maxValue)]")
                }
                if h > 0 && i > offset && items[i - 1] > v {
                    throw r.corrupted("level \(h) is not sorted at value \(i - start)")
                }
            }
            offset += size
            levels.append(offset)
        }
        guard weightSum == count else {
            throw r.corrupted("the retained values stand for \(weightSum) values but count is \(count)")
        }
        if count == 0 {
            guard minValue == .infinity && maxValue == -.infinity else {
                throw r.corrupted("an empty sketch must store min = +inf and max = -inf")
            }
        } else {
            guard !minValue.isNaN && !maxValue.isNaN && minValue <= maxValue else {
                throw r.corrupted("min (\(minValue)) and max (\(maxValue)) are not an ordered pair of numbers")
            }
        }
        self.init(validK: k, seed: state)
        self.count = count
        self.nanCount = nanCount
        self.minValue = minValue
        self.maxValue = maxValue
        if let variance {
            // A value at level h climbed through one compaction at each level below it at least,
            // and a compaction at level h takes at least two values of weight 2^h, so at most
            // count / 2^(h+1) of them happened there: Σ 4^h ≤ V ≤ count · 2^(levels − 1).
            var top = 0
            for h in 0..<numLevels where sizes[h] > 0 { top = h }
            let least = (0..<top).reduce(0.0) { $0 + scalbn(1.0, 2 * $1) }
            let most = Double(count) * scalbn(1.0, numLevels - 1)
            guard variance >= least, variance <= most, variance == variance.rounded(), variance < 0x1p53 else {
                throw r.corrupted("the compaction variance \(variance) is impossible for \(numLevels) levels holding \(count) values (a whole number from \(least) to \(most))")
            }
        }
        self.items = items
        self.levels = levels
        self.compactionVariance = variance
        refreshCapacities()
    }
}

// MARK: - Codable

/// Encoded as one string, the base64 form of ``serialized()`` (see ``BinarySerializedSketch``).
extension KLLSketch: BinarySerializedSketch {}
