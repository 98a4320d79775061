import Foundation
import Lineage
import MLOpsStorage
import MLOpsTestSupport
import Registry
import Testing

/// Every registry store passes the one conformance suite, each check a test case of its own.
@Suite("Registry stores")
struct RegistryStoreTests {
    @Test("the in-memory store passes the conformance suite", arguments: RegistryStoreConformance.checks)
    func inMemory(_ check: ConformanceCheck<RegistryFixture>) async {
        let lineage = InMemoryLineageStore()
        await check.run(on: RegistryFixture(registry: InMemoryRegistryStore(lineage: lineage), lineage: lineage))
    }

    @Test("the SQL store on SQLite passes the conformance suite", arguments: RegistryStoreConformance.checks)
    func sqlite(_ check: ConformanceCheck<RegistryFixture>) async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("registry.sqlite"))
            let registry = try await SQLRegistryStore(database: database)
            await check.run(on: RegistryFixture(registry: registry, lineage: try await SQLLineageStore(database: database)))
            try await database.close()
        }
    }

    /// One connection for reads and writes: a transaction that opened another one inside itself
    /// (a promotion policy reading Lineage did) would wait forever here.
    @Test(
        "the SQL store on an in-memory SQLite database (one connection) passes the conformance suite",
        .timeLimit(.minutes(1)), arguments: RegistryStoreConformance.checks)
    func sqliteOneConnection(_ check: ConformanceCheck<RegistryFixture>) async throws {
        let database = try await SQLiteDatabase(path: ":memory:")
        let registry = try await SQLRegistryStore(database: database)
        await check.run(on: RegistryFixture(registry: registry, lineage: try await SQLLineageStore(database: database)))
        try await database.close()
    }

    @Test(
        "the SQL store on PostgreSQL passes the conformance suite",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"),
        arguments: RegistryStoreConformance.checks)
    func postgres(_ check: ConformanceCheck<RegistryFixture>) async throws {
        try await StoreLocation(parsing: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? "").withDatabase { database in
            let registry = try await SQLRegistryStore(database: database)
            await check.run(on: RegistryFixture(registry: registry, lineage: try await SQLLineageStore(database: database)))
        }
    }
}
