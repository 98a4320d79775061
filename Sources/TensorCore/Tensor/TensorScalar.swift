/// An element type a ``Tensor`` can hold: `Float`, `Double`, `Int32`, `Int64` and `Bool` (masks).
public protocol TensorScalar: Sendable, Hashable, Codable {
    /// The value new tensors are filled with by default.
    static var tensorZero: Self { get }
}

extension Float: TensorScalar {
    /// 0.
    public static var tensorZero: Float { 0 }
}

extension Double: TensorScalar {
    /// 0.
    public static var tensorZero: Double { 0 }
}

extension Int32: TensorScalar {
    /// 0.
    public static var tensorZero: Int32 { 0 }
}

extension Int64: TensorScalar {
    /// 0.
    public static var tensorZero: Int64 { 0 }
}

extension Bool: TensorScalar {
    /// `false`.
    public static var tensorZero: Bool { false }
}

/// The floating-point element types, for which the numeric kernels exist.
public protocol TensorFloatingPoint: TensorScalar, BinaryFloatingPoint, SIMDScalar {}

extension Float: TensorFloatingPoint {}
extension Double: TensorFloatingPoint {}
