public import MLOpsStorage

/// One data-quality finding: which check, on which column, how bad, and what was seen.
public struct QualityIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Which check found it.
    public var check: QualityCheck
    /// The column, nil for dataset-level findings (duplicate rows).
    @ExplicitNull public var column: String?
    /// How bad it is.
    public var severity: Severity
    /// What was seen, as a sentence.
    public var message: String
    /// The measured value the check compared with its limit (a share, a count, seconds).
    @ExplicitNull public var value: Double?
    /// Examples of offending values (new categories, say), at most a few.
    public var examples: [String]

    /// How bad an issue is.
    public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// Worth a look; the data can still be used.
        case warning
        /// The data breaks its contract (a column is missing, the type changed, values are out
        /// of their allowed range).
        case error

        /// Warnings before errors.
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
    }

    /// Creates a finding.
    public init(check: QualityCheck, column: String?, severity: Severity, message: String, value: Double? = nil, examples: [String] = []) {
        self.check = check
        self.column = column
        self.severity = severity
        self.message = message
        self.value = value.finite
        self.examples = examples
    }

    enum CodingKeys: String, CodingKey {
        case check, column, severity, message, value, examples
    }

    /// "error [missing_column] amount: …".
    public var description: String {
        "\(severity.rawValue) [\(check.rawValue)]\(column.map { " \($0)" } ?? ""): \(message)"
    }
}

/// The data-quality checks.
public enum QualityCheck: String, Sendable, Hashable, Codable, CaseIterable {
    /// A reference column is missing from the current data.
    case missingColumn = "missing_column"
    /// The current data has a column the reference lacks.
    case unexpectedColumn = "unexpected_column"
    /// A column's type differs from the reference's.
    case typeChange = "type_change"
    /// Values that do not parse as the reference's type (text in a numeric column) or are not
    /// finite (±∞).
    case typeViolation = "type_violation"
    /// The share of missing cells rose.
    case nullRate = "null_rate"
    /// Every cell is missing.
    case allNull = "all_null"
    /// Values outside the reference's range or an allowed range.
    case outOfRange = "out_of_range"
    /// Categories the reference never had.
    case newCategory = "new_category"
    /// The number of distinct values changed a lot.
    case cardinality
    /// Repeated rows.
    case duplicateRows = "duplicate_rows"
    /// The newest timestamp is too old.
    case freshness
}
