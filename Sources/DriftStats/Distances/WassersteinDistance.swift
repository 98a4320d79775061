import TensorCore

/// The first Wasserstein (earth mover's) distance between two samples, as
/// `scipy.stats.wasserstein_distance`: the area between the two empirical CDFs.
public enum WassersteinDistance {
    /// The distance in the data's own units.
    ///
    /// - Throws: ``DriftError`` (``DriftError/Code/emptySample``) when a sample has no non-NaN value.
    /// - Complexity: O(n₁ + n₂) on sorted samples.
    public static func distance(_ reference: SortedSample, _ current: SortedSample) throws(DriftError) -> Double {
        try reference.requireValues("reference")
        try current.requireValues("current")
        let a = reference.values, b = current.values
        let n1 = Double(a.count), n2 = Double(b.count)
        var i = 0, j = 0
        var total = 0.0
        var previous = Swift.min(a[0], b[0])
        // Between consecutive distinct values both CDFs are constant: add |F1 - F2| · width.
        while i < a.count || j < b.count {
            let value = i < a.count && (j >= b.count || a[i] <= b[j]) ? a[i] : b[j]
            total += Swift.abs(Double(i) / n1 - Double(j) / n2) * (value - previous)
            previous = value
            while i < a.count && a[i] <= value { i += 1 }
            while j < b.count && b[j] <= value { j += 1 }
        }
        return total
    }

    /// The distance divided by the reference's standard deviation, comparable across columns
    /// (NaN for a constant reference).
    public static func normalizedDistance(_ reference: SortedSample, _ current: SortedSample) throws(DriftError) -> Double {
        let raw = try distance(reference, current)
        let summary = reference.values.withUnsafeBufferPointer { Reductions.summary($0) }
        return summary.standardDeviation > 0 ? raw / summary.standardDeviation : .nan
    }
}
