import Foundation
import Lineage
import MLOpsStorage
import MLOpsTestSupport
import Registry
import Testing

/// How a serving process learns that an alias moved: by PostgreSQL notification, or by polling.
@Suite("Alias watching")
struct AliasWatchingTests {
    /// Sets up a principal that may do everything and a model with two versions, `production` on v1.
    static func prepare(_ registry: any RegistryStore) async throws -> (ModelName, String, String) {
        let tag = String(UUID().uuidString.prefix(8)).lowercased()
        let admin = "watch-admin-\(tag)"
        try await RegistryStoreConformance.addAdmin(admin, to: registry)
        _ = try await registry.addPrincipal(PrincipalRegistration(id: "watch-ops-\(tag)", roles: [.register, .promote]), by: admin)
        let ops = "watch-ops-\(tag)"
        let model = try ModelName("watch-\(tag)/scorer")
        _ = try await registry.registerModel(ModelRegistration(name: model, riskClass: .low), by: ops)
        for _ in 0..<2 {
            _ = try await registry.registerVersion(VersionRegistration(model: model, artifactDigest: Digest(of: Array(UUID().uuidString.utf8))), by: ops)
        }
        let alias = "production-\(tag)"
        _ = try await registry.promote(model, version: 1, to: alias, by: ops, reason: "first", expecting: .unset)
        return (model, alias, ops)
    }

    @Test(
        "on PostgreSQL a promotion reaches the resolver by LISTEN/NOTIFY, with polling an hour away",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"))
    func postgresNotifies() async throws {
        let url = ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? ""
        try await StoreLocation(parsing: url).withDatabase { database in
            let registry = try await SQLRegistryStore(database: database)
            let (model, alias, ops) = try await Self.prepare(registry)
            let resolver = AliasResolver(store: registry, pollInterval: .seconds(3600))
            #expect(try await resolver.resolve(model, alias: alias).version == 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await resolver.run() }
                // The first report (at start) refreshes; wait until the listener is in place.
                try await Task.sleep(for: .milliseconds(500))
                // Another writer: a second connection pool, as another service would have.
                try await StoreLocation(parsing: url).withDatabase { other in
                    let writer = try await SQLRegistryStore(database: other)
                    _ = try await writer.promote(model, version: 2, to: alias, by: ops, reason: "better", expecting: .version(1))
                }
                #expect(try await eventually { resolver.cachedVersion(of: model, alias: alias)?.version == 2 },
                        "the move was not picked up without polling")
                // A rolled-back transaction notifies no one: the alias stays on 2.
                await #expect(throws: RegistryError.self) {
                    _ = try await registry.promote(model, version: 1, to: alias, by: ops, reason: "stale", expecting: .version(1))
                }
                group.cancelAll()
            }
            #expect(resolver.cachedVersion(of: model, alias: alias)?.version == 2)
        }
    }

    @Test("on SQLite another process's promotion is picked up by polling the change counter")
    func sqlitePolls() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("registry.sqlite")
            let database = try await SQLiteDatabase(path: path)
            let registry = try await SQLRegistryStore(database: database)
            let (model, alias, ops) = try await Self.prepare(registry)
            let resolver = AliasResolver(store: registry, pollInterval: .milliseconds(25))
            let reports = Recorded<Int64>()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await resolver.run() }
                group.addTask {
                    try await registry.watchChanges(pollInterval: .milliseconds(25)) { counter in reports.append(counter) }
                }
                #expect(try await resolver.resolve(model, alias: alias).version == 1)
                // A second connection to the file stands in for another process.
                let other = try await SQLiteDatabase(path: path)
                _ = try await SQLRegistryStore(database: other).promote(model, version: 2, to: alias, by: ops, reason: "better", expecting: .version(1))
                try await other.close()
                #expect(try await eventually { resolver.cachedVersion(of: model, alias: alias)?.version == 2 })
                #expect(try await eventually { reports.all.count >= 2 })
                group.cancelAll()
            }
            let counters = reports.all
            #expect(counters == counters.sorted() && Set(counters).count == counters.count, "a counter was reported twice or out of order: \(counters)")
            try await database.close()
        }
    }

    @Test("a resolution racing the resolver's first refresh is still kept and followed")
    func resolutionRacingARefresh() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("registry.sqlite"))
            let registry = try await SQLRegistryStore(database: database)
            let (model, alias, ops) = try await Self.prepare(registry)
            for round in 0..<20 {
                let target = round % 2 == 0 ? 2 : 1
                let resolver = AliasResolver(store: registry, pollInterval: .milliseconds(5))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await resolver.run() }
                    // At once: the first refresh of run() and this read race each other.
                    _ = try await resolver.resolve(model, alias: alias)
                    _ = try await registry.promote(model, version: target, to: alias, by: ops, reason: "round \(round)", expecting: .any)
                    #expect(try await eventually { resolver.cachedVersion(of: model, alias: alias)?.version == target }, "round \(round)")
                    group.cancelAll()
                }
            }
            try await database.close()
        }
    }
}
