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
        #expect(trial.parameters["early_stopping"] == .bool(true))
        #expect(MLflowImporter.typed("007") == .string("007"))
        #expect(MLflowImporter.typed("1e-5") == .string("1e-5"))
        #expect(MLflowImporter.typed("0.25") == .double(0.25))
        #expect(trial.tags["team"] == "growth")
        #expect(trial.latestMetrics["auc"]?.value == 0.8)
        #expect(trial.latestMetrics["diverged"]?.value.isNaN == true)
        #expect(trial.status == .finished)
        let sweep = try await store.searchRuns(RunQuery(filter: "attributes.name = 'sweep'")).runs.first
        #expect(trial.parentRunID == sweep?.id)
        #expect(try await store.metricHistory(of: trial.id, key: "loss").count == 5)
        let statuses = try await store.searchRuns(RunQuery(orderBy: ["attributes.start_time asc"])).runs.map(\.status)
        #expect(statuses == [.finished, .finished, .finished, .failed, .killed])

        // Importing again adds nothing.
        let again = try await MLflowImporter(path: Self.fixture).importRuns(into: store)
        #expect(again.imported == 0)
        #expect(again.alreadyPresent == 5)
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
