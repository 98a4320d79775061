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
/// - Chains of `and` and `or` are written as balanced parentheses, so the expression SQL parses
///   is about log2(n) deep for n terms (SQLite refuses expressions deeper than 1,000).
struct SQLFilterCompiler {
    let dialect: SQLDialect
    private(set) var arguments: [SQLValue] = []

    init(dialect: SQLDialect) { self.dialect = dialect }

    /// The condition for `filter`, after checking its depth and size.
    ///
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidFilter``) beyond
    ///   ``RunFilter/maximumNestingDepth`` or ``RunFilter/maximumValueCount``.
    mutating func condition(_ filter: RunFilter) throws(LineageError) -> String {
        condition(try filter.checked())
    }

    private mutating func condition(_ node: FilterNode) -> String {
        switch node {
        case .all(let operands): return balanced(operands.map { condition($0) }, "AND")
        case .any(let operands): return balanced(operands.map { condition($0) }, "OR")
        case .not(let inner):
            // Comparisons below are never NULL (missing fields are a false IN), so NOT is plain.
            return "(NOT \(condition(inner)))"
        case .comparison(let field, let op, let value):
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
            case .attribute:
                // COALESCE: a missing attribute (no owner, no end time) is false, never NULL.
                return "COALESCE(\(predicate(expression(field, numeric: numeric), op, value, numeric: numeric, nanWhen: nil)), FALSE)"
            }
        }
    }

    /// `(a AND b)` for two parts, `((a AND b) AND (c AND d))` for four: depth log2(n), parts in order.
    private func balanced(_ parts: [String], _ op: String) -> String {
        var level = parts
        while level.count > 1 {
            var next: [String] = []
            next.reserveCapacity((level.count + 1) / 2)
            var index = 0
            while index + 1 < level.count {
                next.append("(\(level[index]) \(op) \(level[index + 1]))")
                index += 2
            }
            if index < level.count { next.append(level[index]) }
            level = next
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
        }
        // Missing values last in both directions, on both dialects. The expression appears twice,
        // so its arguments are bound twice, in the order the SQL reads them.
        let isNull = self.expression(ordering.field, numeric: numeric)
        let value = self.expression(ordering.field, numeric: numeric)
        return "(\(isNull) IS NULL), \(textOrder(value, numeric: numeric)) \(ordering.descending ? "DESC" : "ASC")"
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
