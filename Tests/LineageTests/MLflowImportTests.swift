import Foundation
@testable import Lineage
import MLOpsStorage
import Testing

@Suite("MLflow import")
struct MLflowImportTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mlflow.sqlite").path

    @Test("a real MLflow 3 tracking database comes over with runs, typed params, metrics, tags and parents")
    func importsFixture() async throws {
        let before = try Data(contentsOf: URL(fileURLWithPath: Self.fixture))
        let store = InMemoryLineageStore()
        let report = try await MLflowImporter(path: Self.fixture).importRuns(into: store)
        #expect(report.imported == 5)
        #expect(report.skippedDeleted == 1)
        #expect(report.experiments == ["churn", "ranking"])
        // The MLflow file is untouched.
        #expect(try Data(contentsOf: URL(fileURLWithPath: Self.fixture)) == before)

        let trials = try await store.searchRuns(RunQuery(experiment: "churn", filter: "attributes.name like 'trial-%'", orderBy: ["attributes.name"]))
        #expect(trials.runs.map(\.name) == ["trial-0", "trial-1"])
        let trial = try #require(trials.runs.first)
        #expect(trial.parameters["learning_rate"] == .double(0.1))
        #expect(trial.parameters["max_depth"] == .int(4))
        #expect(trial.parameters["model"] == .string("xgboost"))
        // Python's True is kept as MLflow wrote it.
        #expect(trial.parameters["early_stopping"] == .string("True"))
        #expect(MLflowImporter.typed("False") == .string("False"))
        #expect(MLflowImporter.typed("true") == .bool(true))
        #expect(MLflowImporter.typed("007") == .string("007"))
        #expect(MLflowImporter.typed("1e-5") == .string("1e-5"))
        #expect(MLflowImporter.typed("0.25") == .double(0.25))
        #expect(trial.tags["team"] == "growth")
        #expect(trial.latestMetrics["auc"]?.value == 0.8)
        #expect(trial.latestMetrics["diverged"]?.value.isNaN == true)
        #expect(trial.status == .finished)
        let sweep = try await store.searchRuns(RunQuery(filter: "attributes.name = 'sweep'")).runs.first
        #expect(trial.parentRunID == sweep?.id)
        #expect(trial.tags["mlflow.parentRunId"] == "53affbf7103842cc88ba65e7d014f850")
        #expect(try await store.metricHistory(of: trial.id, key: "loss").count == 5)
        let statuses = try await store.searchRuns(RunQuery(orderBy: ["attributes.start_time asc"])).runs.map(\.status)
        #expect(statuses == [.finished, .finished, .finished, .failed, .killed])

        // Importing again adds nothing.
        let again = try await MLflowImporter(path: Self.fixture).importRuns(into: store)
        #expect(again.imported == 0)
        #expect(again.alreadyPresent == 5)
    }

    /// One MLflow run of a synthetic tracking database.
    struct FakeRun {
        var uuid = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var name: String
        var start: Int64
        var parent: String? = nil
        var parameters: [String: String] = [:]
        var losses: [Double] = []
    }

    /// Writes an MLflow-shaped SQLite file (the five tables the importer reads) with `runs`.
    static func makeMLflowDatabase(at path: String, experiment: String, runs: [FakeRun]) async throws {
        let database = try await SQLiteDatabase(path: path)
        try await database.write { db in
            try await db.executeScript(
                """
                CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
                CREATE TABLE runs (run_uuid TEXT PRIMARY KEY, name TEXT, experiment_id INTEGER, user_id TEXT, status TEXT,
                                   start_time INTEGER, end_time INTEGER, lifecycle_stage TEXT);
                CREATE TABLE params (key TEXT, value TEXT, run_uuid TEXT);
                CREATE TABLE metrics (key TEXT, value REAL, timestamp INTEGER, run_uuid TEXT, step INTEGER, is_nan INTEGER);
                CREATE TABLE tags (key TEXT, value TEXT, run_uuid TEXT);
                """)
            try await db.execute("INSERT INTO experiments (experiment_id, name) VALUES (1, ?)", [.text(experiment)])
            for run in runs {
                try await db.execute(
                    "INSERT INTO runs VALUES (?, ?, 1, 'ana', 'FINISHED', ?, ?, 'active')",
                    [.text(run.uuid), .text(run.name), .integer(run.start), .integer(run.start + 10)])
                try await db.executeBatch("INSERT INTO params VALUES (?, ?, ?)", run.parameters.map { [.text($0.key), .text($0.value), .text(run.uuid)] })
                try await db.executeBatch(
                    "INSERT INTO metrics VALUES ('loss', ?, ?, ?, ?, ?)",
                    run.losses.enumerated().map { step, loss in
                        [.real(loss.isNaN ? 0 : loss), .integer(run.start + Int64(step)), .text(run.uuid), .integer(Int64(step)), .integer(loss.isNaN ? 1 : 0)]
                    })
                if let parent = run.parent {
                    try await db.execute("INSERT INTO tags VALUES ('mlflow.parentRunId', ?, ?)", [.text(parent), .text(run.uuid)])
                }
            }
        }
        try await database.close()
    }

    static func temporaryFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "mlflow-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("a run imported before its parent keeps the link, and the mlflow.parentRunId tag")
    func parentAfterChild() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let parent = FakeRun(name: "sweep", start: 2_000)
        // The child started first, so the importer (in start order) meets it before its parent.
        let child = FakeRun(name: "trial", start: 1_000, parent: parent.uuid, parameters: ["flag": "True", "lr": "0.1"], losses: [0.5, .nan])
        try await Self.makeMLflowDatabase(at: "\(folder)/mlflow.sqlite", experiment: "sweeps", runs: [child, parent])
        let database = try await SQLiteDatabase(path: "\(folder)/lineage.sqlite")
        for store in [InMemoryLineageStore(), try await SQLLineageStore(database: database)] as [any LineageStore] {
            let report = try await MLflowImporter(path: "\(folder)/mlflow.sqlite").importRuns(into: store)
            #expect(report.imported == 2)
            let imported = try await store.run(try MLflowImporter.runID(fromMLflow: child.uuid))
            #expect(imported.parentRunID == (try MLflowImporter.runID(fromMLflow: parent.uuid)))
            #expect(imported.tags["mlflow.parentRunId"] == parent.uuid)
            #expect(imported.parameters == ["flag": .string("True"), "lr": .double(0.1)])
            #expect(imported.latestMetrics["loss"]?.value.isNaN == true)
            let children = try await store.searchRuns(RunQuery(filter: "tags.`mlflow.parentRunId` = '\(parent.uuid)'"))
            #expect(children.runs.map(\.name) == ["trial"])
        }
        try await database.close()
    }

    /// Runs `importers` imports of one MLflow file at once, each into its own store, and checks
    /// that every run was imported exactly once.
    static func importConcurrently(_ importers: Int, stores: [any LineageStore], check: any LineageStore) async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let runs = (0..<12).map { FakeRun(name: "run-\($0)", start: Int64(1_000 + $0), parameters: ["i": String($0)], losses: [1, 0.5, Double($0)]) }
        try await makeMLflowDatabase(at: "\(folder)/mlflow.sqlite", experiment: "concurrent-\(UUID().uuidString.prefix(8))", runs: runs)
        let importer = MLflowImporter(path: "\(folder)/mlflow.sqlite")
        let reports = try await withThrowingTaskGroup(of: MLflowImporter.Report.self) { group in
            for store in stores { group.addTask { try await importer.importRuns(into: store) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reports.count == importers)
        #expect(reports.map(\.imported).reduce(0, +) == runs.count, "\(reports)")
        #expect(reports.allSatisfy { $0.imported + $0.alreadyPresent == runs.count }, "\(reports)")
        #expect(reports.map(\.metricPoints).reduce(0, +) == runs.count * 3)
        for run in runs {
            let id = try MLflowImporter.runID(fromMLflow: run.uuid)
            #expect(try await check.metricHistory(of: id, key: "loss").count == 3)
            #expect(try await check.run(id).parameters["i"] != nil)
        }
    }

    @Test("several importers at once, each with its own SQLite connection to one file, import each run exactly once")
    func concurrentSQLite() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var databases: [SQLiteDatabase] = []
        var stores: [any LineageStore] = []
        for _ in 0..<4 {
            let database = try await SQLiteDatabase(path: "\(folder)/lineage.sqlite")
            databases.append(database)
            stores.append(try await SQLLineageStore(database: database))
        }
        try await Self.importConcurrently(4, stores: stores, check: stores[0])
        for database in databases { try await database.close() }
    }

    @Test(
        "several importers at once, each with its own PostgreSQL connection, import each run exactly once",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"))
    func concurrentPostgres() async throws {
        /// Opens `count` databases (each its own connection pool), runs them, and closes them after `body`.
        func withDatabases(_ count: Int, _ body: ([any SQLDatabase]) async throws -> Void) async throws {
            guard count > 0 else { return try await body([]) }
            try await StoreLocation(parsing: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? "").withDatabase { database in
                try await withDatabases(count - 1) { others in try await body([database] + others) }
            }
        }
        try await withDatabases(4) { databases in
            var stores: [any LineageStore] = []
            for database in databases { stores.append(try await SQLLineageStore(database: database)) }
            try await Self.importConcurrently(4, stores: stores, check: stores[0])
        }
    }

    @Test("several importers at once into one in-memory store import each run exactly once")
    func concurrentInMemory() async throws {
        let store = InMemoryLineageStore()
        try await Self.importConcurrently(4, stores: Array(repeating: store, count: 4), check: store)
    }

    @Test("a file that is not an MLflow database is a clear error")
    func notMLflow() async throws {
        let folder = NSTemporaryDirectory() + "mlflow-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let other = try await SQLiteDatabase(path: "\(folder)/other.sqlite")
        try await other.write { db in try await db.executeScript("CREATE TABLE notes (x TEXT)") }
        try await other.close()
        do {
            _ = try await MLflowImporter(path: "\(folder)/other.sqlite").importRuns(into: InMemoryLineageStore())
            Issue.record("a non-MLflow database was imported")
        } catch let error as LineageError {
            #expect(error.message.contains("not an MLflow tracking database"))
        }
        await #expect(throws: LineageError.self) { _ = try await MLflowImporter(path: "\(folder)/missing.sqlite").importRuns(into: InMemoryLineageStore()) }
    }
}
