/// An n-dimensional array of numbers in row-major order, with copy-on-write storage.
///
/// ```swift
/// let x = try Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// let y = try x * 2 + 1                 // elementwise, broadcasting the scalar
/// let product = try x.matmul(x.transposed())   // 2×2
/// print(x.summary().mean)              // 3.5
/// ```
///
/// Storage is always contiguous; ``strides`` describe it in elements. Copies share storage until
/// one of them is written (copy-on-write), so passing tensors around is cheap.
public struct Tensor<Scalar: TensorScalar>: Sendable, Hashable {
    /// The elements in row-major order.
    public private(set) var scalars: [Scalar]
    /// The length of each dimension; `[]` for a scalar tensor.
    public let shape: [Int]

    /// Creates a tensor of `shape` with every element `value`.
    ///
    /// - Throws: ``TensorError`` when a dimension is negative.
    public init(shape: [Int], repeating value: Scalar = .tensorZero) throws(TensorError) {
        let count = try Self.elementCount(of: shape)
        self.shape = shape
        scalars = Array(repeating: value, count: count)
    }

    /// Creates a tensor of `shape` from elements in row-major order.
    ///
    /// - Throws: ``TensorError/Code/shapeMismatch`` when the element count is not the product of the shape.
    public init(shape: [Int], scalars: [Scalar]) throws(TensorError) {
        let count = try Self.elementCount(of: shape)
        guard count == scalars.count else {
            throw TensorError(
                .shapeMismatch, "Shape \(shape) holds \(count) elements but \(scalars.count) were given",
                fix: "pass exactly \(count) elements, or a shape whose product is \(scalars.count).")
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// Creates a one-dimensional tensor.
    public init(_ scalars: [Scalar]) {
        self.shape = [scalars.count]
        self.scalars = scalars
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The number of elements.
    public var count: Int { scalars.count }

    /// The distance in elements between neighbours along each dimension (row-major).
    public var strides: [Int] { Self.rowMajorStrides(shape) }

    /// The element at a multi-dimensional index.
    ///
    /// - Throws: ``TensorError/Code/indexOutOfRange`` naming the dimension that is out of range.
    public func element(at index: [Int]) throws(TensorError) -> Scalar {
        scalars[try offset(of: index)]
    }

    /// Replaces the element at a multi-dimensional index.
    public mutating func setElement(_ value: Scalar, at index: [Int]) throws(TensorError) {
        scalars[try offset(of: index)] = value
    }

    /// The same elements in another shape with the same element count.
    ///
    /// - Complexity: O(1); storage is shared.
    public func reshaped(_ newShape: [Int]) throws(TensorError) -> Tensor {
        try Tensor(shape: newShape, scalars: scalars)
    }

    /// A two-dimensional tensor with rows and columns swapped.
    ///
    /// - Throws: ``TensorError/Code/shapeMismatch`` when the tensor is not two-dimensional.
    /// - Complexity: O(count), in cache-sized tiles.
    public func transposed() throws(TensorError) -> Tensor {
        guard rank == 2 else {
            throw TensorError(.shapeMismatch, "transposed() needs a 2-D tensor; this one has shape \(shape)", fix: "reshape it to [rows, columns] first.")
        }
        let rows = shape[0], columns = shape[1]
        var result = scalars
        let tile = 32
        scalars.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for rowBlock in stride(from: 0, to: rows, by: tile) {
                    for columnBlock in stride(from: 0, to: columns, by: tile) {
                        for row in rowBlock..<min(rowBlock + tile, rows) {
                            for column in columnBlock..<min(columnBlock + tile, columns) {
                                target[column * rows + row] = source[row * columns + column]
                            }
                        }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: [columns, rows], scalars: result)
    }

    /// Calls `body` with the elements as a contiguous buffer.
    public func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<Scalar>) throws -> Result) rethrows -> Result {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the elements as a mutable contiguous buffer (copying shared storage first).
    public mutating func withUnsafeMutableBufferPointer<Result>(
        _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> Result
    ) rethrows -> Result {
        try scalars.withUnsafeMutableBufferPointer(body)
    }

    // MARK: Internals

    init(uncheckedShape shape: [Int], scalars: [Scalar]) {
        self.shape = shape
        self.scalars = scalars
    }

    static func elementCount(of shape: [Int]) throws(TensorError) -> Int {
        var count = 1
        for (axis, length) in shape.enumerated() {
            guard length >= 0 else {
                throw TensorError(.invalidArgument, "Dimension \(axis) of shape \(shape) is negative", fix: "use lengths of zero or more.")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: length)
            guard !overflow else {
                throw TensorError(.invalidArgument, "Shape \(shape) has more elements than fit in memory", fix: "use a smaller shape.")
            }
            count = product
        }
        return count
    }

    static func rowMajorStrides(_ shape: [Int]) -> [Int] {
        var strides = Array(repeating: 1, count: shape.count)
        var running = 1
        for axis in shape.indices.reversed() {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    func offset(of index: [Int]) throws(TensorError) -> Int {
        guard index.count == shape.count else {
            throw TensorError(.indexOutOfRange, "Index \(index) has \(index.count) coordinates for a tensor of rank \(rank)", fix: "give one coordinate per dimension.")
        }
        var offset = 0
        for (axis, (coordinate, length)) in zip(index, shape).enumerated() {
            guard coordinate >= 0 && coordinate < length else {
                throw TensorError(.indexOutOfRange, "Coordinate \(coordinate) of index \(index) is outside dimension \(axis) of length \(length)", fix: "use 0..<\(length).")
            }
            offset = offset * length + coordinate
        }
        return offset
    }
}
