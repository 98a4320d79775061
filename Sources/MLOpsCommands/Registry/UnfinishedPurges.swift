import Foundation
import MLOpsStorage
import Registry

/// Purged versions whose artifact bytes are still in the artifact folder.
///
/// `models purge` commits the purge to the registry first and removes the bytes after (the other
/// order could lose the bytes of a version whose purge the registry then refused). A process
/// killed between the two leaves the bytes behind: `store check` reports each such version, and
/// running the same purge again finishes it.
enum UnfinishedPurges {
    /// Every purged version whose artifact no live (unpurged) version uses and whose bytes
    /// `artifacts` still holds. Reads every version once: for checks and for finishing a purge.
    ///
    /// - Returns: The tombstones (``ModelVersion`` with status `.purged`) of those versions.
    static func find(in registry: some RegistryStore, artifacts: FileSystemArtifactStore) async throws -> [ModelVersion] {
        var live: Set<Digest> = []
        var purged: [ModelVersion] = []
        for model in try await registry.models() {
            for version in try await registry.versions(of: model.name) {
                if version.status == .purged { purged.append(version) } else { live.insert(version.artifactDigest) }
            }
        }
        var found: [ModelVersion] = []
        for version in purged where !live.contains(version.artifactDigest) {
            if try await artifacts.contains(version.artifactDigest) { found.append(version) }
        }
        return found
    }

    /// Whether a live (unpurged) version of any model uses the artifact `digest`: asked again
    /// under the artifact folder's lock on the digest before a purge removes its bytes, since a
    /// version registered on the same bytes after the purge's own transaction keeps them.
    static func isUsed(_ digest: Digest, in store: StoreOptions) async throws -> Bool {
        try await store.withRegistryStore(.read) { try await $0.hasLiveVersion(usingArtifact: digest) }
    }
}
