import Foundation
public import MLOpsStorage

/// An ``OnlineFeatureStore`` in a SQL database through MLOpsStorage: SQLite by default,
/// PostgreSQL when several services read the same features. A materialization run is one write
/// transaction: its rows and its watermark commit together or not at all.
public struct SQLOnlineFeatureStore: OnlineFeatureStore {
    /// The database.
    public let database: any SQLDatabase

    /// The tables of the online store (module `featureparity_online`).
    public static let schema = SQLSchema(module: "featureparity_online", migrations: [
        SQLMigration(version: 1, name: "create online features and watermarks") { d in
            """
            CREATE TABLE online_features (
                feature_view TEXT NOT NULL,
                entity TEXT NOT NULL,
                feature_time \(d.realType) NOT NULL,
                feature_values TEXT NOT NULL,
                PRIMARY KEY (feature_view, entity)
            );
            CREATE TABLE materialization_watermarks (
                feature_view TEXT NOT NULL PRIMARY KEY,
                watermark \(d.realType) NOT NULL,
                latest_feature_time \(d.realType),
                updated_at \(d.realType) NOT NULL,
                rows_written \(d.integerType) NOT NULL
            );
            """
        },
    ])

    /// Opens the store, migrating the database to this build's schema unless `migrate` is false.
    ///
    /// - Throws: `StorageError` (`schemaTooNew`) when a newer build wrote the database; with
    ///   `migrate: false`, `StorageError` (`schemaTooOld`) when the tables are missing or older.
    public init(database: any SQLDatabase, migrate: Bool = true) async throws {
        self.database = database
        try await database.prepare(Self.schema, migrate: migrate)
    }

    public func materialize(view: String, rows: [OnlineRow], watermark: Double, expectedWatermark: Double?, now: Double) async throws -> Int {
        let encoded: [(OnlineRow, String)] = try rows.map { row in (row, try FeatureValuesJSON.encode(row.values)) }
        return try await database.write { db in
            let stateRow = try await db.queryFirst(
                "SELECT watermark, latest_feature_time, rows_written FROM materialization_watermarks WHERE feature_view = ?", [.text(view)])
            var current: Double?
            var latest: Double?
            var written = 0
            if let stateRow {
                current = try stateRow.decode(Double.self, "watermark")
                latest = Self.double(stateRow["latest_feature_time"])
                written = Int(try stateRow.decode(Int64.self, "rows_written"))
            }
            guard current == expectedWatermark else { throw OnlineStoreRules.moved(view, current, expectedWatermark) }
            var changed = 0
            for (row, values) in encoded {
                // Insert, or replace a row whose feature time is not newer.
                let stored = try await db.queryFirst("SELECT feature_time FROM online_features WHERE feature_view = ? AND entity = ?", [.text(view), .text(row.entity)])
                if let stored, try stored.decode(Double.self, "feature_time") > row.featureTime { continue }
                if stored == nil {
                    _ = try await db.execute(
                        "INSERT INTO online_features (feature_view, entity, feature_time, feature_values) VALUES (?, ?, ?, ?)",
                        [.text(view), .text(row.entity), .real(row.featureTime), .text(values)])
                } else {
                    _ = try await db.execute(
                        "UPDATE online_features SET feature_time = ?, feature_values = ? WHERE feature_view = ? AND entity = ?",
                        [.real(row.featureTime), .text(values), .text(view), .text(row.entity)])
                }
                changed += 1
                latest = max(latest ?? row.featureTime, row.featureTime)
            }
            let latestValue: SQLValue = latest.map { .real($0) } ?? .null
            if stateRow == nil {
                _ = try await db.execute(
                    "INSERT INTO materialization_watermarks (feature_view, watermark, latest_feature_time, updated_at, rows_written) VALUES (?, ?, ?, ?, ?)",
                    [.text(view), .real(watermark), latestValue, .real(now), .integer(Int64(changed))])
            } else {
                _ = try await db.execute(
                    "UPDATE materialization_watermarks SET watermark = ?, latest_feature_time = ?, updated_at = ?, rows_written = ? WHERE feature_view = ?",
                    [.real(watermark), latestValue, .real(now), .integer(Int64(written + changed)), .text(view)])
            }
            return changed
        }
    }

    /// A nullable number column's value.
    static func double(_ value: SQLValue) -> Double? {
        switch value {
        case .real(let v): v
        case .integer(let v): Double(v)
        default: nil
        }
    }

    public func read(view: String, entities: [String]) async throws -> [String: OnlineRow] {
        guard !entities.isEmpty else { return [:] }
        var found: [String: OnlineRow] = [:]
        // In batches of 500 keys per statement.
        for start in stride(from: 0, to: entities.count, by: 500) {
            let batch = Array(entities[start..<min(entities.count, start + 500)])
            let placeholders = Array(repeating: "?", count: batch.count).joined(separator: ", ")
            let sql = "SELECT entity, feature_time, feature_values FROM online_features WHERE feature_view = ? AND entity IN (\(placeholders))"
            let arguments: [SQLValue] = [.text(view)] + batch.map { .text($0) }
            // A serving request's few keys: brief (primary-key look-ups, where the two thread
            // switches to SQLite's own thread would cost more than the look-up); a bulk read of
            // hundreds of keys runs where it blocks no other task.
            let duration: SQLTransactionDuration = batch.count <= 16 ? .brief : .unbounded
            let rows = try await database.read(expecting: duration) { db in try await db.query(sql, arguments) }
            for row in rows {
                let entity = try row.decode(String.self, "entity")
                let values: [String: FeatureValue?]
                do {
                    values = try FeatureValuesJSON.decode(try row.decode(String.self, "feature_values"))
                } catch {
                    throw FeatureParityError(.invalidArgument, "The stored values of '\(entity)' in '\(view)' cannot be read: \(error)", fix: "materialize the view again.")
                }
                found[entity] = OnlineRow(entity: entity, featureTime: try row.decode(Double.self, "feature_time"), values: values)
            }
        }
        return found
    }

    public func state(of view: String) async throws -> MaterializationState? {
        let row = try await database.read(expecting: .brief) { db in
            try await db.queryFirst(
                "SELECT watermark, latest_feature_time, updated_at, rows_written FROM materialization_watermarks WHERE feature_view = ?", [.text(view)])
        }
        guard let row else { return nil }
        let latest = Self.double(row["latest_feature_time"])
        return MaterializationState(
            view: view, watermark: try row.decode(Double.self, "watermark"), latestFeatureTime: latest, updatedAt: try row.decode(Double.self, "updated_at"),
            rowsWritten: Int(try row.decode(Int64.self, "rows_written")))
    }
}
