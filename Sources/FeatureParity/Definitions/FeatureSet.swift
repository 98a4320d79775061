import Foundation
import MLOpsStorage
public import TensorCore

/// The features one model uses, versioned, with one content hash for the set: what a training run
/// records in its lineage and what a server checks it computes before answering.
public struct FeatureSet: Sendable, Hashable, Codable {
    /// The set's name (usually the model's).
    public let name: String
    /// The set's version.
    public let version: Int
    /// Its features, in the order a model reads them.
    public let features: [FeatureDefinition]

    /// A feature set.
    ///
    /// - Throws: ``FeatureParityError/Code/invalidArgument`` for no features, a repeated name, or
    ///   features of different entities.
    public init(name: String, version: Int, features: [FeatureDefinition]) throws(FeatureParityError) {
        guard !features.isEmpty else { throw FeatureParityError(.invalidArgument, "Feature set '\(name)' has no features", location: name, fix: "add the features the model reads.") }
        let names = features.map(\.name)
        if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw FeatureParityError(.invalidArgument, "Feature '\(repeated)' appears twice in '\(name)'", location: repeated, fix: "name each feature once.")
        }
        guard Set(features.map(\.entity)).count == 1 else {
            throw FeatureParityError(.invalidArgument, "The features of '\(name)' describe different entities", location: name, fix: "keep one entity per feature set.")
        }
        self.name = name
        self.version = version
        self.features = features
    }

    /// SHA-256 over the set's name, version and its features' content hashes, in order.
    public var contentHash: String {
        Digest(of: Array(("set:\(name);version:\(version);" + features.map(\.contentHash).joined(separator: ",")).utf8)).hex
    }

    /// The features computed over every row of `table` (offline): one column per feature (a
    /// double column for a number, a categorical one for a category), missing where a source is
    /// missing (the training set keeps them missing: defaults are a serving policy).
    ///
    /// - Throws: ``FeatureParityError/Code/missingColumn`` for a missing source column.
    public func computeOffline(_ table: FeatureTable) throws(FeatureParityError) -> FeatureTable {
        var columns: [(String, Column)] = []
        for feature in features {
            columns.append((feature.name, try feature.transformation.evaluate(table)))
        }
        do {
            return try FeatureTable(columns: columns)
        } catch {
            throw FeatureParityError(.invalidArgument, "The features cannot form a table: \(error)")
        }
    }

    /// How one served value came about.
    public enum Served: String, Sendable, Hashable, Codable {
        /// Computed from fresh source values.
        case fresh
        /// The feature's default, because a source was missing.
        case defaultForMissing = "default-for-missing"
        /// The feature's default, because the source values were older than the TTL.
        case defaultForStale = "default-for-stale"
    }

    /// One request's feature vector.
    public struct Vector: Sendable, Hashable {
        /// The values, in the set's order: a number for a number feature, text for a category.
        public let values: [FeatureValue]
        /// How each came about.
        public let served: [Served]
        /// The age of the source values, in seconds.
        public let ageSeconds: Double
    }

    /// The features for one entity at request time (online), from its source values as of
    /// `sourceTime` (seconds); a value that is missing, or whose sources are older than the
    /// feature's TTL at `now`, is served by the feature's policy: its default (and marked so), or
    /// the request fails.
    ///
    /// - Throws: ``FeatureParityError/Code/failClosed`` naming the feature that may not be served.
    public func computeOnline(_ values: [String: FeatureValue], sourceTime: Double, now: Double) throws(FeatureParityError) -> Vector {
        let age = now - sourceTime
        var out: [FeatureValue] = [], served: [Served] = []
        for feature in features {
            // An age that cannot be known (NaN) is stale: never served as fresh.
            let stale = !(age * 1_000_000 <= Double(feature.ttl.microseconds))
            let value = stale ? nil : feature.transformation.evaluate(values)
            if let value {
                out.append(value)
                served.append(.fresh)
                continue
            }
            switch feature.missing {
            case .defaultValue(let fallback):
                out.append(fallback)
                served.append(stale ? .defaultForStale : .defaultForMissing)
            case .failClosed:
                throw FeatureParityError(
                    .failClosed, "Feature '\(feature.name)' is \(stale ? String(format: "stale (%.0f s old, TTL %@)", age, feature.ttl.description) : "missing") and fails closed",
                    location: feature.name, fix: "refresh its sources, or give it a default.")
            }
        }
        return Vector(values: out, served: served, ageSeconds: age)
    }
}
