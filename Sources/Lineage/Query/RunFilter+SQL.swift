import MLOpsStorage

/// Turns a filter into a SQL condition over `lineage_runs r` joined with `lineage_experiments x`.
/// Every value, field key included, is a bound argument; no caller text enters the SQL.
struct SQLFilterCompiler {
    let dialect: SQLDialect
    private(set) var arguments: [SQLValue] = []

    init(dialect: SQLDialect) { self.dialect = dialect }

    mutating func condition(_ filter: RunFilter) -> String {
        switch filter {
        case .and(let left, let right): return "(\(condition(left)) AND \(condition(right)))"
        case .or(let left, let right): return "(\(condition(left)) OR \(condition(right)))"
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
                return "r.run_key IN (SELECT m.run_key FROM lineage_latest_metrics m WHERE m.key = ? AND \(predicate("m.value", op, value)))"
            case .parameter(let key):
                arguments.append(.text(key))
                return "r.run_key IN (SELECT p.run_key FROM lineage_params p WHERE p.key = ? AND \(predicate(numeric ? "p.value_number" : "p.value_text", op, value)))"
            case .tag(let key):
                arguments.append(.text(key))
                return "r.run_key IN (SELECT t.run_key FROM lineage_tags t WHERE t.key = ? AND \(predicate("t.value", op, value)))"
            case .attribute:
                // COALESCE: a missing attribute (no owner, no end time) is false, never NULL.
                return "COALESCE(\(predicate(expression(field, numeric: numeric), op, value)), FALSE)"
            }
        }
    }

    /// `expression op ?` (or LIKE / IN), binding the value.
    mutating func predicate(_ expression: String, _ op: FilterOperator, _ value: FilterValue) -> String {
        switch op {
        case .like:
            bind(value)
            // No escape character on either dialect (PostgreSQL's default is backslash).
            return "\(expression) \(dialect == .postgresql ? "ILIKE ? ESCAPE ''" : "LIKE ?")"
        case .in:
            guard case .list(let items) = value else { bind(value); return "\(expression) = ?" }
            for item in items { bind(item) }
            return "\(expression) IN (\(Array(repeating: "?", count: items.count).joined(separator: ", ")))"
        default:
            bind(value)
            return "\(expression) \(op.rawValue) ?"
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
        return "(\(isNull) IS NULL), \(value) \(ordering.descending ? "DESC" : "ASC")"
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

    private mutating func bind(_ value: FilterValue) {
        switch value {
        case .number(let number): arguments.append(.real(number))
        case .string(let string): arguments.append(.text(string))
        case .list(let items): for item in items { bind(item) }
        }
    }
}
