extension RandomAccessCollection where Index == Int {
    /// The first index at or after `start` whose element satisfies `belongs`, given that from
    /// `start` on every element that does follows every element that does not; `endIndex` when
    /// none does. The binary search every sorted-sample look-up of the package uses (bins,
    /// quantiles, counts below a value, scheduler queues).
    ///
    /// - Complexity: O(log n).
    @inlinable
    package func partitioningIndex(from start: Int? = nil, where belongs: (Element) -> Bool) -> Int {
        var low = start ?? startIndex, high = endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
