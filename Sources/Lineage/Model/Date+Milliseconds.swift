import Foundation
import TensorCore

extension Date {
    /// The time as every Lineage store keeps it: rounded to the nearest millisecond since the
    /// Unix epoch (the SQL stores' integer columns), so the in-memory store gives back what the
    /// SQL stores give back.
    var roundedToMillisecond: Date { Date(millisecondsSince1970: millisecondsSince1970) }
}

extension MetricPoint {
    /// The point with its timestamp as the stores keep it.
    var roundedToMillisecond: MetricPoint {
        var point = self
        point.timestamp = timestamp.roundedToMillisecond
        return point
    }
}
