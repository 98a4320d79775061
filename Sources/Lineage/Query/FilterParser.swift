/// A hand-written recursive-descent parser for ``RunFilter`` (small grammar, exact error positions).
///
/// It recurses only into parentheses and `not`, at most ``RunFilter/maximumNestingDepth`` levels;
/// chains of `and` and `or` are read in loops and built as balanced trees, so neither a deeply
/// nested filter nor a very long one can exhaust the stack.
struct FilterParser {
    enum Token: Equatable {
        case identifier(String)
        case quotedIdentifier(String)
        case string(String)
        case number(Double)
        case symbol(String)
        case end
    }

    let text: String
    let scalars: [Unicode.Scalar]
    var position = 0
    var current: Token = .end
    var tokenStart = 0
    /// How many parentheses and `not`s enclose the current position.
    var depth = 0
    /// How many values the comparisons so far hold.
    var valueCount = 0

    init(_ text: String) {
        self.text = text
        self.scalars = Array(text.unicodeScalars)
    }

    // MARK: Grammar

    mutating func parseFilter() throws(LineageError) -> RunFilter {
        try advance()
        let filter = try parseOr()
        guard current == .end else { throw error("expected 'and', 'or' or the end of the filter") }
        return filter
    }

    mutating func parseOrdering() throws(LineageError) -> RunOrdering {
        try advance()
        let fieldStart = tokenStart
        let field = try parseField()
        if case .dataset = field {
            throw LineageError(.invalidFilter, message("datasets cannot order runs (a run may read several); filter on them instead", at: fieldStart))
        }
        var descending = false
        if case .identifier(let word) = current {
            switch word.lowercased() {
            case "desc": descending = true
            case "asc": descending = false
            default: throw error("expected 'asc' or 'desc'")
            }
            try advance()
        }
        guard current == .end else { throw error("expected the end of the ordering") }
        return RunOrdering(field: field, descending: descending)
    }

    mutating func parseOr() throws(LineageError) -> RunFilter {
        var operands = [try parseAnd()]
        while isKeyword("or") {
            try advance()
            operands.append(try parseAnd())
        }
        return RunFilter.balanced(operands, RunFilter.or) ?? operands[0]
    }

    mutating func parseAnd() throws(LineageError) -> RunFilter {
        var operands = [try parseUnary()]
        while isKeyword("and") {
            try advance()
            // MLflow's quirks, kept so its filters mean the same here: a doubled `AND AND` and a
            // trailing `AND` are ignored.
            while isKeyword("and") { try advance() }
            if current == .end || current == .symbol(")") { break }
            operands.append(try parseUnary())
        }
        return RunFilter.balanced(operands, RunFilter.and) ?? operands[0]
    }

    mutating func parseUnary() throws(LineageError) -> RunFilter {
        guard isKeyword("not") || current == .symbol("(") else { return try parseComparison() }
        guard depth < RunFilter.maximumNestingDepth else {
            throw LineageError(
                .invalidFilter,
                message("the filter nests deeper than \(RunFilter.maximumNestingDepth) levels of parentheses and 'not'", at: tokenStart),
                fix: "flatten it: a chain such as `a and b and c` needs no parentheses, and `not (a or b)` is `not a and not b`.")
        }
        depth += 1
        defer { depth -= 1 }
        if isKeyword("not") {
            try advance()
            return .not(try parseUnary())
        }
        try advance()
        let inner = try parseOr()
        guard current == .symbol(")") else { throw error("expected ')'") }
        try advance()
        return inner
    }

