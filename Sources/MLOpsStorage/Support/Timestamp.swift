import Foundation

/// Wall-clock timestamps in the one text form the stores write.
enum Timestamp {
    /// Now, as ISO 8601 in UTC, e.g. `2026-11-25T08:30:00Z`.
    static func nowISO8601() -> String {
        Date.now.ISO8601Format()
    }
}
