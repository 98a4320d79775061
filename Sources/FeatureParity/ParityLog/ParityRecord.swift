public import TensorCore

/// One logged serving: which entity, when, the feature values served, the time they were as of,
/// and the feature set (by content hash) that computed them.
public struct ParityRecord: Sendable, Hashable, Codable {
    /// The entity's key.
    public let entity: String
    /// When the request was served, in seconds since the Unix epoch.
    public let servedAt: Double
    /// The time the source values were as of (what an offline recomputation must use).
    public let asOf: Double
    /// The ``FeatureSet/contentHash`` of the set that computed the values.
    public let featureSetHash: String
    /// The served values, by feature name (nil: served missing): numbers, or text for categories.
    public let values: [String: FeatureValue?]

    /// A record.
    public init(entity: String, servedAt: Double, asOf: Double, featureSetHash: String, values: [String: FeatureValue?]) {
        self.entity = entity
        self.servedAt = servedAt
        self.asOf = asOf
        self.featureSetHash = featureSetHash
        self.values = values
    }

    /// Records as the online table of a ``SkewReport``: the key column `entity`, the time
    /// column `as_of` (seconds) and one column per feature in `features` (numbers, or text for a
    /// feature served as text).
    ///
    /// - Throws: ``FeatureParityError/Code/invalidArgument`` when the table cannot be built.
    public static func table(_ records: [ParityRecord], features: [String], key: String = "entity", time: String = "as_of") throws(FeatureParityError) -> FeatureTable {
        var columns: [(String, Column)] = [
            (key, .categorical(CategoricalColumn(records.map(\.entity)))), (time, .double(DoubleColumn(values: records.map(\.asOf)))),
        ]
        for feature in features {
            let values = records.map { $0.values[feature] ?? nil }
            // A feature served as text anywhere is a category column (numbers as their text).
            if values.contains(where: { if case .text? = $0 { return true } else { return false } }) {
                columns.append((feature, .categorical(CategoricalColumn(values.map { $0?.category }))))
            } else {
                columns.append((feature, .double(DoubleColumn(values.map { $0?.number }))))
            }
        }
        do {
            return try FeatureTable(columns: columns)
        } catch {
            throw FeatureParityError(.invalidArgument, "The parity records cannot form a table: \(error)", fix: "name each feature once, apart from the key and time.")
        }
    }
}
