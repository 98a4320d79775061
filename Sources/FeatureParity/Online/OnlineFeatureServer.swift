import Synchronization

/// The online lookup path: reads an entity's materialized values, enforces each feature's TTL at
/// read time (a stale value is served by the feature's policy, never as fresh), computes the
/// feature set, and counts what it served — fresh values, defaults for missing and for stale
/// values, refusals — with the age of every value served, so a service that answers with a
/// fallback is still visible.
public final class OnlineFeatureServer: Sendable {
    /// The features served.
    public let featureSet: FeatureSet
    /// The online store's view they are read from.
    public let view: String
    /// The store.
    public let store: any OnlineFeatureStore

    /// What has been served, per feature.
    public struct Counters: Sendable, Hashable, Codable {
        public var fresh = 0
        public var defaultForMissing = 0
        public var defaultForStale = 0
        public var refused = 0
        /// The largest and the total age of the values served, in seconds.
        public var maximumAgeSeconds = 0.0
        public var totalAgeSeconds = 0.0
        /// The mean age of the values served.
        public var meanAgeSeconds: Double { fresh + defaultForStale > 0 ? totalAgeSeconds / Double(fresh + defaultForStale) : 0 }
    }

    private let counters: Mutex<[String: Counters]>

    /// A server of `featureSet` from `view` of `store`.
    public init(featureSet: FeatureSet, view: String, store: any OnlineFeatureStore) {
        self.featureSet = featureSet
        self.view = view
        self.store = store
        counters = Mutex(Dictionary(uniqueKeysWithValues: featureSet.features.map { ($0.name, Counters()) }))
    }

    /// The feature vector of `entity` at `now` (seconds).
    ///
    /// - Throws: ``FeatureParityError/Code/failClosed`` when a fail-closed feature is missing or stale.
    public func lookup(entity: String, now: Double) async throws -> FeatureSet.Vector {
        let row = try await store.read(view: view, entities: [entity])[entity]
        var sources: [String: Double] = [:]
        for (name, value) in row?.values ?? [:] { if let value { sources[name] = value } }
        do {
            // An entity never materialized has no values: missing, not stale.
            let vector = try featureSet.computeOnline(sources, sourceTime: row?.featureTime ?? now, now: now)
            let age = row.map { now - $0.featureTime }
            counters.withLock { all in
                for (feature, served) in zip(featureSet.features, vector.served) {
                    var c = all[feature.name] ?? Counters()
                    switch served {
                    case .fresh: c.fresh += 1
                    case .defaultForMissing: c.defaultForMissing += 1
                    case .defaultForStale: c.defaultForStale += 1
                    }
                    if let age, served != .defaultForMissing {
                        c.maximumAgeSeconds = max(c.maximumAgeSeconds, age)
                        c.totalAgeSeconds += age
                    }
                    all[feature.name] = c
                }
            }
            return vector
        } catch {
            if let name = error.location { counters.withLock { $0[name, default: Counters()].refused += 1 } }
            throw error
        }
    }

    /// The counters now, by feature.
    public var servedCounts: [String: Counters] { counters.withLock { $0 } }
}
