import Foundation
import Testing
import FeatureParity

/// A FeatureParity error read through `localizedDescription` (as a server framework or a log line
/// reads any `Error`) says what its `description` says, not Foundation's generic sentence.
@Suite("FeatureParity errors in localizedDescription")
struct ErrorDescriptionTests {
    @Test("FeatureParityError reads the same through localizedDescription")
    func featureParityError() {
        let error = FeatureParityError(.missingColumn, "no column amount", location: "events.csv", fix: "name it in --columns")
        let erased: any Error = error
        #expect(erased.localizedDescription == error.description)
        #expect(!erased.localizedDescription.contains("could not be completed"))
    }
}
