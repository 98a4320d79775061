/// What a point-in-time join did: how many events found a value, and why the others did not.
/// Encoded (snake_case) by `mlops features join --format json`.
public struct JoinReport: Sendable, Hashable, Codable {
    /// One feature column of the output.
    public struct Feature: Sendable, Hashable, Codable {
        /// Its name in the output.
        public let name: String
        /// Event rows where it is missing (no in-TTL row, or the row's value is missing or NaN).
        public let missing: Int
    }

    /// How many times came as ISO 8601 text and as epoch seconds.
    public struct TimeFormats: Sendable, Hashable, Codable {
        public let iso8601: Int
        public let epochSeconds: Int
    }

    /// Event rows (all of them are in the output).
    public let events: Int
    /// Feature rows read.
    public let featureRows: Int
    /// Events that found a feature row.
    public let matchedEvents: Int
    /// Events whose entity has no feature row at all.
    public let eventsWithoutEntity: Int
    /// Events without a key.
    public let eventsWithoutKey: Int
    /// Events with a key but without a time (an event without either counts as without a key).
    public let eventsWithoutTime: Int
    /// Events whose entity has rows, but none at or before the event time.
    public let eventsWithoutEarlierValue: Int
    /// Events whose latest earlier row is older than the TTL.
    public let eventsOutsideTTL: Int
    /// Feature rows passed over, summed over events, because they were created after the event (backfills).
    public let backfilledRowsSkipped: Int
    /// Feature rows without a key or a time (left out).
    public let featureRowsWithoutKeyOrTime: Int
    /// Feature rows with the same entity and time as another (the later row in the file wins).
    public let duplicateFeatureRows: Int
    /// Distinct entities in the features.
    public let entities: Int
    /// The events' time formats.
    public let eventTimeFormats: TimeFormats
    /// The features' time formats.
    public let featureTimeFormats: TimeFormats
    /// The TTL, as text.
    public let ttl: String?
    /// Each feature column and its missing count.
    public let features: [Feature]
}
