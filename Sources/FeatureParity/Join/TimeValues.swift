public import TensorCore

/// A column of times as microseconds since the Unix epoch, whatever form the file gave them in:
/// a timestamp column (ISO 8601, any zone, converted to UTC by the reader), numbers (epoch
/// seconds), or text mixing both. Missing times are `TimeValues.missing`.
public struct TimeValues: Sendable {
    /// The marker of a missing time.
    public static let missing = Int64.min
    /// Times are accepted from year 1 to year 9999: beyond, a value is an error, never an overflow.
    public static let latestSeconds = 253_402_300_800.0
    static let range = Int64(-62_135_596_800) * 1_000_000...(Int64(253_402_300_800) * 1_000_000 - 1)

    /// One time per row, in microseconds (``missing`` where there is none).
    public let microseconds: [Int64]
    /// Rows whose time was ISO 8601 text.
    public let isoRows: Int
    /// Rows whose time was a number of epoch seconds.
    public let epochRows: Int
    /// Rows without a time.
    public let missingRows: Int

    /// Whether the column mixed ISO 8601 text and epoch numbers.
    public var mixedFormats: Bool { isoRows > 0 && epochRows > 0 }

    /// The times of `column` (named `name`, for errors).
    ///
    /// - Throws: ``FeatureParityError/Code/invalidTime`` naming the first value that is neither
    ///   ISO 8601 nor a number, and its row (1-based, after the header).
    public init(_ column: Column, name: String) throws(FeatureParityError) {
        var iso = 0, epoch = 0, missing = 0
        var values: [Int64]
        switch column {
        case .timestamp(let c):
            values = [Int64](repeating: Self.missing, count: c.count)
            for i in 0..<c.count {
                if c.validity[i] {
                    guard Self.range.contains(c.values[i]) else {
                        throw FeatureParityError(.invalidTime, "A time in '\(name)' is outside the years 1 to 9999", location: "row \(i + 1)", fix: "check the column's unit.")
                    }
                    values[i] = c.values[i]
                    iso += 1
                } else { missing += 1 }
            }
        case .double(let c):
            values = [Int64](repeating: Self.missing, count: c.count)
            for i in 0..<c.count {
                let seconds = c.values[i]
                if c.validity[i], let micros = Self.micros(seconds: seconds) { values[i] = micros; epoch += 1 } else if c.validity[i] {
                    // Shown as written when it is a whole number (99999999999999, not 99999999999999.0).
                    let shown = seconds == seconds.rounded() && Swift.abs(seconds) < 1e15 ? String(Int64(seconds)) : "\(seconds)"
                    let why = seconds.isFinite ? ": as epoch seconds it falls outside the years 1 to 9999" : ""
                    throw FeatureParityError(.invalidTime, "\(shown) in '\(name)' is not a time\(why)", location: "row \(i + 1)", fix: "give times as ISO 8601 or epoch seconds.")
                } else { missing += 1 }
            }
        case .categorical(let c):
            // Each distinct text is parsed once.
            var parsed = [Int64](repeating: Self.missing, count: c.dictionary.count)
            var kinds = [UInt8](repeating: 0, count: c.dictionary.count)  // 1 ISO, 2 epoch, 3 bad
            for (code, text) in c.dictionary.enumerated() {
                if let micros = TimestampColumn.microseconds(fromISO8601: text), Self.range.contains(micros) {
                    (parsed[code], kinds[code]) = (micros, 1)
                } else if let seconds = Double(text), let micros = Self.micros(seconds: seconds) {
                    (parsed[code], kinds[code]) = (micros, 2)
                } else {
                    kinds[code] = 3
                }
            }
            values = [Int64](repeating: Self.missing, count: c.codes.count)
            for (i, code) in c.codes.enumerated() {
                guard code >= 0 else { missing += 1; continue }
                switch kinds[Int(code)] {
                case 1: iso += 1
                case 2: epoch += 1
                default:
                    throw FeatureParityError(
                        .invalidTime, "'\(c.dictionary[Int(code)])' in '\(name)' is neither an ISO 8601 time nor epoch seconds", location: "row \(i + 1)",
                        fix: "write times as 2026-12-05T10:00:00Z (any offset) or 1765000000.5.")
                }
                values[i] = parsed[Int(code)]
            }
        }
        microseconds = values
        isoRows = iso
        epochRows = epoch
        missingRows = missing
    }

    static func micros(seconds: Double) -> Int64? {
        let micros = (seconds * 1_000_000).rounded()
        // The upper end compared as the first excluded microsecond, which a Double holds exactly
        // (the last included one rounds up to it).
        guard micros.isFinite, micros >= Double(range.lowerBound), micros < Double(range.upperBound + 1) else { return nil }
        return Int64(micros)
    }
}
