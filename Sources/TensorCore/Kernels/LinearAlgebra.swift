internal import CTensorKernels
import Foundation

/// Matrix products and pairwise distances on contiguous row-major buffers.
///
/// The products run in C kernels chosen at run time: an AVX2+FMA path (Goto/BLIS packing with a
/// register-blocked FMA micro-kernel) where the CPU has it, and a portable path elsewhere. Large
/// products are split into row blocks over the cores with `ParallelFor`; each worker keeps its
/// packing buffers between calls. See `Sources/CTensorKernels/include/CTensorKernels.h`.
public enum LinearAlgebra {
    /// `C = A·B` for row-major A (m×k) and B (k×n); returns C (m×n).
    ///
    /// - Throws: ``TensorError/Code/shapeMismatch`` when a buffer is shorter than its shape says;
    ///   ``TensorError/Code/invalidArgument`` when a dimension is negative or an element count
    ///   (m·k, k·n or m·n) does not fit in `Int`.
    /// - Complexity: O(m·n·k).
    public static func multiply(
        _ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>, m: Int, k: Int, n: Int
    ) throws(TensorError) -> [Double] {
        try product(a, b, m: m, k: k, n: n) { tk_dgemm($0, $1, $2, $3, $4, $5, $6, $7, $8, 0) }
    }

    /// `C = A·B` for row-major Float matrices.
    ///
    /// - Throws: ``TensorError/Code/shapeMismatch`` when a buffer is shorter than its shape says;
    ///   ``TensorError/Code/invalidArgument`` when a dimension is negative or an element count
    ///   (m·k, k·n or m·n) does not fit in `Int`.
    /// - Complexity: O(m·n·k).
    public static func multiply(
        _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, m: Int, k: Int, n: Int
    ) throws(TensorError) -> [Float] {
        try product(a, b, m: m, k: k, n: n) { tk_sgemm($0, $1, $2, $3, $4, $5, $6, $7, $8, 0) }
    }

    /// Runs a C GEMM kernel (m, n, k, a, lda, b, ldb, c, ldc) on row blocks of C over the cores.
    private static func product<Scalar>(
        _ a: UnsafeBufferPointer<Scalar>, _ b: UnsafeBufferPointer<Scalar>, m: Int, k: Int, n: Int,
        kernel: @Sendable (Int, Int, Int, UnsafePointer<Scalar>?, Int, UnsafePointer<Scalar>?, Int, UnsafeMutablePointer<Scalar>?, Int) -> Void
    ) throws(TensorError) -> [Scalar] {
        try checkShapes(a.count, b.count, m: m, k: k, n: n)
        let count = try elementCount(m, n, of: "the \(m)×\(n) product")
        guard m > 0, n > 0 else { return [] }
        return [Scalar](unsafeUninitializedCapacity: count) { c, initialized in
            // a and b are only read; each row block writes its own rows of c.
            let (a, b, c) = (DisjointAccess(a), DisjointAccess(b), DisjointAccess(c))
            ParallelFor.forEach(count: m, minimumChunk: minimumRows(n: n, k: k)) { rows in
                kernel(rows.count, n, k, a.value.baseAddress.map { $0 + rows.lowerBound * k }, Swift.max(k, 1),
                       b.value.baseAddress, n, c.value.baseAddress.map { $0 + rows.lowerBound * n }, n)
            }
            initialized = count
        }
    }

    /// Squared Euclidean distances between the rows of X (n×d) and the rows of Y (m×d), as an
    /// n×m row-major matrix: ‖x‖² + ‖y‖² − 2·X·Yᵀ, clamped at zero against rounding.
    ///
    /// - Throws: ``TensorError/Code/shapeMismatch`` when a buffer does not hold its rows;
    ///   ``TensorError/Code/invalidArgument`` when a count is negative or an element count
    ///   (n·d, m·d or n·m) does not fit in `Int`.
    /// - Complexity: O(n·m·d), dominated by one matrix product.
    public static func pairwiseSquaredDistances(
        _ x: UnsafeBufferPointer<Double>, rows n: Int, _ y: UnsafeBufferPointer<Double>, rows m: Int, dimensions d: Int
    ) throws(TensorError) -> [Double] {
        try requireNonNegative(n, m, d, names: "row counts and dimensions")
        let xCount = try elementCount(n, d, of: "\(n) rows of \(d) dimensions")
        let yCount = try elementCount(m, d, of: "\(m) rows of \(d) dimensions")
        _ = try elementCount(n, m, of: "the \(n)×\(m) distance matrix")
        guard x.count == xCount, y.count == yCount else {
            throw TensorError(
                .shapeMismatch, "Pairwise distances need \(n)×\(d) and \(m)×\(d) values; got \(x.count) and \(y.count)",
                fix: "pass row-major matrices with the same number of columns.")
        }
        guard n > 0, m > 0 else { return [] }
        // Yᵀ, so the product is a plain row-major GEMM.
        var yTransposed = [Double](repeating: 0, count: d * m)
        for row in 0..<m { for column in 0..<d { yTransposed[column * m + row] = y[row * d + column] } }
        var distances = try yTransposed.withUnsafeBufferPointer { yt throws(TensorError) in try multiply(x, yt, m: n, k: d, n: m) }
        let xNorms = (0..<n).map { row in (0..<d).reduce(0.0) { $0 + x[row * d + $1] * x[row * d + $1] } }
        let yNorms = (0..<m).map { row in (0..<d).reduce(0.0) { $0 + y[row * d + $1] * y[row * d + $1] } }
        for i in 0..<n {
            for j in 0..<m {
                distances[i * m + j] = Swift.max(0, xNorms[i] + yNorms[j] - 2 * distances[i * m + j])
            }
        }
        return distances
    }

