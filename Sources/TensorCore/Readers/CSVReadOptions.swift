/// How ``CSVReader`` splits, names, types and validates a CSV file.
///
/// ```swift
/// var options = CSVReadOptions()
/// options.delimiter = ";"
/// options.schema = ["zip": .categorical, "created": .timestamp]
/// options.badRowPolicy = .skip
/// let (table, report) = try CSVReader.readAll(path: "users.csv", options: options)
/// ```
public struct CSVReadOptions: Sendable, Hashable {
    /// The strings that mean "missing" by default: pandas' `read_csv` defaults but its NaN
    /// spellings: the empty field, `NA`, `N/A`, `n/a`, `null`, `NULL`, `None`, `<NA>`, `#N/A`,
    /// `#N/A N/A`, `#NA`, `-1.#IND`, `1.#IND`, `-1.#QNAN` and `1.#QNAN`.
    ///
    /// `NaN`, `nan`, `-NaN` and `-nan` are *not* among them: in a number column they are numbers
    /// (NaN values, which the statistics leave out as pandas does), and in a text or time column
    /// they are missing values, as pandas reads them, whenever the markers include these
    /// defaults (a custom set lists its markers itself). Keeping them out of the markers keeps
    /// number columns on the reader's fast path.
    public static let defaultMissingMarkers: Set<String> = [
        "", "NA", "N/A", "n/a", "null", "NULL", "None", "<NA>", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "1.#IND", "-1.#QNAN", "1.#QNAN",
    ]

    /// The field separator, one ASCII character other than `"`, CR and LF (default `,`).
    public var delimiter: Unicode.Scalar
    /// Whether the first record is a header that names the columns (default `true`).
    public var hasHeaderRow: Bool
    /// Column names to use instead of the header's (required when ``hasHeaderRow`` is `false`
    /// unless default names `column1`, `column2`, ... are wanted). Must have one name per field.
    public var columnNames: [String]?
    /// Kinds to force for some columns, by name; the others are inferred. A column forced to
    /// ``ColumnKind/timestamp`` also accepts decimal epoch seconds (`1732523400.25`).
    public var schema: [String: ColumnKind]
    /// How many data rows the kinds are inferred from (default 1000). These rows are read
    /// ahead on the first ``CSVReader/nextChunk(maxRows:)`` call, so errors in them surface then.
    public var inferenceRowCount: Int
    /// Field texts that mean "missing", compared byte for byte (no trimming), for quoted and
    /// unquoted fields alike (default ``defaultMissingMarkers``).
    public var missingMarkers: Set<String>
    /// What to do with a row that does not fit (default ``BadRowPolicy/fail``).
    public var badRowPolicy: BadRowPolicy
    /// How many skip reasons ``ReadReport/skipReasons`` keeps (default 10).
    public var maxRecordedSkipReasons: Int
    /// The size of each block read from the file, in bytes (default 4 MiB; values below 64 count as 64).
    /// The buffer grows beyond it only to hold a single record longer than a block.
    public var blockSize: Int
    /// Whether a second thread may parse half of each block (default `true`). It is used only
    /// where it cannot change the result: every column is a double column, the machine has more
    /// than one processor, and a block is split only at a record boundary (outside every quoted
    /// field, by the reader's own quoting rules). Bad rows are still reported in file order with
    /// their exact lines.
    public var parallelParsing: Bool
    /// The columns to read, by name (default `nil`: all). The others are only scanned past:
    /// their text is not converted, interned or kept, so leaving out a column of millions of
    /// distinct ids saves most of the reading time. The table holds the read columns in the
    /// file's order; a name the file does not have is an ``TableError/Code/invalidOption``.
    public var columns: [String]?
    /// Columns read as text exactly as written (default none): the missing markers do not apply
    /// to them, so only an empty field is missing, and they are read as categorical columns. For
    /// keys and codes where `NA` or `null` is a value (Namibia's country code, a user named
    /// Null); ``schema`` may not force another kind on them.
    public var exactTextColumns: Set<String>

    /// Creates options; every parameter has the default documented on its property.
    ///
    /// - Parameters:
    ///   - delimiter: The field separator.
    ///   - hasHeaderRow: Whether the first record names the columns.
    ///   - columnNames: Names that replace the header's, or name a headerless file's columns.
    ///   - schema: Kinds to force, by column name.
    ///   - inferenceRowCount: Rows the kinds are inferred from.
    ///   - missingMarkers: Texts that mean "missing".
    ///   - badRowPolicy: What to do with a row that does not fit.
    ///   - maxRecordedSkipReasons: How many skip reasons the report keeps.
    ///   - blockSize: Bytes per read.
    ///   - parallelParsing: Whether a second thread may parse half of each block.
    ///   - columns: The columns to read (nil: all).
    ///   - exactTextColumns: Columns read as text exactly as written.
    /// - Complexity: O(1).
    public init(
        delimiter: Unicode.Scalar = ",", hasHeaderRow: Bool = true, columnNames: [String]? = nil,
        schema: [String: ColumnKind] = [:], inferenceRowCount: Int = 1000,
        missingMarkers: Set<String> = CSVReadOptions.defaultMissingMarkers,
        badRowPolicy: BadRowPolicy = .fail, maxRecordedSkipReasons: Int = 10,
        blockSize: Int = 4 << 20, parallelParsing: Bool = true, columns: [String]? = nil,
        exactTextColumns: Set<String> = []
    ) {
        self.delimiter = delimiter
        self.hasHeaderRow = hasHeaderRow
        self.columnNames = columnNames
        self.schema = schema
        self.inferenceRowCount = inferenceRowCount
        self.missingMarkers = missingMarkers
        self.badRowPolicy = badRowPolicy
        self.maxRecordedSkipReasons = maxRecordedSkipReasons
        self.blockSize = blockSize
        self.parallelParsing = parallelParsing
        self.columns = columns
        self.exactTextColumns = exactTextColumns
    }
}
