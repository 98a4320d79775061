public import Foundation

/// A column of instants, stored as Int64 microseconds since the Unix epoch (1970-01-01T00:00:00Z,
/// UTC), any of which may be missing.
///
/// Rows read and write as Foundation `Date`s, the one time type of swift-mlops' public API
/// (see Documentation/Architecture.md, "Time"); the microseconds are the storage form, for
/// kernels that work on ``values`` directly. A `Date` converts to the nearest microsecond.
///
/// ## Storage
/// ``values`` holds one Int64 per row and ``validity`` one `Bool` per row (`true` means the value
/// is present), as in ``DoubleColumn``. Missing rows hold 0 in ``values`` when the column was
/// built by this module, but code must test ``validity`` (or use the subscript).
///
/// Microseconds in an Int64 cover about ±292,000 years around 1970, so every date that the
/// readers accept (years 0000 through 9999) fits.
///
/// The column has value semantics: copies share storage until one of them is changed.
public struct TimestampColumn: Sendable, Equatable, RandomAccessCollection, CustomStringConvertible {
    /// Microseconds since the Unix epoch, UTC, per row; entries of missing rows are unspecified.
    public private(set) var values: [Int64]
    /// Whether each row holds a value (`true`) or is missing (`false`).
    public private(set) var validity: [Bool]
    /// The number of missing rows.
    public private(set) var nullCount: Int

    /// Creates a column from optional instants; `nil` is a missing row.
    ///
    /// - Parameter dates: One entry per row, each kept to the nearest microsecond.
    /// - Complexity: O(*n*).
    public init(_ dates: [Date?]) {
        self.init(microseconds: dates.map { $0?.microsecondsSince1970 })
    }

    /// Creates a column from optional microsecond counts; `nil` is a missing row.
    ///
    /// - Parameter microseconds: One entry per row, in microseconds since the Unix epoch (UTC).
    /// - Complexity: O(*n*).
    public init(microseconds: [Int64?]) {
        var stored = [Int64]()
        stored.reserveCapacity(microseconds.count)
        var valid = [Bool]()
        valid.reserveCapacity(microseconds.count)
        var nulls = 0
        for value in microseconds {
            stored.append(value ?? 0)
            valid.append(value != nil)
            if value == nil { nulls += 1 }
        }
        self.values = stored
        self.validity = valid
        self.nullCount = nulls
    }

    /// Creates a column from microsecond counts and a validity mask.
    ///
    /// - Parameters:
    ///   - values: Microseconds since the Unix epoch (UTC), one per row.
    ///   - valid: One entry per row, `true` where the value is present.
    /// - Throws: ``TableError/Code/maskLengthMismatch`` when the two arrays differ in length.
    /// - Complexity: O(*n*).
    public init(values: [Int64], valid: [Bool]) throws(TableError) {
        guard values.count == valid.count else {
            throw TableError(.maskLengthMismatch, detail: "\(values.count) values but \(valid.count) validity entries")
        }
        self.values = values
        self.validity = valid
        var nulls = 0
        for v in valid where !v { nulls += 1 }
        self.nullCount = nulls
    }

    /// Creates a column from parts whose consistency the caller (this module) guarantees.
    init(uncheckedValues values: [Int64], validity: [Bool], nullCount: Int) {
        self.values = values
        self.validity = validity
        self.nullCount = nullCount
    }

    /// Parses an ISO-8601 date or date-time into microseconds since the Unix epoch.
    ///
    /// Accepted forms are those the readers accept: `2026-11-25` (midnight UTC),
    /// `2026-11-25T08:30`, `2026-11-25T08:30:00`, with a space allowed in place of `T`, an
    /// optional fraction of a second of 1 to 9 digits (digits past the sixth are dropped, which
    /// rounds toward the earlier instant), and an optional zone: `Z`, `+hh:mm`, `-hh:mm`, `+hhmm`
    /// or `+hh`. A date-time without a zone is taken as UTC. Years are four digits (0000–9999).
    ///
    /// - Parameter text: The text to parse.
    /// - Returns: The microseconds, or `nil` when the text is not such a date or is out of range
    ///   (for example February 30).
    /// - Complexity: O(*n*) in the length of `text`.
    public static func microseconds(fromISO8601 text: String) -> Int64? {
        var copy = text
        return copy.withUTF8 { buffer -> Int64? in
            guard let base = buffer.baseAddress else { return nil }
            return TimestampParser.parseISO8601(base, buffer.count)
        }
    }

    /// The number of rows.
    public var count: Int { values.count }
    /// The first row index, always 0.
    public var startIndex: Int { 0 }
    /// One past the last row index, equal to ``count``.
    public var endIndex: Int { values.count }

    /// The instant of a row, or `nil` when it is missing.
    ///
    /// - Parameter row: A row index in `0..<count`; other indices trap, as with `Array`.
    /// - Complexity: O(1).
    public subscript(row: Int) -> Date? {
        validity[row] ? Date(microsecondsSince1970: values[row]) : nil
    }

    /// The microseconds of a row (the storage form), or `nil` when it is missing.
    ///
    /// - Parameter row: A row index in `0..<count`; other indices trap, as with `Array`.
    /// - Complexity: O(1).
    public func microseconds(at row: Int) -> Int64? {
        validity[row] ? values[row] : nil
    }

    /// Appends one row.
    ///
    /// - Parameter date: The instant, kept to the nearest microsecond, or `nil` for missing.
    /// - Complexity: Amortized O(1).
    public mutating func append(_ date: Date?) {
        append(microseconds: date?.microsecondsSince1970)
    }

    /// Appends one row given in microseconds.
    ///
    /// - Parameter microseconds: Microseconds since the Unix epoch (UTC), or `nil` for missing.
    /// - Complexity: Amortized O(1).
    public mutating func append(microseconds: Int64?) {
        values.append(microseconds ?? 0)
        validity.append(microseconds != nil)
        if microseconds == nil { nullCount += 1 }
    }

    /// A short summary, for example `TimestampColumn(count: 10, nullCount: 2)`.
    public var description: String { "TimestampColumn(count: \(count), nullCount: \(nullCount))" }

    /// Compares the validity masks and the present values; values at missing rows are ignored.
    ///
    /// - Complexity: O(*n*).
    public static func == (lhs: TimestampColumn, rhs: TimestampColumn) -> Bool {
        guard lhs.count == rhs.count, lhs.nullCount == rhs.nullCount, lhs.validity == rhs.validity else {
            return false
        }
        for i in 0..<lhs.values.count where lhs.validity[i] && lhs.values[i] != rhs.values[i] {
            return false
        }
        return true
    }

    /// The rows whose mask entry is `true`, in order; `kept` is the number of `true` entries.
    func filtered(_ mask: [Bool], kept: Int) -> TimestampColumn {
        let picked = MaskedRows.select(values, validity, rows: MaskedRows.kept(mask), capacity: kept)
        return TimestampColumn(uncheckedValues: picked.values, validity: picked.validity, nullCount: picked.nullCount)
    }

    /// The rows at `indices` (already checked to be in range), in that order.
    func gathered(_ indices: [Int]) -> TimestampColumn {
        let picked = MaskedRows.select(values, validity, rows: indices, capacity: indices.count)
        return TimestampColumn(uncheckedValues: picked.values, validity: picked.validity, nullCount: picked.nullCount)
    }

    /// This column's rows followed by `other`'s.
    func appending(_ other: TimestampColumn) -> TimestampColumn {
        TimestampColumn(
            uncheckedValues: values + other.values, validity: validity + other.validity,
            nullCount: nullCount + other.nullCount)
    }
}
