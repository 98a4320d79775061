import Foundation
@testable import MLOpsStorage
import Testing

@Suite("Duplicate keys in JSON files")
struct JSONDuplicateKeysTests {
    @Test("the first key written twice in one object is named by its path; the same key in different objects is fine", arguments: [
        (#"{"alpha": 0.05, "alpha": 0.5}"#, "alpha"),
        (#"{"a": 1, "b": {"c": 1, "d": [1, {"e": 1}], "c": 2}}"#, "b.c"),
        (#"{"guardrails": [{"metric": "x"}, {"metric": "y", "metric": "z"}]}"#, "guardrails[1].metric"),
        (#"[{"k": 1}, {"k": 1, "k": 2}]"#, "[1].k"),
        (#"{"a": 1, "\u0061": 2}"#, "a"),
        (#"{"x": {"y": 1}, "x": {"y": 2}}"#, "x"),
        (#"{"q": "say \"hi\"", "q": "}"}"#, "q"),
        ("\u{FEFF}{\"alpha\": 1, \"alpha\": 2}", "alpha"),  // after a UTF-8 byte order mark
    ])
    func duplicates(_ text: String, _ path: String) {
        #expect(JSONDuplicateKeys.first(in: Data(text.utf8)) == path, "\(text)")
    }

    @Test("no duplicate, or text that is not well-formed JSON (left to the decoder), is nil", arguments: [
        #"{"a": 1, "b": {"a": 2}, "c": [{"a": 3}, {"a": 4}]}"#,
        #"{}"#, #"[]"#, #"[1, "two", null, true, -3.5e2]"#, #""just text""#, #"42"#,
        #"{"a": 1, "a""#, #"{"a" 1, "a": 2}"#, #"{"a": 1,, "a": 2}"#, "", "   ", #"{"a\": 1}"#,
        #"{"A": 1, "a": 2}"#,
    ])
    func noDuplicates(_ text: String) {
        #expect(JSONDuplicateKeys.first(in: Data(text.utf8)) == nil, "\(text)")
    }

    @Test("values nested deeper than the limit are skipped over without exhausting the stack; duplicates above them are still found")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(JSONDuplicateKeys.first(in: Data(deep.utf8)) == nil)
        // Past the limit nothing is looked at (the duplicate "s" there, brackets in its strings).
        let unused = #"{"a": "# + String(repeating: "[", count: 300) + #"{"s": "]]", "s": "[{"}"# + String(repeating: "]", count: 300) + #", "b": 1, "b": 2}"#
        #expect(JSONDuplicateKeys.first(in: Data(unused.utf8)) == "b")
        let nested = String(repeating: #"{"a":"#, count: 100) + #"{"k": 1, "k": 2}"# + String(repeating: "}", count: 100)
        #expect(JSONDuplicateKeys.first(in: Data(nested.utf8)) == Array(repeating: "a", count: 100).joined(separator: ".") + ".k")
    }
}
