import FeatureParity
import Foundation
import MLOpsStorage
import MLOpsTestSupport
import Testing
import TensorCore

@Suite("Materialization and online serving")
struct OnlineServingTests {
    @Test("the in-memory online store passes the conformance suite", arguments: OnlineFeatureStoreConformance.checks)
    func inMemory(_ check: ConformanceCheck<any OnlineFeatureStore>) async {
        await check.run(on: InMemoryOnlineFeatureStore())
    }

    @Test("the SQL online store on SQLite passes the conformance suite", arguments: OnlineFeatureStoreConformance.checks)
    func sqlite(_ check: ConformanceCheck<any OnlineFeatureStore>) async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("store.sqlite"))
            await check.run(on: try await SQLOnlineFeatureStore(database: database))
            try await database.close()
        }
    }

    @Test(
        "the SQL online store on PostgreSQL passes the conformance suite",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"),
        arguments: OnlineFeatureStoreConformance.checks)
    func postgres(_ check: ConformanceCheck<any OnlineFeatureStore>) async throws {
        try await StoreLocation(parsing: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? "").withDatabase { database in
            await check.run(on: try await SQLOnlineFeatureStore(database: database))
        }
    }

    static func offline() throws -> FeatureTable {
        try FeatureTable(columns: [
            ("user", .categorical(CategoricalColumn(["a", "b", "a", "c", "b", "a"]))),
            ("t", .double(DoubleColumn(values: [100, 110, 200, 210, 300, 300]))),
            ("spend_7d", .double(DoubleColumn([10, 20, 30, nil, 50, 31]))),
            ("txn_count_7d", .double(DoubleColumn(values: [1, 2, 3, 4, 5, 3]))),
        ])
    }

    @Test("materialization is incremental by watermark, and a rerun after success writes nothing twice")
    func incremental() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("store.sqlite"))
            let store = try await SQLOnlineFeatureStore(database: database)
            let materializer = Materializer(view: "card-fraud-v1", key: "user", time: "t")
            let first = try await materializer.run(try Self.offline(), upTo: 150, store: store, now: 160)
            #expect(first.previousWatermark == nil && first.candidateRows == 2 && first.rowsWritten == 2 && first.freshnessSeconds == 50)
            let second = try await materializer.run(try Self.offline(), upTo: 400, store: store, now: 410)
            #expect(second.previousWatermark == 150 && second.candidateRows == 4 && second.rowsWritten == 3)
            let again = try await materializer.run(try Self.offline(), upTo: 400, store: store, now: 420)
            #expect(again.candidateRows == 0 && again.rowsWritten == 0)
            let rows = try await store.read(view: "card-fraud-v1", entities: ["a", "b", "c"])
            // a has rows at 100, 200 and 300: the one at 300 is loaded.
            #expect(rows["a"]?.featureTime == 300 && rows["a"]?.values["spend_7d"] == 31)
            #expect(rows["c"]?.values["spend_7d"] == .some(nil))
            await #expect(throws: FeatureParityError.self) { try await materializer.run(try Self.offline(), upTo: 100, store: store, now: 430) }
            try await database.close()
        }
    }

    @Test("the lookup path enforces the TTL at read time and counts fresh values, defaults and refusals, with the ages served")
    func lookup() async throws {
        let store = InMemoryOnlineFeatureStore()
        _ = try await Materializer(view: "v", key: "user", time: "t").run(try Self.offline(), upTo: 400, store: store, now: 400)
        let ttl = try TimeToLive(parsing: "90s")
        let set = try FeatureSet(name: "s", version: 1, features: [
            try FeatureDefinition(name: "spend", entity: "user", owner: "o", ttl: ttl, missing: .defaultValue(-1), transformation: .column("spend_7d")),
            try FeatureDefinition(name: "count", entity: "user", owner: "o", ttl: ttl, missing: .defaultValue(0), transformation: .column("txn_count_7d")),
        ])
        let server = OnlineFeatureServer(featureSet: set, view: "v", store: store)
        let fresh = try await server.lookup(entity: "a", now: 330)  // 30 s old
        #expect(fresh.values == [31, 3] && fresh.served == [.fresh, .fresh])
        let stale = try await server.lookup(entity: "c", now: 400)  // 190 s old: past the TTL
        #expect(stale.values == [-1, 0] && stale.served == [.defaultForStale, .defaultForStale])
        let unknown = try await server.lookup(entity: "zz", now: 400)
        #expect(unknown.served == [.defaultForMissing, .defaultForMissing])
        let counts = server.servedCounts
        #expect(counts["spend"]?.fresh == 1 && counts["spend"]?.defaultForStale == 1 && counts["spend"]?.defaultForMissing == 1)
        #expect(counts["spend"]?.maximumAgeSeconds == 190)
        let strict = OnlineFeatureServer(
            featureSet: try FeatureSet(name: "t", version: 1, features: [
                try FeatureDefinition(name: "spend", entity: "user", owner: "o", ttl: ttl, missing: .failClosed, transformation: .column("spend_7d")),
            ]), view: "v", store: store)
        await #expect(throws: FeatureParityError.self) { try await strict.lookup(entity: "c", now: 400) }
        #expect(strict.servedCounts["spend"]?.refused == 1)
    }
}

@Suite("Materialization and logging edge cases")
struct OnlineEdgeCaseTests {
    @Test("a materialization up to infinity is refused; a record without finite times never blocks the parity log")
    func edges() async throws {
        let store = InMemoryOnlineFeatureStore()
        await #expect(throws: FeatureParityError.self) {
            try await Materializer(view: "v", key: "user", time: "t").run(try OnlineServingTests.offline(), upTo: .infinity, store: store, now: 0)
        }
        let log = InMemoryParityLogStore()
        let logger = try ParityLogger(store: log, sampleRate: 1)
        #expect(!logger.offer(requestID: "r1", record: ParityRecord(entity: "a", servedAt: .nan, asOf: 1, featureSetHash: "h", values: [:])))
        #expect(logger.offer(requestID: "r2", record: ParityRecord(entity: "a", servedAt: 2, asOf: 1, featureSetHash: "h", values: [:])))
        try await logger.flush()
        #expect(try await log.count() == 1 && logger.counts.dropped == 1)
    }
}
