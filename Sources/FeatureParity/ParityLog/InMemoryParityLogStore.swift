import Synchronization

/// A ``ParityLogStore`` in memory, for tests and single-process tools.
public final class InMemoryParityLogStore: ParityLogStore {
    private let stored = Mutex<[ParityRecord]>([])

    /// An empty store.
    public init() {}

    public func append(_ records: [ParityRecord]) async throws {
        stored.withLock { $0.append(contentsOf: records) }
    }

    public func records(featureSetHash: String?, since: Double, limit: Int) async throws -> [ParityRecord] {
        let all = stored.withLock { $0 }
        let matching = all.enumerated()
            .filter { $0.element.servedAt >= since && (featureSetHash == nil || $0.element.featureSetHash == featureSetHash) }
            .sorted { ($0.element.servedAt, $0.offset) < ($1.element.servedAt, $1.offset) }
        return Array(matching.prefix(Swift.max(0, limit)).map(\.element))
    }

    public func count() async throws -> Int { stored.withLock { $0.count } }
}
