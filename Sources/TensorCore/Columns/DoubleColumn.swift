/// A column of 64-bit floating-point values, any of which may be missing.
///
/// ## Storage
/// ``values`` holds one `Double` per row and ``validity`` one `Bool` per row (`true` means the
/// value is present). A byte per row was chosen over a bit set because readers append one row
/// at a time and filters read one row at a time, and a `[Bool]` keeps both branch-free and
/// simple; it costs one eighth of the values' memory. Rows that are missing hold NaN in
/// ``values`` when the column was built by this module (from `nil`, or by a reader), but code
/// must test ``validity`` (or use the subscript) rather than rely on that.
///
/// NaN is an ordinary *value*: a present NaN (for example the text `nan` in a CSV file) has
/// `validity == true`. Missing means "no value was recorded".
///
/// The column has value semantics: copies share storage until one of them is changed.
///
/// - Note: Two columns are equal when they have the same length and validity and their present
///   values have the same bit patterns, except that any NaN equals any NaN. So `0.0` and `-0.0`
///   differ, and the values stored at missing rows are ignored.
public struct DoubleColumn: Sendable, Equatable, RandomAccessCollection, CustomStringConvertible {
    /// The value of each row; the entries of missing rows are unspecified (NaN when built here).
    public private(set) var values: [Double]
    /// Whether each row holds a value (`true`) or is missing (`false`).
    public private(set) var validity: [Bool]
    /// The number of missing rows.
    public private(set) var nullCount: Int

    /// Creates a column from optional values; `nil` is a missing row.
    ///
    /// - Parameter values: One entry per row.
    /// - Complexity: O(*n*).
    public init(_ values: [Double?]) {
        var stored = [Double]()
        stored.reserveCapacity(values.count)
        var valid = [Bool]()
        valid.reserveCapacity(values.count)
        var nulls = 0
        for value in values {
            if let value {
                stored.append(value)
                valid.append(true)
            } else {
                stored.append(.nan)
                valid.append(false)
                nulls += 1
            }
        }
        self.values = stored
        self.validity = valid
        self.nullCount = nulls
    }

    /// Creates a column in which every row is present.
    ///
    /// - Parameter values: One value per row.
    /// - Complexity: O(*n*) to build the validity mask.
    public init(values: [Double]) {
        self.values = values
        self.validity = [Bool](repeating: true, count: values.count)
        self.nullCount = 0
    }

    /// Creates a column from values and a validity mask.
    ///
    /// - Parameters:
    ///   - values: One value per row; entries of missing rows are kept as given.
    ///   - valid: One entry per row, `true` where the value is present.
    /// - Throws: ``TableError/Code/maskLengthMismatch`` when the two arrays differ in length.
    /// - Complexity: O(*n*) to count the missing rows.
    public init(values: [Double], valid: [Bool]) throws(TableError) {
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
    init(uncheckedValues values: [Double], validity: [Bool], nullCount: Int) {
        self.values = values
        self.validity = validity
        self.nullCount = nullCount
    }

    /// The number of rows.
    public var count: Int { values.count }
    /// The first row index, always 0.
    public var startIndex: Int { 0 }
    /// One past the last row index, equal to ``count``.
    public var endIndex: Int { values.count }

    /// The value of a row, or `nil` when it is missing.
    ///
    /// - Parameter row: A row index in `0..<count`; other indices trap, as with `Array`.
    /// - Complexity: O(1).
    public subscript(row: Int) -> Double? {
        validity[row] ? values[row] : nil
    }

    /// Appends one row.
    ///
    /// - Parameter value: The value, or `nil` for a missing row.
    /// - Complexity: Amortized O(1).
    public mutating func append(_ value: Double?) {
        if let value {
            values.append(value)
            validity.append(true)
        } else {
            values.append(.nan)
            validity.append(false)
            nullCount += 1
        }
    }

    /// A short summary, for example `DoubleColumn(count: 10, nullCount: 2)`.
    public var description: String { "DoubleColumn(count: \(count), nullCount: \(nullCount))" }

    /// Compares the present values bit for bit (any NaN equals any NaN) and the validity masks.
    ///
    /// - Complexity: O(*n*).
    public static func == (lhs: DoubleColumn, rhs: DoubleColumn) -> Bool {
        guard lhs.count == rhs.count, lhs.nullCount == rhs.nullCount, lhs.validity == rhs.validity else {
            return false
        }
        for i in 0..<lhs.values.count where lhs.validity[i] {
            let a = lhs.values[i], b = rhs.values[i]
            if a.bitPattern != b.bitPattern && !(a.isNaN && b.isNaN) { return false }
        }
        return true
    }

    /// The rows whose mask entry is `true`, in order; `kept` is the number of `true` entries.
    func filtered(_ mask: [Bool], kept: Int) -> DoubleColumn {
        let picked = MaskedRows.select(values, validity, rows: MaskedRows.kept(mask), capacity: kept)
        return DoubleColumn(uncheckedValues: picked.values, validity: picked.validity, nullCount: picked.nullCount)
    }

    /// The rows at `indices` (already checked to be in range), in that order.
    func gathered(_ indices: [Int]) -> DoubleColumn {
        let picked = MaskedRows.select(values, validity, rows: indices, capacity: indices.count)
        return DoubleColumn(uncheckedValues: picked.values, validity: picked.validity, nullCount: picked.nullCount)
    }

    /// This column's rows followed by `other`'s.
    func appending(_ other: DoubleColumn) -> DoubleColumn {
        DoubleColumn(
            uncheckedValues: values + other.values, validity: validity + other.validity,
            nullCount: nullCount + other.nullCount)
    }
}
