#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The set of field texts that mean "missing", matched against raw bytes without allocating.
///
/// Markers of at most 8 bytes (all of the defaults) are kept as 64-bit keys grouped by length, so
/// a field is tested with one or two loads and a few integer compares, without a call; a text
/// column tests every field, and pandas' default set has 15 markers, 5 of them 4 bytes long.
struct MissingMarkers: Sendable {
    /// Markers (or, for text, markers and NaN spellings) as keys grouped by length.
    struct Table: Sendable {
        /// Bit `n` is set when some entry is `n` bytes long (bit 63 stands for 63 bytes or more).
        let lengthMask: UInt64
        /// The keys (``MissingMarkers/key(_:_:)``) of the entries of at most 8 bytes, by length.
        let keys: [UInt64]
        /// `keys[starts[n] ..< starts[n + 1]]` are the entries `n` bytes long, for `n` in 0...8.
        let starts: [Int]
        /// The entries longer than 8 bytes.
        let long: [[UInt8]]

        init(_ entries: [[UInt8]]) {
            var mask: UInt64 = 0
            var byLength = [[UInt64]](repeating: [], count: 9)
            var long: [[UInt8]] = []
            for bytes in entries {
                mask |= MissingMarkers.bit(bytes.count)
                if bytes.count <= 8 {
                    byLength[bytes.count].append(bytes.withUnsafeBufferPointer { b in b.baseAddress.map { MissingMarkers.key($0, b.count) } ?? 0 })
                } else {
                    long.append(bytes)
                }
            }
            var starts = [0]
            for group in byLength { starts.append(starts[starts.count - 1] + group.count) }
            lengthMask = mask
            keys = byLength.flatMap { $0 }
            self.starts = starts
            self.long = long
        }

        /// Whether `count` bytes at `p` are one of the entries.
        @inline(__always)
        func contains(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
            if lengthMask & MissingMarkers.bit(count) == 0 { return false }
            if count <= 8 {
                let key = MissingMarkers.key(p, count)
                var i = starts[count]
                let end = starts[count + 1]
                while i < end {
                    if keys[i] == key { return true }
                    i += 1
                }
                return false
            }
            for marker in long where marker.count == count {
                if marker.withUnsafeBufferPointer({ m in m.baseAddress.map { memcmp($0, p, count) == 0 } ?? false }) { return true }
            }
            return false
        }
    }

    /// The markers.
    let markers: Table
    /// The markers and, when ``nanSpellingsInText``, pandas' NaN spellings: what is missing in a
    /// text or time column.
    let markersInText: Table
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

    /// pandas' NaN spellings, missing in a text or time column and NaN in a number column.
    static let nanSpellings: [String] = ["NaN", "nan", "-NaN", "-nan"]

    /// Prepares a set of markers.
    init(_ set: Set<String>) {
        var list = [[UInt8]]()
        var numbers = false, timestamps = false
        for marker in set.sorted() {
            let bytes = Array(marker.utf8)
            list.append(bytes)
            bytes.withUnsafeBufferPointer { b in
                if let base = b.baseAddress {
                    if DecimalParser.parse(base, b.count) != nil || TimestampParser.parseEpochSeconds(base, b.count) != nil {
                        numbers = true
                    }
                    if TimestampParser.parseISO8601(base, b.count) != nil { timestamps = true }
                }
            }
        }
        let nanInText = set.isSuperset(of: CSVReadOptions.defaultMissingMarkers)
        markers = Table(list)
        markersInText = Table(list + (nanInText ? Self.nanSpellings.filter { !set.contains($0) }.map { Array($0.utf8) } : []))
        includesNumbers = numbers
        includesTimestamps = timestamps
        includesEmpty = set.contains("")
        nanSpellingsInText = nanInText
    }

    /// A field of at most 8 bytes as one integer, its bytes in order from the lowest (the first
    /// and last four bytes, overlapping, from 4 bytes up: for a given length they cover every
    /// byte, so equal keys of equal lengths are equal texts).
    @inline(__always)
    static func key(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        if count >= 4 {
            let raw = UnsafeRawPointer(p)
            let head = UInt64(raw.loadUnaligned(as: UInt32.self))
            let tail = UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            return head | tail << 32
        }
        var key: UInt64 = 0
        var i = 0
        while i < count {
            key |= UInt64(p[i]) << UInt64(8 * i)
            i += 1
        }
        return key
    }

    /// Whether `count` bytes at `p` are a missing value in a text or time column: a marker, or
    /// one of pandas' NaN spellings (``nanSpellings``, when ``nanSpellingsInText``).
    @inline(__always)
    func matchesInText(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool { markersInText.contains(p, count) }

    /// The length bit for a field of `count` bytes.
    @inline(__always)
    static func bit(_ count: Int) -> UInt64 { count < 63 ? 1 << UInt64(count) : 1 << 63 }

    /// Whether `count` bytes at `p` spell one of the markers.
    @inline(__always)
    func matches(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool { markers.contains(p, count) }
}
