/// How ``JSONLinesReader`` types and validates a JSON Lines file.
public struct JSONLinesReadOptions: Sendable, Hashable {
    /// Kinds to force for some keys; the others are inferred. A key forced to
    /// ``ColumnKind/timestamp`` also accepts numbers (and numeric strings) as epoch seconds.
    /// Keys named here become columns even if the first rows lack them.
    public var schema: [String: ColumnKind]
    /// How many rows the columns (the keys) and their kinds are inferred from (default 1000).
    /// These rows are read ahead on the first ``JSONLinesReader/nextChunk(maxRows:)`` call.
    public var inferenceRowCount: Int
    /// The string values that mean "missing" in a number or time column by default: those of
    /// CSV (``CSVReadOptions/defaultMissingMarkers``: the empty string, `NA`, `N/A`, `null`,
    /// `None` and pandas' other markers). With these defaults, the strings `NaN`, `nan`, `-NaN`
    /// and `-nan` are missing in a time column too (in a number column they are NaN values).
    public static let defaultMissingMarkers: Set<String> = CSVReadOptions.defaultMissingMarkers

    /// String values that mean "missing" in a number or time column, compared byte for byte
    /// after unescaping, in addition to `null` and absent keys (default
    /// ``defaultMissingMarkers``). In a text column a string is text, as pandas' `read_json` and
    /// DuckDB read it (`"NA"` is Namibia there; a JSON writer has `null` for a missing value):
    /// only the empty string is missing there.
    public var missingMarkers: Set<String>
    /// What to do with a row that does not fit (default ``BadRowPolicy/fail``).
    public var badRowPolicy: BadRowPolicy
    /// How many skip reasons ``ReadReport/skipReasons`` keeps (default 10).
    public var maxRecordedSkipReasons: Int
    /// The size of each block read from the file, in bytes (default 4 MiB; values below 64 count as 64).
    public var blockSize: Int
    /// Keys read as text (default none): categorical columns, however their values look. Like
    /// every text column of a JSON Lines file, only `null`, an absent key or the empty string is
    /// missing there. ``schema`` may not force another kind on them.
    public var exactTextColumns: Set<String>
    /// Keys whose JSON booleans are refused as values (default none): a time column read with
    /// the kind its values have, where `true` is no time, though a number column elsewhere takes
    /// a boolean as 1 or 0 and a text column as `true` or `false`. A refused boolean is a
    /// ``TableError/Code/invalidValue`` naming the key and the line.
    public var booleanFreeColumns: Set<String> = []

    /// Creates options; every parameter has the default documented on its property.
    ///
    /// - Parameters:
    ///   - schema: Kinds to force, by key.
    ///   - inferenceRowCount: Rows the columns and kinds are inferred from.
    ///   - missingMarkers: String values that mean "missing".
    ///   - badRowPolicy: What to do with a row that does not fit.
    ///   - maxRecordedSkipReasons: How many skip reasons the report keeps.
    ///   - blockSize: Bytes per read.
    ///   - exactTextColumns: Keys read as text exactly as written.
    /// - Complexity: O(1).
    public init(
        schema: [String: ColumnKind] = [:], inferenceRowCount: Int = 1000,
        missingMarkers: Set<String> = JSONLinesReadOptions.defaultMissingMarkers,
        badRowPolicy: BadRowPolicy = .fail, maxRecordedSkipReasons: Int = 10,
        blockSize: Int = 4 << 20, exactTextColumns: Set<String> = []
    ) {
        self.schema = schema
        self.inferenceRowCount = inferenceRowCount
        self.missingMarkers = missingMarkers
        self.badRowPolicy = badRowPolicy
        self.maxRecordedSkipReasons = maxRecordedSkipReasons
        self.blockSize = blockSize
        self.exactTextColumns = exactTextColumns
    }
}
