/// A parsed search filter over runs.
///
/// The language, close to MLflow's:
///
/// ```
/// metrics.auc > 0.9 and params.model = "gbt" and tags.team = 'fraud'
/// (metrics.loss < 0.2 or params.lr <= 0.01) and not attributes.status = "failed"
/// params.model in ("gbt", "rf") and attributes.name like "nightly-%"
/// ```
///
/// - Fields: `metrics.KEY` (the latest value), `params.KEY`, `tags.KEY`, `datasets.name`,
///   `datasets.digest` and `datasets.context` (any dataset the run read), and `attributes.NAME`
///   for `status`, `name`, `owner`, `experiment`, `start_time`, `end_time` (numbers: milliseconds
///   since the Unix epoch), `run_id`. Singular
///   prefixes (`metric.`, `param.`, `tag.`, `attribute.`) work too; a key with dots or spaces is
///   written in backquotes, as in metrics.\`val/auc\`.
/// - Operators: `=`, `!=`, `<`, `<=`, `>`, `>=`, `like` and `ilike` (`%` and `_` wildcards),
///   `in (…)` and `not in (…)`, `is null` and `is not null` (whether the run has the field).
/// - MLflow's forms mean what they mean in MLflow (see Documentation/CommandLine.md): attributes
///   without a prefix (`status = 'FAILED'`, `start_time > 0`), `run_name`, `user_id` and
///   `created`, a status in either case, a run id with or without dashes, a backquoted prefix
///   (\`metrics\`.\`auc\`).
/// - Values: numbers, and strings in single or double quotes.
/// - `and` binds tighter than `or`; `not` and parentheses as usual; keywords in any case.
///
/// The meaning is the same on every store (SQLite, PostgreSQL, in memory):
///
/// - A run without the field does not match a comparison on it.
/// - NaN (a parameter or a metric's latest value) compares as IEEE 754 says: it matches `!=` and
///   no other comparison (`=`, `<`, `<=`, `>`, `>=`, `in`). In an ordering it comes last, like a
///   missing value.
/// - Text compares by Unicode code point (the byte order of UTF-8), not by a locale's rules:
///   `"Zebra" < "apple" < "Ärger" < "ärger"`, and `"é"` written as one code point is not equal
///   to `e` followed by a combining accent.
/// - `like` is case-sensitive. `ilike` ignores the case of the ASCII letters `A`–`Z` only:
///   `'APPLE' ilike 'apple'` holds, `'Ärger' ilike 'ärger'` does not. `_` matches one code
///   point, `%` any run of them; there is no escape character.
///
/// Limits keep a filter from exhausting a store or the process (the parser refuses a filter
/// beyond them with an error that names the position and the limit, and so do the stores for a
/// filter built in code):
///
/// - ``maximumNestingDepth`` levels of nesting: each `not` and each pair of parentheses counts
///   one. A chain `a and b and c …` (or `a or b or c …`) is not nesting, however long.
/// - ``maximumValueCount`` values in all (each comparison's value counts one, and each value of
///   an `in` list).
public indirect enum RunFilter: Sendable, Hashable {
    /// A field compared with a value.
    case comparison(FilterField, FilterOperator, FilterValue)
    /// Both must hold.
    case and(RunFilter, RunFilter)
    /// Either must hold.
    case or(RunFilter, RunFilter)
    /// Must not hold.
    case not(RunFilter)
    /// The run has the field (a metric, a parameter, a tag, or an attribute that is set):
    /// MLflow's `IS NOT NULL`; `IS NULL` is `.not(.exists(field))`.
    case exists(FilterField)

    /// Parses filter text.
    ///
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidFilter``) whose message shows the
    ///   filter with a caret under the character where parsing stopped.
    public init(parsing text: String) throws(LineageError) {
        var parser = FilterParser(text)
        self = try parser.parseFilter()
    }

    /// The deepest nesting a filter may have: each `not`, and each pair of parentheses the filter
    /// needs (an `or` inside an `and`, a group after `not`), counts one level.
    ///
    /// Parsing, evaluating and compiling a filter to SQL each take stack space per level, so a
    /// filter from a caller (a web request, say) cannot exhaust the stack and crash the process.
    public static let maximumNestingDepth = 64

    /// The most values a filter may hold: each comparison's value counts one, and each value of an
    /// `in` list.
    ///
    /// Every value becomes a bound SQL argument; this keeps a filter below the limits of SQLite
    /// (32,766 arguments a statement) and PostgreSQL (65,535).
    public static let maximumValueCount = 10_000
}

/// A field a filter can compare.
public enum FilterField: Sendable, Hashable {
    /// The latest value of a metric.
    case metric(String)
    /// A parameter.
    case parameter(String)
    /// A tag.
    case tag(String)
    /// A run attribute.
    case attribute(RunAttribute)
    /// The datasets the run read (its inputs of kind ``ArtifactKind/dataset``): a comparison
    /// holds when it holds for any of them, as MLflow's `datasets.` fields do. Filters only: a
    /// run may read several datasets, so none orders runs.
    case dataset(DatasetField)
}

/// What a filter can compare of the datasets a run read.
public enum DatasetField: String, Sendable, Hashable, CaseIterable {
    /// The dataset's name in the artifact store.
    case name
    /// Its SHA-256 digest, as 64 hexadecimal digits (a `sha256:` prefix in a filter is dropped).
    case digest
    /// The role the run read it in (`training-data`, say): MLflow's dataset context.
    case context
}

/// The attributes of a run a filter or an ordering can use.
public enum RunAttribute: String, Sendable, Hashable, CaseIterable {
    case status, name, owner, experiment
    case startTime = "start_time"
    case endTime = "end_time"
    case runID = "run_id"
}

/// A comparison operator.
public enum FilterOperator: String, Sendable, Hashable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    /// Matches a pattern (`%` any run of characters, `_` one), case-sensitive.
    case like = "like"
    /// Matches a pattern ignoring the case of ASCII letters only (see ``RunFilter``).
    case ilike = "ilike"
    case `in` = "in"
    /// The run has the field and its value is in none of the list (MLflow's `NOT IN`; for
    /// `datasets.` fields: some dataset the run read is in none of it). Like `!=`, a NaN matches.
    case notIn = "not in"
}

/// A value on the right of a comparison.
public enum FilterValue: Sendable, Hashable {
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// A list, for `in`.
    case list([FilterValue])
}

/// One key of a search's order: a field and a direction.
public struct RunOrdering: Sendable, Hashable {
    /// The field to order by.
    public var field: FilterField
    /// Whether larger values come first.
    public var descending: Bool

    /// Creates an ordering.
    public init(field: FilterField, descending: Bool) {
        self.field = field
        self.descending = descending
    }

    /// Parses `metrics.auc desc`, `attributes.start_time`, `params.lr asc`.
    ///
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidFilter``) pointing at the problem.
    public init(parsing text: String) throws(LineageError) {
        var parser = FilterParser(text)
        self = try parser.parseOrdering()
    }
}
