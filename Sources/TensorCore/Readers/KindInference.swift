/// Tallies the values of one column in the first rows of a file and picks its kind.
///
/// The rule, for the values that are not missing: all numbers → ``ColumnKind/double``, unless
/// one of them is an integer written in text that a `Double` cannot hold exactly (beyond 2⁵³:
/// a 64-bit id, a hash); all ISO-8601 timestamps → ``ColumnKind/timestamp``; anything else,
/// including a column with no value at all, → ``ColumnKind/categorical`` (the one kind that
/// accepts every later value, and keeps such integers digit for digit, as pandas' `int64` does).
struct KindInference: Sendable {
    /// Values that are not missing.
    private(set) var present = 0
    /// Values that are numbers (JSON numbers and booleans, or text that parses as a number).
    private(set) var numbers = 0
    /// Values that are ISO-8601 timestamps.
    private(set) var timestamps = 0
    /// Values that are integers a `Double` would round (see ``isInexactInteger(_:_:)``).
    private(set) var inexactIntegers = 0
    /// Whether a JSON Lines bare `NaN` or a NaN spelling in text was seen: missing, but a sign of
    /// a number column.
    private(set) var sawBareNaN = false

    /// Tallies a text value (a CSV field or a JSON string).
    mutating func observeText(_ p: UnsafePointer<UInt8>, _ n: Int, _ markers: MissingMarkers) {
        if markers.matches(p, n) { return }
        // pandas' NaN spellings (`NaN`, `-nan`): missing in a text or time column, a NaN in a
        // number column, so they count as a bare NaN does.
        if markers.matchesInText(p, n) {
            observeBareNaN()
            return
        }
        present += 1
        if DecimalParser.parse(p, n) != nil {
            numbers += 1
            if n >= 16, Self.isInexactInteger(p, n) { inexactIntegers += 1 }
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

    /// Tallies a JSON Lines bare `NaN`: not a value (it is missing in a text or time column),
    /// but a column of nothing else is a number column, as a CSV column of `NaN` is.
    mutating func observeBareNaN() { sawBareNaN = true }

    /// Tallies a JSON boolean.
    mutating func observeNumber() {
        present += 1
        numbers += 1
    }

    /// Tallies a JSON number, by its text (an integer a `Double` would round counts, as in CSV).
    mutating func observeNumber(_ bytes: [UInt8]) {
        observeNumber()
        if bytes.count >= 16, bytes.withUnsafeBufferPointer({ b in b.baseAddress.map { Self.isInexactInteger($0, b.count) } ?? false }) {
            inexactIntegers += 1
        }
    }

    /// Whether the text is an integer (an optional sign, then 16 to 19 digits, leading zeros
    /// included; spaces and tabs around it allowed) that a `Double` cannot hold exactly: its
    /// digits would be lost on reading.
    static func isInexactInteger(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        // Blanks around the number are allowed, as the number parser allows them.
        var i = 0, n = n
        while i < n && DecimalParser.isBlank(p[i]) { i += 1 }
        while n > i && DecimalParser.isBlank(p[n - 1]) { n -= 1 }
        guard i < n else { return false }
        if p[i] == 0x2D || p[i] == 0x2B { i += 1 }
        let digits = n - i
        guard digits >= 16, digits <= 19 else { return false }
        var magnitude: UInt64 = 0
        while i < n {
            let d = p[i] &- 0x30
            guard d < 10 else { return false }
            magnitude = magnitude &* 10 &+ UInt64(d)
            i += 1
        }
        // 19 digits fit a UInt64; values at or below 2^53 are exact, above it only those whose
        // low bits the 53-bit significand keeps.
        guard magnitude > 1 << 53 else { return false }
        return UInt64(exactly: Double(magnitude)) != magnitude
    }

    /// The inferred kind.
    var kind: ColumnKind {
        if present == 0 { return sawBareNaN ? .double : .categorical }
        if numbers == present { return inexactIntegers > 0 ? .categorical : .double }
        if timestamps == present { return .timestamp }
        return .categorical
    }
}

extension KindInference {
    /// A text column whose kind was inferred from nothing, typed by the values it holds: all
    /// numbers (none an integer a `Double` would round) make a number column, all ISO-8601 times
    /// a time column, as pandas types a column by all of its values. Nil when it stays text
    /// (mixed values, or no value at all).
    ///
    /// Its missing cells were already told apart by the missing markers, so only the
    /// dictionary's used entries are looked at, each once.
    /// - Complexity: O(*n* + *d*) for *n* rows and *d* distinct values.
    static func refined(_ column: CategoricalColumn, _ markers: MissingMarkers) -> Column? {
        var used = [Bool](repeating: false, count: column.dictionary.count)
        for code in column.codes where code >= 0 && Int(code) < used.count { used[Int(code)] = true }
        var inference = KindInference()
        for (index, text) in column.dictionary.enumerated() where used[index] { inference.observeText(Array(text.utf8), markers) }
        guard inference.present > 0 else { return nil }
        func parsed<T>(_ parse: (UnsafePointer<UInt8>, Int) -> T?) -> [T?] {
            column.dictionary.map { text in
                Array(text.utf8).withUnsafeBufferPointer { b in b.baseAddress.flatMap { parse($0, b.count) } }
            }
        }
        // A value inference skipped as missing (`None`, `NaN` in a JSON Lines text column, which
        // keeps its text exactly) parses as nothing: missing here too, never a 1970 time.
        switch inference.kind {
        case .double:
            let numbers = parsed(DecimalParser.parse)
            let values = column.codes.map { $0 >= 0 ? numbers[Int($0)] ?? .nan : .nan }
            let valid = column.codes.map { $0 >= 0 && numbers[Int($0)] != nil }
            return (try? DoubleColumn(values: values, valid: valid)).map(Column.double)
        case .timestamp:
            let times = parsed(TimestampParser.parseISO8601)
            let values = column.codes.map { $0 >= 0 ? times[Int($0)] ?? 0 : 0 }
            let valid = column.codes.map { $0 >= 0 && times[Int($0)] != nil }
            return (try? TimestampColumn(values: values, valid: valid)).map(Column.timestamp)
        case .categorical:
            return nil
        }
    }
}
