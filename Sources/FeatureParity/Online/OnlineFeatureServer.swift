public import CoreMetrics
import Metrics
import Synchronization

/// The online lookup path: reads an entity's materialized values, enforces each feature's TTL at
/// read time (a stale value is served by the feature's policy, never as fresh), computes the
/// feature set, and counts what it served — fresh values, defaults for missing and for stale
/// values, refusals — with the age of every value served, so a service that answers with a
/// fallback is still visible.
///
/// The counts are kept in ``servedCounts`` and exported through swift-metrics, so a service that
/// bootstraps a metrics backend (swift-prometheus, say) exports them with its other metrics:
/// the counter `<prefix>_served_total` (dimensions `feature_set`, `feature`, `outcome`:
/// `fresh`, `default_for_missing`, `default_for_stale`, `refused`) and the recorder
/// `<prefix>_value_age_seconds` (dimensions `feature_set`, `feature`), the age of each value
/// served from the store. The metric handles are made once, when the server is created.
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

    /// One feature's metric handles.
    private struct FeatureMetrics: Sendable {
        let fresh: Counter
        let defaultForMissing: Counter
        let defaultForStale: Counter
        let refused: Counter
        let age: Recorder
    }

    private let counters: Mutex<[String: Counters]>
    private let metrics: [String: FeatureMetrics]

    /// A server of `featureSet` from `view` of `store`.
    ///
    /// - Parameters:
    ///   - featureSet: The features to serve.
    ///   - view: The online store's view their sources were materialized into.
    ///   - store: The online store.
    ///   - metricsPrefix: The prefix of the exported metrics' names.
    ///   - metricsFactory: Where metrics go; nil: the bootstrapped swift-metrics backend.
    public init(
        featureSet: FeatureSet, view: String, store: any OnlineFeatureStore, metricsPrefix: String = "mlops_feature",
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.featureSet = featureSet
        self.view = view
        self.store = store
        counters = Mutex(Dictionary(uniqueKeysWithValues: featureSet.features.map { ($0.name, Counters()) }))
        func counter(_ feature: String, _ outcome: String) -> Counter {
            let dimensions = [("feature_set", featureSet.name), ("feature", feature), ("outcome", outcome)]
            if let metricsFactory { return Counter(label: "\(metricsPrefix)_served_total", dimensions: dimensions, factory: metricsFactory) }
            return Counter(label: "\(metricsPrefix)_served_total", dimensions: dimensions)
        }
        var metrics: [String: FeatureMetrics] = [:]
        for feature in featureSet.features {
            let dimensions = [("feature_set", featureSet.name), ("feature", feature.name)]
            let age = metricsFactory.map { Recorder(label: "\(metricsPrefix)_value_age_seconds", dimensions: dimensions, factory: $0) }
                ?? Recorder(label: "\(metricsPrefix)_value_age_seconds", dimensions: dimensions)
            metrics[feature.name] = FeatureMetrics(
                fresh: counter(feature.name, "fresh"), defaultForMissing: counter(feature.name, "default_for_missing"),
                defaultForStale: counter(feature.name, "default_for_stale"), refused: counter(feature.name, "refused"), age: age)
        }
        self.metrics = metrics
    }

    /// The feature vector of `entity` at `now` (seconds).
    ///
    /// - Throws: ``FeatureParityError/Code/failClosed`` when a fail-closed feature is missing or
    ///   stale; the store's errors.
    public func lookup(entity: String, now: Double) async throws -> FeatureSet.Vector {
        let row = try await store.read(view: view, entities: [entity])[entity]
        var sources: [String: FeatureValue] = [:]
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
            for (feature, served) in zip(featureSet.features, vector.served) {
                guard let handles = metrics[feature.name] else { continue }
                switch served {
                case .fresh: handles.fresh.increment()
                case .defaultForMissing: handles.defaultForMissing.increment()
                case .defaultForStale: handles.defaultForStale.increment()
                }
                if let age, served != .defaultForMissing { handles.age.record(age) }
            }
            return vector
        } catch {
            if let name = error.location {
                counters.withLock { $0[name, default: Counters()].refused += 1 }
                metrics[name]?.refused.increment()
            }
            throw error
        }
    }

    /// The counters now, by feature.
    public var servedCounts: [String: Counters] { counters.withLock { $0 } }
}
