import Foundation
import Testing
import GPUScheduling

/// A GPUScheduling error read through `localizedDescription` (as a server framework or a log line
/// reads any `Error`) says what its `description` says, not Foundation's generic sentence.
@Suite("GPUScheduling errors in localizedDescription")
struct ErrorDescriptionTests {
    @Test("SchedulingError reads the same through localizedDescription")
    func schedulingError() {
        let error = SchedulingError(.invalidCluster, "no nodes", location: "cluster.json", fix: "add a node")
        let erased: any Error = error
        #expect(erased.localizedDescription == error.description)
        #expect(!erased.localizedDescription.contains("could not be completed"))
    }
}
