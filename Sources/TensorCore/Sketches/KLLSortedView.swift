import Foundation

/// The retained items of a ``KLLSketch`` sorted by value with cumulative weights (an item
/// at level h stands for 2^h values), built once per query batch.
struct KLLSortedView {
    /// Retained values in ascending order.
    private(set) var values: [Double]
    /// `cumulativeWeights[i]` = total weight of `values[0...i]`; the last equals `count`.
    private(set) var cumulativeWeights: [Int]

    init(_ sketch: KLLSketch) {
        var pairs: [(value: Double, weight: Int)] = []
        pairs.reserveCapacity(sketch.retainedCount)
        for level in 0..<sketch.numLevels {
            let weight = 1 << level
            for i in sketch.levels[level]..<sketch.levels[level + 1] {
                pairs.append((sketch.items[i], weight))
            }
        }
        pairs.sort { $0.value < $1.value }
        values = pairs.map(\.value)
        cumulativeWeights = []
        cumulativeWeights.reserveCapacity(pairs.count)
        var total = 0
        for p in pairs {
            total += p.weight
            cumulativeWeights.append(total)
        }
    }

    /// Total weight of retained values `<= x` (inclusive) or `< x` (exclusive).
    func weight(below x: Double, inclusive: Bool) -> Int {
        // First index whose value is > x (inclusive) or >= x (exclusive).
        let lo = values.partitioningIndex { !(inclusive ? $0 <= x : $0 < x) }
        return lo == 0 ? 0 : cumulativeWeights[lo - 1]
    }

    /// The first retained value whose cumulative weight reaches `naturalRank`, or the last
    /// value when none does.
    func value(atNaturalRank naturalRank: Int) -> Double? {
        let lo = cumulativeWeights.partitioningIndex { $0 >= naturalRank }
        if lo < values.count { return values[lo] }
        return values.last
    }
}
