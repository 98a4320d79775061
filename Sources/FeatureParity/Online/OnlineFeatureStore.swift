/// The latest feature values of one entity in one feature view, as the online path reads them.
public struct OnlineRow: Sendable, Hashable, Codable {
    /// The entity's key.
    public let entity: String
    /// When the values became true (the offline row's feature time), in seconds since the epoch.
    public let featureTime: Double
    /// The values, by feature (nil: missing): numbers, or text for categories.
    public let values: [String: FeatureValue?]

    /// A row.
    public init(entity: String, featureTime: Double, values: [String: FeatureValue?]) {
        self.entity = entity
        self.featureTime = featureTime
        self.values = values
    }
}

/// What a feature view's materialization has done: how far it has loaded, and when.
public struct MaterializationState: Sendable, Hashable, Codable {
    /// The view.
    public let view: String
    /// Offline rows with feature times up to this have been loaded (seconds since the epoch).
    public let watermark: Double
    /// The latest feature time loaded.
    public let latestFeatureTime: Double?
    /// When the last run committed.
    public let updatedAt: Double
    /// Rows written by all runs.
    public let rowsWritten: Int
}

/// Where the online path reads features from: each entity's latest values per feature view, and
/// each view's materialization watermark. A materialization run writes its rows and moves the
/// watermark in one transaction, so a crash leaves the previous state whole and a rerun is
/// idempotent. Implementations: ``InMemoryOnlineFeatureStore``, ``SQLOnlineFeatureStore``.
public protocol OnlineFeatureStore: Sendable {
    /// Writes `rows` to `view` (a row replaces the stored one of its entity only if its feature
    /// time is not older) and sets the watermark to `watermark`, atomically, if the stored
    /// watermark is still `expectedWatermark` (nil: none yet).
    ///
    /// - Returns: The rows that replaced or created an entity's row.
    /// - Throws: ``FeatureParityError/Code/watermarkMoved`` when another run moved the watermark first.
    func materialize(view: String, rows: [OnlineRow], watermark: Double, expectedWatermark: Double?, now: Double) async throws -> Int

    /// The stored rows of `entities` in `view` (entities without one are absent).
    func read(view: String, entities: [String]) async throws -> [String: OnlineRow]

    /// The view's materialization state, or nil before its first run.
    func state(of view: String) async throws -> MaterializationState?
}
