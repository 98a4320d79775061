public import Foundation
public import MLOpsStorage

/// The outcome of comparing a current table with its reference: one result per column, the
/// dataset's decision and the data-quality findings.
///
/// ``jsonData()`` writes the stable JSON form documented in `Documentation/DriftReport.md`
/// (snake_case keys, every key present, null where a value does not exist); ``html(title:)`` a
/// self-contained page; ``text()`` a plain-text summary for a terminal or a log.
public struct DriftReport: Sendable, Hashable, Codable {
    /// The version of the JSON layout; raised whenever a key changes meaning or goes away.
    public static let currentSchemaVersion = 1

    /// The layout version this report was written with.
    public var schemaVersion: Int
    /// Rows in the reference.
    public var referenceRows: Int
    /// Rows in the current data.
    public var currentRows: Int
    /// The dataset-level decision.
    public var dataset: DatasetDrift
    /// One result per column, in the reference's column order (columns only the current data
    /// has come last).
    public var columns: [ColumnDrift]
    /// Dataset-level quality findings (schema, duplicate rows, freshness).
    public var issues: [QualityIssue]
    /// The seasonal window the reference was narrowed to, if any ("hour_of_week 14, 15").
    @ExplicitNull public var season: String?
    /// The joint comparison of the numeric columns, when it was asked for.
    @ExplicitNull public var multivariate: MultivariateDrift?

    enum CodingKeys: String, CodingKey {
        case dataset, columns, issues, season, multivariate
        case schemaVersion = "schema_version", referenceRows = "reference_rows", currentRows = "current_rows"
    }

    /// Keys written for readers and never read back.
    private enum DerivedKeys: String, CodingKey {
        /// ``drifted``, the same as `dataset.drifted`: a pipeline gate reads the dataset's
        /// verdict at the top, where the command's exit code also stands for it.
        case drifted
    }

    /// Writes every stored key, and `drifted` at the top level (the same as `dataset.drifted`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encode(referenceRows, forKey: .referenceRows)
        try container.encode(currentRows, forKey: .currentRows)
        try container.encode(dataset, forKey: .dataset)
        try container.encode(columns, forKey: .columns)
        try container.encode(issues, forKey: .issues)
        try container.encode(_season, forKey: .season)
        try container.encode(_multivariate, forKey: .multivariate)
        var derived = encoder.container(keyedBy: DerivedKeys.self)
        try derived.encode(drifted, forKey: .drifted)
    }

    /// Creates a report.
    public init(
        referenceRows: Int, currentRows: Int, dataset: DatasetDrift, columns: [ColumnDrift], issues: [QualityIssue],
        season: String? = nil, multivariate: MultivariateDrift? = nil
    ) {
        self.schemaVersion = Self.currentSchemaVersion
        self.referenceRows = referenceRows
        self.currentRows = currentRows
        self.dataset = dataset
        self.columns = columns
        self.issues = issues
        self.season = season
        self.multivariate = multivariate
    }

    /// Whether the dataset drifted.
    public var drifted: Bool { dataset.drifted }

    /// The result of a column, by name.
    public func column(named name: String) -> ColumnDrift? {
        columns.first { $0.name == name }
    }

    /// Every quality finding, dataset-level first.
    public var allIssues: [QualityIssue] { issues + columns.flatMap(\.issues) }

    /// The report as pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads a report written by ``jsonData()``.
    public init(jsonData data: Data) throws {
        self = try JSONDecoder().decode(DriftReport.self, from: data)
    }
}

/// The dataset-level decision and how it was reached.
public struct DatasetDrift: Sendable, Hashable, Codable {
    /// Whether the dataset drifted.
    public var drifted: Bool
    /// The rule, in words.
    public var rule: String
    /// Columns that were compared.
    public var testedColumns: Int
    /// Columns that drifted.
    public var driftedColumns: Int
    /// Drifted over tested columns (0 when none was tested).
    public var driftedShare: Double
    /// The decision as a sentence.
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case drifted, rule, reason
        case testedColumns = "tested_columns", driftedColumns = "drifted_columns", driftedShare = "drifted_share"
    }

    /// Creates a decision.
    public init(drifted: Bool, rule: String, testedColumns: Int, driftedColumns: Int, driftedShare: Double, reason: String) {
        self.drifted = drifted
        self.rule = rule
        self.testedColumns = testedColumns
        self.driftedColumns = driftedColumns
        self.driftedShare = driftedShare
        self.reason = reason
    }
}
