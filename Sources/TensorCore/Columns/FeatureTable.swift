/// An ordered set of named, equally long columns: the in-memory form of a feature data set.
///
/// Columns are stored as whole arrays (columnar), so selecting columns shares their storage
/// and per-column scans are contiguous. A table is a value: every operation returns a new table
/// and leaves the original as it was, and copies share storage until one is changed.
///
/// ```swift
/// let table = try FeatureTable(columns: [
///     ("age", .double(DoubleColumn([31, nil, 45]))),
///     ("country", .categorical(CategoricalColumn(["DE", "FR", nil]))),
/// ])
/// let adults = try table.filtering(rows: try table.doubleColumn(named: "age").map { ($0 ?? 0) >= 40 })
/// print(adults.rowCount)  // 1
/// ```
public struct FeatureTable: Sendable, Equatable, CustomStringConvertible {
    /// The column names, in order.
    public private(set) var columnNames: [String]
    /// The columns, in the order of ``columnNames``.
    public private(set) var columns: [Column]
    /// The number of rows every column has (0 for a table without columns).
    public private(set) var rowCount: Int
    /// The position of each name in ``columnNames``.
    private var indexByName: [String: Int]

    /// Creates a table without columns or rows, a starting point for ``appending(_:)``.
    ///
    /// - Complexity: O(1).
    public init() {
        columnNames = []
        columns = []
        rowCount = 0
        indexByName = [:]
    }

    /// Creates a table from named columns, kept in the given order.
    ///
    /// - Parameter columns: Pairs of a unique name and a column; all columns must have the
    ///   same number of rows.
    /// - Throws: ``TableError/Code/duplicateColumnName`` when a name repeats, and
    ///   ``TableError/Code/columnLengthMismatch`` when the lengths differ.
    /// - Complexity: O(*c*) for *c* columns; no column storage is copied.
    public init(columns: [(String, Column)]) throws(TableError) {
        var names = [String](), stored = [Column](), index = [String: Int](minimumCapacity: columns.count)
        names.reserveCapacity(columns.count)
        stored.reserveCapacity(columns.count)
        let expected = columns.first?.1.count ?? 0
        for (name, column) in columns {
            if index[name] != nil {
                throw TableError(.duplicateColumnName, column: name)
            }
            if column.count != expected, let first = columns.first {
                throw TableError(
                    .columnLengthMismatch, column: name,
                    detail: "it has \(column.count) rows but \"\(first.0)\" has \(expected)")
            }
            index[name] = names.count
            names.append(name)
            stored.append(column)
        }
        self.columnNames = names
        self.columns = stored
        self.rowCount = expected
        self.indexByName = index
    }

    /// Creates a table from parts whose consistency the caller (this module) guarantees.
    init(uncheckedNames names: [String], columns: [Column], rowCount: Int) {
        self.columnNames = names
        self.columns = columns
        self.rowCount = rowCount
        var index = [String: Int](minimumCapacity: names.count)
        for (i, name) in names.enumerated() { index[name] = i }
        self.indexByName = index
    }

    /// The number of columns.
    public var columnCount: Int { columns.count }

    /// The kind of each column, in the order of ``columnNames``.
    public var columnKinds: [ColumnKind] { columns.map(\.kind) }

    /// The column with a name, or `nil` when there is none.
    ///
    /// - Parameter name: The column's name (case-sensitive).
    /// - Complexity: O(1) expected.
    public func column(named name: String) -> Column? {
        indexByName[name].map { columns[$0] }
    }

    /// The double column with a name.
    ///
    /// - Parameter name: The column's name.
    /// - Throws: ``TableError/Code/columnNotFound`` or ``TableError/Code/columnKindMismatch``
    ///   (naming the column's actual kind).
    /// - Complexity: O(1) expected.
    public func doubleColumn(named name: String) throws(TableError) -> DoubleColumn {
        let column = try requireColumn(name, .double)
        if case .double(let c) = column { return c }
        throw TableError(.columnKindMismatch, column: name, expectedKind: .double, actualKind: column.kind)
    }

    /// The categorical column with a name.
    ///
    /// - Parameter name: The column's name.
    /// - Throws: ``TableError/Code/columnNotFound`` or ``TableError/Code/columnKindMismatch``
    ///   (naming the column's actual kind).
    /// - Complexity: O(1) expected.
    public func categoricalColumn(named name: String) throws(TableError) -> CategoricalColumn {
        let column = try requireColumn(name, .categorical)
        if case .categorical(let c) = column { return c }
        throw TableError(.columnKindMismatch, column: name, expectedKind: .categorical, actualKind: column.kind)
    }

    /// The timestamp column with a name.
    ///
    /// - Parameter name: The column's name.
    /// - Throws: ``TableError/Code/columnNotFound`` or ``TableError/Code/columnKindMismatch``
    ///   (naming the column's actual kind).
    /// - Complexity: O(1) expected.
    public func timestampColumn(named name: String) throws(TableError) -> TimestampColumn {
        let column = try requireColumn(name, .timestamp)
        if case .timestamp(let c) = column { return c }
        throw TableError(.columnKindMismatch, column: name, expectedKind: .timestamp, actualKind: column.kind)
    }

