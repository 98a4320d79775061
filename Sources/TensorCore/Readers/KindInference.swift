/// Tallies the values of one column in the first rows of a file and picks its kind.
///
/// The rule, for the values that are not missing: all numbers → ``ColumnKind/double``; all
/// ISO-8601 timestamps → ``ColumnKind/timestamp``; anything else, including a column with no
/// value at all, → ``ColumnKind/categorical`` (the one kind that accepts every later value).
struct KindInference: Sendable {
    /// Values that are not missing.
    private(set) var present = 0
    /// Values that are numbers (JSON numbers and booleans, or text that parses as a number).
    private(set) var numbers = 0
    /// Values that are ISO-8601 timestamps.
    private(set) var timestamps = 0

    /// Tallies a text value (a CSV field or a JSON string).
    mutating func observeText(_ p: UnsafePointer<UInt8>, _ n: Int, _ markers: MissingMarkers) {
        if markers.matches(p, n) { return }
        present += 1
        if DecimalParser.parse(p, n) != nil {
            numbers += 1
        } else if TimestampParser.parseISO8601(p, n) != nil {
            timestamps += 1
        }
    }

    /// Tallies a text value held in an array.
    mutating func observeText(_ bytes: [UInt8], _ markers: MissingMarkers) {
        bytes.withUnsafeBufferPointer { b in
            if let base = b.baseAddress {
                observeText(base, b.count, markers)
            } else {
                var empty: UInt8 = 0
                observeText(&empty, 0, markers)
            }
        }
    }

    /// Tallies a JSON number or boolean.
    mutating func observeNumber() {
        present += 1
        numbers += 1
    }

    /// The inferred kind.
    var kind: ColumnKind {
        if present == 0 { return .categorical }
        if numbers == present { return .double }
        if timestamps == present { return .timestamp }
        return .categorical
    }
}
