import MLOpsStorage

/// Turns a filter into a SQL condition over `lineage_runs r` joined with `lineage_experiments x`.
/// Every value, field key included, is a bound argument; no caller text enters the SQL.
///
/// The SQL means on SQLite and PostgreSQL what ``FilterNode/matches(_:)`` means in memory:
///
/// - NaN is stored as NULL (parameters' `value_number`, metrics' latest `value`), so the ordered
///   comparisons and `=` do not match it, and `!=` adds it back explicitly.
/// - Text comparisons and text orderings use code-point order: SQLite's default BINARY
///   collation, PostgreSQL's `COLLATE "C"`.
/// - `like` is case-sensitive (SQLite `GLOB` with the pattern translated, PostgreSQL `LIKE`);
///   `ilike` folds ASCII letters only (SQLite `LIKE`, PostgreSQL `ILIKE` in the "C" collation).
///
/// SQLite bounds how deeply SQL may nest (its parser stack holds about 100 entries, about 25
/// nested parentheses; an expression tree may be 1,000 deep), so nesting never grows with the
/// filter:
///
/// - A chain of `and` (or `or`) is written flat, `(a AND b AND c …)`, in groups of
///   ``groupSize``: 10,000 terms nest three parentheses deep.
/// - `not not x` is `x` (comparisons are never NULL, so logic is two-valued).
/// - A group that would nest deeper than ``inlineDepth`` parentheses becomes a common table
///   expression (`WITH lineage_filter_0 (run_key) AS (SELECT … WHERE …)`) that the condition
///   names instead, so each part of the statement starts again at depth zero.
///
/// PostgreSQL turns each `IN (SELECT …)` of a top-level `AND` into a semi-join and searches
/// their join orders: planning grows faster than the cube of their number (200 take half a
/// minute). In an `AND` of more than ``joinedOperands`` operands each operand is written
/// `(…) IS TRUE`, which PostgreSQL plans as a hashed subplan instead (the same result: no
/// operand is ever NULL). Its JIT compiler, which a large filter's estimated cost switches on,
/// spends seconds compiling thousands of functions for a query that runs in milliseconds:
/// ``needsJITOff`` says when to turn it off for the search.
struct SQLFilterCompiler {
    let dialect: SQLDialect
    /// The arguments of the condition and the orderings, in the order the SQL reads them.
    private(set) var arguments: [SQLValue] = []
    /// Groups moved out of the condition, deepest first (each may name those before it).
    private var definitions: [(sql: String, arguments: [SQLValue])] = []
    /// How many comparisons the condition holds.
    private(set) var comparisons = 0

    /// The most operands written in one flat `(a AND b …)`: SQLite's expression tree grows by one
    /// level per operand of a flat chain, and by about ``groupSize`` per nesting level.
    static let groupSize = 32
    /// The most parentheses a condition nests before a group moves into a common table expression.
    static let inlineDepth = 12
    /// The most operands of an `AND` that PostgreSQL may plan as joins.
    static let joinedOperands = 8

    init(dialect: SQLDialect) { self.dialect = dialect }

    /// `WITH … ` for the groups moved out of the condition (empty when none), to put before `SELECT`.
    var withClause: String {
        guard !definitions.isEmpty else { return "" }
        let parts = definitions.enumerated().map { "lineage_filter_\($0.offset) (run_key) AS (\($0.element.sql))" }
        return "WITH " + parts.joined(separator: ", ") + "\n"
    }

    /// The arguments of ``withClause``, which come before all others.
    var withArguments: [SQLValue] { definitions.flatMap(\.arguments) }

    /// Whether the search should run with PostgreSQL's JIT compilation off (`SET LOCAL jit = off`):
    /// for filters of more than ``joinedOperands`` comparisons, where compiling costs more than it saves.
    var needsJITOff: Bool { dialect == .postgresql && comparisons > Self.joinedOperands }

