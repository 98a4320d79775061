/// Parses ISO-8601 dates and date-times, and decimal epoch seconds, from bytes into Int64
/// microseconds since the Unix epoch (UTC).
///
/// See ``TimestampColumn/microseconds(fromISO8601:)`` for the accepted ISO-8601 forms.
enum TimestampParser {
    /// Parses an ISO-8601 date or date-time; `nil` when the bytes are not one.
    static func parseISO8601(_ start: UnsafePointer<UInt8>, _ count: Int) -> Int64? {
        var lo = 0, hi = count
        while lo < hi && DecimalParser.isBlank(start[lo]) { lo += 1 }
        while hi > lo && DecimalParser.isBlank(start[hi - 1]) { hi -= 1 }
        let p = start + lo
        let n = hi - lo
        guard n >= 10 else { return nil }

        /// The value of `width` ASCII digits at `at`, or -1.
        @inline(__always) func digits(_ at: Int, _ width: Int) -> Int {
            guard at + width <= n else { return -1 }
            var v = 0
            for k in at..<(at + width) {
                let d = p[k] &- 0x30
                if d >= 10 { return -1 }
                v = v * 10 + Int(d)
            }
            return v
        }

        let year = digits(0, 4), month = digits(5, 2), day = digits(8, 2)
        guard year >= 0, month >= 1, month <= 12, day >= 1, p[4] == 0x2D, p[7] == 0x2D else { return nil }
        guard day <= daysInMonth(year: year, month: month) else { return nil }
        var seconds = Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400
        var micros: Int64 = 0
        var i = 10
        if i == n { return seconds * 1_000_000 }

        // Time of day.
        guard p[i] == 0x54 || p[i] == 0x74 || p[i] == 0x20 else { return nil }  // T, t or space
        i += 1
        let hour = digits(i, 2)
        guard hour >= 0, hour <= 23, i + 5 <= n, p[i + 2] == 0x3A else { return nil }
        let minute = digits(i + 3, 2)
        guard minute >= 0, minute <= 59 else { return nil }
        i += 5
        var second = 0
        if i < n && p[i] == 0x3A {
            second = digits(i + 1, 2)
            guard second >= 0, second <= 59 else { return nil }
            i += 3
            if i < n && (p[i] == 0x2E || p[i] == 0x2C) {  // . or ,
                i += 1
                var fractionDigits = 0
                while i < n, p[i] &- 0x30 < 10 {
                    if fractionDigits < 6 {
                        micros = micros * 10 + Int64(p[i] &- 0x30)
                    }
                    fractionDigits += 1
                    i += 1
                }
                guard fractionDigits >= 1, fractionDigits <= 9 else { return nil }
                for _ in min(fractionDigits, 6)..<6 { micros *= 10 }
            }
        }
        seconds += Int64(hour * 3_600 + minute * 60 + second)

        // Zone.
        if i < n {
            let c = p[i]
            if (c == 0x5A || c == 0x7A) && i + 1 == n {  // Z or z
                i += 1
            } else if c == 0x2B || c == 0x2D {  // + or -
                let sign: Int64 = c == 0x2B ? 1 : -1
                i += 1
                let offsetHours = digits(i, 2)
                guard offsetHours >= 0, offsetHours <= 23 else { return nil }
                i += 2
                var offsetMinutes = 0
                if i < n {
                    if p[i] == 0x3A { i += 1 }
                    offsetMinutes = digits(i, 2)
                    guard offsetMinutes >= 0, offsetMinutes <= 59 else { return nil }
                    i += 2
                }
                guard i == n else { return nil }
                // Local time = UTC + offset, so UTC = local - offset.
                seconds -= sign * Int64(offsetHours * 3_600 + offsetMinutes * 60)
            } else {
                return nil
            }
        }
        return seconds * 1_000_000 + micros
    }

    /// Parses decimal seconds since the Unix epoch (`1732523400`, `-12.5`, `1.7e9`) into
    /// microseconds. Plain decimals are converted exactly (digits past the sixth decimal are
    /// dropped, toward zero); exponent forms go through `Double` and are rounded to the nearest
    /// microsecond. Returns `nil` for non-numbers, non-finite values and values beyond ±9.2e12 s.
    static func parseEpochSeconds(_ start: UnsafePointer<UInt8>, _ count: Int) -> Int64? {
        var lo = 0, hi = count
        while lo < hi && DecimalParser.isBlank(start[lo]) { lo += 1 }
        while hi > lo && DecimalParser.isBlank(start[hi - 1]) { hi -= 1 }
        let p = start + lo
        let n = hi - lo
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if p[0] == 0x2D || p[0] == 0x2B {
            negative = p[0] == 0x2D
            i = 1
        }
        var whole: Int64 = 0
        var sawDigit = false
        var plain = true
        while i < n, p[i] &- 0x30 < 10 {
            sawDigit = true
            guard whole < 922_337_203_685 else { plain = false; break }
            whole = whole * 10 + Int64(p[i] &- 0x30)
            i += 1
        }
        var fraction: Int64 = 0
        var fractionDigits = 0
        if plain && i < n && p[i] == 0x2E {
            i += 1
            while i < n, p[i] &- 0x30 < 10 {
                sawDigit = true
                if fractionDigits < 6 { fraction = fraction * 10 + Int64(p[i] &- 0x30) }
                fractionDigits += 1
                i += 1
            }
        }
        if plain && sawDigit && i == n {
            for _ in min(fractionDigits, 6)..<6 { fraction *= 10 }
            let micros = whole * 1_000_000 + fraction
            return negative ? -micros : micros
        }
        guard let seconds = DecimalParser.parse(start, count), seconds.isFinite,
              abs(seconds) < 9.2e12 else { return nil }
        return Int64((seconds * 1_000_000).rounded())
    }

    /// Whether `year` is a leap year in the proleptic Gregorian calendar.
    static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// The number of days in a month of a year.
    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
