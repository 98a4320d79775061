import FeatureParity
import Foundation
import MLOpsStorage
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

    /// The serving path's read: 10,000 requests, each the latest values of one entity (five
    /// numeric features) from a SQLite online store holding 100,000 entities, as
    /// `OnlineFeatureServer` reads them (`SQLOnlineFeatureStore.read(view:entities:)`).
    static func onlineReads(_ arguments: Arguments) async throws -> Measurement {
        let path = "\(arguments.dataFolder)/online-\(UUID().uuidString).sqlite"
        let database = try await SQLiteDatabase(path: path)
        let store = try await SQLOnlineFeatureStore(database: database)
        let entities = 100_000
        var rows: [OnlineRow] = []
        rows.reserveCapacity(entities)
        for index in 0..<entities {
            var values: [String: FeatureValue?] = [:]
            for feature in 0..<5 { values["f\(feature)"] = .number(Double(index * 5 + feature) / 7) }
            rows.append(OnlineRow(entity: "e\(index)", featureTime: 1_790_000_000 + Double(index % 86_400), values: values))
        }
        _ = try await store.materialize(view: "bench", rows: rows, watermark: 1_790_086_400, expectedWatermark: nil, now: 1_790_090_000)
        let reads = 10_000
        var found = 0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: reads) {
            for request in 0..<reads {
                let entity = "e\(request &* 7_919 % entities)"
                found &+= try await store.read(view: "bench", entities: [entity]).count
            }
        }
        guard found == reads * max(1, arguments.repetitions) else { throw BenchmarkFailure("found \(found) rows for \(reads) reads") }
        try await database.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        return measurement
    }
}
