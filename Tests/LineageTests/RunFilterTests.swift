import Foundation
import Lineage
import MLOpsTestSupport
import Testing

@Suite("Run filter language")
struct RunFilterTests {
    @Test("filters parse into the expected tree")
    func parses() throws {
        let filter = try RunFilter(parsing: "metrics.auc > 0.9 and params.model = \"gbt\" or not tags.team = 'fraud'")
        #expect(filter == .or(
            .and(.comparison(.metric("auc"), .greater, .number(0.9)), .comparison(.parameter("model"), .equal, .string("gbt"))),
            .not(.comparison(.tag("team"), .equal, .string("fraud")))))
        #expect(try RunFilter(parsing: "PARAMS.lr <= 1e-3 AND attributes.status != 'failed'") == .and(
            .comparison(.parameter("lr"), .lessOrEqual, .number(0.001)), .comparison(.attribute(.status), .notEqual, .string("failed"))))
        #expect(try RunFilter(parsing: "metrics.`val auc` >= -1") == .comparison(.metric("val auc"), .greaterOrEqual, .number(-1)))
        #expect(try RunFilter(parsing: "metrics.val/auc > 0.5") == .comparison(.metric("val/auc"), .greater, .number(0.5)))
        #expect(try RunFilter(parsing: "params.model in ('gbt', \"rf\")") == .comparison(.parameter("model"), .in, .list([.string("gbt"), .string("rf")])))
    }

    @Test("MLflow's quirks mean what they mean there: a doubled or trailing AND is ignored, quoted text is kept as written")
    func mlflowQuirks() throws {
        let auc = RunFilter.comparison(.metric("auc"), .greater, .number(0.8))
        #expect(try RunFilter(parsing: "metrics.auc > 0.8 and") == auc)
        #expect(try RunFilter(parsing: "metrics.auc > 0.8 AND AND params.model = 'gbt'") == .and(auc, .comparison(.parameter("model"), .equal, .string("gbt"))))
        #expect(try RunFilter(parsing: "(metrics.auc > 0.8 and) or metrics.auc > 0.8") == .or(auc, auc))
        #expect(try RunFilter(parsing: "tags.note = 'it''s'") == .comparison(.tag("note"), .equal, .string("it''s")))
        #expect(try RunFilter(parsing: #"tags.note = 'a\'b'"#) == .comparison(.tag("note"), .equal, .string(#"a\'b"#)))
        #expect(try RunFilter(parsing: #"tags.note = "say ""hi""""#) == .comparison(.tag("note"), .equal, .string(#"say ""hi"""#)))
        #expect(try RunFilter(parsing: #"tags.path = 'C:\\data'"#) == .comparison(.tag("path"), .equal, .string(#"C:\\data"#)))
        #expect(throws: LineageError.self) { try RunFilter(parsing: "and") }
    }

    @Test("syntax errors point at the offending character", arguments: [
        ("metrics.auc > and params.x = 1", 15, "expected a value"),
        ("metrics.auc >> 1", 14, "expected a value"),
        ("metric auc > 1", 8, "expected '.'"),
        ("colors.red = 1", 1, "not a field kind"),
        ("attributes.colour = 'x'", 1, "not an attribute"),
        ("params.model = 'gbt", 16, "never closed"),
        ("(metrics.auc > 1", 17, "expected ')'"),
        ("metrics.auc = 'high'", 15, "metrics are numbers"),
        ("metrics.auc > 1 params.x = 2", 17, "expected 'and', 'or'"),
        ("tags.epochs > 5", 15, "tags are text"),
        ("attributes.start_time = '123'", 25, "compared in milliseconds"),
        ("attributes.status = 1", 21, "is text"),
        ("metrics.auc in ('0.9')", 16, "metrics are numbers"),
        ("params.x in (1, 'a')", 13, "mixes numbers and strings"),
        // MLflow's grammar refuses these too (QA sweep): a word glued to a number, an empty key.
        ("metrics.auc > 0.9and params.x = 'a'", 18, "must be followed by a space"),
        ("params.`` = 'x'", 8, "is empty"),
    ])
    func errorsPointAtTheCharacter(text: String, column: Int, phrase: String) {
        do {
            _ = try RunFilter(parsing: text)
            Issue.record("'\(text)' parsed")
        } catch {
            #expect(error.code == .invalidFilter)
            #expect(error.message.contains("character \(column):"), "\(error.message)")
            #expect(error.message.contains(phrase), "\(error.message)")
            // The caret line puts ^ under that character.
            let caretLine = error.message.split(separator: "\n").last.map(String.init) ?? ""
            #expect(caretLine.count == column + 2, "\(error.message)")
        }
    }

    @Test("orderings parse with a direction")
    func orderings() throws {
        #expect(try RunOrdering(parsing: "metrics.auc DESC") == RunOrdering(field: .metric("auc"), descending: true))
        #expect(try RunOrdering(parsing: "attributes.start_time") == RunOrdering(field: .attribute(.startTime), descending: false))
        #expect(throws: LineageError.self) { try RunOrdering(parsing: "metrics.auc sideways") }
        // One field twice is refused, as MLflow refuses it; two fields are fine.
        #expect(throws: LineageError.self) { try RunQuery(orderBy: ["metrics.auc DESC", "metrics.auc"]) }
        #expect(throws: LineageError.self) { try RunQuery(orderBy: ["attributes.start_time", "created"]) }
        #expect(try RunQuery(orderBy: ["metrics.auc DESC", "params.lr"]).orderBy.count == 2)
        // A key may start with a digit (`.5` after a field kind is no number).
        #expect(try RunOrdering(parsing: "metrics.5fold_auc DESC") == RunOrdering(field: .metric("5fold_auc"), descending: true))
        #expect(throws: Never.self) { try RunFilter(parsing: "metrics.5fold_auc > 0.8 and params.2nd = 'x'") }
    }

    @Test("like patterns match as SQL does: like case-sensitive, ilike folding ASCII letters only")
    func likePatterns() throws {
        let run = Run(id: RunID(), experiment: "e", name: "Nightly-2026-11-25", status: .running, startTime: .ms(0))
        #expect(try RunFilter(parsing: "attributes.name ilike 'nightly-%'").matches(run))
        #expect(try !RunFilter(parsing: "attributes.name like 'nightly-%'").matches(run))
        #expect(try RunFilter(parsing: "attributes.name like 'Nightly-%'").matches(run))
        #expect(try RunFilter(parsing: "attributes.name ILIKE 'nightly-____-11-__'").matches(run))
        #expect(try !RunFilter(parsing: "attributes.name ilike 'weekly-%'").matches(run))
        #expect(try RunFilter(parsing: "attributes.name like '%-11-%'").matches(run))
        #expect(try !RunFilter(parsing: "attributes.name like '%-12-%'").matches(run))
        let long = Run(id: RunID(), experiment: "e", name: String(repeating: "ab", count: 50_000), status: .running, startTime: .ms(0))
        #expect(try RunFilter(parsing: "attributes.name like '%b%a%b'").matches(long))
        let german = Run(id: RunID(), experiment: "e", name: "Ärger", status: .running, startTime: .ms(0))
        #expect(try !RunFilter(parsing: "attributes.name ilike 'ärger'").matches(german))
        #expect(try RunFilter(parsing: "attributes.name ilike 'ÄRGER'").matches(german))
        #expect(try RunFilter(parsing: "attributes.name like '_rger'").matches(german))
    }

    @Test("a filter nested past the limit is a typed error naming the position and the limit, not a crash")
    func deepNesting() {
        for text in [String(repeating: "(", count: 100_000) + "metrics.a > 1", String(repeating: "not ", count: 100_000) + "metrics.a > 1"] {
            do {
                _ = try RunFilter(parsing: text)
                Issue.record("a filter nested 100,000 deep parsed")
            } catch {
                #expect(error.code == .invalidFilter)
                #expect(error.message.contains("deeper than \(RunFilter.maximumNestingDepth) levels"), "\(error.message.prefix(200))")
                let column = text.hasPrefix("(") ? RunFilter.maximumNestingDepth + 1 : RunFilter.maximumNestingDepth * 4 + 1
                #expect(error.message.contains("character \(column):"), "\(error.message.prefix(200))")
            }
        }
        // Exactly at the limit parses.
        let depth = RunFilter.maximumNestingDepth
        #expect(throws: Never.self) { try RunFilter(parsing: String(repeating: "(", count: depth) + "metrics.a > 1" + String(repeating: ")", count: depth)) }
        #expect(throws: Never.self) { try RunFilter(parsing: String(repeating: "not ", count: depth) + "metrics.a > 1") }
        #expect(throws: LineageError.self) { try RunFilter(parsing: String(repeating: "not ", count: depth) + "(metrics.a > 1)") }
    }

    @Test("a long flat chain parses and evaluates without recursing per term; too many values is a typed error")
    func flatChains() throws {
        let run = Run(id: RunID(), experiment: "e", name: "r", status: .running, startTime: .ms(0), parameters: ["i": 7])
        let limit = RunFilter.maximumValueCount
        let anyOf = (0..<limit).map { "params.i = \($0 == limit - 1 ? 7 : -$0)" }.joined(separator: " or ")
        #expect(try RunFilter(parsing: anyOf).matches(run))
        let allOf = (0..<limit).map { "params.i != \(-$0 - 1)" }.joined(separator: " AND ")
        #expect(try RunFilter(parsing: allOf).matches(run))
        // One value more, or a hundred thousand terms: refused at the comparison that passes the limit.
        let tooMany = (0..<100_000).map { "params.i = \($0)" }.joined(separator: " and ")
        do {
            _ = try RunFilter(parsing: tooMany)
            Issue.record("a filter of 100,000 values parsed")
        } catch {
            #expect(error.code == .invalidFilter)
            #expect(error.message.contains("more than \(limit) values"), "\(error.message.prefix(200))")
        }
        // A chain built in code, left-deep, counts as no nesting at all.
        let chain = (0..<3_000).map { RunFilter.comparison(.parameter("i"), .notEqual, .number(Double(-$0))) }
            .reduce(RunFilter.comparison(.parameter("i"), .equal, .number(7))) { .and($0, $1) }
        #expect(try chain.matches(run))
        var nested = RunFilter.comparison(.parameter("i"), .equal, .number(7))
        let other = RunFilter.comparison(.tag("x"), .equal, .string("y"))
        // `(((a or b) and c) or d) and e …`: every `or` inside an `and` needs parentheses.
        for index in 0..<200 { nested = index % 2 == 0 ? .or(nested, other) : .and(nested, other) }
        #expect(throws: LineageError.self) { try nested.matches(run) }
    }

    @Test("NaN compares as IEEE 754 says in memory")
    func nanComparisons() throws {
        let run = Run(id: RunID(), experiment: "e", name: "r", status: .running, startTime: .ms(0), parameters: ["lr": .double(.nan)],
                      latestMetrics: ["loss": MetricPoint(key: "loss", value: .nan, timestamp: .ms(0))])
        for field in ["params.lr", "metrics.loss"] {
            for op in ["=", "<", "<=", ">", ">="] {
                #expect(try !RunFilter(parsing: "\(field) \(op) 0.5").matches(run), "\(field) \(op)")
            }
            #expect(try RunFilter(parsing: "\(field) != 0.5").matches(run), "\(field)")
            #expect(try !RunFilter(parsing: "\(field) in (0.5, 1)").matches(run), "\(field)")
        }
    }
}
