import TensorCore

/// A principal-component model of a reference sample that scores how well it reconstructs new
/// rows: a multivariate drift check that notices when the correlations between features change,
/// even when every column's own distribution looks unchanged.
///
/// Fitting, on the reference:
/// 1. each column is standardised with the reference's mean and standard deviation (n
///    denominator); a column whose standard deviation is zero (or at most 10⁻¹² of its mean's
///    magnitude) is only centred;
/// 2. the covariance matrix of the standardised columns (n − 1 denominator, as `numpy.cov`) is
///    decomposed into eigenvalues and eigenvectors (a cyclic Jacobi solver);
/// 3. the model keeps the fewest leading components whose eigenvalues explain at least a share of
///    the total variance (95% by default), or a given number of components.
///
/// A row's error is the mean, over the d standardised columns, of the squared difference between
/// the row and its projection onto the kept components. The model stores the mean, the standard
/// deviation and a quantile of the reference's own (in-sample) row errors, so it can be encoded
/// with a baseline and the reference rows dropped.
///
/// ``evaluate(_:deviations:)`` compares a current sample with the reference: its mean row error,
/// the ratio to the reference's, and the rule "drifted when the current mean error exceeds the
/// reference mean error plus k standard deviations of the reference's per-row errors" (k = 3 by
/// default). That rule compares a window's mean with the spread of single rows, so it is
/// deliberately conservative: it fires on a change that moves the typical row's error by k
/// row-level deviations, whatever the window's size. For an earlier signal, watch
/// ``PCAReconstructionReport/shareAboveReferenceQuantile`` (about 1 − level without drift) or
/// the ratio.
public struct PCAReconstructionDrift: Sendable, Hashable {
    /// How many components the model keeps.
    public enum Components: Sendable, Hashable, Codable {
        /// The fewest leading components whose eigenvalues sum to at least this share of the
        /// total variance, in (0, 1].
        case varianceShare(Double)
        /// Exactly this many leading components, in 1...d.
        case count(Int)
    }

    /// The reference's column means, subtracted before scaling.
    public let columnMeans: [Double]
    /// The reference's column standard deviations (n denominator) that divide each centred
    /// column; 1 for a constant column, which is only centred.
    public let columnScales: [Double]
    /// All d eigenvalues of the standardised reference's covariance matrix, descending.
    public let eigenvalues: [Double]
    /// The kept components, row-major ``componentCount`` × d: row k is the unit eigenvector of
    /// `eigenvalues[k]`, signed so its largest-magnitude entry is positive.
    public let components: [Double]
    /// The number of kept components.
    public let componentCount: Int
    /// The mean of the reference's per-row reconstruction errors.
    public let referenceError: Double
    /// The standard deviation (n − 1 denominator) of the reference's per-row errors.
    public let referenceErrorStandardDeviation: Double
    /// The level of ``referenceErrorQuantile``, in [0, 1].
    public let referenceQuantileLevel: Double
    /// The quantile of the reference's per-row errors at ``referenceQuantileLevel`` (numpy's
    /// linear method).
    public let referenceErrorQuantile: Double

    /// The variance share kept by default.
    public static let defaultVarianceShare = 0.95
    /// The k of the threshold rule by default.
    public static let defaultThresholdDeviations = 3.0
    /// The level of the stored reference row-error quantile by default.
    public static let defaultQuantileLevel = 0.99

    /// The number of features d.
    public var columnCount: Int { columnMeans.count }

    /// The share of the standardised reference's variance that the kept components explain.
    public var explainedVarianceShare: Double {
        let clamped = eigenvalues.map { Swift.max($0, 0) }
        let total = clamped.reduce(0, +)
        return total > 0 ? clamped.prefix(componentCount).reduce(0, +) / total : 0
    }

    /// The threshold on a current sample's mean row error: ``referenceError`` plus `deviations`
    /// times ``referenceErrorStandardDeviation``.
    public func threshold(deviations: Double = 3) -> Double {
        referenceError + deviations * referenceErrorStandardDeviation
    }

