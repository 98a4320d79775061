import Foundation

extension SeededRandomSource {
    /// Returns the position of a category drawn with probability proportional to its weight.
    ///
    /// Draws `u = nextUniform() × Σw` and returns the first position whose running sum of weights
    /// exceeds `u`. Categories with weight zero are never returned.
    ///
    /// ```swift
    /// var random = Xoshiro256StarStar(seed: 1)
    /// let arm = try random.nextCategorical(weights: [0.7, 0.2, 0.1])  // 0, 1 or 2
    /// ```
    ///
    /// - Parameter weights: Non-negative, finite weights with a positive, finite sum. They need
    ///   not sum to 1.
    /// - Returns: A zero-based position into `weights`.
    /// - Throws: ``DistributionError`` with code `invalidWeights` if `weights` is empty, holds a
    ///   negative, NaN or infinite weight, or sums to zero or to more than `Double.greatestFiniteMagnitude`.
    /// - Complexity: O(n) for n weights; consumes one word of the stream.
    public mutating func nextCategorical<Weights: Collection<Double>>(
        weights: Weights
    ) throws(DistributionError) -> Int {
        guard !weights.isEmpty else {
            throw DistributionError(.invalidWeights, parameter: "weights", value: nil,
                                    requirement: "a non-empty collection of non-negative finite numbers")
        }
        var total = 0.0
        var lastPositive = -1
        for (offset, weight) in weights.enumerated() {
            guard weight.isFinite, weight >= 0 else {
                throw DistributionError(.invalidWeights, parameter: "weights[\(offset)]", value: weight,
                                        requirement: "a non-negative finite number")
            }
            total += weight
            if weight > 0 { lastPositive = offset }
        }
        guard total > 0, total.isFinite else {
            throw DistributionError(.invalidWeights, parameter: "sum of weights", value: total,
                                    requirement: "positive and finite (give at least one weight above zero, and rescale very large weights)")
        }
        let target = nextUniform() * total
        var running = 0.0
        for (offset, weight) in weights.enumerated() where weight > 0 {
            running += weight
            if target < running { return offset }
        }
        // Rounding in the running sum can leave `target` just above the last partial sum.
        return lastPositive
    }
}
