import TensorCore

/// A sample sorted once, NaNs removed and counted: what every two-sample statistic walks.
///
/// Sorting is the expensive step; a reference sample sorted once can be compared with many
/// current windows.
public struct SortedSample: Sendable, Hashable {
    /// The non-NaN values, ascending.
    public let values: [Double]
    /// How many NaNs the input had (left out of every statistic).
    public let nanCount: Int

    /// Sorts `values` (on the tensor core's parallel sort), leaving NaNs out.
    ///
    /// - Complexity: O(n log n).
    public init(_ values: [Double]) {
        var sorted = values
        sorted.withUnsafeMutableBufferPointer { Sorting.sort($0) }
        var count = sorted.count
        while count > 0 && sorted[count - 1].isNaN { count -= 1 }
        nanCount = sorted.count - count
        sorted.removeLast(sorted.count - count)
        self.values = sorted
    }

    /// The number of non-NaN values.
    public var count: Int { values.count }

    func requireValues(_ name: String) throws(DriftError) {
        guard !values.isEmpty else {
            throw DriftError(.emptySample, "The \(name) sample has no values (\(nanCount) NaN)", fix: "check the column for missing data before testing it for drift.")
        }
    }
}
