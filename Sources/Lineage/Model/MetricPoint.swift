public import Foundation

/// One value of a metric series: the loss at step 120, the AUC on the validation set at the end.
///
/// NaN is a value like any other (a diverged loss is worth recording); it is stored and read back
/// as NaN on every store. The timestamp is kept to the millisecond.
public struct MetricPoint: Sendable, Hashable, Codable {
    /// The metric's name, e.g. `loss` or `val/auc`.
    public var key: String
    /// The value.
    public var value: Double
    /// The training step (0 when the metric has no steps).
    public var step: Int64
    /// When it was measured.
    public var timestamp: Date

    /// Creates a point.
    ///
    /// - Parameters:
    ///   - key: the metric's name.
    ///   - value: the value (NaN allowed).
    ///   - step: the training step (0 when the metric has no steps).
    ///   - timestamp: when it was measured.
    public init(key: String, value: Double, step: Int64 = 0, timestamp: Date) {
        self.key = key
        self.value = value
        self.step = step
        self.timestamp = timestamp
    }

    /// Bitwise equality, so that NaN points compare equal to themselves.
    public static func == (lhs: MetricPoint, rhs: MetricPoint) -> Bool {
        lhs.key == rhs.key && lhs.value.bitPattern == rhs.value.bitPattern && lhs.step == rhs.step && lhs.timestamp == rhs.timestamp
    }

    /// Hashes the same fields `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(value.bitPattern)
        hasher.combine(step)
        hasher.combine(timestamp)
    }
}
