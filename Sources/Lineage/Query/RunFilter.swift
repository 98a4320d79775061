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
/// - Fields: `metrics.KEY` (the latest value), `params.KEY`, `tags.KEY`, and `attributes.NAME`
///   for `status`, `name`, `owner`, `experiment`, `start_time`, `end_time`, `run_id`. Singular
///   prefixes (`metric.`, `param.`, `tag.`, `attribute.`) work too; a key with dots or spaces is
///   written in backquotes, as in metrics.\`val/auc\`.
/// - Operators: `=`, `!=`, `<`, `<=`, `>`, `>=`, `like` (`%` and `_` wildcards), `in (…)`.
/// - Values: numbers, and strings in single or double quotes.
/// - `and` binds tighter than `or`; `not` and parentheses as usual; keywords in any case.
///
/// A run without the field does not match a comparison on it.
public indirect enum RunFilter: Sendable, Hashable {
    /// A field compared with a value.
    case comparison(FilterField, FilterOperator, FilterValue)
    /// Both must hold.
    case and(RunFilter, RunFilter)
    /// Either must hold.
    case or(RunFilter, RunFilter)
    /// Must not hold.
    case not(RunFilter)

    /// Parses filter text.
    ///
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidFilter``) whose message shows the
    ///   filter with a caret under the character where parsing stopped.
    public init(parsing text: String) throws(LineageError) {
        var parser = FilterParser(text)
        self = try parser.parseFilter()
    }
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
    case like = "like"
    case `in` = "in"
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
