import MLOpsStorage
import Registry

/// Ready versions registered on artifact bytes that a quarantined version already held back.
///
/// The registry refuses such a registration (``ModelVersion/holdsItsArtifactBack``), but builds
/// before that rule (and before migration 5 tagged quarantined tombstones) let it through, so a
/// store may hold a ready, promotable version of bytes someone quarantined. `store check`
/// reports each one. A version registered on the same bytes *before* the quarantine is not
/// one: a quarantine decides about one version, and `models quarantine` names such versions
/// when it runs.
///
/// "Before" and "after" are the audit log's order (its sequence numbers), not the clock's,
/// since the chain's order is what a verified log guarantees.
enum ReadyVersionsOnHeldBytes {
    /// A ready version and the version whose quarantine held its bytes when it was registered.
    struct Finding {
        let ready: ModelVersion
        let holder: ModelVersion
        /// The audit entries of the holder's quarantine and the ready version's registration.
        let quarantinedAt: Int64
        let registeredAt: Int64
    }

    /// Every ready version whose registration comes after the quarantine of another version
    /// of the same artifact, in the order of the models and versions.
    static func find(in registry: some RegistryStore) async throws -> [Finding] {
        var holders: [Digest: [ModelVersion]] = [:]
        var ready: [ModelVersion] = []
        for model in try await registry.models() {
            for version in try await registry.versions(of: model.name) {
                if version.holdsItsArtifactBack {
                    holders[version.artifactDigest, default: []].append(version)
                } else if version.status == .ready {
                    ready.append(version)
                }
            }
        }
        let suspects = ready.filter { holders[$0.artifactDigest] != nil }
        guard !suspects.isEmpty else { return [] }

        // The audit log, once: where each holder was quarantined and each suspect registered.
        let holderSubjects = Set(holders.values.joined().map(subject))
        let suspectSubjects = Set(suspects.map(subject))
        var quarantined: [String: Int64] = [:], registered: [String: Int64] = [:]
        var after: Int64 = 0
        while true {
            let page = try await registry.auditEntries(after: after, limit: 1_000)
            for entry in page {
                if entry.action == "version.quarantine", holderSubjects.contains(entry.subject) {
                    quarantined[entry.subject] = entry.sequence
                } else if entry.action == "version.register", suspectSubjects.contains(entry.subject) {
                    registered[entry.subject] = entry.sequence
                }
            }
            guard let last = page.last, page.count == 1_000 else { break }
            after = last.sequence
        }

        var findings: [Finding] = []
        for version in suspects {
            guard let registeredAt = registered[subject(version)] else { continue }
            for holder in holders[version.artifactDigest] ?? [] {
                if let quarantinedAt = quarantined[subject(holder)], quarantinedAt < registeredAt {
                    findings.append(Finding(ready: version, holder: holder, quarantinedAt: quarantinedAt, registeredAt: registeredAt))
                    break
                }
            }
        }
        return findings
    }

    /// A version's subject in the audit log, as the registry writes it.
    private static func subject(_ version: ModelVersion) -> String {
        AuditEntry.versionSubject(version.model, version.version)
    }
}
