#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Converts ASCII decimal text to `Double` without creating a `String`, with results
/// bit-identical to `strtod` and `Double(String)`.
///
/// Grammar (after trimming spaces and tabs at both ends):
/// `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`, or, case-insensitively,
/// `[+-]? (inf | infinity | nan)`. Hexadecimal floats are not accepted.
///
/// Digits are read eight at a time with SWAR arithmetic (one 64-bit load finds and converts a
/// run of digits, with no branch per digit). The common case (a sign, at most 7 integer
/// digits and 7 decimals, a short exponent) is decoded by ``scan(_:_:_:)``; the rest by
/// ``scanGeneral(_:_:_:)``. Both use Clinger's fast path where it applies: when the digits
/// (at most 19, leading zeros included) have a value below 2⁵³ and the decimal exponent is
/// within ±22, the result is one correctly rounded IEEE multiplication or division of two
/// exactly representable numbers. Other numbers of at most 19 digits (17 significant digits,
/// large exponents) go through the Eisel–Lemire algorithm (``eiselLemire(_:_:_:)``). What
/// neither decides (more than 19 digits, subnormal results, rare ties) is copied to a small
/// stack buffer and handed to the C library's correctly rounded `strtod` (in the C locale that
/// Swift programs run in).
enum DecimalParser {
    /// 10^0 through 10^22, all exactly representable (a table: a `switch` here compiles to an
    /// indirect jump that mispredicts on every number).
    static let doublePowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// 10^0 through 10^8 as integers.
    static let integerPowersOfTen: [UInt64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
    ]

    /// 10^`e` for `e` in `0...22`.
    @inline(__always)
    static func powerOfTen(_ e: Int) -> Double { doublePowersOfTen[e] }

    /// 10^`e` as an integer, for `e` in `0...8`.
    @inline(__always)
    static func integerPowerOfTen(_ e: Int) -> UInt64 { integerPowersOfTen[e] }

    /// Whether a byte is a space or a horizontal tab.
    @inline(__always)
    static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

    /// Parses `count` bytes at `start` as a decimal number (the whole text, blanks trimmed).
    ///
    /// - Returns: The correctly rounded value, or `nil` when the bytes do not match the grammar.
    @inline(__always)
    static func parse(_ start: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        var lo = 0, hi = count
        while lo < hi && isBlank(start[lo]) { lo += 1 }
        while hi > lo && isBlank(start[hi - 1]) { hi -= 1 }
        if lo == hi { return nil }
        if let (value, next) = scan(start, lo, hi), next == hi { return value }
        // Not a plain decimal: maybe inf, infinity or nan with a sign.
        var i = lo
        var negative = false
        if start[i] == 0x2D || start[i] == 0x2B {
            negative = start[i] == 0x2D
            i += 1
        }
        return parseSpecial(start + i, hi - i, negative: negative)
    }

    /// The leading digit run of eight bytes already loaded (first byte lowest).
    ///
    /// - Returns: The digits' value and how many there were (0 to 8).
    @inline(__always)
    static func digitRun(_ word: UInt64) -> (UInt64, Int) {
        let x = word ^ 0x3030_3030_3030_3030
        // A byte's top bit is set when it is not a digit (x > 9).
        let nonDigits = ((x &+ 0x7676_7676_7676_7676) | x) & 0x8080_8080_8080_8080
        let count = nonDigits == 0 ? 8 : nonDigits.trailingZeroBitCount >> 3
        if count == 0 { return (0, 0) }
        return (packedDigitsValue(x, count), count)
    }

