import Foundation

extension KLLSketch {
    /// Batches smaller than this many times `k` go through the value-by-value path.
    static let batchThresholdFactor = 4

    /// Adds a batch of values by sorting it once and compacting the sorted run, instead of
    /// inserting value by value: the fast path for column batches (a profile of a table, a
    /// logging pipeline's flush).
    ///
    /// The batch (NaNs counted and left out) is sorted with the C kernel and laid out as KLL
    /// levels: each level below the top keeps a block of the run as it is, up to its capacity,
    /// and the rest is halved exactly as KLL compaction halves a sorted level (a random offset
    /// per halving) and climbs; the sketch that results (about `3k` values, as one fed value by
    /// value) is merged in. Every step is one the KLL analysis covers (values kept as they are,
    /// compactions of sorted runs, then a merge), so ``rankErrorBound`` and
    /// ``rankErrorBound(failureProbability:queries:)`` hold as for ``update(_:)``; the retained
    /// items differ from value-by-value updates.
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

    /// A sketch of a sorted run laid out as KLL would hold it: at each level a block of the run
    /// stays as it is (exact, at that level's weight) up to the level's capacity, and the rest of
    /// the run is halved (a random offset, as a compaction) and climbs; the top level takes what
    /// is left. The fewest levels whose capacities hold the run are used, so the sketch keeps
    /// about `3k` values, as one fed value by value does, and only the halvings add error.
    /// Uses (and advances) this sketch's coin generator.
    private mutating func sortedRunSketch(_ run: inout [Double]) -> KLLSketch {
        let total = run.count
        run.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { SketchDoubleSort.sort(base, count: buffer.count) }
        }
        let minimum = run[0], maximum = run[total - 1]
        let plan = KLLSketch.batchPlan(total: total, k: k)
        var layout: [Double] = []
        layout.reserveCapacity(plan.reduce(0, +))
        var levelStarts: [Int] = []
        var variance = 0.0
        var length = total
        run.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for (level, keep) in plan.enumerated() {
                levelStarts.append(layout.count)
                layout.append(contentsOf: UnsafeBufferPointer(start: base, count: keep))
                guard level < plan.count - 1 else { break }
                // Halve the rest of the run (even by construction): one compaction at this level.
                let pairs = (length - keep) / 2
                guard pairs > 0 else {
                    length = 0
                    continue
                }
                let offset = nextCoin(mixing: base[keep])
                variance += scalbn(1.0, 2 * level)
                for index in 0..<pairs { base[index] = base[keep + 2 * index + offset] }
                length = pairs
            }
        }
        levelStarts.append(layout.count)
        var sketch = KLLSketch(validK: k, seed: 0)
        sketch.items = layout
        sketch.levels = levelStarts
        sketch.count = total
        sketch.minValue = minimum
        sketch.maxValue = maximum
        sketch.compactionVariance = variance
        sketch.refreshCapacities()
        return sketch
    }

    /// How many values of a sorted run of `total` values each level keeps, bottom level first
    /// (the last entry is the top level). Below the top a level keeps at most its capacity
    /// less one (so the laid-out sketch is never full and merging it compacts nothing) and an
    /// amount that leaves an even rest to halve.
    static func batchPlan(total: Int, k: Int) -> [Int] {
        var levels = 1
        while true {
            var plan: [Int] = []
            var length = total
            for height in 0..<(levels - 1) {
                let room = levelCapacity(k: k, numLevels: levels, height: height) - 1
                var keep = Swift.min(length, room)
                if (length - keep) & 1 == 1 { keep -= 1 }
                plan.append(keep)
                length = (length - keep) / 2
            }
            if length <= levelCapacity(k: k, numLevels: levels, height: levels - 1) {
                plan.append(length)
                return plan
            }
            levels += 1
        }
    }
}
