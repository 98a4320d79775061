import Foundation
import Lineage
import MLOpsStorage
import MLOpsTestSupport
import Testing

/// Every Lineage store passes the one conformance suite, each check a test case of its own.
@Suite("Lineage stores")
struct LineageStoreTests {
    @Test("the in-memory store passes the conformance suite", arguments: LineageStoreConformance.checks)
    func inMemory(_ check: ConformanceCheck<any LineageStore>) async {
        await check.run(on: InMemoryLineageStore())
    }

    @Test("the SQL store on SQLite passes the conformance suite", arguments: LineageStoreConformance.checks)
    func sqlite(_ check: ConformanceCheck<any LineageStore>) async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("lineage.sqlite"))
            await check.run(on: try await SQLLineageStore(database: database))
            try await database.close()
        }
    }

    @Test(
        "the SQL store on PostgreSQL passes the conformance suite",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"),
        arguments: LineageStoreConformance.checks)
    func postgres(_ check: ConformanceCheck<any LineageStore>) async throws {
        try await StoreLocation(parsing: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? "").withDatabase { database in
            await check.run(on: try await SQLLineageStore(database: database))
        }
    }
}

/// PostgreSQL checks metric points against runs and names with statement-level triggers instead
/// of foreign keys (`MetricReferenceChecks`); these are the guarantees the foreign keys gave.
@Suite("Lineage metric references on PostgreSQL")
struct PostgresMetricReferenceTests {
    static var url: String? { ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] }

    /// Expects `body` to fail with a foreign-key violation (SQLSTATE 23503).
    func expectReferenceViolation(_ what: String, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("\(what) was accepted")
        } catch let error as StorageError {
            #expect(error.code == .constraintViolation && error.databaseCode == "23503", "\(what): \(error)")
        } catch {
            Issue.record("\(what): \(error)")
        }
    }

    @Test("points must name a stored run and name; runs and names in use stay", .enabled(if: url != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"))
    func references() async throws {
        try await StoreLocation(parsing: Self.url ?? "").withDatabase { database in
            let store = try await SQLLineageStore(database: database)
            let run = try await store.startRun(RunStart(experiment: "references-\(UUID().uuidString)", name: "r", startTime: Date(timeIntervalSince1970: 1)))
            let key = "references-\(UUID().uuidString)"
            let points = (0..<700).map { MetricPoint(key: key, value: Double($0), step: Int64($0), timestamp: Date(timeIntervalSince1970: 2)) }
            try await store.logMetrics(points, to: run.id)
            let (runKey, keyID, missingRun) = try await database.read { db in
                (try await db.queryScalar(Int64.self, "SELECT run_key FROM lineage_runs WHERE id = ?", [.text(run.id.value)]),
                 try await db.queryScalar(Int64.self, "SELECT key_id FROM lineage_metric_keys WHERE key = ?", [.text(key)]),
                 try await db.queryScalar(Int64.self, "SELECT coalesce(max(run_key), 0) + 1000000 FROM lineage_runs"))
            }
            let row: @Sendable (Int64, Int64) -> [SQLValue] = { [.integer($0), .integer($1), .integer(9_999), .integer(0), .real(1), .integer(0)] }
            let insert = "INSERT INTO lineage_metrics (run_key, key_id, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)"
            await expectReferenceViolation("a point of a run that does not exist") {
                try await database.write { db in _ = try await db.execute(insert, row(missingRun, keyID)) }
            }
            await expectReferenceViolation("a point of a metric name that does not exist") {
                try await database.write { db in _ = try await db.execute(insert, row(runKey, -1)) }
            }
            await expectReferenceViolation("a COPY-sized batch with one point of a missing run") {
                try await database.write { db in
                    try await db.executeBatch(insert, (0..<600).map { [.integer($0 == 599 ? missingRun : runKey), .integer(keyID), .integer(10_000 + Int64($0)), .integer(0), .real(1), .integer(0)] })
                }
            }
            await expectReferenceViolation("moving points to a missing run") {
                try await database.write { db in _ = try await db.execute("UPDATE lineage_metrics SET run_key = ? WHERE run_key = ?", [.integer(missingRun), .integer(runKey)]) }
            }
            await expectReferenceViolation("deleting a run that has points") {
                try await database.write { db in
                    _ = try await db.execute("DELETE FROM lineage_params WHERE run_key = ?", [.integer(runKey)])
                    _ = try await db.execute("DELETE FROM lineage_tags WHERE run_key = ?", [.integer(runKey)])
                    _ = try await db.execute("DELETE FROM lineage_latest_metrics WHERE run_key = ?", [.integer(runKey)])
                    _ = try await db.execute("DELETE FROM lineage_runs WHERE run_key = ?", [.integer(runKey)])
                }
            }
            await expectReferenceViolation("changing the key of a run that has points") {
                try await database.write { db in _ = try await db.execute("UPDATE lineage_runs SET run_key = ? WHERE run_key = ?", [.integer(missingRun), .integer(runKey)]) }
            }
            await expectReferenceViolation("deleting a metric name that has points") {
                try await database.write { db in _ = try await db.execute("DELETE FROM lineage_metric_keys WHERE key_id = ?", [.integer(keyID)]) }
            }
            // Nothing of the refused statements is left, and the run still reads whole.
            let history = try await store.metricHistory(of: run.id, key: key)
            #expect(history.map(\.step) == (0..<700).map(Int64.init))
            #expect(try await store.run(run.id).latestMetrics[key]?.step == 699)
            // A run with no points: refused under SERIALIZABLE (the check could miss points a
            // concurrent transaction commits), deleted under READ COMMITTED.
            let empty = try await store.startRun(RunStart(experiment: "references-\(UUID().uuidString)", name: "empty", startTime: Date(timeIntervalSince1970: 1)))
            do {
                _ = try await database.write { db in try await db.execute("DELETE FROM lineage_runs WHERE id = ?", [.text(empty.id.value)]) }
                Issue.record("a delete under SERIALIZABLE was accepted")
            } catch let error as StorageError {
                #expect(error.databaseCode == "55000" && error.message.contains("READ COMMITTED"), "\(error)")
            }
            let deleted = try await database.write { db in
                _ = try await db.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                return try await db.execute("DELETE FROM lineage_runs WHERE id = ?", [.text(empty.id.value)])
            }
            #expect(deleted == 1)
            // Still refused under READ COMMITTED while points exist.
            await expectReferenceViolation("deleting a run that has points, under READ COMMITTED") {
                try await database.write { db in
                    _ = try await db.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                    _ = try await db.execute("DELETE FROM lineage_runs WHERE run_key = ?", [.integer(runKey)])
                }
            }
            // Points written past the triggers are what `store check` finds (rolled back after).
            struct RolledBack: Error {}
            do {
                try await database.write { db in
                    #expect(try await MetricReferenceChecks.orphanedPoints(in: db).isEmpty)
                    _ = try await db.execute("ALTER TABLE lineage_metrics DISABLE TRIGGER lineage_metrics_references_on_insert")
                    _ = try await db.execute(insert, row(missingRun, keyID))
                    _ = try await db.execute("ALTER TABLE lineage_metrics ENABLE TRIGGER lineage_metrics_references_on_insert")
                    let problems = try await MetricReferenceChecks.orphanedPoints(in: db)
                    #expect(problems.count == 1 && problems.first?.contains("run_key that is not in lineage_runs (the first: \(missingRun))") == true, "\(problems)")
                    throw RolledBack()
                }
            } catch is RolledBack {}
        }
    }

    @Test("the reference checks run as their owner with the store's schema, whatever the session's search path", .enabled(if: url != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"))
    func pinnedSearchPath() async throws {
        try await StoreLocation(parsing: Self.url ?? "").withDatabase { database in
            let store = try await SQLLineageStore(database: database)
            let run = try await store.startRun(RunStart(experiment: "search-path-\(UUID().uuidString)", name: "r", startTime: Date(timeIntervalSince1970: 1)))
            try await store.logMetrics([MetricPoint(key: "loss", value: 1, step: 0, timestamp: Date(timeIntervalSince1970: 2))], to: run.id)
            let written = try await database.write { db in
                let schema = try await db.queryScalar(String.self, "SELECT current_schema()")
                let runKey = try await db.queryScalar(Int64.self, "SELECT run_key FROM lineage_runs WHERE id = ?", [.text(run.id.value)])
                let keyID = try await db.queryScalar(Int64.self, "SELECT key_id FROM lineage_metric_keys WHERE key = 'loss'")
                // pg_dump's setting: no schema on the path at all.
                _ = try await db.execute("SET LOCAL search_path = ''")
                let quoted = "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                return try await db.execute(
                    "INSERT INTO \(quoted).lineage_metrics (run_key, key_id, step, timestamp, value, is_nan) VALUES (?, ?, 1, 0, 2, 0)",
                    [.integer(runKey), .integer(keyID)])
            }
            #expect(written == 1)
            #expect(try await store.metricHistory(of: run.id, key: "loss").map(\.step) == [0, 1])
        }
    }

    @Test("four connections writing the same large batches at once store each point once", .enabled(if: url != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"))
    func concurrentRepeatedBatches() async throws {
        try await StoreLocation(parsing: Self.url ?? "").withDatabase { database in
            let store = try await SQLLineageStore(database: database)
            let run = try await store.startRun(RunStart(experiment: "repeats-\(UUID().uuidString)", name: "r", startTime: Date(timeIntervalSince1970: 1)))
            let points = (0..<3_000).map { MetricPoint(key: "loss", value: Double($0) / 3, step: Int64($0), timestamp: Date(timeIntervalSince1970: 2)) }
            // Overlapping batches: each writer sends 0..<2,000 or 1,000..<3,000 in batches of 1,000.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        try await StoreLocation(parsing: Self.url ?? "").withDatabase { own in
                            let writerStore = try await SQLLineageStore(database: own)
                            let first = writer % 2 == 0 ? 0 : 1_000
                            for start in stride(from: first, to: first + 2_000, by: 1_000) {
                                try await writerStore.logMetrics(Array(points[start..<(start + 1_000)]), to: run.id)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let history = try await store.metricHistory(of: run.id, key: "loss")
            #expect(history.map(\.step) == (0..<3_000).map(Int64.init))
            #expect(history.map(\.value) == points.map(\.value))
        }
    }
}
