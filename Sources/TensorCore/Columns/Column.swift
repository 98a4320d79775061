/// One column of a ``FeatureTable``: a ``DoubleColumn``, a ``CategoricalColumn`` or a
/// ``TimestampColumn``.
///
/// ```swift
/// switch table.column(named: "price") {
/// case .double(let prices)?: print(prices.nullCount)
/// case let other?: print("price is \(other.kind)")
/// case nil: print("no price column")
/// }
/// ```
public enum Column: Sendable, Equatable, CustomStringConvertible {
    /// Floating-point values.
    case double(DoubleColumn)
    /// Dictionary-encoded strings.
    case categorical(CategoricalColumn)
    /// Instants in microseconds since the Unix epoch (UTC).
    case timestamp(TimestampColumn)

    /// The number of rows.
    ///
    /// - Complexity: O(1).
    public var count: Int {
        switch self {
        case .double(let c): c.count
        case .categorical(let c): c.count
        case .timestamp(let c): c.count
        }
    }

    /// The number of missing rows.
    ///
    /// - Complexity: O(1).
    public var nullCount: Int {
        switch self {
        case .double(let c): c.nullCount
        case .categorical(let c): c.nullCount
        case .timestamp(let c): c.nullCount
        }
    }

    /// The kind of values the column holds.
    public var kind: ColumnKind {
        switch self {
        case .double: .double
        case .categorical: .categorical
        case .timestamp: .timestamp
        }
    }

    /// Whether a row is missing.
    ///
    /// - Parameter row: A row index in `0..<count`; other indices trap, as with `Array`.
    /// - Complexity: O(1).
    public func isMissing(at row: Int) -> Bool {
        switch self {
        case .double(let c): !c.validity[row]
        case .categorical(let c): c.codes[row] < 0
        case .timestamp(let c): !c.validity[row]
        }
    }

    /// The wrapped column's description.
    public var description: String {
        switch self {
        case .double(let c): c.description
        case .categorical(let c): c.description
        case .timestamp(let c): c.description
        }
    }

    /// The rows whose mask entry is `true`; `kept` is the number of `true` entries.
    func filtered(_ mask: [Bool], kept: Int) -> Column {
        switch self {
        case .double(let c): .double(c.filtered(mask, kept: kept))
        case .categorical(let c): .categorical(c.filtered(mask, kept: kept))
        case .timestamp(let c): .timestamp(c.filtered(mask, kept: kept))
        }
    }

    /// The rows at `indices`, which the caller has checked.
    func gathered(_ indices: [Int]) -> Column {
        switch self {
        case .double(let c): .double(c.gathered(indices))
        case .categorical(let c): .categorical(c.gathered(indices))
        case .timestamp(let c): .timestamp(c.gathered(indices))
        }
    }

    /// This column's rows followed by `other`'s, or `nil` when the kinds differ.
    func appending(_ other: Column) -> Column? {
        switch (self, other) {
        case (.double(let a), .double(let b)): .double(a.appending(b))
        case (.categorical(let a), .categorical(let b)): .categorical(a.appending(b))
        case (.timestamp(let a), .timestamp(let b)): .timestamp(a.appending(b))
        default: nil
        }
    }
}
