import Foundation
import Testing
import MLOpsStorage

/// A MLOpsStorage error read through `localizedDescription` (as a server framework or a log line
/// reads any `Error`) says what its `description` says, not Foundation's generic sentence.
@Suite("MLOpsStorage errors in localizedDescription")
struct ErrorDescriptionTests {
    @Test("StorageError reads the same through localizedDescription")
    func storageError() {
        let error = StorageError(.invalidLocation, "no scheme in \"x\"", fix: "write sqlite:PATH")
        let erased: any Error = error
        #expect(erased.localizedDescription == error.description)
        #expect(!erased.localizedDescription.contains("could not be completed"))
    }
}
