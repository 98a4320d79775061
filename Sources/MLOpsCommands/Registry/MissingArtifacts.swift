import MLOpsStorage
import Registry

/// The registry's live versions whose artifact bytes an artifact folder does not hold: bytes
/// deleted or lost outside mlops, which `store check --verify-artifacts` reports, since a
/// version whose bytes are gone can be neither exported nor served.
enum MissingArtifacts {
    /// Every unpurged version of every model whose artifact digest is not in `present`.
    static func find(in registry: some RegistryStore, present: Set<Digest>) async throws -> [ModelVersion] {
        var missing: [ModelVersion] = []
        for model in try await registry.models() {
            for version in try await registry.versions(of: model.name) where version.status != .purged && !present.contains(version.artifactDigest) {
                missing.append(version)
            }
        }
        return missing
    }
}
