/// An n × d matrix of observations, one row per observation and one column per feature, stored
/// row-major: what the multivariate drift tests compare.
///
/// Every value must be finite and there must be at least ``minimumRowCount`` rows and one
/// column, so that a test never has to guess what a NaN or an infinity means in a distance.
///
/// ```swift
/// let reference = try MultivariateSample(rows: [[1.0, 2.0], [1.5, 1.8], [0.9, 2.4]])
/// let current = try MultivariateSample(rowCount: 2, columnCount: 2, values: [1.1, 2.2, 3.0, 0.1])
/// ```
public struct MultivariateSample: Sendable, Hashable {
    /// The number of rows (observations), n.
    public let rowCount: Int
    /// The number of columns (features), d.
    public let columnCount: Int
    /// The n·d values, row after row.
    public let values: [Double]

    /// The fewest rows a sample may have: the unbiased statistics divide by n − 1.
    public static let minimumRowCount = 2

    /// Creates a sample from its values in row-major order.
    ///
    /// - Parameters:
    ///   - rowCount: the number of rows, n (at least ``minimumRowCount``).
    ///   - columnCount: the number of columns, d (at least 1).
    ///   - values: n·d finite values, the first row's d values first.
    /// - Throws: ``DriftError`` (``DriftError/Code/emptySample``) for fewer than two rows, and
    ///   ``DriftError/Code/invalidArgument`` when the value count is not n·d or a value is NaN or
    ///   infinite (the message names its row and column, counting from 0).
    /// - Complexity: O(n·d), one pass to check the values.
    public init(rowCount: Int, columnCount: Int, values: [Double]) throws(DriftError) {
        guard rowCount >= Self.minimumRowCount else {
            throw DriftError(
                .emptySample, "A multivariate sample needs at least \(Self.minimumRowCount) rows; this one has \(rowCount)",
                fix: "collect more observations before testing for multivariate drift.")
        }
        guard columnCount >= 1 else {
            throw DriftError(.invalidArgument, "A multivariate sample needs at least one column; \(columnCount) given", fix: "pass the number of features per row.")
        }
        let (expected, overflow) = rowCount.multipliedReportingOverflow(by: columnCount)
        guard !overflow, values.count == expected else {
            throw DriftError(
                .invalidArgument, "A \(rowCount) × \(columnCount) sample needs \(rowCount) · \(columnCount) values; \(values.count) given",
                fix: "pass the values row after row, \(columnCount) per row.")
        }
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            let (row, column) = index.quotientAndRemainder(dividingBy: columnCount)
            throw DriftError(
                .invalidArgument, "Row \(row), column \(column) (counting from 0) is \(values[index]); every value of a multivariate sample must be finite",
                fix: "drop or impute rows with missing values, and replace infinities, before testing for drift.")
        }
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.values = values
    }

    /// Creates a sample from an array of rows, which must all have the same length.
    ///
    /// - Throws: ``DriftError`` as ``init(rowCount:columnCount:values:)``, and
    ///   ``DriftError/Code/invalidArgument`` when a row's length differs from the first row's.
    /// - Complexity: O(n·d).
    public init(rows: [[Double]]) throws(DriftError) {
        let columnCount = rows.first?.count ?? 0
        if let ragged = rows.firstIndex(where: { $0.count != columnCount }) {
            throw DriftError(
                .invalidArgument, "Row \(ragged) has \(rows[ragged].count) values but row 0 has \(columnCount)",
                fix: "give every row one value per feature, in the same column order.")
        }
        try self.init(rowCount: rows.count, columnCount: columnCount, values: rows.flatMap { $0 })
    }

    /// The value in a row and column (both counting from 0; they must be in range).
    public subscript(row: Int, column: Int) -> Double {
        values[row * columnCount + column]
    }

    /// The d values of one row (counting from 0; it must be in range).
    public func row(_ index: Int) -> ArraySlice<Double> {
        values[(index * columnCount)..<((index + 1) * columnCount)]
    }

    /// Throws unless `other` has as many columns as this sample: the samples of a test must
    /// describe the same features.
    func requireSameColumns(as other: MultivariateSample, _ selfName: String, _ otherName: String) throws(DriftError) {
        guard columnCount == other.columnCount else {
            throw DriftError(
                .invalidArgument, "The \(selfName) sample has \(columnCount) columns and the \(otherName) sample \(other.columnCount)",
                fix: "pass the same features, in the same column order, in both samples.")
        }
    }
}
