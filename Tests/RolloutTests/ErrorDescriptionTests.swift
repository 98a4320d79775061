import Foundation
import Testing
import Rollout

/// A Rollout error read through `localizedDescription` (as a server framework or a log line
/// reads any `Error`) says what its `description` says, not Foundation's generic sentence.
@Suite("Rollout errors in localizedDescription")
struct ErrorDescriptionTests {
    @Test("RolloutError reads the same through localizedDescription")
    func rolloutError() {
        let error = RolloutError(.invalidWeights, "weights sum to 0", location: "plan.json", fix: "give a variant weight")
        let erased: any Error = error
        #expect(erased.localizedDescription == error.description)
        #expect(!erased.localizedDescription.contains("could not be completed"))
    }
}
