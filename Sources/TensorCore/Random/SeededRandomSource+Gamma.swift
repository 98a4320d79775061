import Foundation

extension SeededRandomSource {
    /// Returns a draw from the gamma distribution with the given shape `k` and scale `θ`
    /// (mean `kθ`, variance `kθ²`).
    ///
    /// Uses the method of Marsaglia and Tsang ("A Simple Method for Generating Gamma Variables",
    /// ACM TOMS 2000) with normals from ``nextNormal()``. For shape below 1 it uses their boost:
    /// a draw `g` with shape `k + 1` times `U^(1/k)` for a uniform `U` in (0, 1].
    ///
    /// - Parameters:
    ///   - shape: The shape `k`; must be positive and finite.
    ///   - scale: The scale `θ`; must be positive and finite. Defaults to 1.
    /// - Returns: A positive gamma variate (it may underflow to 0 for very small shapes).
    /// - Throws: ``DistributionError`` with code `invalidParameter` if a parameter is outside its domain.
    /// - Complexity: O(1) expected; about 1.05 normal draws and 1 uniform per call for shape ≥ 1.
    public mutating func nextGamma(shape: Double, scale: Double = 1) throws(DistributionError) -> Double {
        try DistributionError.requirePositiveFinite(shape, "shape")
        try DistributionError.requirePositiveFinite(scale, "scale")
        return standardGamma(shape: shape) * scale
    }

    /// Returns a draw from the beta distribution with shape parameters `alpha` and `beta`.
    ///
    /// Draws two gamma variates `X ~ Gamma(alpha)` and `Y ~ Gamma(beta)` with
    /// ``nextGamma(shape:scale:)``'s method and returns `X / (X + Y)`. When a shape is below 1 the
    /// gammas are formed as logarithms (log of the boosted draw plus `log(U)/shape`) and the ratio
    /// is taken as `1 / (1 + exp(log Y − log X))`, so that tiny gammas that would underflow to
    /// zero still give a well-defined result.
    ///
    /// - Parameters:
    ///   - alpha: The first shape parameter; must be positive and finite.
    ///   - beta: The second shape parameter; must be positive and finite.
    /// - Returns: A number in [0, 1].
    /// - Throws: ``DistributionError`` with code `invalidParameter` if a parameter is outside its domain.
    /// - Complexity: O(1) expected.
    public mutating func nextBeta(alpha: Double, beta: Double) throws(DistributionError) -> Double {
        try DistributionError.requirePositiveFinite(alpha, "alpha")
        try DistributionError.requirePositiveFinite(beta, "beta")
        return standardBeta(alpha: alpha, beta: beta)
    }

    /// Marsaglia–Tsang gamma draw with unit scale; `shape` must be positive and finite.
    mutating func standardGamma(shape: Double) -> Double {
        if shape < 1 {
            let boosted = standardGamma(shape: shape + 1)
            let u = 1 - nextUniform()  // (0, 1]
            return boosted * Foundation.exp(Foundation.log(u) / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = nextNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextUniform()
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 {
                return d * v
            }
            if Foundation.log(u) < 0.5 * x2 + d * (1 - v + Foundation.log(v)) {
                return d * v
            }
        }
    }

    /// The logarithm of a unit-scale gamma draw, exact in range even when the draw underflows.
    mutating func logStandardGamma(shape: Double) -> Double {
        if shape < 1 {
            let boosted = standardGamma(shape: shape + 1)
            let u = 1 - nextUniform()  // (0, 1]
            return Foundation.log(boosted) + Foundation.log(u) / shape
        }
        return Foundation.log(standardGamma(shape: shape))
    }

    /// A beta draw from two gamma draws; both shapes must be positive and finite.
    mutating func standardBeta(alpha: Double, beta: Double) -> Double {
        if alpha >= 1, beta >= 1 {
            let x = standardGamma(shape: alpha)
            let y = standardGamma(shape: beta)
            return x / (x + y)
        }
        let logX = logStandardGamma(shape: alpha)
        let logY = logStandardGamma(shape: beta)
        return 1 / (1 + Foundation.exp(logY - logX))
    }
}
