import Registry
import Testing

/// A refused model name says which rule it breaks and where.
@Suite("Model names")
struct ModelNameTests {
    @Test("well-formed names parse into namespace and name")
    func parses() throws {
        let name = try ModelName("fraud-team/scorer_v2.1")
        #expect(name.namespace == "fraud-team" && name.name == "scorer_v2.1")
    }

    @Test("each broken rule is named", arguments: [
        ("fraud", "not of the form team/model"),
        ("a/b/c", "not of the form team/model"),
        ("x/", "empty name (nothing after the '/')"),
        ("/y", "empty namespace (nothing before the '/')"),
        ("Fraud/scorer", "an uppercase letter 'F' in its namespace 'Fraud'"),
        ("fraud/sc orer", "white space in its name 'sc orer'"),
        ("fraud/scörer", "the character 'ö' in its name 'scörer'"),
        ("fraud/-scorer", "a name '-scorer' that starts with '-'"),
        ("_fraud/scorer", "a namespace '_fraud' that starts with '_'"),
    ])
    func refusals(text: String, phrase: String) {
        do {
            _ = try ModelName(text)
            Issue.record("'\(text)' parsed")
        } catch {
            #expect(error.code == .invalidName)
            #expect(error.message.contains(phrase), "\(error.message)")
            #expect(error.fix?.contains("fraud/scorer") == true)
        }
    }
}
