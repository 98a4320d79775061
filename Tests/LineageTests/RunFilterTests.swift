import Lineage
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
        ("attributes.start_time = '123'", 25, "time in milliseconds"),
        ("attributes.status = 1", 21, "is text"),
        ("metrics.auc in ('0.9')", 16, "metrics are numbers"),
        ("params.x in (1, 'a')", 13, "mixes numbers and strings"),
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
    }

    @Test("like patterns match as SQL does, ignoring case")
    func likePatterns() throws {
        let run = Run(id: RunID(), experiment: "e", name: "Nightly-2026-11-25", status: .running, startTime: 0)
        #expect(try RunFilter(parsing: "attributes.name like 'nightly-%'").matches(run))
        #expect(try RunFilter(parsing: "attributes.name like 'nightly-____-11-__'").matches(run))
        #expect(try !RunFilter(parsing: "attributes.name like 'weekly-%'").matches(run))
        #expect(try RunFilter(parsing: "attributes.name like '%-11-%'").matches(run))
        #expect(try !RunFilter(parsing: "attributes.name like '%-12-%'").matches(run))
        let long = Run(id: RunID(), experiment: "e", name: String(repeating: "ab", count: 50_000), status: .running, startTime: 0)
        #expect(try RunFilter(parsing: "attributes.name like '%b%a%b'").matches(long))
    }
}
