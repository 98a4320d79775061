import MLOpsTestSupport
import Testing

@Suite("Conformance checks")
struct ConformanceCheckTests {
    struct Refusal: Error {}

    @Test("a check that throws records one issue at its own declaration, named after the check")
    func thrownErrorIsRecordedAtTheCheck() async {
        let line = #line + 1
        let check = ConformanceCheck<Int>("refuses odd numbers") { value in
            if value % 2 == 1 { throw Refusal() }
        }
        #expect(check.sourceLocation.line == line)
        #expect(check.testDescription == "refuses odd numbers")
        await withKnownIssue {
            await check.run(on: 3)
        } matching: { issue in
            issue.sourceLocation == check.sourceLocation
                && issue.error is Refusal
                && (issue.comments.first?.rawValue.contains("refuses odd numbers") ?? false)
        }
        // A check that passes records nothing (an issue here would fail this test).
        await check.run(on: 4)
    }
}
