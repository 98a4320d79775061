/// Eigenvalues and eigenvectors of a real symmetric d × d matrix, by the cyclic Jacobi method.
///
/// Why hand-written: the package has no maintained Swift binding to LAPACK that builds on Linux
/// among its dependencies (Accelerate exists only on Apple platforms), and the matrices here are
/// small (d × d covariances of the features). Jacobi is simple, needs no pivoting, and finds
/// small eigenvalues to high relative accuracy; its O(d³) per sweep is negligible for the few
/// hundred features a drift check sees.
///
/// The method (Golub & Van Loan, "Matrix Computations", 4th ed., algorithm 8.5.3): sweep over
/// the pairs p < q in row order, and for each nonzero a_pq apply the plane rotation J(p, q, θ)
/// that zeroes it, A ← JᵀAJ, accumulating V ← VJ; stop when the off-diagonal Frobenius norm is
/// at most 10⁻¹⁵ of the matrix's (or after 100 sweeps; convergence is quadratic and takes about
/// 6 to 10 sweeps in practice).
struct SymmetricEigendecomposition: Sendable, Hashable {
    /// The eigenvalues, in descending order.
    let eigenvalues: [Double]
    /// The unit eigenvectors, row-major d × d: row k is the eigenvector of `eigenvalues[k]`, its
    /// sign chosen so its largest-magnitude entry (the first of equal ones) is positive.
    let eigenvectors: [Double]
    /// The number of sweeps run.
    let sweeps: Int

    static let maximumSweeps = 100
    static let tolerance = 1e-15

    /// Decomposes the symmetric matrix `matrix` (row-major d × d; only its upper triangle is read,
    /// mirrored onto the lower).
    ///
    /// - Complexity: O(d³) per sweep.
    init(symmetric matrix: [Double], dimension d: Int) {
        var a = matrix
        for p in 0..<d {
            for q in (p + 1)..<d { a[q * d + p] = a[p * d + q] }
        }
        var v = [Double](repeating: 0, count: d * d)
        for k in 0..<d { v[k * d + k] = 1 }
        let norm = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var sweeps = 0
        while sweeps < Self.maximumSweeps {
            var off = 0.0
            for p in 0..<d {
                for q in 0..<d where q != p { off += a[p * d + q] * a[p * d + q] }
            }
            if off.squareRoot() <= Self.tolerance * norm { break }
            sweeps += 1
            for p in 0..<d {
                for q in (p + 1)..<d {
                    let apq = a[p * d + q]
                    guard apq != 0 else { continue }
                    // sym.schur2: c, s with [c s; −s c]ᵀ · [a_pp a_pq; a_pq a_qq] · [c s; −s c] diagonal.
                    let tau = (a[q * d + q] - a[p * d + p]) / (2 * apq)
                    let t = tau >= 0 ? 1 / (tau + (1 + tau * tau).squareRoot()) : -1 / (-tau + (1 + tau * tau).squareRoot())
                    let c = 1 / (1 + t * t).squareRoot()
                    let s = t * c
                    for k in 0..<d {
                        let akp = a[k * d + p], akq = a[k * d + q]
                        a[k * d + p] = c * akp - s * akq
                        a[k * d + q] = s * akp + c * akq
                    }
                    for k in 0..<d {
                        let apk = a[p * d + k], aqk = a[q * d + k]
                        a[p * d + k] = c * apk - s * aqk
                        a[q * d + k] = s * apk + c * aqk
                    }
                    a[p * d + q] = 0
                    a[q * d + p] = 0
                    for k in 0..<d {
                        let vkp = v[k * d + p], vkq = v[k * d + q]
                        v[k * d + p] = c * vkp - s * vkq
                        v[k * d + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        // Column k of V belongs to a[k, k]; sort descending and store the vectors as rows.
        let order = (0..<d).sorted { a[$0 * d + $0] > a[$1 * d + $1] || (a[$0 * d + $0] == a[$1 * d + $1] && $0 < $1) }
        var values: [Double] = []
        var vectors: [Double] = []
        values.reserveCapacity(d)
        vectors.reserveCapacity(d * d)
        for k in order {
            values.append(a[k * d + k])
            var column = (0..<d).map { v[$0 * d + k] }
            var largest = 0
            for index in 1..<d where Swift.abs(column[index]) > Swift.abs(column[largest]) { largest = index }
            if column[largest] < 0 { column = column.map { -$0 } }
            vectors += column
        }
        self.eigenvalues = values
        self.eigenvectors = vectors
        self.sweeps = sweeps
    }
}
