import Foundation
import Testing
import TensorCore

/// A TensorCore error read through `localizedDescription` (as a server framework or a log line
/// reads any `Error`) says what its `description` says, not Foundation's generic sentence.
@Suite("TensorCore errors in localizedDescription")
struct ErrorDescriptionTests {
    @Test("TableError reads the same through localizedDescription")
    func tableError() {
        let error = TableError(.columnLengthMismatch, column: "age", detail: "3 values for 4 rows")
        let erased: any Error = error
        #expect(erased.localizedDescription == error.description)
        #expect(!erased.localizedDescription.contains("could not be completed"))
    }

    @Test("SketchError reads the same through localizedDescription")
    func sketchError() {
        let error = SketchError(.invalidParameter, "k must be at least 8")
        let erased: any Error = error
        #expect(erased.localizedDescription == error.description)
        #expect(!erased.localizedDescription.contains("could not be completed"))
    }

    @Test("DistributionError reads the same through localizedDescription")
    func distributionError() {
        let error = DistributionError(.invalidParameter, parameter: "sigma", value: -1, requirement: "positive")
        let erased: any Error = error
        #expect(erased.localizedDescription == error.description)
        #expect(!erased.localizedDescription.contains("could not be completed"))
    }

    @Test("TensorError reads the same through localizedDescription")
    func tensorError() {
        let error = TensorError(.shapeMismatch, "2 × 3 times 2 × 3", fix: "transpose the second matrix")
        let erased: any Error = error
        #expect(erased.localizedDescription == error.description)
        #expect(!erased.localizedDescription.contains("could not be completed"))
    }
}
