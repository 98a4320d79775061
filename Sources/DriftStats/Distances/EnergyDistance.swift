/// The energy distance between two samples, as `scipy.stats.energy_distance`:
/// √2 · (∫ (F₁ − F₂)² dx)^½ over the two empirical CDFs.
public enum EnergyDistance {
    /// The distance in the data's own units.
    ///
    /// - Throws: ``DriftError`` (``DriftError/Code/emptySample``) when a sample has no non-NaN value.
    /// - Complexity: O(n₁ + n₂) on sorted samples.
    public static func distance(_ reference: SortedSample, _ current: SortedSample) throws(DriftError) -> Double {
        try reference.requireValues("reference")
        try current.requireValues("current")
        return (2 * reference.cdfGapIntegral(with: current, power: 2)).squareRoot()
    }
}
