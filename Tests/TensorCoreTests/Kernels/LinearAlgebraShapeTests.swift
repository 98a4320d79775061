import Testing
@testable import TensorCore

@Suite("Linear algebra shapes")
struct LinearAlgebraShapeTests {
    /// Shapes whose element counts do not fit in `Int`; the buffers are empty, as they must be
    /// when a dimension is zero, so only the arithmetic on the shape is tested.
    static let overflowingShapes: [(m: Int, k: Int, n: Int)] = [
        (1 << 32, 0, 1 << 32),  // m·n overflows; A and B are empty
        (Int.max / 2, 0, 3),
        (0, 1 << 40, 1 << 40),  // k·n overflows
        (1 << 40, 1 << 40, 0),  // m·k overflows
        (Int.max, 0, Int.max),
    ]

    /// The error of a Double product on empty buffers with the given shape, or `nil`.
    static func productError(m: Int, k: Int, n: Int, values: [Double] = []) -> TensorError? {
        values.withUnsafeBufferPointer { buffer -> TensorError? in
            do throws(TensorError) {
                _ = try LinearAlgebra.multiply(buffer, buffer, m: m, k: k, n: n)
                return nil
            } catch {
                return error
            }
        }
    }

    /// The error of a Float product on empty buffers with the given shape, or `nil`.
    static func floatProductError(m: Int, k: Int, n: Int) -> TensorError? {
        [Float]().withUnsafeBufferPointer { buffer -> TensorError? in
            do throws(TensorError) {
                _ = try LinearAlgebra.multiply(buffer, buffer, m: m, k: k, n: n)
                return nil
            } catch {
                return error
            }
        }
    }

    @Test("matrix products whose element counts overflow Int throw instead of trapping", arguments: overflowingShapes)
    func productOverflow(shape: (m: Int, k: Int, n: Int)) throws {
        let error = try #require(Self.productError(m: shape.m, k: shape.k, n: shape.n))
        #expect(error.code == .invalidArgument)
        #expect(error.description.contains("overflows"))
        #expect(Self.floatProductError(m: shape.m, k: shape.k, n: shape.n)?.code == .invalidArgument)
    }

    @Test("pairwise distances with overflowing counts throw instead of trapping", arguments: [
        (1 << 40, 1 << 40, 0), (2, 0, Int.max), (1 << 32, 1, 1 << 32),
    ])
    func distanceOverflow(n: Int, m: Int, d: Int) {
        let error = [Double]().withUnsafeBufferPointer { buffer -> TensorError? in
            do throws(TensorError) {
                _ = try LinearAlgebra.pairwiseSquaredDistances(buffer, rows: n, buffer, rows: m, dimensions: d)
                return nil
            } catch {
                return error
            }
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test("negative dimensions are refused", arguments: [(-1, 2, 2), (2, -1, 2), (2, 2, -1)])
    func negativeDimensions(m: Int, k: Int, n: Int) {
        #expect(Self.productError(m: m, k: k, n: n, values: [1, 2, 3, 4])?.code == .invalidArgument)
    }

    @Test("matmul of two tensors with a zero inner dimension and a huge result throws")
    func tensorMatmulOverflow() throws {
        let a = try Tensor<Double>(shape: [1 << 40, 0], scalars: [])
        let b = try Tensor<Double>(shape: [0, 1 << 40], scalars: [])
        #expect(throws: TensorError.self) { try a.matmul(b) }
    }
}
