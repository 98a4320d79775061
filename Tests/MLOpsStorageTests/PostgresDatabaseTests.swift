#if PostgreSQL
import Foundation
@testable import MLOpsStorage
import MLOpsStorageTestSupport
import Testing

/// The URL of the PostgreSQL database the tests may use, from `MLOPS_TEST_POSTGRES_URL`.
/// `.ci/run` starts a server and sets it; see the README to run these tests locally.
let postgresTestURL = ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"]

@Suite(
    "PostgreSQL driver",
    .enabled(
        if: postgresTestURL != nil,
        "set MLOPS_TEST_POSTGRES_URL=postgres://user:pass@127.0.0.1:5432/db to run the PostgreSQL tests (bash .ci/run does)"))
struct PostgresDatabaseTests {
    func open() async throws -> any SQLDatabase {
        try await StoreLocation(parsing: postgresTestURL ?? "").openDatabase()
    }

    @Test("passes the SQL conformance suite")
    func conformance() async throws {
        let database = try await open()
        try await SQLDatabaseConformance.runAll(database)
        try await database.close()
    }

    @Test("a wrong password is a connectionFailed error that names the store without the password")
    func wrongPassword() async throws {
        guard case .postgres(var configuration) = try StoreLocation(parsing: postgresTestURL ?? "") else {
            Issue.record("MLOPS_TEST_POSTGRES_URL is not a postgres:// URL")
            return
        }
        configuration.password = "definitely-wrong-\(UUID().uuidString)"
        do {
            _ = try await PostgresDatabase(configuration: configuration, connectTimeout: .seconds(5))
            Issue.record("a wrong password was accepted")
        } catch let error as StorageError {
            #expect(error.code == .connectionFailed)
            #expect(!error.description.contains("definitely-wrong"))
        }
    }

    @Test("an unreachable server is a connectionFailed error, not a hang")
    func unreachable() async throws {
        let configuration = PostgresConfiguration(host: "127.0.0.1", port: 1, username: "nobody", database: "none")
        do {
            _ = try await PostgresDatabase(configuration: configuration, connectTimeout: .seconds(2))
            Issue.record("a closed port was reached")
        } catch let error as StorageError {
            #expect(error.code == .connectionFailed)
        }
    }
}
#endif
