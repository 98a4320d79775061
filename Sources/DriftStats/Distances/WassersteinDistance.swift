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
        return reference.cdfGapIntegral(with: current, power: 1)
    }

    /// The distance divided by the reference's standard deviation, comparable across columns
    /// (NaN for a constant reference).
    public static func normalizedDistance(_ reference: SortedSample, _ current: SortedSample) throws(DriftError) -> Double {
        let raw = try distance(reference, current)
        let summary = reference.values.withUnsafeBufferPointer { Reductions.summary($0) }
        return summary.standardDeviation > 0 ? raw / summary.standardDeviation : .nan
    }
}