    /// Whether the products and sorts run on the AVX2+FMA path on this machine.
    public static var usesAVX2: Bool { tk_uses_avx2_fma() != 0 }

    /// Whether matrix products run on the AVX-512 path on this machine: chosen at run time
    /// where the CPU and OS support AVX-512F and the CPU has full-width 512-bit units (a Zen 4,
    /// which runs 512-bit operations as two halves, keeps the AVX2 kernels, measured faster
    /// there; the sorts take their AVX-512 kernels on it, see ``sortsUseAVX512``).
    public static var usesAVX512: Bool { tk_uses_avx512_gemm() != 0 }

    /// Whether the double and integer sorts run on their AVX-512 path on this machine (where
    /// the CPU and OS support AVX-512F).
    public static var sortsUseAVX512: Bool { tk_uses_avx512() != 0 }

    static var threads: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Row blocks of a product are split over the cores (ParallelFor's long-lived workers, whose
    /// packing buffers the C kernels keep between calls) once each block is worth about 2 MFLOP.
    static func minimumRows(n: Int, k: Int) -> Int {
        let (work, overflow) = n.multipliedReportingOverflow(by: k)
        return Swift.max(6, overflow ? 0 : 1_000_000 / Swift.max(1, work))
    }

    static func checkShapes(_ aCount: Int, _ bCount: Int, m: Int, k: Int, n: Int) throws(TensorError) {
        try requireNonNegative(m, k, n, names: "matrix dimensions")
        let aNeeded = try elementCount(m, k, of: "the \(m)×\(k) matrix A")
        let bNeeded = try elementCount(k, n, of: "the \(k)×\(n) matrix B")
        guard aCount == aNeeded, bCount == bNeeded else {
            throw TensorError(
                .shapeMismatch, "A matrix product of \(m)×\(k) by \(k)×\(n) needs \(aNeeded) and \(bNeeded) values; got \(aCount) and \(bCount)",
                fix: "check that A's column count equals B's row count.")
        }
    }

    /// `rows · columns`, or an error when the product does not fit in `Int`.
    static func elementCount(_ rows: Int, _ columns: Int, of what: @autoclosure () -> String) throws(TensorError) -> Int {
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow else {
            throw TensorError(
                .invalidArgument, "\(what()) would have more elements than Int can count (\(rows) × \(columns) overflows)",
                fix: "check the dimensions: a shape this large cannot be held in memory.")
        }
        return count
    }

    static func requireNonNegative(_ first: Int, _ second: Int, _ third: Int, names: String) throws(TensorError) {
        guard first >= 0, second >= 0, third >= 0 else {
            throw TensorError(
                .invalidArgument, "The \(names) must not be negative; got \(first), \(second) and \(third)",
                fix: "pass counts of zero or more.")
        }
    }
}

extension Tensor where Scalar == Double {
    /// The matrix product of two 2-D tensors.
    ///
    /// - Throws: ``TensorError/Code/shapeMismatch`` unless self is m×k and `other` is k×n.
    public func matmul(_ other: Tensor) throws(TensorError) -> Tensor {
        let (m, k, n) = try matmulShape(other)
        let product = try scalars.withUnsafeBufferPointer { a throws(TensorError) in
            try other.scalars.withUnsafeBufferPointer { b throws(TensorError) in try LinearAlgebra.multiply(a, b, m: m, k: k, n: n) }
        }
        return Tensor(uncheckedShape: [m, n], scalars: product)
    }
}

extension Tensor where Scalar == Float {
    /// The matrix product of two 2-D tensors.
    ///
    /// - Throws: ``TensorError/Code/shapeMismatch`` unless self is m×k and `other` is k×n.
    public func matmul(_ other: Tensor) throws(TensorError) -> Tensor {
        let (m, k, n) = try matmulShape(other)
        let product = try scalars.withUnsafeBufferPointer { a throws(TensorError) in
            try other.scalars.withUnsafeBufferPointer { b throws(TensorError) in try LinearAlgebra.multiply(a, b, m: m, k: k, n: n) }
        }
        return Tensor(uncheckedShape: [m, n], scalars: product)
    }
}

extension Tensor {
    func matmulShape(_ other: Tensor) throws(TensorError) -> (Int, Int, Int) {
        guard rank == 2, other.rank == 2, shape[1] == other.shape[0] else {
            throw TensorError(
                .shapeMismatch, "matmul needs shapes [m, k] and [k, n]; got \(shape) and \(other.shape)",
                fix: "transpose or reshape one operand so the inner dimensions match.")
        }
        return (shape[0], shape[1], other.shape[1])
    }
}
