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
            // NOT over a missing field stays false-safe: a run without the field matches `not`.
            return "(NOT COALESCE(\(condition(inner)), FALSE))"
        case .comparison(let field, let op, let value):
            let numeric: Bool = if case .number = value { true } else if case .list(let items) = value, case .number = items.first { true } else { false }
            let expression = self.expression(field, numeric: numeric)
            switch op {
            case .like:
                bind(value)
                return "\(expression) \(dialect == .postgresql ? "ILIKE" : "LIKE") ?"
            case .in:
                guard case .list(let items) = value else { bind(value); return "\(expression) = ?" }
                for item in items { bind(item) }
                return "\(expression) IN (\(Array(repeating: "?", count: items.count).joined(separator: ", ")))"
            default:
                bind(value)
                return "\(expression) \(op.rawValue) ?"
            }
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
