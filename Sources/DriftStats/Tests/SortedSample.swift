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
        self.init(values, parallel: true)
    }

    /// Sorts `values`, on all cores or (`parallel: false`, for callers that already sort one
    /// sample per core) on the calling thread.
    init(_ values: [Double], parallel: Bool) {
        var sorted = values
        sorted.withUnsafeMutableBufferPointer { parallel ? Sorting.sort($0) : Sorting.sortOnCurrentThread($0) }
        var count = sorted.count
        while count > 0 && sorted[count - 1].isNaN { count -= 1 }
        nanCount = sorted.count - count
        sorted.removeLast(sorted.count - count)
        self.values = sorted
    }

    /// The number of non-NaN values.
    public var count: Int { values.count }

    /// Walks the distinct values of both samples in ascending order, calling `body` with each
    /// value and how many values of self and of `other` are at or below it (ties advance both,
    /// as numpy's `searchsorted(side: "right")`).
    ///
    /// The two samples are merged one value at a time, the next one picked with a comparison
    /// turned into selects rather than a branch: for continuous data whose value comes next is
    /// a coin toss that a branch predictor keeps losing, and the branchy walk spent most of its
    /// time on such mispredictions. A distinct value is reported once the first larger value (or
    /// the end) shows up, so runs of tied values, within a sample or across both, come out whole.
    /// Of equal values the one of self is taken first, so a value reported is the first of its
    /// run by that rule (−0.0 before +0.0 only when self holds the −0.0).
    ///
    /// - Complexity: O(n₁ + n₂).
    @inline(__always)
    func walkSteps(with other: SortedSample, _ body: (_ value: Double, _ countSelf: Int, _ countOther: Int) -> Void) {
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                let na = a.count, nb = b.count
                guard na + nb > 0 else { return }
                var i = 0, j = 0
                var current: Double
                if nb == 0 || (na > 0 && a[0] <= b[0]) {
                    current = a[0]
                    i = 1
                } else {
                    current = b[0]
                    j = 1
                }
                while i < na && j < nb {
                    let x = a[i], y = b[j]
                    let fromSelf = x <= y
                    let value = fromSelf ? x : y
                    if value != current {
                        // Every value up to `current` has been taken: i and j count them.
                        body(current, i, j)
                        current = value
                    }
                    i &+= fromSelf ? 1 : 0
                    j &+= fromSelf ? 0 : 1
                }
                while i < na {
                    if a[i] != current {
                        body(current, i, j)
                        current = a[i]
                    }
                    i += 1
                }
                while j < nb {
                    if b[j] != current {
                        body(current, i, j)
                        current = b[j]
                    }
                    j += 1
                }
                body(current, i, j)
            }
        }
    }

    /// ∫ |F_self − F_other|^power dx over the two empirical CDFs: between consecutive distinct
    /// values both CDFs are constant, so each gap counts once per width.
    func cdfGapIntegral(with other: SortedSample, power: Int) -> Double {
        let n1 = Double(count), n2 = Double(other.count)
        var total = 0.0
        var previous = Swift.min(values[0], other.values[0])
        var (previousA, previousB) = (0, 0)
        walkSteps(with: other) { value, i, j in
            let gap = Swift.abs(Double(previousA) / n1 - Double(previousB) / n2)
            total += (power == 1 ? gap : gap * gap) * (value - previous)
            (previous, previousA, previousB) = (value, i, j)
        }
        return total
    }

    func requireValues(_ name: String) throws(DriftError) {
        guard !values.isEmpty else {
            throw DriftError(.emptySample, "The \(name) sample has no values (\(nanCount) NaN)", fix: "check the column for missing data before testing it for drift.")
        }
    }
}
