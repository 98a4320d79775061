import Foundation
import Lineage
import MLOpsStorage
import MLOpsTestSupport
import Testing

/// MLflow's own answers, recorded with the real MLflow client (`Fixtures/mlflow-search/make_fixture.py`:
/// 100 seeded runs, then every filter and ordering form MLflow's `search_runs` accepts), compared
/// run for run with ours after `MLflowImporter` brought the runs over.
@Suite("MLflow's search language")
struct MLflowSearchCompatibilityTests {
    /// The recorded fixture, or a fresh recording (`Scripts/check-mlflow-search` sets
    /// `MLOPS_MLFLOW_SEARCH_FIXTURE` to the folder it recorded into).
    static let folder = ProcessInfo.processInfo.environment["MLOPS_MLFLOW_SEARCH_FIXTURE"].map { URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mlflow-search")

    struct Case: Decodable, Sendable {
        let filter: String
        let orderBy: [String]
        let runIDs: [String]
        let ordered: Bool

        enum CodingKeys: String, CodingKey {
            case filter, ordered
            case orderBy = "order_by", runIDs = "run_ids"
        }
    }

    /// The recorded cases, less those on datasets (the importer does not bring MLflow's dataset
    /// inputs over).
    static func cases() throws -> [Case] {
        let all = try JSONDecoder().decode([Case].self, from: Data(contentsOf: folder.appendingPathComponent("expected.json")))
        return all.filter { !$0.filter.lowercased().contains("dataset") }
    }

    /// Where we mean something else than MLflow, on purpose (Documentation/CommandLine.md says so).
    static let intendedDifferences: [String: String] = [
        // A status matches in either case: MLflow's are upper-case, ours were always lower-case.
        "attributes.status = 'failed'": "matches the failed runs, as 'FAILED' does",
        "status LIKE 'f%'": "matches FAILED and FINISHED, as 'F%' does",
        // Lineage keeps no artifact URI per run.
        "artifact_uri LIKE 'file:///tmp/mlflow-search-fixture/search-fixture-a/%'": "refused: no artifact_uri attribute",
        "artifact_uri LIKE '%search-fixture-b%'": "refused: no artifact_uri attribute",
    ]

    /// Imports the fixture into `store` and runs every case; returns the cases that differ.
    static func differences(in store: any LineageStore) async throws -> [String] {
        _ = try await MLflowImporter(path: folder.appendingPathComponent("mlflow.db").path).importRuns(into: store)
        let cases = try cases()
        let imported = Set(cases.first { $0.filter.isEmpty && $0.orderBy.isEmpty }?.runIDs ?? [])
        var differences: [String] = []
        for test in cases where intendedDifferences[test.filter] == nil {
            do {
                // Other tests may share a PostgreSQL database: search the fixture's experiments only.
                let scope = "attributes.experiment in ('search-fixture-a', 'search-fixture-b')"
                let query = try RunQuery(filter: test.filter.isEmpty ? scope : "(\(test.filter)) and \(scope)", orderBy: test.orderBy, limit: 10_000)
                let found = try await store.searchRuns(query).runs.map(\.id.mlflowID).filter { imported.contains($0) }
                let same = test.ordered ? found == test.runIDs : Set(found) == Set(test.runIDs)
                if !same {
                    differences.append("`\(test.filter)` order \(test.orderBy): MLflow \(test.runIDs.count) runs, ours \(found.count)\(test.ordered ? " (order compared)" : "")")
                }
            } catch {
                differences.append("`\(test.filter)` order \(test.orderBy): refused: \(error)")
            }
        }
        return differences
    }

    @Test("the recorded cases cover the forms MLflow accepts")
    func fixtureIsThere() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 100, "\(cases.count) cases")
        #expect(cases.contains { $0.filter.contains("status = 'FAILED'") })
        #expect(cases.contains { $0.filter.contains("run_id IN") })
    }

    @Test("where we mean something else than MLflow, it is the documented difference")
    func intendedDifferencesHold() async throws {
        let store = InMemoryLineageStore()
        _ = try await MLflowImporter(path: Self.folder.appendingPathComponent("mlflow.db").path).importRuns(into: store)
        func ids(_ filter: String) async throws -> Set<RunID> { Set(try await store.searchRuns(RunQuery(filter: filter, limit: 10_000)).runs.map(\.id)) }
        #expect(try await ids("attributes.status = 'failed'") == ids("attributes.status = 'FAILED'"))
        #expect(try await ids("status LIKE 'f%'") == ids("status LIKE 'F%'"))
        #expect(try await !ids("status LIKE 'F%'").isEmpty)
        #expect(throws: LineageError.self) { _ = try RunQuery(filter: "artifact_uri LIKE '%b%'") }
    }

    @Test("a run imported from MLflow is found by MLflow's id, with or without dashes")
    func mlflowIDs() async throws {
        let store = InMemoryLineageStore()
        _ = try await MLflowImporter(path: Self.folder.appendingPathComponent("mlflow.db").path).importRuns(into: store)
        let hex = try #require(try Self.cases().first { $0.filter.isEmpty && $0.orderBy.isEmpty }?.runIDs.first)
        let id = try RunID(hex)
        #expect(id.mlflowID == hex && id.value.count == 36)
        #expect(try RunID(hex.uppercased()) == id)
        #expect(try await store.run(id).id == id)
        #expect(try await store.searchRuns(RunQuery(filter: "attributes.run_id = '\(hex)'")).runs.map(\.id) == [id])
        #expect(throws: LineageError.self) { _ = try RunID(String(hex.dropLast())) }
    }

    @Test("in memory, every MLflow filter and ordering selects MLflow's runs in MLflow's order")
    func inMemory() async throws {
        let differences = try await Self.differences(in: InMemoryLineageStore())
        #expect(differences.isEmpty, "\(differences.count) differ:\n\(differences.joined(separator: "\n"))")
    }

    @Test("on SQLite, every MLflow filter and ordering selects MLflow's runs in MLflow's order")
    func sqlite() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("lineage.sqlite"))
            let differences = try await Self.differences(in: try await SQLLineageStore(database: database))
            #expect(differences.isEmpty, "\(differences.count) differ:\n\(differences.joined(separator: "\n"))")
            try await database.close()
        }
    }

    @Test(
        "on PostgreSQL, every MLflow filter and ordering selects MLflow's runs in MLflow's order",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"))
    func postgres() async throws {
        try await StoreLocation(parsing: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? "").withDatabase { database in
            let differences = try await Self.differences(in: try await SQLLineageStore(database: database))
            #expect(differences.isEmpty, "\(differences.count) differ:\n\(differences.joined(separator: "\n"))")
        }
    }
}
