import FeatureParity
import Foundation
import TensorCore

/// FeatureParity's cases: the point-in-time join in memory (1M events against 10M feature rows
/// over 100,000 entities, TTL 2 days) and whole process (CSV in, CSV out; 1M against 5M).
enum FeatureCases {
    static func read(_ path: String, times: [String]) throws -> FeatureTable {
        var schema: [String: ColumnKind] = ["entity": .categorical]
        for time in times { schema[time] = .timestamp }
        return try CSVReader.readAll(path: path, options: CSVReadOptions(schema: schema)).0
    }

    static var join: PointInTimeJoin {
        get throws { PointInTimeJoin(key: "entity", eventTime: "event_time", featureTime: "feature_time", ttl: try TimeToLive(parsing: "2d")) }
    }

    /// The join alone, on tables already in memory.
    static func inMemory(_ arguments: Arguments) async throws -> Measurement {
        let folder = "\(arguments.dataFolder)/feature-join-1M-10M"
        let events = try read("\(folder)/events.csv", times: ["event_time"])
        let features = try read("\(folder)/features.csv", times: ["feature_time"])
        let join = try Self.join
        var matched = 0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: events.rowCount) {
            matched = try join.join(events: events, features: features).report.matchedEvents
        }
        guard matched > 0 else { throw BenchmarkFailure("no event matched") }
        return measurement
    }

    /// Read both CSV files, join, write the training set as CSV.
    static func wholeProcess(_ arguments: Arguments) async throws -> Measurement {
        let folder = "\(arguments.dataFolder)/feature-join-1M-5M"
        let join = try Self.join
        let output = "\(folder)/ours.csv"
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 1_000_000) {
            let events = try read("\(folder)/events.csv", times: [])
            let features = try read("\(folder)/features.csv", times: ["feature_time"])
            let (table, _) = try join.join(events: events, features: features)
            try TableWriter.write(table, to: output)
        }
        return measurement
    }
}
