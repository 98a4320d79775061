import Foundation
import MLOpsStorage
import TensorCore

extension RunFilter {
    /// Whether a run matches, with the same meaning as the SQL the SQL store runs (see
    /// ``RunFilter`` for the rules: missing fields, NaN, code-point order, `like` and `ilike`).
    ///
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidFilter``) when a filter built in code
    ///   nests deeper than ``maximumNestingDepth`` or holds more than ``maximumValueCount`` values.
    /// - Complexity: O(size of the filter) for the check, then O(size) for the run. To match many
    ///   runs, the in-memory store checks once and evaluates each run.
    ///
    /// `datasets.name` compares the names of the datasets the run read, which a ``Run`` does not
    /// hold: here it never matches (a store's search knows the names).
    public func matches(_ run: Run) throws(LineageError) -> Bool {
        try checked().matches(run) { _ in nil }
    }

    /// Compares a field's value with a filter value, with the rules the SQL stores follow.
    static func compare(_ actual: FilterValue, _ op: FilterOperator, _ expected: FilterValue) -> Bool {
        switch (op, actual, expected) {
        case (.in, _, .list(let items)): return items.contains { compare(actual, .equal, $0) }
        // `!=` against each: a NaN is in no list, as IEEE 754 says.
        case (.notIn, _, .list(let items)): return items.allSatisfy { compare(actual, .notEqual, $0) }
        case (.like, .string(let text), .string(let pattern)): return likeMatches(Array(text.unicodeScalars), Array(pattern.unicodeScalars))
        case (.ilike, .string(let text), .string(let pattern)): return likeMatches(asciiLowercased(text), asciiLowercased(pattern))
        case (_, .number(let a), .number(let b)):
            // IEEE 754: NaN is unordered, so it matches `!=` and nothing else.
            switch op {
            case .equal: return a == b
            case .notEqual: return a != b
            case .less: return a < b
            case .lessOrEqual: return a <= b
            case .greater: return a > b
            case .greaterOrEqual: return a >= b
            default: return false
            }
        case (_, .string(let a), .string(let b)):
            let order = codePointOrder(a, b)
            switch op {
            case .equal: return order == 0
            case .notEqual: return order != 0
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            case .greaterOrEqual: return order >= 0
            default: return false
            }
        default:
            return false
        }
    }

    /// Compares two texts by Unicode code point (UTF-8 byte order), as SQLite's BINARY collation
    /// and PostgreSQL's `"C"` collation do: -1, 0 or 1. Unlike `String`'s `<` and `==`, no
    /// normalization: `é` and `e` + combining acute differ.
    static func codePointOrder(_ a: String, _ b: String) -> Int {
        var left = a.utf8.makeIterator(), right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?): if x != y { return x < y ? -1 : 1 }
            }
        }
    }

    /// The text's code points with `A`–`Z` turned into `a`–`z` and nothing else changed: the
    /// folding `ilike` uses on every store (SQLite's LIKE, PostgreSQL's ILIKE in the "C" collation).
    static func asciiLowercased(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.map { scalar in
            (0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(UInt8(scalar.value + 0x20)) : scalar
        }
    }

    /// SQL LIKE over code points: `%` any run of them, `_` one. Iterative, with one backtrack
    /// point (the last `%`), so long texts need neither deep recursion nor a table.
    static func likeMatches(_ t: [Unicode.Scalar], _ p: [Unicode.Scalar]) -> Bool {
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

extension FilterNode {
    /// Whether a run matches; recursion only where the operator changes (bounded by the check
    /// that built the node).
    ///
    /// `artifact` gives the stored artifact of a digest: its name (for `datasets.name`) and the
    /// kind the store keeps for it (the first recorded, as the SQL stores keep it).
    func matches(_ run: Run, artifact: (Digest) -> LineageArtifact?) -> Bool {
        switch self {
        case .all(let operands): return operands.allSatisfy { $0.matches(run, artifact: artifact) }
        case .any(let operands): return operands.contains { $0.matches(run, artifact: artifact) }
        case .not(let inner): return !inner.matches(run, artifact: artifact)
        case .exists(.dataset(let field)):
            return run.datasetInputs(artifact).contains { field.value(of: $0, artifact: artifact) != nil }
        case .exists(let field): return field.value(in: run, numeric: false) != nil
        case .comparison(.dataset(let field), let op, let value):
            return run.datasetInputs(artifact).contains { input in
                field.value(of: input, artifact: artifact).map { RunFilter.compare(.string($0), op, value) } ?? false
            }
        case .comparison(let field, let op, let value):
            let numericValue: Bool = if case .number = value { true } else if case .list(let items) = value, case .number = items.first { true } else { false }
            guard let actual = field.value(in: run, numeric: numericValue) else { return false }
            return RunFilter.compare(actual, op, value)
        }
    }
}

extension FilterField {
    /// The field's value in a run, as the filter compares it; nil when the run does not have it.
    /// A NaN stays a NaN here (comparisons treat it as IEEE 754 says).
    func value(in run: Run, numeric: Bool) -> FilterValue? {
        switch self {
        case .metric(let key):
            return run.latestMetrics[key].map { .number($0.value) }
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
            // Times compare in milliseconds since the Unix epoch, as the SQL columns hold them.
            case .startTime: return .number(Double(run.startTime.millisecondsSince1970))
            case .endTime: return run.endTime.map { .number(Double($0.millisecondsSince1970)) }
            case .runID: return .string(run.id.value)
            }
        case .dataset:
            // Several datasets per run: compared one by one, never a single value.
            return nil
        }
    }

    /// Where a run's value goes in an ordering, whichever the direction, as MLflow and the SQL
    /// stores place it: 0 a value, 1 a NaN, 2 missing.
    static func sortRank(_ value: FilterValue?) -> Int {
        switch value {
        case nil: 2
        case .number(let number)? where number.isNaN: 1
        default: 0
        }
    }
}

extension DatasetField {
    /// The field of one dataset input.
    func value(of input: ArtifactEdge, artifact: (Digest) -> LineageArtifact?) -> String? {
        switch self {
        case .name: artifact(input.digest)?.name
        case .digest: input.digest.hex
        case .context: input.role
        }
    }
}

extension Run {
    /// The datasets the run read: inputs whose stored artifact (else the edge) is of kind dataset.
    func datasetInputs(_ artifact: (Digest) -> LineageArtifact?) -> [ArtifactEdge] {
        edges.filter { $0.direction == .input && (artifact($0.digest)?.kind ?? $0.kind) == .dataset }
    }
}
