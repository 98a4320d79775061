/// Elementwise arithmetic with numpy's broadcasting rules: shapes are aligned from the right and
/// each pair of dimensions must be equal or 1.
extension Tensor where Scalar: Numeric {
    /// Elementwise sum. - Throws: ``TensorError/Code/shapeMismatch`` when the shapes do not broadcast.
    public static func + (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try lhs.combined(with: rhs, +) }
    /// Elementwise difference. - Throws: ``TensorError/Code/shapeMismatch`` when the shapes do not broadcast.
    public static func - (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try lhs.combined(with: rhs, -) }
    /// Elementwise product. - Throws: ``TensorError/Code/shapeMismatch`` when the shapes do not broadcast.
    public static func * (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try lhs.combined(with: rhs, *) }

    /// Adds a scalar to every element.
    public static func + (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.mapped { $0 + rhs } }
    /// Subtracts a scalar from every element.
    public static func - (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.mapped { $0 - rhs } }
    /// Multiplies every element by a scalar.
    public static func * (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.mapped { $0 * rhs } }

    /// A tensor of the same shape with `transform` applied to every element.
    public func mapped(_ transform: (Scalar) -> Scalar) -> Tensor {
        Tensor(uncheckedShape: shape, scalars: scalars.map(transform))
    }

    /// Combines two tensors elementwise after broadcasting them to a common shape.
    ///
    /// - Throws: ``TensorError/Code/shapeMismatch`` naming both shapes when they do not broadcast.
    public func combined(with other: Tensor, _ operation: (Scalar, Scalar) -> Scalar) throws(TensorError) -> Tensor {
        if shape == other.shape {
            var result = scalars
            result.withUnsafeMutableBufferPointer { target in
                other.scalars.withUnsafeBufferPointer { source in
                    for index in target.indices { target[index] = operation(target[index], source[index]) }
                }
            }
            return Tensor(uncheckedShape: shape, scalars: result)
        }
        let outputShape = try Broadcasting.shape(shape, other.shape)
        let leftStrides = Broadcasting.strides(of: shape, broadcastTo: outputShape)
        let rightStrides = Broadcasting.strides(of: other.shape, broadcastTo: outputShape)
        let count = outputShape.reduce(1, *)
        var result: [Scalar] = []
        result.reserveCapacity(count)
        var index = Array(repeating: 0, count: outputShape.count)
        var left = 0, right = 0
        for _ in 0..<count {
            result.append(operation(scalars[left], other.scalars[right]))
            // Advance the multi-index like an odometer, keeping both offsets in step.
            var axis = outputShape.count - 1
            while axis >= 0 {
                index[axis] += 1
                left += leftStrides[axis]
                right += rightStrides[axis]
                if index[axis] < outputShape[axis] { break }
                left -= leftStrides[axis] * outputShape[axis]
                right -= rightStrides[axis] * outputShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return Tensor(uncheckedShape: outputShape, scalars: result)
    }
}

extension Tensor where Scalar: FloatingPoint {
    /// Elementwise quotient. - Throws: ``TensorError/Code/shapeMismatch`` when the shapes do not broadcast.
    public static func / (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try lhs.combined(with: rhs, /) }
    /// Divides every element by a scalar.
    public static func / (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.mapped { $0 / rhs } }
}

/// numpy's broadcasting rules.
enum Broadcasting {
    static func shape(_ a: [Int], _ b: [Int]) throws(TensorError) -> [Int] {
        let rank = max(a.count, b.count)
        var result = Array(repeating: 1, count: rank)
        for offset in 0..<rank {
            let x = offset < a.count ? a[a.count - 1 - offset] : 1
            let y = offset < b.count ? b[b.count - 1 - offset] : 1
            guard x == y || x == 1 || y == 1 else {
                throw TensorError(
                    .shapeMismatch, "Shapes \(a) and \(b) do not broadcast: dimension \(rank - 1 - offset) is \(x) and \(y)",
                    fix: "make each pair of trailing dimensions equal, or 1.")
            }
            result[rank - 1 - offset] = max(x, y)
        }
        return result
    }

    /// Strides that walk `shape` inside `target`: 0 along broadcast dimensions.
    static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        let own = Tensor<Double>.rowMajorStrides(shape)
        var result = Array(repeating: 0, count: target.count)
        for offset in 0..<shape.count {
            let axis = target.count - 1 - offset
            let ownAxis = shape.count - 1 - offset
            result[axis] = shape[ownAxis] == 1 ? 0 : own[ownAxis]
        }
        return result
    }
}
