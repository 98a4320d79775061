#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The set of field texts that mean "missing", matched against raw bytes without allocating.
struct MissingMarkers: Sendable {
    /// The markers' UTF-8 bytes.
    let markers: [[UInt8]]
    /// Bit `n` is set when some marker is `n` bytes long (bit 63 stands for 63 bytes or more).
    let lengthMask: UInt64
    /// Whether some marker would also parse as a number (then markers are tested first).
    let includesNumbers: Bool
    /// Whether some marker would also parse as an ISO-8601 timestamp.
    let includesTimestamps: Bool
    /// Whether the empty string is a marker (an empty field is then a missing value).
    let includesEmpty: Bool
    /// Whether pandas' NaN spellings (`NaN`, `nan`, `-NaN`, `-nan`) are missing values in a
    /// text or time column: with the default markers or more (pandas' defaults), not with a
    /// custom set, which lists its markers itself.
    let nanSpellingsInText: Bool

    /// Prepares a set of markers.
    init(_ set: Set<String>) {
        var list = [[UInt8]]()
        var mask: UInt64 = 0
        var numbers = false, timestamps = false
        for marker in set.sorted() {
            let bytes = Array(marker.utf8)
            list.append(bytes)
            mask |= Self.bit(bytes.count)
            bytes.withUnsafeBufferPointer { b in
                if let base = b.baseAddress {
                    if DecimalParser.parse(base, b.count) != nil || TimestampParser.parseEpochSeconds(base, b.count) != nil {
                        numbers = true
                    }
                    if TimestampParser.parseISO8601(base, b.count) != nil { timestamps = true }
                }
            }
        }
        markers = list
        lengthMask = mask
        includesNumbers = numbers
        includesTimestamps = timestamps
        includesEmpty = set.contains("")
        nanSpellingsInText = set.isSuperset(of: CSVReadOptions.defaultMissingMarkers)
    }

    /// Whether `count` bytes at `p` are a missing value in a text or time column: a marker, or
    /// one of pandas' NaN spellings (see ``nanSpellingsInText``).
    @inline(__always)
    func matchesInText(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        matches(p, count) || (nanSpellingsInText && ColumnBuilder.isNaNText(p, count))
    }

    /// The length bit for a field of `count` bytes.
    @inline(__always)
    static func bit(_ count: Int) -> UInt64 { count < 63 ? 1 << UInt64(count) : 1 << 63 }

    /// Whether `count` bytes at `p` spell one of the markers.
    @inline(__always)
    func matches(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        if lengthMask & Self.bit(count) == 0 { return false }
        if count == 0 { return true }
        for marker in markers where marker.count == count {
            let equal = marker.withUnsafeBufferPointer { m -> Bool in
                guard let base = m.baseAddress else { return false }
                return memcmp(base, p, count) == 0
            }
            if equal { return true }
        }
        return false
    }
}
