import Foundation
import MLOpsCommands
import MLOpsTestSupport
import Testing

/// MLflow users keep their filters and their run ids on the command line.
@Suite("MLflow's filters and ids through mlops runs")
struct MLflowSearchCommandTests {
    static let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("LineageTests/Fixtures/mlflow-search/mlflow.db").path

    @Test("an MLflow filter, ordering and 32-hex run id work on runs imported from MLflow")
    func filtersAndIDs() async throws {
        try await withTemporaryFolder { folder in
            let store = "sqlite:\(folder.file("lineage.sqlite"))"
            let imported = await mlops("runs", "import-mlflow", Self.fixture, "--store", store, "--format", "json")
            #expect(imported.exitCode == 0, "\(imported.transcript)")
            let failed = await mlops("runs", "search", "status = 'FAILED' AND params.model ILIKE 'GB%'", "--order-by", "metrics.auc DESC", "--store", store, "--format", "json")
            #expect(failed.exitCode == 0, "\(failed.transcript)")
            #expect(failed.output.contains("\"status\" : \"failed\""), "\(failed.output.prefix(400))")
            let all = await mlops("runs", "search", "run_name LIKE '%'", "--limit", "1", "--store", store, "--format", "json")
            let id = try #require(all.output.firstMatch(of: /"id" : "([0-9a-f-]{36})"/)?.1)
            let hex = id.replacingOccurrences(of: "-", with: "")
            let shown = await mlops("runs", "show", String(hex), "--store", store)
            #expect(shown.exitCode == 0 && shown.output.contains(String(id)), "\(shown.transcript)")
            let byID = await mlops("runs", "search", "run_id IN ('\(hex)')", "--store", store, "--format", "json")
            #expect(byID.exitCode == 0 && byID.output.contains(String(id)), "\(byID.transcript)")
            let unsupported = await mlops("runs", "search", "artifact_uri LIKE '%x%'", "--store", store)
            #expect(unsupported.exitCode == 2 && unsupported.error.contains("artifact_uri"), "\(unsupported.transcript)")
        }
    }
}
