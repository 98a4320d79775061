import Foundation
import TensorCore

/// The Gaussian RBF kernel k(x, y) = exp(−‖x − y‖² / (2σ²)) and the distance helpers the MMD
/// tests share.
enum GaussianKernel {
    /// k(x, y) for two rows of d values, from their differences (no cancellation).
    ///
    /// - Complexity: O(d).
    static func value(_ x: UnsafeBufferPointer<Double>, _ xStart: Int, _ y: UnsafeBufferPointer<Double>, _ yStart: Int, dimensions: Int, scale: Double) -> Double {
        var squared = 0.0
        for column in 0..<dimensions {
            let difference = x[xStart + column] - y[yStart + column]
            squared += difference * difference
        }
        return exp(scale * squared)
    }

    /// The factor −1 / (2σ²) that multiplies a squared distance in the exponent.
    static func exponentScale(bandwidth: Double) -> Double {
        -1 / (2 * bandwidth * bandwidth)
    }

    /// The rows at `pooledIndices` of the pooled sample (reference rows 0..<n, then current rows
    /// n..<n+m), row-major, each column centred on its mean over those rows.
    ///
    /// Distances do not change under a shift, and centring keeps the GEMM form
    /// ‖x‖² + ‖y‖² − 2x·y from losing digits to a large common offset (a timestamp, an amount
    /// in the millions).
    ///
    /// - Complexity: O(k·d) for k indices.
    static func centredRows(reference: MultivariateSample, current: MultivariateSample, pooledIndices: [Int]) -> [Double] {
        let d = reference.columnCount
        var rows: [Double] = []
        rows.reserveCapacity(pooledIndices.count * d)
        for index in pooledIndices {
            rows += index < reference.rowCount ? reference.row(index) : current.row(index - reference.rowCount)
        }
        var means = [Double](repeating: 0, count: d)
        for row in 0..<pooledIndices.count {
            for column in 0..<d { means[column] += rows[row * d + column] }
        }
        for column in 0..<d { means[column] /= Double(Swift.max(pooledIndices.count, 1)) }
        for row in 0..<pooledIndices.count {
            for column in 0..<d { rows[row * d + column] -= means[column] }
        }
        return rows
    }

    /// The k × k squared distances between the rows of a k × d matrix, on TensorCore's GEMM
    /// (`LinearAlgebra.pairwiseSquaredDistances`).
    ///
    /// - Complexity: O(k²·d).
    static func squaredDistances(_ rows: [Double], count: Int, dimensions: Int) throws(DriftError) -> [Double] {
        do {
            return try rows.withUnsafeBufferPointer { buffer throws(TensorError) in
                try LinearAlgebra.pairwiseSquaredDistances(buffer, rows: count, buffer, rows: count, dimensions: dimensions)
            }
        } catch {
            throw DriftError(.invalidArgument, "Pairwise distances of \(count) rows of \(dimensions) values failed: \(error.description)", fix: "report this: the samples were validated before.")
        }
    }
}
