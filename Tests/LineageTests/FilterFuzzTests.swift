import Foundation
import Lineage
import PropertyBased
import Testing

/// A filter comes from a caller (a service may pass its users' filters through): whatever the
/// text, parsing ends with a filter or a `LineageError`, never a crash.
@Suite("Filter fuzzing")
struct FilterFuzzTests {
    static let tokens = [
        "metrics.auc", "params.lr", "tags.team", "attributes.status", "attributes.run_name", "metrics.`a b`",
        " ", " ", "and", "or", "not", "(", "(", ")", "=", "!=", "<", "<=", ">", ">=", "like", "ilike", "in", "IN",
        "'x'", "'a%'", "'it''s'", "'unterminated", "0.5", "-1e308", "1e999", "nan", "NULL", "is", "null", ",",
        "\"q\"", "`", "'Ärger'", "\u{0}", "\u{1F600}", "..", "metrics.", "params.lr.x",
    ]

    @Test("any token sequence parses to a filter or a LineageError")
    func parse() async {
        await propertyCheck(count: 3_000, input: Gen.element(of: Self.tokens).array(of: 0...40)) { parts in
            let text = parts.compactMap { $0 }.joined(separator: " ")
            do {
                _ = try RunFilter(parsing: text)
            } catch let error as LineageError {
                #expect(error.code == .invalidFilter, "\(text) → \(error)")
            } catch {
                Issue.record("\(text) threw \(error), not a LineageError")
            }
        }
    }

    @Test("deep nesting and long chains are refused or handled without a crash")
    func deepInputs() {
        for depth in [63, 64, 65, 1_000, 100_000] {
            let nested = String(repeating: "(", count: depth) + "metrics.a > 1" + String(repeating: ")", count: depth)
            let negated = String(repeating: "not ", count: depth) + "metrics.a > 1"
            for text in [nested, negated] {
                do {
                    _ = try RunFilter(parsing: text)
                    #expect(depth <= RunFilter.maximumNestingDepth, "depth \(depth) was accepted")
                } catch {
                    #expect(error.code == .invalidFilter)
                }
            }
        }
        let chain = (0..<20_000).map { "metrics.m\($0) > 1" }.joined(separator: " and ")
        do {
            _ = try RunFilter(parsing: chain)
        } catch {
            #expect(error.code == .invalidFilter)
        }
    }
}
