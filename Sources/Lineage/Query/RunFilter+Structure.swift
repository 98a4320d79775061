/// A checked filter with each chain of one operator (`a and b and c`) gathered into one node:
/// the shape the evaluator and the SQL compiler walk.
///
/// Built by ``RunFilter/checked()``, so its depth is bounded: walking it recursively takes at
/// most about two frames per level of ``RunFilter/maximumNestingDepth``, never one per term.
indirect enum FilterNode: Sendable {
    case comparison(FilterField, FilterOperator, FilterValue)
    case all([FilterNode])
    case any([FilterNode])
    case not(FilterNode)
    case exists(FilterField)
}

extension RunFilter {
    /// Joins operands into a balanced tree of `combine`, left to right, without recursion: the
    /// parser builds chains this way, so a chain of a million terms is twenty levels deep.
    static func balanced(_ operands: [RunFilter], _ combine: (RunFilter, RunFilter) -> RunFilter) -> RunFilter? {
        var level = operands
        while level.count > 1 {
            var next: [RunFilter] = []
            next.reserveCapacity((level.count + 1) / 2)
            var index = 0
            while index + 1 < level.count {
                next.append(combine(level[index], level[index + 1]))
                index += 2
            }
            if index < level.count { next.append(level[index]) }
            level = next
        }
        return level.first
    }

    /// The operands of the chain of `and` (or of `or`) this filter heads, left to right, found
    /// with a stack of our own: a chain built in code as `.and(.and(.and(a, b), c), d)` is as
    /// flat as one the parser built.
    func chainOperands(and: Bool) -> [RunFilter] {
        var operands: [RunFilter] = []
        var stack: [RunFilter] = [self]
        while let next = stack.popLast() {
            switch next {
            case .and(let left, let right) where and, .or(let left, let right) where !and:
                stack.append(right)
                stack.append(left)
            default:
                operands.append(next)
            }
        }
        return operands
    }

    /// Checks the filter against ``maximumNestingDepth`` and ``maximumValueCount`` (and refuses a
    /// NaN value, which no store can bind alike), without recursion, and returns its gathered form.
    ///
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidFilter``) naming the limit.
    func checked() throws(LineageError) -> FilterNode {
        enum Parent { case root, and, or, not }
        var stack: [(filter: RunFilter, depth: Int, parent: Parent)] = [(self, 0, .root)]
        var values = 0
        while let entry = stack.popLast() {
            let (filter, depth, parent) = entry
            switch filter {
            case .comparison(let field, let op, let value):
                let items: [FilterValue] = if case .list(let list) = value { list } else { [value] }
                values += items.count
                guard values <= Self.maximumValueCount else { throw Self.tooManyValues(values) }
                // What the parser refuses, refused here too for filters built in code, so that no
                // store is left to guess what a mixed comparison means.
                if let problem = Self.shapeProblem(op, value) ?? FilterParser.typeProblem(field, op, value) {
                    throw LineageError(.invalidFilter, "The comparison on \(field.name) with '\(op.rawValue)' cannot be evaluated: \(problem)", fix: "build the comparison as the filter language would parse it.")
                }
                for case .number(let number) in items where number.isNaN {
                    throw LineageError(
                        .invalidFilter, "The filter compares \(field.name) with NaN, which equals nothing",
                        fix: "to find NaN values, use `\(field.name) != <any number>` and exclude the numbers you know; NaN matches only '!='.")
                }
            case .exists:
                break
            case .not(let inner):
                guard depth < Self.maximumNestingDepth else { throw Self.tooDeep() }
                stack.append((inner, depth + 1, .not))
            case .and, .or:
                let isAnd: Bool = if case .and = filter { true } else { false }
                // A group counts a level where text would need parentheses around it: an `or`
                // inside an `and`, or any group right after `not`.
                let needsParentheses = (parent == .and && !isAnd) || parent == .not
                let level = depth + (needsParentheses ? 1 : 0)
                guard level <= Self.maximumNestingDepth else { throw Self.tooDeep() }
                for operand in filter.chainOperands(and: isAnd).reversed() {
                    stack.append((operand, level, isAnd ? .and : .or))
                }
            }
        }
        return node()
    }

    /// The gathered form; recursion only where the operator changes, which ``checked()`` bounds.
    private func node() -> FilterNode {
        switch self {
        case .comparison(let field, let op, let value): .comparison(field, op, value)
        case .not(let inner): .not(inner.node())
        case .exists(let field): .exists(field)
        case .and: .all(chainOperands(and: true).map { $0.node() })
        case .or: .any(chainOperands(and: false).map { $0.node() })
        }
    }

    /// Why a value does not fit its operator: a list goes with `in` only, and holds scalars.
    static func shapeProblem(_ op: FilterOperator, _ value: FilterValue) -> String? {
        guard case .list(let items) = value else {
            return op == .in || op == .notIn ? "'\(op.rawValue)' takes a list of values" : nil
        }
        if op != .in && op != .notIn { return "a list of values goes with 'in' and 'not in' only" }
        if items.isEmpty { return "the 'in' list is empty" }
        if items.contains(where: { if case .list = $0 { true } else { false } }) { return "an 'in' list holds numbers or strings, not lists" }
        return nil
    }

    static func tooDeep() -> LineageError {
        LineageError(
            .invalidFilter, "The filter nests deeper than \(maximumNestingDepth) levels of parentheses and 'not'",
            fix: "flatten it: a chain such as `a and b and c` needs no parentheses, and `not (a or b)` is `not a and not b`.")
    }

    static func tooManyValues(_ count: Int) -> LineageError {
        LineageError(
            .invalidFilter, "The filter holds more than \(maximumValueCount) values (\(count) counted so far)",
            fix: "search with fewer comparisons or shorter 'in' lists, or split the search into several.")
    }
}

extension FilterField {
    /// The field as a filter writes it, e.g. `params.lr`.
    var name: String {
        switch self {
        case .metric(let key): "metrics.\(key)"
        case .parameter(let key): "params.\(key)"
        case .tag(let key): "tags.\(key)"
        case .attribute(let attribute): "attributes.\(attribute.rawValue)"
        case .dataset(let field): "datasets.\(field.rawValue)"
        }
    }
}