    mutating func parseComparison() throws(LineageError) -> RunFilter {
        let comparisonStart = tokenStart
        let field = try parseField()
        // `IS NULL` and `IS NOT NULL`: whether the run has the field.
        if isKeyword("is") {
            try advance()
            let hasNot = isKeyword("not")
            if hasNot { try advance() }
            guard isKeyword("null") else { throw error("expected 'null' or 'not null' after 'is'") }
            try advance()
            return hasNot ? .exists(field) : .not(.exists(field))
        }
        var op: FilterOperator
        // `NOT IN`: read as one operator.
        let negated = isKeyword("not")
        if negated {
            try advance()
            guard isKeyword("in") else { throw error("expected 'in' after 'not'") }
        }
        switch current {
        case .symbol(let symbol):
            guard let parsed = FilterOperator(rawValue: symbol) else { throw error("expected a comparison operator") }
            op = parsed
        case .identifier(let word):
            guard let parsed = FilterOperator(rawValue: word.lowercased()), parsed == .like || parsed == .ilike || parsed == .in else {
                throw error("expected a comparison operator (=, !=, <, <=, >, >=, like, ilike, in)")
            }
            op = parsed
        default:
            throw error("expected a comparison operator (=, !=, <, <=, >, >=, like, ilike, in)")
        }
        if negated { op = .notIn }
        try advance()
        let valueStart = tokenStart
        let value: FilterValue
        if op == .in || op == .notIn {
            guard current == .symbol("(") else { throw error("expected '(' to start the list after 'in'") }
            try advance()
            var items: [FilterValue] = [try parseScalarValue()]
            while current == .symbol(",") {
                try advance()
                items.append(try parseScalarValue())
            }
            guard current == .symbol(")") else { throw error("expected ',' or ')' in the list") }
            try advance()
            value = .list(items)
        } else {
            value = try parseScalarValue()
        }
        if let problem = Self.typeProblem(field, op, value) {
            throw LineageError(.invalidFilter, message(problem, at: valueStart))
        }
        let count = if case .list(let items) = value { items.count } else { 1 }
        valueCount += count
        guard valueCount <= RunFilter.maximumValueCount else {
            throw LineageError(
                .invalidFilter,
                message("the filter holds more than \(RunFilter.maximumValueCount) values (each comparison's value counts one, and each value of an 'in' list)", at: comparisonStart),
                fix: "search with fewer comparisons or shorter 'in' lists, or split the search into several.")
        }
        return .comparison(field, op, Self.normalized(value, of: field))
    }

    /// Values written as MLflow writes them, turned into ours: a status in any case (MLflow's
    /// are upper-case, ours lower-case) and a run id as 32 hexadecimal digits without dashes.
    static func normalized(_ value: FilterValue, of field: FilterField) -> FilterValue {
        switch (field, value) {
        case (_, .list(let items)):
            return .list(items.map { normalized($0, of: field) })
        case (.attribute(.status), .string(let text)):
            return .string(String(String.UnicodeScalarView(RunFilter.asciiLowercased(text))))
        case (.attribute(.runID), .string(let text)):
            return .string(RunID.dashed(text).lowercased())
        case (.dataset(.digest), .string(let text)):
            return .string(text.hasPrefix("sha256:") ? String(text.dropFirst("sha256:".count)) : text)
        default:
            return value
        }
    }

    /// Why a comparison mixes types, or nil when it does not. Refused here so that every store
    /// (SQLite, PostgreSQL, memory) gives the same answer instead of converting differently.
    static func typeProblem(_ field: FilterField, _ op: FilterOperator, _ value: FilterValue) -> String? {
        let items: [FilterValue] = if case .list(let list) = value { list } else { [value] }
        let numbers = items.filter { if case .number = $0 { true } else { false } }.count
        if numbers != 0 && numbers != items.count { return "a list mixes numbers and strings; use one kind" }
        let isNumber = numbers > 0
        let isPattern = op == .like || op == .ilike
        if isPattern && isNumber { return "'\(op.rawValue)' compares with a string pattern" }
        switch field {
        case .metric:
            if !isNumber { return "metrics are numbers; compare them with a number" }
        case .tag:
            if isNumber { return "tags are text; put the value in quotes" }
        case .attribute(let attribute):
            let numeric = attribute == .startTime || attribute == .endTime
            if numeric && !isNumber { return "attributes.\(attribute.rawValue) is a time, compared in milliseconds since the Unix epoch; compare it with a number" }
            if numeric && isPattern { return "'\(op.rawValue)' applies to text, and attributes.\(attribute.rawValue) is a number" }
            if !numeric && isNumber { return "attributes.\(attribute.rawValue) is text; put the value in quotes" }
        case .dataset:
            if isNumber { return "datasets are described by text; put the value in quotes" }
        case .parameter:
            break
        }
        return nil
    }

    mutating func parseScalarValue() throws(LineageError) -> FilterValue {
        switch current {
        case .number(let number):
            try advance()
            return .number(number)
        case .string(let string):
            try advance()
            return .string(string)
        case .symbol("-"):
            try advance()
            guard case .number(let number) = current else { throw error("expected a number after '-'") }
            try advance()
            return .number(-number)
        default:
            throw error("expected a value: a number or a quoted string")
        }
    }

