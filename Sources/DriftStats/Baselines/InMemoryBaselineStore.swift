import Synchronization

/// A ``BaselineStore`` in memory, for tests and single-process tools; gone when the process ends.
public final class InMemoryBaselineStore: BaselineStore {
    private let baselines = Mutex<[String: [StoredBaseline]]>([:])

    /// An empty store.
    public init() {}

    /// Saves `profile` as the next version of `name` (see ``BaselineStore/save(_:as:note:)``).
    public func save(_ profile: DatasetProfile, as name: String, note: String?) async throws -> StoredBaseline {
        try BaselineNames.validate(name)
        return baselines.withLock { all in
            let stored = StoredBaseline(name: name, version: (all[name]?.count ?? 0) + 1, createdAt: BaselineNames.now(), note: note, profile: profile)
            all[name, default: []].append(stored)
            return stored
        }
    }

    /// The latest version of `name` (see ``BaselineStore/latest(_:)``).
    public func latest(_ name: String) async throws -> StoredBaseline {
        guard let stored = baselines.withLock({ $0[name]?.last }) else { throw BaselineNames.notFound(name) }
        return stored
    }

    /// One version of `name` (see ``BaselineStore/baseline(_:version:)``).
    public func baseline(_ name: String, version: Int) async throws -> StoredBaseline {
        let stored = baselines.withLock { all -> StoredBaseline? in
            guard let versions = all[name], version >= 1, version <= versions.count else { return nil }
            return versions[version - 1]
        }
        guard let stored else { throw BaselineNames.notFound(name, version: version) }
        return stored
    }

    /// Every name with its latest version (see ``BaselineStore/list()``).
    public func list() async throws -> [BaselineSummary] {
        baselines.withLock { all in
            all.keys.sorted().compactMap { name in
                all[name]?.last.map { BaselineSummary(name: name, latestVersion: $0.version, createdAt: $0.createdAt, rowCount: $0.profile.rowCount) }
            }
        }
    }
}
