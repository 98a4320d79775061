import Lineage

/// How a store learns what a promotion policy needs from Lineage.
enum RegistryLineage {
    /// Reads a version's reproducibility evidence; the rules call it only when the alias's
    /// policy requires reproducible lineage, so other promotions never touch the Lineage store.
    typealias Lookup = @Sendable (ModelVersion) async throws -> LineageEvidence

    /// The lookup in `lineage` (a finished run's record does not change).
    static func lookup(in lineage: (any LineageStore)?) -> Lookup {
        { version in try await evidence(for: version, in: lineage) }
    }

    /// The reproducibility of `version`'s run.
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