    /// The column with a name, or a `columnNotFound` error that says which kind was wanted.
    private func requireColumn(_ name: String, _ kind: ColumnKind) throws(TableError) -> Column {
        guard let i = indexByName[name] else {
            throw TableError(
                .columnNotFound, column: name, expectedKind: kind,
                detail: "the table has \(columnNames.count) columns: \(columnNames.prefix(8).joined(separator: ", "))\(columnNames.count > 8 ? ", ..." : "")")
        }
        return columns[i]
    }

    /// A table with some of the columns, in the given order.
    ///
    /// - Parameter names: Names of existing columns, each at most once.
    /// - Returns: A table that shares the selected columns' storage.
    /// - Throws: ``TableError/Code/columnNotFound`` or ``TableError/Code/duplicateColumnName``.
    /// - Complexity: O(*k*) for *k* names; no column storage is copied.
    public func selecting(_ names: [String]) throws(TableError) -> FeatureTable {
        var picked = [Column]()
        picked.reserveCapacity(names.count)
        var seen = Set<String>()
        for name in names {
            guard let i = indexByName[name] else {
                throw TableError(.columnNotFound, column: name, detail: "it is not among \(columnNames.count) columns")
            }
            guard seen.insert(name).inserted else {
                throw TableError(.duplicateColumnName, column: name, detail: "the selection names it twice")
            }
            picked.append(columns[i])
        }
        return FeatureTable(uncheckedNames: names, columns: picked, rowCount: names.isEmpty ? 0 : rowCount)
    }

    /// The rows whose mask entry is `true`, in order.
    ///
    /// - Parameter mask: One entry per row.
    /// - Throws: ``TableError/Code/maskLengthMismatch`` when `mask.count != rowCount`.
    /// - Complexity: O(*n* · *c*) for *n* rows and *c* columns. Categorical dictionaries are
    ///   shared, not copied.
    public func filtering(rows mask: [Bool]) throws(TableError) -> FeatureTable {
        guard mask.count == rowCount else {
            throw TableError(.maskLengthMismatch, detail: "the mask has \(mask.count) entries for \(rowCount) rows")
        }
        var kept = 0
        for m in mask where m { kept += 1 }
        let filtered = columns.map { $0.filtered(mask, kept: kept) }
        return FeatureTable(uncheckedNames: columnNames, columns: filtered, rowCount: columns.isEmpty ? 0 : kept)
    }

    /// The rows at the given indices, in that order (indices may repeat).
    ///
    /// - Parameter indices: Row indices, each in `0..<rowCount`.
    /// - Throws: ``TableError/Code/rowIndexOutOfRange`` naming the first bad index.
    /// - Complexity: O(*k* · *c*) for *k* indices and *c* columns.
    public func filtering(rows indices: [Int]) throws(TableError) -> FeatureTable {
        for (position, i) in indices.enumerated() where i < 0 || i >= rowCount {
            throw TableError(
                .rowIndexOutOfRange, value: String(i),
                detail: "index \(i) at position \(position), but the table has \(rowCount) rows")
        }
        let gathered = columns.map { $0.gathered(indices) }
        return FeatureTable(uncheckedNames: columnNames, columns: gathered, rowCount: columns.isEmpty ? 0 : indices.count)
    }

    /// This table's rows followed by another table's, for example to join chunks read one by
    /// one. An empty table (``init()``) appended to, or appended, yields the other table.
    ///
    /// Categorical columns merge their dictionaries: strings new to this table's dictionary are
    /// added in the order of the other's.
    ///
    /// - Parameter other: A table with the same column names, in the same order, and kinds.
    /// - Throws: ``TableError/Code/schemaMismatch`` naming the first column that differs.
    /// - Complexity: O(*n* + *m*) for the two row counts (the result is a new table).
    public func appending(_ other: FeatureTable) throws(TableError) -> FeatureTable {
        if columns.isEmpty { return other }
        if other.columns.isEmpty { return self }
        guard columnNames.count == other.columnNames.count else {
            throw TableError(
                .schemaMismatch,
                detail: "this table has \(columnNames.count) columns, the other \(other.columnNames.count)")
        }
        var merged = [Column]()
        merged.reserveCapacity(columns.count)
        for i in 0..<columns.count {
            guard columnNames[i] == other.columnNames[i] else {
                throw TableError(
                    .schemaMismatch, column: columnNames[i],
                    detail: "column \(i) is \"\(columnNames[i])\" here but \"\(other.columnNames[i])\" in the other table")
            }
            guard let joined = columns[i].appending(other.columns[i]) else {
                throw TableError(
                    .schemaMismatch, column: columnNames[i], expectedKind: columns[i].kind,
                    actualKind: other.columns[i].kind,
                    detail: "it is \(columns[i].kind) here but \(other.columns[i].kind) in the other table")
            }
            merged.append(joined)
        }
        return FeatureTable(uncheckedNames: columnNames, columns: merged, rowCount: rowCount + other.rowCount)
    }

    /// A short summary, for example `FeatureTable(3 rows: age double, country categorical)`.
    public var description: String {
        let parts = zip(columnNames, columns).map { "\($0.0) \($0.1.kind)" }
        return "FeatureTable(\(rowCount) rows: \(parts.joined(separator: ", ")))"
    }

    /// Tables are equal when their names, order and columns are equal.
    ///
    /// - Complexity: O(*n* · *c*).
    public static func == (lhs: FeatureTable, rhs: FeatureTable) -> Bool {
        lhs.rowCount == rhs.rowCount && lhs.columnNames == rhs.columnNames && lhs.columns == rhs.columns
    }
}
