import TensorCore

extension TimestampColumn {
    /// The rows in their storage form, microseconds since the epoch (`nil` for a missing row).
    var microsecondRows: [Int64?] { (0..<count).map { microseconds(at: $0) } }
}
