import Foundation
import Testing
import Registry

/// A Registry error read through `localizedDescription` (as a server framework or a log line
/// reads any `Error`) says what its `description` says, not Foundation's generic sentence.
@Suite("Registry errors in localizedDescription")
struct ErrorDescriptionTests {
    @Test("RegistryError reads the same through localizedDescription")
    func registryError() {
        let error = RegistryError(.notFound, "no model fraud", fix: "register it first")
        let erased: any Error = error
        #expect(erased.localizedDescription == error.description)
        #expect(!erased.localizedDescription.contains("could not be completed"))
    }
}
