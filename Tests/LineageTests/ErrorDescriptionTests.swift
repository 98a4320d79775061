import Foundation
import Testing
import Lineage

/// A Lineage error read through `localizedDescription` (as a server framework or a log line
/// reads any `Error`) says what its `description` says, not Foundation's generic sentence.
@Suite("Lineage errors in localizedDescription")
struct ErrorDescriptionTests {
    @Test("LineageError reads the same through localizedDescription")
    func lineageError() {
        let error = LineageError(.notFound, "no run r1", fix: "list runs with mlops runs list")
        let erased: any Error = error
        #expect(erased.localizedDescription == error.description)
        #expect(!erased.localizedDescription.contains("could not be completed"))
    }
}
