public import Foundation

extension Date {
    /// The instant `microseconds` after the Unix epoch (1970-01-01T00:00:00Z).
    ///
    /// swift-mlops' public API speaks `Date`; stores and columns keep whole microseconds (or
    /// milliseconds). A `Date` holds seconds as a `Double`, which is finer than a microsecond for
    /// every year from 1900 to 2100, so converting there and back gives the same count.
    ///
    /// - Parameter microseconds: Microseconds since the Unix epoch, UTC.
    public init(microsecondsSince1970 microseconds: Int64) {
        let seconds = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        self.init(timeIntervalSince1970: Double(seconds.quotient) + Double(seconds.remainder) / 1_000_000)
    }

    /// The instant `milliseconds` after the Unix epoch (1970-01-01T00:00:00Z).
    ///
    /// - Parameter milliseconds: Milliseconds since the Unix epoch, UTC.
    public init(millisecondsSince1970 milliseconds: Int64) {
        let seconds = milliseconds.quotientAndRemainder(dividingBy: 1_000)
        self.init(timeIntervalSince1970: Double(seconds.quotient) + Double(seconds.remainder) / 1_000)
    }

    /// Microseconds since the Unix epoch, rounded to the nearest; clamped to the range of `Int64`.
    public var microsecondsSince1970: Int64 {
        Self.wholeUnits(timeIntervalSince1970, perSecond: 1_000_000)
    }

    /// Milliseconds since the Unix epoch, rounded to the nearest; clamped to the range of `Int64`.
    public var millisecondsSince1970: Int64 {
        Self.wholeUnits(timeIntervalSince1970, perSecond: 1_000)
    }

    /// The time in UTC to the millisecond, `2026-11-25T08:30:00.123Z`, with the milliseconds
    /// rounded to the nearest (``millisecondsSince1970``), as every store keeps them.
    ///
    /// Foundation's `ISO8601FormatStyle` truncates instead: the `Date` of 1,700,000,001,001 ms
    /// holds 1700000001.0009999 s, which it prints as `.000`. This counts from the whole
    /// milliseconds, so a time printed and read back is the time stored.
    public var iso8601Milliseconds: String {
        let (micros, overflow) = millisecondsSince1970.multipliedReportingOverflow(by: 1_000)
        // Beyond ±292,000 years: no store holds such a time; Foundation's text is as good as any.
        if overflow { return formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
        let c = TableWriter.civil(micros)
        return String(
            format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", c.year, c.month, c.day,
            c.secondOfDay / 3600, c.secondOfDay / 60 % 60, c.secondOfDay % 60, c.micro / 1_000)
    }

    /// `seconds` in whole units, splitting off the whole seconds first so the fraction keeps its
    /// precision; NaN counts as 0 and ±∞ as the ends of `Int64`.
    private static func wholeUnits(_ seconds: Double, perSecond: Int64) -> Int64 {
        guard seconds.isFinite else { return seconds.isNaN ? 0 : (seconds > 0 ? .max : .min) }
        let whole = seconds.rounded(.down)
        guard let wholeSeconds = Int64(exactly: whole) else { return seconds > 0 ? .max : .min }
        let fraction = ((seconds - whole) * Double(perSecond)).rounded()
        let (scaled, overflow) = wholeSeconds.multipliedReportingOverflow(by: perSecond)
        if overflow { return seconds > 0 ? .max : .min }
        return scaled.addingReportingOverflow(Int64(fraction)).overflow ? .max : scaled + Int64(fraction)
    }
}