    /// The condition for `filter`, after checking its depth and size.
    ///
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidFilter``) beyond
    ///   ``RunFilter/maximumNestingDepth`` or ``RunFilter/maximumValueCount``.
    mutating func condition(_ filter: RunFilter) throws(LineageError) -> String {
        condition(try filter.checked(), depth: 0)
    }

    /// The condition for `node`, written `depth` parentheses deep.
    private mutating func condition(_ node: FilterNode, depth: Int) -> String {
        switch node {
        case .all(let operands), .any(let operands):
            let cost = Self.nesting(operands.count)
            if depth > 0 && depth + cost > Self.inlineDepth { return moved(node) }
            let isAnd = if case .all = node { true } else { false }
            var parts = operands.map { condition($0, depth: depth + cost) }
            if isAnd && dialect == .postgresql && parts.count > Self.joinedOperands {
                parts = parts.map { "(\($0)) IS TRUE" }
            }
            return flat(parts, isAnd ? "AND" : "OR")
        case .not(.not(let inner)):
            return condition(inner, depth: depth)
        case .not(let inner):
            if depth > 0 && depth + 1 > Self.inlineDepth { return moved(node) }
            // Comparisons below are never NULL (missing fields are a false IN), so NOT is plain.
            return "(NOT \(condition(inner, depth: depth + 1)))"
        case .exists(let field):
            comparisons += 1
            switch field {
            case .metric(let key):
                arguments.append(.text(key))
                return "r.run_key IN (SELECT m.run_key FROM lineage_latest_metrics m WHERE m.key = ?)"
            case .parameter(let key):
                arguments.append(.text(key))
                return "r.run_key IN (SELECT p.run_key FROM lineage_params p WHERE p.key = ?)"
            case .tag(let key):
                arguments.append(.text(key))
                return "r.run_key IN (SELECT t.run_key FROM lineage_tags t WHERE t.key = ?)"
            case .attribute:
                return "(\(expression(field, numeric: false)) IS NOT NULL)"
            case .dataset(let dataset):
                return "r.run_key IN (\(Self.datasetInputs) AND \(Self.datasetColumn(dataset)) IS NOT NULL)"
            }
        case .comparison(let field, let op, let value):
            comparisons += 1
            let numeric: Bool = if case .number = value { true } else if case .list(let items) = value, case .number = items.first { true } else { false }
            // Metrics, params and tags become `r.run_key IN (SELECT run_key ... WHERE key = ? AND value op ?)`,
            // which the (key, value) indexes answer without visiting every run.
            switch field {
            case .metric(let key):
                arguments.append(.text(key))
                // A NaN latest value is NULL: `!=` matches it, as IEEE 754 says.
                return "r.run_key IN (SELECT m.run_key FROM lineage_latest_metrics m WHERE m.key = ? AND \(predicate("m.value", op, value, numeric: true, nanWhen: "m.value IS NULL")))"
            case .parameter(let key):
                arguments.append(.text(key))
                // A NaN parameter is a double whose number is NULL; a text parameter has no number.
                let column = numeric ? "p.value_number" : "p.value_text"
                return "r.run_key IN (SELECT p.run_key FROM lineage_params p WHERE p.key = ? AND \(predicate(column, op, value, numeric: numeric, nanWhen: "(p.value_number IS NULL AND p.value_type = 'double')")))"
            case .tag(let key):
                arguments.append(.text(key))
                return "r.run_key IN (SELECT t.run_key FROM lineage_tags t WHERE t.key = ? AND \(predicate("t.value", op, value, numeric: false, nanWhen: nil)))"
            case .dataset(let dataset):
                // Any dataset the run read.
                return "r.run_key IN (\(Self.datasetInputs) AND \(predicate(Self.datasetColumn(dataset), op, value, numeric: false, nanWhen: nil)))"
            case .attribute:
                // COALESCE: a missing attribute (no owner, no end time) is false, never NULL.
                return "COALESCE(\(predicate(expression(field, numeric: numeric), op, value, numeric: numeric, nanWhen: nil)), FALSE)"
            }
        }
    }

    /// Moves `node` into a common table expression of the runs it matches, and names it.
    private mutating func moved(_ node: FilterNode) -> String {
        let outer = arguments
        arguments = []
        let body = condition(node, depth: 0)
        let sql = "SELECT r.run_key FROM lineage_runs r JOIN lineage_experiments x ON x.experiment_key = r.experiment_key WHERE \(body)"
        definitions.append((sql, arguments))
        arguments = outer
        return "r.run_key IN (SELECT run_key FROM lineage_filter_\(definitions.count - 1))"
    }

    /// How many parentheses ``flat(_:_:)`` nests for `count` operands.
    static func nesting(_ count: Int) -> Int {
        var levels = 0, remaining = count
        while remaining > 1 {
            remaining = (remaining + groupSize - 1) / groupSize
            levels += 1
        }
        return levels
    }

    /// `(a AND b AND c)`, in groups of ``groupSize`` joined the same way: parts in order, nesting
    /// ``nesting(_:)`` parentheses.
    private func flat(_ parts: [String], _ op: String) -> String {
        var level = parts
        while level.count > 1 {
            level = stride(from: 0, to: level.count, by: Self.groupSize).map { start in
                let group = level[start..<min(start + Self.groupSize, level.count)]
                return group.count == 1 ? group[start] : "(" + group.joined(separator: " \(op) ") + ")"
            }
        }
        return level.first ?? (op == "AND" ? "TRUE" : "FALSE")
    }

    /// `expression op ?` (or a pattern match, or IN), binding the value. `nanWhen` is the condition
    /// under which the stored value is NaN (held as NULL), for `!=`.
    private mutating func predicate(_ expression: String, _ op: FilterOperator, _ value: FilterValue, numeric: Bool, nanWhen: String?) -> String {
        let isPostgres = dialect == .postgresql
        switch op {
        case .like:
            guard case .string(let pattern) = value else { bind(value); return "\(expression) = ?" }
            if isPostgres {
                arguments.append(.text(pattern))
                // No escape character (PostgreSQL's default is backslash).
                return "\(expression) LIKE ? ESCAPE ''"
            }
            // SQLite's LIKE ignores ASCII case; GLOB is case-sensitive, with its own wildcards.
            arguments.append(.text(Self.globPattern(fromLike: pattern)))
            return "\(expression) GLOB ?"
        case .ilike:
            bind(value)
            // PostgreSQL folds case by the collation's rules: "C" folds ASCII letters only, as
            // SQLite's LIKE does.
            return isPostgres ? "(\(expression) COLLATE \"C\") ILIKE ? ESCAPE ''" : "\(expression) LIKE ?"
        case .in:
            guard case .list(let items) = value else { bind(value); return "\(expression) = ?" }
            for item in items { bind(item) }
            return "\(expression) IN (\(Array(repeating: "?", count: items.count).joined(separator: ", ")))"
        case .notIn:
            guard case .list(let items) = value else { bind(value); return "\(expression) != ?" }
            for item in items { bind(item) }
            let list = "\(expression) NOT IN (\(Array(repeating: "?", count: items.count).joined(separator: ", ")))"
            if numeric, let nanWhen { return "(\(list) OR \(nanWhen))" }
            return list
        case .notEqual:
            bind(value)
            if numeric, let nanWhen { return "(\(expression) != ? OR \(nanWhen))" }
            return "\(expression) != ?"
        case .equal:
            bind(value)
            return "\(expression) = ?"
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            bind(value)
            return "\(textOrder(expression, numeric: numeric)) \(op.rawValue) ?"
        }
    }

    mutating func ordering(_ ordering: RunOrdering) -> String {
        let numeric: Bool
        switch ordering.field {
        case .metric: numeric = true
        case .parameter: numeric = false
        case .tag: numeric = false
        case .attribute(let attribute): numeric = attribute == .startTime || attribute == .endTime
        case .dataset: numeric = false
        }
        // MLflow's placement, in both directions, on both dialects: values, then (metrics only)
        // NaN, then missing. The expression appears twice, so its arguments are bound twice, in
        // the order the SQL reads them.
        let rank: String
        if case .metric(let key) = ordering.field {
            // A NaN latest metric has a row with a NULL value; a missing one has no row.
            arguments.append(.text(key))
            rank = "COALESCE((SELECT CASE WHEN m.value IS NULL THEN 1 ELSE 0 END FROM lineage_latest_metrics m WHERE m.run_key = r.run_key AND m.key = ?), 2)"
        } else {
            rank = "(\(self.expression(ordering.field, numeric: numeric)) IS NULL)"
        }
        let value = self.expression(ordering.field, numeric: numeric)
        return "\(rank), \(textOrder(value, numeric: numeric)) \(ordering.descending ? "DESC" : "ASC")"
    }

    /// A text expression in code-point order: as is on SQLite (BINARY), `COLLATE "C"` on PostgreSQL.
    private func textOrder(_ expression: String, numeric: Bool) -> String {
        numeric || dialect != .postgresql ? expression : "\(expression) COLLATE \"C\""
    }

    /// The SQL expression of a field; parameter comparisons use the number or the text column.
    mutating func expression(_ field: FilterField, numeric: Bool) -> String {
        switch field {
        case .metric(let key):
            arguments.append(.text(key))
            return "(SELECT m.value FROM lineage_latest_metrics m WHERE m.run_key = r.run_key AND m.key = ?)"
        case .parameter(let key):
            arguments.append(.text(key))
            return "(SELECT p.\(numeric ? "value_number" : "value_text") FROM lineage_params p WHERE p.run_key = r.run_key AND p.key = ?)"
        case .tag(let key):
            arguments.append(.text(key))
            return "(SELECT t.value FROM lineage_tags t WHERE t.run_key = r.run_key AND t.key = ?)"
        case .attribute(let attribute):
            switch attribute {
            case .status: return "r.status"
            case .name: return "r.name"
            case .owner: return "r.owner"
            case .experiment: return "x.name"
            case .startTime: return "r.start_time"
            case .endTime: return "r.end_time"
            case .runID: return "r.id"
            }
        case .dataset:
            // Never ordered by (the parser refuses it): every run ties.
            return "NULL"
        }
    }

    /// The runs' dataset inputs, as the start of a sub-query of run keys.
    static let datasetInputs = "SELECT e.run_key FROM lineage_edges e JOIN lineage_artifacts a ON a.digest = e.digest WHERE e.direction = 'input' AND a.kind = 'dataset'"

    /// The column of a dataset field in ``datasetInputs``.
    static func datasetColumn(_ field: DatasetField) -> String {
        switch field {
        case .name: "a.name"
        case .digest: "e.digest"
        case .context: "e.role"
        }
    }

    /// A LIKE pattern as a SQLite GLOB pattern: `%` → `*`, `_` → `?`, and GLOB's own special
    /// characters (`*`, `?`, `[`) made literal as one-character classes.
    static func globPattern(fromLike pattern: String) -> String {
        var glob = ""
        for scalar in pattern.unicodeScalars {
            switch scalar {
            case "%": glob += "*"
            case "_": glob += "?"
            case "*": glob += "[*]"
            case "?": glob += "[?]"
            case "[": glob += "[[]"
            default: glob.unicodeScalars.append(scalar)
            }
        }
        return glob
    }

    private mutating func bind(_ value: FilterValue) {
        switch value {
        case .number(let number): arguments.append(.real(number))
        case .string(let string): arguments.append(.text(string))
        case .list(let items): for item in items { bind(item) }
        }
    }
}