    /// Fits the model on a reference sample.
    ///
    /// - Parameters:
    ///   - reference: the reference sample; at least 2 rows.
    ///   - rule: how many components to keep; by default the fewest that explain 95% of
    ///     the variance.
    ///   - quantileLevel: the level of the reference row-error quantile to store (0.99 by default).
    /// - Throws: ``DriftError`` (``DriftError/Code/invalidArgument``) for a variance share outside
    ///   (0, 1], a component count outside 1...d, a quantile level outside [0, 1], or, with a
    ///   variance share, a reference whose columns are all constant (there is no variance to share).
    /// - Complexity: O(n·d²) for the covariance (one GEMM) and the errors, and O(d³) per Jacobi
    ///   sweep.
    public init(reference: MultivariateSample, components rule: Components = .varianceShare(0.95), quantileLevel: Double = 0.99) throws(DriftError) {
        guard quantileLevel >= 0, quantileLevel <= 1 else {
            throw DriftError(.invalidArgument, "The reference error quantile level must be in [0, 1]; \(quantileLevel) given", fix: "use 0.99, the default.")
        }
        let n = reference.rowCount, d = reference.columnCount
        var means = [Double](repeating: 0, count: d)
        for row in 0..<n {
            for column in 0..<d { means[column] += reference.values[row * d + column] }
        }
        means = means.map { $0 / Double(n) }
        var squares = [Double](repeating: 0, count: d)
        for row in 0..<n {
            for column in 0..<d {
                let deviation = reference.values[row * d + column] - means[column]
                squares[column] += deviation * deviation
            }
        }
        let scales = (0..<d).map { column in
            let deviation = (squares[column] / Double(n)).squareRoot()
            return deviation == 0 || deviation <= 1e-12 * Swift.abs(means[column]) ? 1 : deviation
        }
        self.columnMeans = means
        self.columnScales = scales
        let standardized = Self.standardize(reference, means: means, scales: scales)

        // The covariance ZᵀZ / (n − 1) on the GEMM kernels; Z is centred by construction.
        var transposed = [Double](repeating: 0, count: d * n)
        for row in 0..<n {
            for column in 0..<d { transposed[column * n + row] = standardized[row * d + column] }
        }
        let crossProducts = try Self.product(transposed, standardized, m: d, k: n, n: d)
        let covariance = crossProducts.map { $0 / Double(n - 1) }
        let decomposition = SymmetricEigendecomposition(symmetric: covariance, dimension: d)
        let eigenvalues = decomposition.eigenvalues

        let kept: Int
        switch rule {
        case .count(let count):
            guard count >= 1, count <= d else {
                throw DriftError(.invalidArgument, "PCA can keep 1 to \(d) components of \(d) features; \(count) asked", fix: "ask for at most \(d) components, or use .varianceShare(0.95).")
            }
            kept = count
        case .varianceShare(let share):
            guard share > 0, share <= 1 else {
                throw DriftError(.invalidArgument, "The variance share to keep must be in (0, 1]; \(share) given", fix: "use 0.95, the default, or .count(k) for a fixed number of components.")
            }
            let clamped = eigenvalues.map { Swift.max($0, 0) }
            let total = clamped.reduce(0, +)
            guard total > 0 else {
                throw DriftError(.invalidArgument, "Every column of the reference is constant: there is no variance for components to explain", fix: "fit on a reference whose features vary, or drop the constant columns.")
            }
            var running = 0.0
            var count = d
            for (index, value) in clamped.enumerated() {
                running += value
                // A relative 10⁻¹² of slack, so a share of 1 is reached despite rounding.
                if running / total >= share - 1e-12 {
                    count = index + 1
                    break
                }
            }
            kept = count
        }
        self.eigenvalues = eigenvalues
        let vectors = Array(decomposition.eigenvectors.prefix(kept * d))
        self.componentCount = kept
        self.components = vectors

        let errors = try Self.rowErrors(standardized: standardized, rows: n, columns: d, components: vectors, count: kept)
        let mean = errors.reduce(0, +) / Double(n)
        let spread = errors.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        var sorted = errors
        sorted.withUnsafeMutableBufferPointer { Sorting.sort($0) }
        let quantile = (try? sorted.withUnsafeBufferPointer { buffer throws(TensorError) in try Statistics.quantiles(sorted: buffer, [quantileLevel]) })?.first ?? .nan
        self.referenceError = mean
        self.referenceErrorStandardDeviation = spread.squareRoot()
        self.referenceQuantileLevel = quantileLevel
        self.referenceErrorQuantile = quantile
    }

