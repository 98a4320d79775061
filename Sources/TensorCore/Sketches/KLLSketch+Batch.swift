import Foundation

extension KLLSketch {
    /// Batches smaller than this many times `k` go through the value-by-value path.
    static let batchThresholdFactor = 4

    /// Adds a batch of values by sorting it once and compacting the sorted run, instead of
    /// inserting value by value: the fast path for column batches (a profile of a table, a
    /// logging pipeline's flush).
    ///
    /// The batch (NaNs counted and left out) is sorted with the C kernel, then halved level by
    /// level exactly as KLL compaction halves a sorted level — a random offset per halving, an
    /// odd item left behind at its level — until at most `k` items remain; the small sketch
    /// that results is merged in. Every step is one the KLL analysis covers (compactions of
    /// sorted runs, then a merge), so ``rankErrorBound`` holds as for ``update(_:)``; only the
    /// coin flips differ, so the retained items are not identical to value-by-value updates.
    ///
    /// - Parameter values: The values to add.
    /// - Complexity: O(n log n) for the sort, O(n) for the halving; no per-value compaction.
    public mutating func update(batch values: UnsafeBufferPointer<Double>) {
        guard values.count >= KLLSketch.batchThresholdFactor * k else {
            update(contentsOf: values)
            return
        }
        // One bulk copy; NaNs (rare) are counted and removed afterwards.
        var run = Array(values)
        let nans = run.count(where: \.isNaN)
        if nans > 0 { run.removeAll(where: \.isNaN) }
        nanCount += nans
        guard run.count >= KLLSketch.batchThresholdFactor * k else {
            // Mostly NaN: the survivors go in one by one (their NaNs are already counted).
            for value in run { update(value) }
            return
        }
        let batch = sortedRunSketch(&run)
        // Same k, and the counts of one in-memory batch cannot overflow.
        try? merge(batch)
    }

    /// A sketch holding a sorted run halved down to at most `k` items, with the exact count,
    /// minimum and maximum of the run. Uses (and advances) this sketch's coin generator.
    private mutating func sortedRunSketch(_ run: inout [Double]) -> KLLSketch {
        let total = run.count
        run.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { SketchDoubleSort.sort(base, count: buffer.count) }
        }
        let minimum = run[0], maximum = run[total - 1]
        // Items left behind, one per level at most, and the run as it climbs.
        var leftovers: [Double?] = []
        var length = total
        var variance = 0.0
        run.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            while length > k {
                var start = 0
                if length & 1 == 1 {
                    // As compaction does: the first item stays at this level.
                    leftovers.append(base[0])
                    start = 1
                } else {
                    leftovers.append(nil)
                }
                let pairs = (length - start) / 2
                let offset = nextCoin(mixing: base[start])
                // One compaction at this level: its items weigh 2^level.
                variance += scalbn(1.0, 2 * leftovers.count - 2)
                for index in 0..<pairs { base[index] = base[start + 2 * index + offset] }
                length = pairs
            }
        }
        let height = leftovers.count
        var sketch = KLLSketch(validK: k, seed: 0)
        // Lay the levels out bottom-up: level h < height holds its leftover (if any), the top
        // level the halved run.
        var layout: [Double] = []
        var levelStarts: [Int] = []
        for level in 0..<height {
            levelStarts.append(layout.count)
            if let item = leftovers[level] { layout.append(item) }
        }
        levelStarts.append(layout.count)
        layout.append(contentsOf: run[0..<length])
        levelStarts.append(layout.count)
        sketch.items = layout
        sketch.levels = levelStarts
        sketch.count = total
        sketch.minValue = minimum
        sketch.maxValue = maximum
        sketch.compactionVariance = variance
        sketch.refreshCapacities()
        return sketch
    }
}