    /// The value of an ASCII digit run already turned into digit values (`byte ^ 0x30`) and
    /// held in the `count` low bytes of `x` (first digit lowest), for `count` in `1...8`.
    @inline(__always)
    static func packedDigitsValue(_ x: UInt64, _ count: Int) -> UInt64 {
        // Keep the `count` low bytes as the high end of an 8-digit number with leading zeros.
        var v = x << UInt64(64 &- 8 &* count)
        v = (v &* 10) &+ (v >> 8)
        return (((v & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32)))
            &+ (((v >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32)))) >> 32
    }

    /// Reads up to eight ASCII digits at `b[i]`, stopping at the first non-digit or at `end`.
    ///
    /// When eight bytes are available the run is found and converted with SWAR arithmetic on
    /// one 64-bit load (no branch per digit); otherwise digit by digit.
    ///
    /// - Returns: The digits' value and how many there were (0 to 8).
    @inline(__always)
    static func digitRun(_ b: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> (UInt64, Int) {
        if i &+ 8 <= end {
            return digitRun(UInt64(littleEndian: UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self)))
        }
        var v: UInt64 = 0
        var k = i
        let limit = min(end, i &+ 8)
        while k < limit {
            let d = b[k] &- 0x30
            if d >= 10 { break }
            v = v &* 10 &+ UInt64(d)
            k &+= 1
        }
        return (v, k &- i)
    }

    /// Reads the longest decimal number (without blanks) that starts at `b[start]` and ends
    /// before `b[end]`.
    ///
    /// This is the small, inlinable common case: an optional sign, at most 7 integer digits,
    /// an optional point and decimals, at most 15 digits in all, an optional exponent of at most
    /// three digits, and a power of ten within ±22. Its cost is dominated by the chain
    /// from one field's start to the next one's, so the sign is handled without a dependent
    /// load (the words at `start` and `start + 1` are loaded together and one is picked).
    /// Anything else goes to ``scanGeneral(_:_:_:)``.
    ///
    /// - Returns: The correctly rounded value and the index after the number, or `nil` when no
    ///   number starts there (no digit, or an exponent marker without digits).
    @inline(__always)
    static func scan(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (Double, Int)? {
        guard start &+ 16 <= end else { return scanGeneral(b, start, end) }
        let raw = UnsafeRawPointer(b + start)
        let unsigned = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        let shifted = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 1, as: UInt64.self))
        // Branch-free arithmetic: signs are unpredictable in real data, and the compiler turns
        // comparisons back into branches. (c ^ k) - 1 wraps to a value with bit 31 set only
        // when c == k.
        let c = UInt32(truncatingIfNeeded: unsigned) & 0xFF
        let isMinus = ((c ^ 0x2D) &- 1) >> 31
        let isPlus = ((c ^ 0x2B) &- 1) >> 31
        let signLength = Int(isMinus | isPlus)
        // A mask select, not `?:`, which the compiler would turn into a branch.
        let pick = 0 &- UInt64(truncatingIfNeeded: signLength)
        let word = unsigned ^ ((unsigned ^ shifted) & pick)
        let (integer, integerDigits) = digitRun(word)
        var i = start &+ signLength &+ integerDigits
        var mantissa = integer
        var fractionDigits = 0
        if b[i] == 0x2E {  // . (i < start + 9 < end)
            i &+= 1
            let (fraction, count) = digitRun(b, i, end)
            mantissa = mantissa &* integerPowerOfTen(count) &+ fraction
            fractionDigits = count
            i &+= count
            if count == 8 {
                // A second run: `%.9g`-style decimals (0.298745538) and longer fractions stay
                // here; a third run too while the digits number at most 19 (`%.17g`), so the
                // mantissa stays exact.
                let (more, extra) = digitRun(b, i, end)
                mantissa = mantissa &* integerPowerOfTen(extra) &+ more
                fractionDigits &+= extra
                i &+= extra
                if extra == 8 {
                    let (tail, last) = digitRun(b, i, end)
                    if last == 8 || integerDigits &+ fractionDigits &+ last > 19 { return scanGeneral(b, start, end) }
                    mantissa = mantissa &* integerPowerOfTen(last) &+ tail
                    fractionDigits &+= last
                    i &+= last
                }
                if integerDigits &+ fractionDigits > 19 { return scanGeneral(b, start, end) }
            }
        }
        // Runs of 8 integer digits may continue; zero needs its sign kept (-0.0).
        if integerDigits == 8 || mantissa == 0 {
            return scanGeneral(b, start, end)
        }
        var scale = -fractionDigits
        if i < end && (b[i] | 0x20) == 0x65 {
            // A short exponent (`%e` output: e-05, E+12) is read here; a long or missing one
            // goes to the general path.
            var j = i &+ 1
            var negative = false
            if j < end && (b[j] == 0x2D || b[j] == 0x2B) {
                negative = b[j] == 0x2D
                j &+= 1
            }
            var e = 0, count = 0
            while j < end && count < 4 {
                let d = b[j] &- 0x30
                if d >= 10 { break }
                e = e &* 10 &+ Int(d)
                j &+= 1
                count &+= 1
            }
            if count == 0 || count == 4 { return scanGeneral(b, start, end) }
            scale &+= negative ? -e : e
            i = j
        }
        if integerDigits &+ fractionDigits > 15 {
            // 16 to 19 digits: Eisel–Lemire on the exact mantissa, strtod when it declines.
            guard let value = eiselLemire(mantissa, scale, UInt64(isMinus) << 63) else { return scanGeneral(b, start, end) }
            return (value, i)
        }
        // At most 15 digits: the signed mantissa (below 10^15 < 2^53) and 10^|scale| (at most
        // 10^22) are exact doubles, so one division or multiplication rounds correctly
        // (Clinger's fast path) and keeps the value in floating-point registers.
        let signed = Int64(bitPattern: mantissa) &* (1 &- 2 &* Int64(isMinus))
        if scale <= 0 {
            if scale < -22 { return scanGeneral(b, start, end) }
            return (Double(signed) / powerOfTen(-scale), i)
        }
        if scale > 22 { return scanGeneral(b, start, end) }
        return (Double(signed) * powerOfTen(scale), i)
    }

    /// The complete version of ``scan(_:_:_:)``: exponents, long mantissas and every fallback.
    ///
    /// - Returns: The correctly rounded value and the index after the number, or `nil` when no
    ///   number starts there (no digit, or an exponent marker without digits).
    @inline(never)
    static func scanGeneral(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (Double, Int)? {
        var i = start
        var signBit: UInt64 = 0
        if i < end {
            // Branch-free arithmetic: signs are unpredictable in real data, and the compiler turns
            // comparisons back into branches. (c ^ k) - 1 wraps to a value with bit 31 set only
            // when c == k.
            let c = UInt32(b[i])
            let isMinus = ((c ^ 0x2D) &- 1) >> 31
            let isPlus = ((c ^ 0x2B) &- 1) >> 31
            signBit = UInt64(isMinus) << 63
            i &+= Int(isMinus | isPlus)
        }
        var mantissa: UInt64 = 0
        var digits = 0
        while true {
            let (v, n) = digitRun(b, i, end)
            mantissa = mantissa &* integerPowerOfTen(n) &+ v
            digits &+= n
            i &+= n
            if n < 8 { break }
        }
        var exponent = 0
        if i < end && b[i] == 0x2E {  // .
            i &+= 1
            let integerDigits = digits
            while true {
                let (v, n) = digitRun(b, i, end)
                mantissa = mantissa &* integerPowerOfTen(n) &+ v
                digits &+= n
                i &+= n
                if n < 8 { break }
            }
            exponent = integerDigits &- digits
        }
        if digits == 0 { return nil }
        if i < end && (b[i] | 0x20) == 0x65 {  // e or E
            i &+= 1
            var expNegative = false
            if i < end && (b[i] == 0x2D || b[i] == 0x2B) {
                expNegative = b[i] == 0x2D
                i &+= 1
            }
            let expStart = i
            var e = 0
            while i < end {
                let d = b[i] &- 0x30
                if d >= 10 { break }
                if e < 100_000 { e = e &* 10 &+ Int(d) }
                i &+= 1
            }
            if i == expStart { return nil }
            exponent &+= expNegative ? -e : e
        }
        // More than 19 digits (leading zeros included) may have wrapped the mantissa.
        if digits <= 19 {
            if mantissa == 0 { return (Double(bitPattern: signBit), i) }
            if mantissa <= 1 << 53 {
                if exponent >= 0 && exponent <= 22 {
                    let v = Double(mantissa) * powerOfTen(exponent)
                    return (Double(bitPattern: v.bitPattern | signBit), i)
                }
                if exponent < 0 && exponent >= -22 {
                    let v = Double(mantissa) / powerOfTen(-exponent)
                    return (Double(bitPattern: v.bitPattern | signBit), i)
                }
                // 1234e25 = (1234 * 10^3) * 10^22 while the product stays exact.
                if exponent > 22 && exponent <= 22 + 15 {
                    var m = mantissa
                    var overflow = false
                    for _ in 0..<(exponent - 22) {
                        (m, overflow) = m.multipliedReportingOverflow(by: 10)
                        if overflow { break }
                    }
                    if !overflow && m <= 1 << 53 {
                        let v = Double(m) * 1e22
                        return (Double(bitPattern: v.bitPattern | signBit), i)
                    }
                }
            }
            // 16 to 19 significant digits, or exponents beyond Clinger's range.
            if let v = eiselLemire(mantissa, exponent, signBit) { return (v, i) }
        }
        return slowScan(b, start, i)
    }

    /// The slow path of ``scan(_:_:_:)``: `strtod` on the scanned bytes.
    @inline(never)
    static func slowScan(_ b: UnsafePointer<UInt8>, _ start: Int, _ i: Int) -> (Double, Int)? {
        guard let v = slowPath(b + start, i - start) else { return nil }
        return (v, i)
    }

    /// Matches `inf`, `infinity` or `nan` (any case) filling the whole remaining text.
    static func parseSpecial(_ p: UnsafePointer<UInt8>, _ n: Int, negative: Bool) -> Double? {
        @inline(__always) func lower(_ k: Int) -> UInt8 { p[k] | 0x20 }
        if n == 3 && lower(0) == 0x6E && lower(1) == 0x61 && lower(2) == 0x6E {  // nan
            return negative ? -Double.nan : Double.nan
        }
        if n == 3 || n == 8 {
            guard lower(0) == 0x69, lower(1) == 0x6E, lower(2) == 0x66 else { return nil }  // inf
            if n == 8 {
                let tail: [UInt8] = [0x69, 0x6E, 0x69, 0x74, 0x79]  // inity
                for k in 0..<5 where lower(3 + k) != tail[k] { return nil }
            }
            return negative ? -Double.infinity : Double.infinity
        }
        return nil
    }

    /// Hands validated decimal text to `strtod`, through a NUL-terminated stack copy.
    @inline(never)
    static func slowPath(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer -> Double? in
            guard let base = buffer.baseAddress else { return nil }
            for k in 0..<n { base[k] = CChar(bitPattern: p[k]) }
            base[n] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(base, &end)
            guard let end, end - base == n else { return nil }
            return value
        }
    }

    /// Parses a `String` with the same grammar; a convenience for tests and small inputs.
    static func parse(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { buffer -> Double? in
            guard let base = buffer.baseAddress else { return nil }
            return parse(base, buffer.count)
        }
    }
}
