import DriftStats
import Foundation
import MLOpsStorage
import Testing

@Suite("SQL baseline store: schema versions")
struct SQLBaselineStoreSchemaTests {
    /// The baseline schema with one more step, as a newer build of swift-mlops would have it.
    static let newerSchema = SQLSchema(
        module: SQLBaselineStore.schema.module,
        migrations: SQLBaselineStore.schema.migrations + [
            SQLMigration(version: SQLBaselineStore.schema.latestVersion + 1, name: "a step from a newer build") { _ in
                "CREATE TABLE drift_baselines_from_the_future (id INTEGER)"
            }
        ])

    @Test("opened without migrating, a store written by a newer build is refused with schemaTooNew")
    func newerSchemaIsRefused() async throws {
        let database = try await SQLiteDatabase(path: ":memory:")
        _ = try await database.migrate([StorageSchema.schema, Self.newerSchema])
        do {
            _ = try await SQLBaselineStore(database: database, migrate: false)
            Issue.record("a store with a newer baseline schema was opened")
        } catch let error as StorageError {
            #expect(error.code == .schemaTooNew)
            #expect(error.description.contains("driftstats"))
        }
        await #expect(throws: StorageError.self) { _ = try await SQLBaselineStore(database: database) }
        try await database.close()
    }

    @Test("opened without migrating, a store without baseline tables is refused with the migrate hint, unchanged")
    func missingSchemaIsRefused() async throws {
        let database = try await SQLiteDatabase(path: ":memory:")
        _ = try await database.migrate([StorageSchema.schema])
        do {
            _ = try await SQLBaselineStore(database: database, migrate: false)
            Issue.record("a store without baseline tables was opened")
        } catch let error as StorageError {
            #expect(error.code == .schemaTooOld)
            #expect(error.description.contains("mlops store migrate"))
        }
        #expect(try await database.recordedSchemaVersions()["driftstats"] == nil)
        try await database.close()
    }

    @Test("a store at this build's version opens without migrating")
    func currentSchemaOpens() async throws {
        let database = try await SQLiteDatabase(path: ":memory:")
        _ = try await SQLBaselineStore(database: database)
        let store = try await SQLBaselineStore(database: database, migrate: false)
        #expect(try await store.list().isEmpty)
        try await database.close()
    }
}