    mutating func parseField() throws(LineageError) -> FilterField {
        let fieldStart = tokenStart
        let first: String
        switch current {
        // `metrics`, a backquoted `metrics` or `Run name`, or a double-quoted "run name".
        case .identifier(let word), .quotedIdentifier(let word), .string(let word): first = word
        default: throw error("expected a field such as metrics.auc, params.model, tags.team, attributes.status or status")
        }
        if position < scalars.count, scalars[position] == "." {
            // Read here, so that `metrics.5fold_auc` is a key and not the number `.5`.
            tokenStart = position
            position += 1
            current = .symbol(".")
        } else {
            try advance()
        }
        guard current == .symbol(".") else {
            // No prefix: an attribute, as MLflow allows (`status = 'FAILED'`, `run_name LIKE 'n%'`).
            guard let attribute = Self.attribute(named: first) else {
                if Self.fieldKinds.contains(first.lowercased()) {
                    throw error("expected '.' after '\(first)' (fields look like metrics.auc)")
                }
                throw LineageError(
                    .invalidFilter,
                    message("'\(first)' is not an attribute; use one of \(Self.attributeNames), or a field such as metrics.\(first)", at: fieldStart))
            }
            return .attribute(attribute)
        }
        try advanceKey()
        let key: String
        switch current {
        case .identifier(let name), .quotedIdentifier(let name), .string(let name): key = name
        default: throw error("expected a key after '\(first).'")
        }
        if key.isEmpty { throw error("the key after '\(first).' is empty") }
        try advance()
        switch first.lowercased() {
        case "metrics", "metric": return .metric(key)
        case "params", "param", "parameters", "parameter": return .parameter(key)
        case "tags", "tag": return .tag(key)
        case "datasets", "dataset":
            guard let field = DatasetField(rawValue: key.lowercased()) else {
                throw LineageError(.invalidFilter, message("'\(key)' is not a dataset field; use \(DatasetField.allCases.map(\.rawValue).joined(separator: ", "))", at: fieldStart))
            }
            return .dataset(field)
        case "attributes", "attribute", "attr", "run":
            guard let attribute = Self.attribute(named: key) else {
                throw LineageError(.invalidFilter, message("'\(key)' is not an attribute; use one of \(Self.attributeNames)", at: fieldStart))
            }
            return .attribute(attribute)
        default:
            throw LineageError(.invalidFilter, message("'\(first)' is not a field kind; use metrics, params, tags, datasets or attributes", at: fieldStart))
        }
    }

    /// The attribute `name` means: ours (`name`, `owner`, `experiment`, …) and MLflow's
    /// (`run_name` and "run name", `user_id`, `created`), in any case.
    static func attribute(named name: String) -> RunAttribute? {
        let lowered = name.lowercased()
        if let attribute = RunAttribute(rawValue: lowered) { return attribute }
        switch lowered {
        case "run_name", "run name": return .name
        case "user_id": return .owner
        case "created": return .startTime
        default: return nil
        }
    }

    /// The prefixes of field kinds (`metrics.` and the others).
    static let fieldKinds: Set<String> = ["metrics", "metric", "params", "param", "parameters", "parameter", "tags", "tag", "datasets", "dataset", "attributes", "attribute", "attr", "run"]

    static let attributeNames = (RunAttribute.allCases.map(\.rawValue) + ["run_name", "user_id", "created"]).joined(separator: ", ")

    func isKeyword(_ word: String) -> Bool {
        if case .identifier(let value) = current { return value.lowercased() == word }
        return false
    }

    // MARK: Tokens

    /// Reads the key after `prefix.`: anything up to white space or an operator, so `val/auc` works.
    mutating func advanceKey() throws(LineageError) {
        skipWhitespace()
        tokenStart = position
        guard position < scalars.count else { current = .end; return }
        let first = scalars[position]
        if first == "`" || first == "\"" || first == "'" {
            try advance()
            if case .string(let value) = current { current = .quotedIdentifier(value) }
            return
        }
        var key = ""
        while position < scalars.count {
            let scalar = scalars[position]
            if scalar.properties.isWhitespace || "=!<>(),".unicodeScalars.contains(scalar) { break }
            key.unicodeScalars.append(scalar)
            position += 1
        }
        current = key.isEmpty ? .end : .identifier(key)
    }

    mutating func skipWhitespace() {
        while position < scalars.count && scalars[position].properties.isWhitespace { position += 1 }
    }

