public import Foundation

extension Date {
    /// The instant `milliseconds` after the Unix epoch, built as the stores build the times they
    /// read back (whole seconds plus the milliseconds), so the two compare equal bit for bit.
    public static func ms(_ milliseconds: Int64) -> Date {
        let seconds = milliseconds.quotientAndRemainder(dividingBy: 1_000)
        return Date(timeIntervalSince1970: Double(seconds.quotient) + Double(seconds.remainder) / 1_000)
    }
}