    /// The reconstruction error of each row of a sample: the mean over the d standardised
    /// columns of the squared residual after projecting onto the kept components.
    ///
    /// - Throws: ``DriftError`` (``DriftError/Code/invalidArgument``) when the sample's column
    ///   count differs from the reference's.
    /// - Complexity: O(n·d·k) for k kept components, on the GEMM kernels.
    public func rowErrors(_ sample: MultivariateSample) throws(DriftError) -> [Double] {
        guard sample.columnCount == columnCount else {
            throw DriftError(
                .invalidArgument, "The model was fitted on \(columnCount) columns and the sample has \(sample.columnCount)",
                fix: "pass the features the model was fitted on, in the same column order.")
        }
        let standardized = Self.standardize(sample, means: columnMeans, scales: columnScales)
        return try Self.rowErrors(standardized: standardized, rows: sample.rowCount, columns: columnCount, components: components, count: componentCount)
    }

    /// Compares a current sample with the reference.
    ///
    /// - Parameters:
    ///   - current: the current sample, with the reference's columns.
    ///   - deviations: k in the threshold rule, at least 0 (3 by default).
    /// - Throws: ``DriftError`` (``DriftError/Code/invalidArgument``) when the column counts differ
    ///   or `deviations` is negative or not finite.
    /// - Complexity: O(m·d·k) for m rows.
    public func evaluate(_ current: MultivariateSample, deviations: Double = 3) throws(DriftError) -> PCAReconstructionReport {
        guard deviations.isFinite, deviations >= 0 else {
            throw DriftError(.invalidArgument, "The threshold's number of standard deviations must be finite and at least 0; \(deviations) given", fix: "use 3, the default.")
        }
        let errors = try rowErrors(current)
        let currentError = errors.reduce(0, +) / Double(errors.count)
        let above = errors.reduce(0) { $0 + ($1 > referenceErrorQuantile ? 1 : 0) }
        let ratio = referenceError > 0 ? currentError / referenceError : (currentError > 0 ? .infinity : 1)
        let limit = threshold(deviations: deviations)
        return PCAReconstructionReport(
            currentError: currentError, referenceError: referenceError, ratio: ratio, threshold: limit,
            drifted: currentError > limit, shareAboveReferenceQuantile: Double(above) / Double(errors.count),
            referenceQuantileLevel: referenceQuantileLevel)
    }

    // MARK: Internals

    /// (x − mean) / scale for every value, row-major.
    static func standardize(_ sample: MultivariateSample, means: [Double], scales: [Double]) -> [Double] {
        let d = sample.columnCount
        var result = sample.values
        for index in result.indices {
            let column = index % d
            result[index] = (result[index] - means[column]) / scales[column]
        }
        return result
    }

    /// Per-row mean squared residuals of standardised rows after projection onto `count`
    /// components (row-major count × columns): Z − (Z·Vᵀ)·V, by two GEMMs.
    static func rowErrors(standardized: [Double], rows n: Int, columns d: Int, components: [Double], count k: Int) throws(DriftError) -> [Double] {
        var componentsTransposed = [Double](repeating: 0, count: d * k)
        for component in 0..<k {
            for column in 0..<d { componentsTransposed[column * k + component] = components[component * d + column] }
        }
        let coefficients = try product(standardized, componentsTransposed, m: n, k: d, n: k)
        let reconstruction = try product(coefficients, components, m: n, k: k, n: d)
        return (0..<n).map { row in
            var sum = 0.0
            for column in 0..<d {
                let residual = standardized[row * d + column] - reconstruction[row * d + column]
                sum += residual * residual
            }
            return sum / Double(d)
        }
    }

    /// A·B on TensorCore's GEMM, its shape error (which validated inputs cannot cause) as a DriftError.
    static func product(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) throws(DriftError) -> [Double] {
        do {
            return try a.withUnsafeBufferPointer { a throws(TensorError) in
                try b.withUnsafeBufferPointer { b throws(TensorError) in try LinearAlgebra.multiply(a, b, m: m, k: k, n: n) }
            }
        } catch {
            throw DriftError(.invalidArgument, "A \(m)×\(k) by \(k)×\(n) product failed: \(error.description)", fix: "report this: the samples were validated before.")
        }
    }
}