    mutating func advance() throws(LineageError) {
        skipWhitespace()
        tokenStart = position
        guard position < scalars.count else { current = .end; return }
        let scalar = scalars[position]
        if scalar == "\"" || scalar == "'" || scalar == "`" {
            // As MLflow reads quoted text (sqlparse's tokens, then the outer quotes stripped): a
            // doubled quote (`'it''s'`) or, inside '…' and "…", a backslash before a quote or a
            // backslash does not end the text, and every character between the outer quotes is
            // kept as it is: `'it''s'` is the six characters `it''s`, `'a\'b'` keeps the backslash.
            let quote = scalar
            position += 1
            var value = ""
            var closed = false
            while position < scalars.count {
                let next = scalars[position]
                if next == quote {
                    if position + 1 < scalars.count && scalars[position + 1] == quote {
                        value.unicodeScalars.append(next)
                        value.unicodeScalars.append(next)
                        position += 2
                        continue
                    }
                    closed = true
                    break
                }
                if next == "\\" && quote != "`" && position + 1 < scalars.count && (scalars[position + 1] == quote || scalars[position + 1] == "\\") {
                    value.unicodeScalars.append(next)
                    value.unicodeScalars.append(scalars[position + 1])
                    position += 2
                    continue
                }
                value.unicodeScalars.append(next)
                position += 1
            }
            guard closed else { throw LineageError(.invalidFilter, message("this quote is never closed", at: tokenStart)) }
            position += 1
            current = quote == "`" ? .quotedIdentifier(value) : .string(value)
            return
        }
        if scalar.properties.numericType != nil || (scalar == "." && position + 1 < scalars.count && scalars[position + 1].properties.numericType != nil) {
            var number = ""
            while position < scalars.count {
                let next = scalars[position]
                let isExponentSign = (next == "-" || next == "+") && (number.hasSuffix("e") || number.hasSuffix("E"))
                guard next.properties.numericType != nil || next == "." || next == "e" || next == "E" || isExponentSign else { break }
                number.unicodeScalars.append(next)
                position += 1
            }
            guard let value = Double(number) else { throw LineageError(.invalidFilter, message("'\(number)' is not a number", at: tokenStart)) }
            // `0.9and`: a word glued to a number is an error in MLflow's grammar too.
            if position < scalars.count, scalars[position].properties.isAlphabetic || scalars[position] == "_" {
                throw LineageError(.invalidFilter, message("a number must be followed by a space or an operator, not '\(scalars[position])'", at: position))
            }
            current = .number(value)
            return
        }
        if scalar.properties.isAlphabetic || scalar == "_" {
            var word = ""
            while position < scalars.count && (scalars[position].properties.isAlphabetic || scalars[position].properties.numericType != nil || scalars[position] == "_") {
                word.unicodeScalars.append(scalars[position])
                position += 1
            }
            current = .identifier(word)
            return
        }
        for symbol in ["<=", ">=", "!=", "<>", "==", "=", "<", ">", "(", ")", ",", ".", "-"] {
            let symbolScalars = Array(symbol.unicodeScalars)
            if position + symbolScalars.count <= scalars.count && Array(scalars[position..<(position + symbolScalars.count)]) == symbolScalars {
                position += symbolScalars.count
                current = .symbol(symbol == "<>" ? "!=" : symbol == "==" ? "=" : symbol)
                return
            }
        }
        throw LineageError(.invalidFilter, message("unexpected character '\(Character(scalar))'", at: position))
    }

    func error(_ problem: String) -> LineageError {
        LineageError(.invalidFilter, message(problem, at: tokenStart))
    }

    /// The problem, the filter, and a caret under the character at `offset`. A long filter is
    /// shown as the 120 characters around that one.
    func message(_ problem: String, at offset: Int) -> String {
        let column = min(offset, scalars.count)
        var shown = text
        var caret = column
        if scalars.count > 120 {
            let start = max(0, column - 60), end = min(scalars.count, start + 120)
            var window = String.UnicodeScalarView()
            window.append(contentsOf: scalars[start..<end])
            shown = (start > 0 ? "…" : "") + String(window) + (end < scalars.count ? "…" : "")
            caret = column - start + (start > 0 ? 1 : 0)
        }
        return "Filter error at character \(column + 1): \(problem).\n  \(shown)\n  \(String(repeating: " ", count: caret))^"
    }
}
