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
        let n1 = Double(reference.count), n2 = Double(current.count)
        var total = 0.0
        var previous = Swift.min(reference.values[0], current.values[0])
        var (previousA, previousB) = (0, 0)
        reference.walkSteps(with: current) { value, i, j in
            let gap = Double(previousA) / n1 - Double(previousB) / n2
            total += gap * gap * (value - previous)
            (previous, previousA, previousB) = (value, i, j)
        }
        return (2 * total).squareRoot()
    }
}
