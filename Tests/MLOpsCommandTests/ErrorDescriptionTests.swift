import DriftStats
import FeatureParity
import Foundation
import GPUScheduling
import Lineage
import MLOpsStorage
import Registry
import Rollout
import TensorCore
import Testing

/// Every product's error read through `localizedDescription` (as a server framework or a log line
/// reads any `Error`) says what its `description` says, not Foundation's generic "The operation
/// could not be completed".
@Suite("Errors in localizedDescription")
struct ErrorDescriptionTests {
    static let errors: [any Error & CustomStringConvertible] = [
        TableError(.columnLengthMismatch, column: "age", detail: "3 values for 4 rows"),
        SketchError(.invalidParameter, "k must be at least 8"),
        DistributionError(.invalidParameter, parameter: "sigma", value: -1, requirement: "positive"),
        TensorError(.shapeMismatch, "2 × 3 times 2 × 3", fix: "transpose the second matrix"),
        StorageError(.invalidLocation, "no scheme in \"x\"", fix: "write sqlite:PATH"),
        DriftError(.emptySample, "the reference has no values", fix: "check the column"),
        LineageError(.notFound, "no run r1", fix: "list runs with mlops runs list"),
        RegistryError(.notFound, "no model fraud", fix: "register it first"),
        SchedulingError(.invalidCluster, "no nodes", location: "cluster.json", fix: "add a node"),
        FeatureParityError(.missingColumn, "no column amount", location: "events.csv", fix: "name it in --columns"),
        RolloutError(.invalidWeights, "weights sum to 0", location: "plan.json", fix: "give a variant weight"),
    ]

    @Test("each error type reads the same through localizedDescription", arguments: 0..<errors.count)
    func readsTheSame(index: Int) {
        let error = Self.errors[index]
        #expect(error.localizedDescription == error.description, "\(type(of: error))")
        #expect(!error.localizedDescription.contains("could not be completed"), "\(type(of: error))")
    }
}
