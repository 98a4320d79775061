import Foundation
import Testing
import DriftStats

/// A DriftStats error read through `localizedDescription` (as a server framework or a log line
/// reads any `Error`) says what its `description` says, not Foundation's generic sentence.
@Suite("DriftStats errors in localizedDescription")
struct ErrorDescriptionTests {
    @Test("DriftError reads the same through localizedDescription")
    func driftError() {
        let error = DriftError(.emptySample, "the reference has no values", fix: "check the column")
        let erased: any Error = error
        #expect(erased.localizedDescription == error.description)
        #expect(!erased.localizedDescription.contains("could not be completed"))
    }
}
