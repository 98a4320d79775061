import Synchronization

/// An ``OnlineFeatureStore`` in memory, for tests and single-process services.
public final class InMemoryOnlineFeatureStore: OnlineFeatureStore {
    private struct Storage {
        var rows: [String: [String: OnlineRow]] = [:]
        var states: [String: MaterializationState] = [:]
    }

    private let storage = Mutex(Storage())

    /// An empty store.
    public init() {}

    public func materialize(view: String, rows: [OnlineRow], watermark: Double, expectedWatermark: Double?, now: Double) async throws -> Int {
        try storage.withLock { (s: inout Storage) throws(FeatureParityError) -> Int in
            let current = s.states[view]
            guard current?.watermark == expectedWatermark else { throw OnlineStoreRules.moved(view, current?.watermark, expectedWatermark) }
            var written = 0
            var latest = current?.latestFeatureTime
            for row in rows {
                if let stored = s.rows[view]?[row.entity], stored.featureTime > row.featureTime { continue }
                s.rows[view, default: [:]][row.entity] = row
                written += 1
                latest = max(latest ?? row.featureTime, row.featureTime)
            }
            s.states[view] = MaterializationState(
                view: view, watermark: watermark, latestFeatureTime: latest, updatedAt: now, rowsWritten: (current?.rowsWritten ?? 0) + written)
            return written
        }
    }

    public func read(view: String, entities: [String]) async throws -> [String: OnlineRow] {
        storage.withLock { s in
            var found: [String: OnlineRow] = [:]
            for entity in entities { if let row = s.rows[view]?[entity] { found[entity] = row } }
            return found
        }
    }

    public func state(of view: String) async throws -> MaterializationState? { storage.withLock { $0.states[view] } }
}

enum OnlineStoreRules {
    static func moved(_ view: String, _ current: Double?, _ expected: Double?) -> FeatureParityError {
        FeatureParityError(
            .watermarkMoved, "The watermark of '\(view)' is \(current.map { "\($0)" } ?? "unset"), not \(expected.map { "\($0)" } ?? "unset"): another run moved it",
            location: view, fix: "read the state again and materialize from there.")
    }
}
