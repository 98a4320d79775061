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
