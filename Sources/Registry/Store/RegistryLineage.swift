import Lineage

/// How a store learns what a promotion policy needs from Lineage.
enum RegistryLineage {
    /// The reproducibility of `version`'s run, read before the promotion's transaction (a
    /// finished run's record does not change).
    static func evidence(for version: ModelVersion, in lineage: (any LineageStore)?) async throws -> LineageEvidence {
        guard let runID = version.runID else { return .noRun }
        guard let lineage else { return .unavailable }
        do {
            let run = try await lineage.run(runID)
            return .gaps(runID, ReproducibilityCheck(run: run).gaps)
        } catch let error as LineageError where error.code == .notFound {
            return .missing(runID)
        }
    }
}
