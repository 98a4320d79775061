import Foundation

extension RunFilter {
    /// Whether a run matches, with the same meaning as the SQL the SQL store runs: a missing
    /// field (or a NaN metric) matches no comparison; `like` ignores case.
    public func matches(_ run: Run) -> Bool {
        switch self {
        case .and(let left, let right): return left.matches(run) && right.matches(run)
        case .or(let left, let right): return left.matches(run) || right.matches(run)
        case .not(let inner): return !inner.matches(run)
        case .comparison(let field, let op, let value):
            let numericValue: Bool = if case .number = value { true } else if case .list(let items) = value, case .number = items.first { true } else { false }
            guard let actual = field.value(in: run, numeric: numericValue) else { return false }
            return Self.compare(actual, op, value)
        }
    }

    static func compare(_ actual: FilterValue, _ op: FilterOperator, _ expected: FilterValue) -> Bool {
        switch (op, actual, expected) {
        case (.in, _, .list(let items)): return items.contains { compare(actual, .equal, $0) }
        case (.like, .string(let text), .string(let pattern)): return likeMatches(text.lowercased(), pattern.lowercased())
        case (_, .number(let a), .number(let b)):
            switch op {
            case .equal: return a == b
            case .notEqual: return a != b && !a.isNaN
            case .less: return a < b
            case .lessOrEqual: return a <= b
            case .greater: return a > b
            case .greaterOrEqual: return a >= b
            default: return false
            }
        case (_, .string(let a), .string(let b)):
            switch op {
            case .equal: return a == b
            case .notEqual: return a != b
            case .less: return a < b
            case .lessOrEqual: return a <= b
            case .greater: return a > b
            case .greaterOrEqual: return a >= b
            default: return false
            }
        default:
            return false
        }
    }

    /// SQL LIKE: `%` any run of characters, `_` one character. Iterative, with one backtrack
    /// point (the last `%`), so long texts need neither deep recursion nor a table.
    static func likeMatches(_ text: String, _ pattern: String) -> Bool {
        let t = Array(text), p = Array(pattern)
        var i = 0, j = 0
        var star: Int? = nil, resume = 0
        while i < t.count {
            if j < p.count && (p[j] == "_" || (p[j] != "%" && p[j] == t[i])) {
                i += 1
                j += 1
            } else if j < p.count && p[j] == "%" {
                star = j
                resume = i
                j += 1
            } else if let star {
                j = star + 1
                resume += 1
                i = resume
            } else {
                return false
            }
        }
        while j < p.count && p[j] == "%" { j += 1 }
        return j == p.count
    }
}

extension FilterField {
    /// The field's value in a run, as the filter compares it; nil when the run does not have it.
    func value(in run: Run, numeric: Bool) -> FilterValue? {
        switch self {
        case .metric(let key):
            guard let point = run.latestMetrics[key], !point.value.isNaN else { return nil }
            return .number(point.value)
        case .parameter(let key):
            guard let value = run.parameters[key] else { return nil }
            if numeric { return value.numericValue.map(FilterValue.number) }
            return .string(value.description)
        case .tag(let key):
            return run.tags[key].map(FilterValue.string)
        case .attribute(let attribute):
            switch attribute {
            case .status: return .string(run.status.rawValue)
            case .name: return .string(run.name)
            case .owner: return run.owner.map(FilterValue.string)
            case .experiment: return .string(run.experiment)
            case .startTime: return .number(Double(run.startTime))
            case .endTime: return run.endTime.map { .number(Double($0)) }
            case .runID: return .string(run.id.value)
            }
        }
    }
}
