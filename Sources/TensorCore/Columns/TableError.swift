public import Foundation

/// An error thrown by the columns, ``FeatureTable`` and the table readers (``CSVReader``,
/// ``JSONLinesReader``).
///
/// Every error carries a machine-readable ``code`` and the context that locates it: the
/// physical ``line`` of a file (1-based, the header of a CSV file being line 1), the ``column``
/// name, the offending ``value`` and the kinds involved. Its ``description`` reads as a sentence
/// that says what was wrong and how to fix it:
///
/// ```swift
/// do {
///     let (table, _) = try CSVReader.readAll(path: "prices.csv")
///     print(table.rowCount)
/// } catch {
///     print(error)
///     // Line 1204 of prices.csv, column "price": "abc" is not a double (the column was
///     // inferred as double from the first 1000 rows). Declare the column's kind with
///     // schema: [name: .categorical] (or raise inferenceRowCount), or pass
///     // badRowPolicy: .skip to drop such rows.
/// }
/// ```
public struct TableError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    ///
    /// A struct with static members rather than an enum, so a release can add a code without
    /// breaking callers that switch over it (give such a `switch` a `default` case).
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible, Codable {
        /// The code's stable name, as written in logs and JSON.
        public let rawValue: String

        /// Creates a code from its stable name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The code's stable name.
        public var description: String { rawValue }


        /// Columns given to one table have different lengths.
        public static let columnLengthMismatch = Code(rawValue: "columnLengthMismatch")
        /// Two columns of one table (or of one selection) have the same name.
        public static let duplicateColumnName = Code(rawValue: "duplicateColumnName")
        /// No column has the requested name.
        public static let columnNotFound = Code(rawValue: "columnNotFound")
        /// A column exists but holds another kind than the accessor expects.
        public static let columnKindMismatch = Code(rawValue: "columnKindMismatch")
        /// A validity mask or a row mask does not have one entry per row.
        public static let maskLengthMismatch = Code(rawValue: "maskLengthMismatch")
        /// A row index is negative or not below the row count.
        public static let rowIndexOutOfRange = Code(rawValue: "rowIndexOutOfRange")
        /// Two tables or columns cannot be appended because their names or kinds differ.
        public static let schemaMismatch = Code(rawValue: "schemaMismatch")
        /// A categorical dictionary repeats a string, or a code points outside the dictionary.
        public static let invalidCategoryCode = Code(rawValue: "invalidCategoryCode")
        /// A reader option is out of range (for example a multi-byte delimiter).
        public static let invalidOption = Code(rawValue: "invalidOption")
        /// The file cannot be opened or read.
        public static let fileUnreadable = Code(rawValue: "fileUnreadable")
        /// A file cannot be created or written.
        public static let fileUnwritable = Code(rawValue: "fileUnwritable")
        /// The file has no header row (it is empty) although one is required.
        public static let missingHeader = Code(rawValue: "missingHeader")
        /// A CSV row has more or fewer fields than the header.
        public static let fieldCountMismatch = Code(rawValue: "fieldCountMismatch")
        /// A value does not fit the kind of its column (for example `abc` in a double column).
        public static let invalidValue = Code(rawValue: "invalidValue")
        /// A JSON Lines value is an object or an array; only scalars fit a column.
        public static let nestedValue = Code(rawValue: "nestedValue")
        /// A key appears in a JSON Lines row that the schema, fixed from the first rows, lacks.
        public static let unknownKey = Code(rawValue: "unknownKey")
        /// A record is not well formed (an unterminated quote, or a line that is not a JSON object).
        public static let malformedRecord = Code(rawValue: "malformedRecord")

        /// Every code this release defines.
        public static let allCases: [Code] = [.columnLengthMismatch, .duplicateColumnName, .columnNotFound, .columnKindMismatch, .maskLengthMismatch, .rowIndexOutOfRange, .schemaMismatch, .invalidCategoryCode, .invalidOption, .fileUnreadable, .fileUnwritable, .missingHeader, .fieldCountMismatch, .invalidValue, .nestedValue, .unknownKey, .malformedRecord]
    }

    /// The kind of failure.
    public let code: Code
    /// The physical line of the file on which the offending record starts (1-based; the
    /// header of a CSV file is line 1), or `nil` when no file is involved.
    public let line: Int?
    /// The name of the column (or JSON key) involved, if any.
    public let column: String?
    /// The offending value as text (shortened to 120 characters), if any.
    public let value: String?
    /// The kind the column has or was expected to have, if relevant.
    public let expectedKind: ColumnKind?
    /// The kind that was found instead, if relevant.
    public let actualKind: ColumnKind?
    /// The path of the file involved, if any.
    public let path: String?
    /// Extra facts that complete the sentence (for example "expected 20 fields, found 19").
    public let detail: String?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - line: The physical line (1-based) the offending record starts on.
    ///   - column: The column or key involved.
    ///   - value: The offending value; longer text is shortened to 120 characters.
    ///   - expectedKind: The kind the column has or was expected to have.
    ///   - actualKind: The kind found instead.
    ///   - path: The file involved.
    ///   - detail: Extra facts that complete the sentence.
    /// - Complexity: O(1), apart from shortening a long `value`.
    public init(
        _ code: Code, line: Int? = nil, column: String? = nil, value: String? = nil,
        expectedKind: ColumnKind? = nil, actualKind: ColumnKind? = nil, path: String? = nil,
        detail: String? = nil
    ) {
        self.code = code
        self.line = line
        self.column = column
        if let value, value.count > 120 {
            self.value = String(value.prefix(117)) + "..."
        } else {
            self.value = value
        }
        self.expectedKind = expectedKind
        self.actualKind = actualKind
        self.path = path
        self.detail = detail
    }

    /// A sentence that says where the problem is, what it is and how to fix it.
    public var description: String {
        var place: [String] = []
        switch (line, path) {
        case let (line?, path?): place.append("Line \(line) of \(path)")
        case let (line?, nil): place.append("Line \(line)")
        case let (nil, path?): place.append("File \(path)")
        case (nil, nil): break
        }
        if let column { place.append(place.isEmpty ? "Column \"\(column)\"" : "column \"\(column)\"") }
        let prefix = place.isEmpty ? "" : place.joined(separator: ", ") + ": "
        let quoted = value.map { "\"\($0)\"" } ?? "the value"
        let extra = detail.map { " (\($0))" } ?? ""
        let body: String
        switch code {
        case .columnLengthMismatch:
            body = "the columns have different lengths\(extra). Give every column of a table the same number of rows."
        case .duplicateColumnName:
            body = "the name is used twice\(extra). Give every column a unique name, or select it only once."
        case .columnNotFound:
            body = "no column has this name\(extra). Check the spelling against the table's columnNames."
        case .columnKindMismatch:
            let want = expectedKind.map { "\($0)" } ?? "another kind"
            let have = actualKind.map { "a \($0) column" } ?? "another kind"
            body = "the column is \(have), not \(want)\(extra). Use the accessor for its kind, or read it with schema: [name: .\(want)]."
        case .maskLengthMismatch:
            body = "the mask's length does not match the row count\(extra). Pass exactly one entry per row."
        case .rowIndexOutOfRange:
            body = "a row index is out of range\(extra). Pass indices in 0..<rowCount."
        case .schemaMismatch:
            body = "the schemas differ\(extra). Append only tables with the same column names, order and kinds."
        case .invalidCategoryCode:
            body = "the dictionary encoding is invalid\(extra). Use unique dictionary strings and codes in -1..<dictionary.count."
        case .invalidOption:
            body = "an option is invalid\(extra). Fix the option and read again."
        case .fileUnreadable:
            body = "the file cannot be read\(extra). Check that the path exists and is readable."
        case .fileUnwritable:
            body = "the file cannot be written\(extra). Check that its folder exists and may be written, and that the disk has room."
        case .missingHeader:
            body = "the file has no header row\(extra). Add a header line, or set hasHeaderRow: false and pass columnNames."
        case .fieldCountMismatch:
            body = "the row has the wrong number of fields\(extra). Fix the row (quote fields that contain the delimiter), or pass badRowPolicy: .skip to drop such rows."
        case .invalidValue:
            let kind = expectedKind.map { "a \($0)" } ?? "valid for the column"
            body = "\(quoted) is not \(kind)\(extra). Declare the column's kind with schema: [name: .categorical] (or raise inferenceRowCount), or pass badRowPolicy: .skip to drop such rows."
        case .nestedValue:
            body = "the value is a nested \(value ?? "object or array")\(extra); only numbers, strings, booleans and null fit a column. Flatten the key, or pass badRowPolicy: .skip to drop such rows."
        case .unknownKey:
            body = "the key does not appear in the first rows the schema was inferred from\(extra). Raise inferenceRowCount or name the key in schema, or pass badRowPolicy: .skip to drop such rows."
        case .malformedRecord:
            body = "the record is malformed\(extra). Fix the record, or pass badRowPolicy: .skip to drop it."
        default:
            body = "\(code.rawValue)\(extra)."
        }
        return prefix.isEmpty ? body.prefix(1).uppercased() + body.dropFirst() : prefix + body
    }
}

extension TableError: LocalizedError {
    /// The ``description``, so that `localizedDescription` (what a server framework or a log line
    /// shows for any `Error`) says what happened, not "The operation could not be completed".
    public var errorDescription: String? { description }
}
