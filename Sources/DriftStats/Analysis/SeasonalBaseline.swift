public import Foundation
public import TensorCore

/// Compares a window with the matching windows of the reference — the same hours of the week,
/// say — instead of with the whole reference, so Monday morning's traffic is not flagged for
/// differing from Saturday night's.
///
/// The season of a row comes from a timestamp column, in UTC shifted by ``utcOffsetSeconds``.
/// The reference is narrowed to the rows whose season is among the current window's seasons.
///
/// ```swift
/// var configuration = DriftConfiguration()
/// configuration.season = SeasonalBaseline(timestampColumn: "event_time", period: .hourOfWeek)
/// ```
public struct SeasonalBaseline: Sendable, Hashable {
    /// How rows are grouped into seasons.
    public enum Period: String, Sendable, Hashable, Codable, CaseIterable {
        /// 24 seasons: the hour of the day.
        case hourOfDay = "hour_of_day"
        /// 7 seasons: the day of the week (0 is Monday).
        case dayOfWeek = "day_of_week"
        /// 168 seasons: the hour of the week (0 is Monday 00:00–01:00).
        case hourOfWeek = "hour_of_week"
    }

    /// The timestamp column that places each row in its season.
    public var timestampColumn: String
    /// The grouping.
    public var period: Period
    /// Seconds added to UTC before the season is taken (local time; 3,600 for UTC+1).
    public var utcOffsetSeconds: Int64

    /// Creates a seasonal rule.
    public init(timestampColumn: String, period: Period, utcOffsetSeconds: Int64 = 0) {
        self.timestampColumn = timestampColumn
        self.period = period
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// The season of an instant.
    public func season(of date: Date) -> Int {
        season(ofMicroseconds: date.microsecondsSince1970)
    }

    /// The season of an instant in microseconds since the Unix epoch (the storage form of
    /// ``TensorCore/TimestampColumn``).
    func season(ofMicroseconds microseconds: Int64) -> Int {
        let seconds = floorDivision(microseconds, 1_000_000).0 + utcOffsetSeconds
        let (hours, _) = floorDivision(seconds, 3_600)
        // 1970-01-01 was a Thursday: hour 0 of the epoch is hour 72 of its week.
        let hourOfWeek = Int(floorDivision(hours + 72, 168).1)
        switch period {
        case .hourOfDay: return hourOfWeek % 24
        case .dayOfWeek: return hourOfWeek / 24
        case .hourOfWeek: return hourOfWeek
        }
    }

    /// The reference rows in the current window's seasons, and those seasons (ascending).
    ///
    /// - Throws: ``DriftError`` when either table lacks the timestamp column.
    public func matchingReference(_ reference: FeatureTable, for current: FeatureTable) throws(DriftError) -> (reference: FeatureTable, seasons: [Int]) {
        let currentStamps = try stamps(current, "current")
        let referenceStamps = try stamps(reference, "reference")
        var seasons = Set<Int>()
        for (value, valid) in zip(currentStamps.values, currentStamps.validity) where valid {
            seasons.insert(season(ofMicroseconds: value))
        }
        var mask = [Bool](repeating: false, count: reference.rowCount)
        for (row, (value, valid)) in zip(referenceStamps.values, referenceStamps.validity).enumerated() where valid {
            mask[row] = seasons.contains(season(ofMicroseconds: value))
        }
        do {
            return (try reference.filtering(rows: mask), seasons.sorted())
        } catch {
            throw DriftError(.invalidArgument, "The reference could not be narrowed to its seasonal rows: \(error)")
        }
    }

    /// "hour_of_week 14, 15".
    func describe(_ seasons: [Int]) -> String {
        let listed = seasons.prefix(12).map(String.init).joined(separator: ", ")
        return "\(period.rawValue) \(listed)\(seasons.count > 12 ? ", … (\(seasons.count) seasons)" : "")"
    }

    private func stamps(_ table: FeatureTable, _ side: String) throws(DriftError) -> TimestampColumn {
        guard case .timestamp(let stamps)? = table.column(named: timestampColumn) else {
            throw DriftError(.invalidArgument, "The \(side) data has no timestamp column '\(timestampColumn)' for the seasonal baseline", fix: "name a column of ISO-8601 timestamps, or drop the seasonal setting.")
        }
        return stamps
    }

    private func floorDivision(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var (quotient, remainder) = (a / b, a % b)
        if remainder < 0 {
            quotient -= 1
            remainder += b
        }
        return (quotient, remainder)
    }
}
