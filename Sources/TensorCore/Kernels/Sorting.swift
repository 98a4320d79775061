internal import CTensorKernels

/// Sorting, stable argsort and ranks of doubles. NaNs sort last, as in numpy.
public enum Sorting {
    /// Sorts `values` ascending in place, NaNs last.
    ///
    /// - Complexity: O(n log n).
    public static func sort(_ values: UnsafeMutableBufferPointer<Double>) {
        SortKernels.sort(values)
    }

    /// Sorts `values` ascending in place on the calling thread only, NaNs last: for callers
    /// that already run one sort per core (a column per task) and would only oversubscribe.
    ///
    /// - Complexity: O(n log n).
    public static func sortOnCurrentThread(_ values: UnsafeMutableBufferPointer<Double>) {
        tk_sort_f64(values.baseAddress, values.count)
    }

    /// Sorts 64-bit integers ascending in place (the same parallel AVX2 kernel as doubles).
    ///
    /// - Complexity: O(n log n).
    public static func sort(_ values: UnsafeMutableBufferPointer<Int64>) {
        tk_sort_i64_mt(values.baseAddress, values.count, Int32(LinearAlgebra.threads))
    }

    /// The indices that sort `values` ascending, equal values keeping their original order
    /// (stable), NaNs last.
    ///
    /// - Complexity: O(n log n).
    public static func argsort(_ values: UnsafeBufferPointer<Double>) -> [Int] {
        SortKernels.argsort(values)
    }

    /// Ranks from 1 to n, ties given the average of their ranks (scipy's `rankdata`, method
    /// `"average"`). NaNs get NaN ranks and do not take up ranks.
    ///
    /// - Complexity: O(n log n).
    public static func averageRanks(_ values: UnsafeBufferPointer<Double>) -> [Double] {
        let order = argsort(values)
        var ranks = [Double](repeating: .nan, count: values.count)
        var start = 0
        while start < order.count {
            let value = values[order[start]]
            if value.isNaN { break }
            var end = start + 1
            while end < order.count && values[order[end]] == value { end += 1 }
            // Positions start..<end share the ranks start+1 ... end; each gets their mean.
            let rank = Double(start + 1 + end) / 2
            for position in start..<end { ranks[order[position]] = rank }
            start = end
        }
        return ranks
    }
}

/// The sorting kernels behind ``Sorting``: the C kernels of `CTensorKernels` (an AVX2 vectorised
/// quicksort and a stable LSD radix argsort, on all cores for large inputs).
enum SortKernels {
    static func sort(_ values: UnsafeMutableBufferPointer<Double>) {
        tk_sort_f64_mt(values.baseAddress, values.count, Int32(LinearAlgebra.threads))
    }

    static func argsort(_ values: UnsafeBufferPointer<Double>) -> [Int] {
        [Int](unsafeUninitializedCapacity: values.count) { indices, initialized in
            indices.withMemoryRebound(to: Int64.self) { indices in
                tk_argsort_f64_mt(values.baseAddress, values.count, indices.baseAddress, Int32(LinearAlgebra.threads))
            }
            initialized = values.count
        }
    }
}
