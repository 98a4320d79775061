import Foundation

extension SeededRandomSource {
    /// Returns a draw from the standard normal distribution (mean 0, standard deviation 1).
    ///
    /// Uses the Marsaglia polar method without caching: two uniforms `u`, `v` in [-1, 1) are drawn
    /// until `s = u² + v²` lies in (0, 1), and `u·√(−2 ln s / s)` is returned; the second
    /// normal the method yields is discarded, so each call depends only on the state it starts
    /// from. The only library functions involved are `log` and `sqrt` of `Double`.
    ///
    /// - Returns: A standard normal variate.
    /// - Complexity: O(1) expected; consumes 4/π × 2 ≈ 2.55 words of the stream on average.
    public mutating func nextNormal() -> Double {
        while true {
            let u = 2 * nextUniform() - 1
            let v = 2 * nextUniform() - 1
            let s = u * u + v * v
            if s > 0, s < 1 {
                return u * (-2 * Foundation.log(s) / s).squareRoot()
            }
        }
    }

    /// Returns a draw from the normal distribution with the given mean and standard deviation.
    ///
    /// Computes `mean + standardDeviation × nextNormal()`; see ``nextNormal()`` for the method.
    ///
    /// - Parameters:
    ///   - mean: The mean; must be finite.
    ///   - standardDeviation: The standard deviation; must be positive and finite.
    /// - Returns: A normal variate.
    /// - Throws: ``DistributionError`` with code `invalidParameter` if a parameter is outside its domain.
    /// - Complexity: O(1) expected.
    public mutating func nextNormal(mean: Double, standardDeviation: Double) throws(DistributionError) -> Double {
        try DistributionError.requireFinite(mean, "mean")
        try DistributionError.requirePositiveFinite(standardDeviation, "standardDeviation")
        return mean + standardDeviation * nextNormal()
    }
}
