import Testing
@testable import TensorCore

@Suite("Tensor")
struct TensorTests {
    @Test("shape, strides and element access")
    func shapeAndAccess() throws {
        var tensor = try Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(tensor.strides == [3, 1])
        #expect(try tensor.element(at: [1, 2]) == 6)
        try tensor.setElement(60, at: [1, 2])
        #expect(tensor.scalars.last == 60)
        #expect(throws: TensorError.self) { try tensor.element(at: [2, 0]) }
        #expect(throws: TensorError.self) { try tensor.element(at: [0]) }
        #expect(throws: TensorError.self) { try Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3]) }
        #expect(throws: TensorError.self) { try Tensor<Double>(shape: [-1]) }
    }

    @Test("copies share storage until written")
    func copyOnWrite() throws {
        let original = try Tensor<Int64>(shape: [3], scalars: [1, 2, 3])
        var copy = original
        try copy.setElement(9, at: [0])
        #expect(original.scalars == [1, 2, 3])
        #expect(copy.scalars == [9, 2, 3])
    }

    @Test("broadcasting follows numpy's rules")
    func broadcasting() throws {
        let matrix = try Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let row = try Tensor<Double>(shape: [3], scalars: [10, 20, 30])
        let column = try Tensor<Double>(shape: [2, 1], scalars: [100, 200])
        #expect(try (matrix + row).scalars == [11, 22, 33, 14, 25, 36])
        #expect(try (matrix + column).scalars == [101, 102, 103, 204, 205, 206])
        #expect(try (column * row).shape == [2, 3])
        #expect(try (column * row).scalars == [1000, 2000, 3000, 2000, 4000, 6000])
        #expect((matrix * 2).scalars == [2, 4, 6, 8, 10, 12])
        #expect(throws: TensorError.self) { try matrix + Tensor<Double>([1, 2]) }
    }

    @Test("transpose swaps rows and columns")
    func transpose() throws {
        let matrix = try Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let transposed = try matrix.transposed()
        #expect(transposed.shape == [3, 2])
        #expect(transposed.scalars == [1, 4, 2, 5, 3, 6])
        #expect(throws: TensorError.self) { try Tensor<Float>([1, 2]).transposed() }
    }

    @Test("Float tensors summarise in Double with the same NaN rule")
    func floatSummary() {
        let tensor = Tensor<Float>([1.5, .nan, 2.5, 4])
        let summary = tensor.summary()
        #expect(summary.count == 3)
        #expect(summary.nanCount == 1)
        #expect(abs(summary.mean - 8.0 / 3) < 1e-15)
        #expect(tensor.sum() == 8)
    }
}
