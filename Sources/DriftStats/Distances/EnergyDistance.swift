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

    /// An energy distance on the reference's scale: the distance between the two samples after
    /// dividing every value by the reference standard deviation σ, which is `distance / √σ`.
    ///
    /// The energy distance grows with the square root of the data's scale (the integral of the
    /// squared CDF gap is over x), so dividing it by σ itself, as for Wasserstein, would leave a
    /// number that changes with the unit (metres or centimetres); divided by √σ it does not.
    /// For a constant reference (σ = 0): 0 when nothing moved and +∞ when anything did.
    public static func inReferenceScale(_ distance: Double, deviation: Double) -> Double {
        deviation > 0 ? distance / deviation.squareRoot() : (distance == 0 ? 0 : .infinity)
    }
}
