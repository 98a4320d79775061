import FeatureParity
import Foundation
import MLOpsStorage
import MLOpsTestSupport
import Testing
import TensorCore

@Suite("Parity log")
struct ParityLogTests {
    @Test("the in-memory parity log passes the conformance suite", arguments: ParityLogStoreConformance.checks)
    func inMemory(_ check: ConformanceCheck<any ParityLogStore>) async {
        await check.run(on: InMemoryParityLogStore())
    }

    @Test("the SQL parity log on SQLite passes the conformance suite", arguments: ParityLogStoreConformance.checks)
    func sqlite(_ check: ConformanceCheck<any ParityLogStore>) async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("store.sqlite"))
            await check.run(on: try await SQLParityLogStore(database: database))
            try await database.close()
        }
    }

    @Test(
        "the SQL parity log on PostgreSQL passes the conformance suite",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"),
        arguments: ParityLogStoreConformance.checks)
    func postgres(_ check: ConformanceCheck<any ParityLogStore>) async throws {
        try await StoreLocation(parsing: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? "").withDatabase { database in
            await check.run(on: try await SQLParityLogStore(database: database))
        }
    }

    @Test("the logger samples by request id, bounds its buffer (drops counted), and keeps records a failed flush could not write")
    func logger() async throws {
        let store = InMemoryParityLogStore()
        let logger = try ParityLogger(store: store, sampleRate: 0.1, capacity: 500)
        var built = 0
        for i in 0..<10_000 {
            logger.offer(requestID: "req-\(i)", record: {
                built += 1
                return ParityRecord(entity: "u\(i % 50)", servedAt: Double(i), asOf: Double(i), featureSetHash: "h", values: ["x": .number(Double(i))])
            }())
        }
        let counts = logger.counts
        #expect(counts.offered == 10_000)
        #expect(counts.sampled > 850 && counts.sampled < 1_150, "\(counts)")
        #expect(built == counts.sampled)  // records are built only for sampled requests
        #expect(counts.buffered == 500 && counts.dropped == counts.sampled - 500)
        try await logger.flush()
        #expect(try await store.count() == 500 && logger.counts.written == 500 && logger.counts.buffered == 0)
        // The same ids are sampled the same way by another replica's logger.
        let other = try ParityLogger(store: InMemoryParityLogStore(), sampleRate: 0.1)
        var agree = true
        for i in 0..<2_000 {
            let a = logger.offer(requestID: "again-\(i)", record: ParityRecord(entity: "u", servedAt: 0, asOf: 0, featureSetHash: "h", values: [:]))
            let b = other.offer(requestID: "again-\(i)", record: ParityRecord(entity: "u", servedAt: 0, asOf: 0, featureSetHash: "h", values: [:]))
            if a != b && logger.counts.buffered < 500 { agree = false }
        }
        #expect(agree)
        #expect(throws: FeatureParityError.self) { try ParityLogger(store: store, sampleRate: 0) }
    }

    @Test("logged records become the online side of a skew report")
    func recordsToReport() throws {
        let offline = try FeatureTable(columns: [
            ("entity", .categorical(CategoricalColumn(["a", "b"]))), ("as_of", .double(DoubleColumn(values: [10, 10]))), ("x", .double(DoubleColumn(values: [1, 2]))),
        ])
        let records = [
            ParityRecord(entity: "a", servedAt: 20, asOf: 15, featureSetHash: "h", values: ["x": 1]),
            ParityRecord(entity: "b", servedAt: 20, asOf: 15, featureSetHash: "h", values: ["x": 200]),
        ]
        let report = try SkewReport(offline: offline, online: try ParityRecord.table(records, features: ["x"]), key: "entity", timestamp: "as_of")
        #expect(report.features.first?.matchRate == 0.5 && report.skewed)
    }
}
