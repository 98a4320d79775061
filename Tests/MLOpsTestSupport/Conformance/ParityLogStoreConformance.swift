import Foundation
public import FeatureParity
import Testing

/// The behaviour every ``ParityLogStore`` must show: ``checks``, which each implementation's
/// tests pass to a parameterized test.
public enum ParityLogStoreConformance {
    /// A hash no other check uses, so checks can share one PostgreSQL database.
    static func uniqueHash() -> String { "set-\(UUID().uuidString)" }

    static func record(_ i: Int, hash: String, servedAt: Double? = nil) -> ParityRecord {
        ParityRecord(
            entity: "user-\(i % 7)", servedAt: servedAt ?? Double(1_000 + i), asOf: Double(990 + i), featureSetHash: hash,
            values: ["spend": .number(Double(i) * 1.5), "count": i % 3 == 0 ? nil : .number(Double(i)), "band": i % 2 == 0 ? "low" : "ünïcode high"])
    }

    /// Appended records read back whole, oldest first, filtered by set and time, limited.
    static func appendsAndReads(_ store: any ParityLogStore) async throws {
        let hash = uniqueHash(), other = uniqueHash()
        let before = try await store.count()
        try await store.append((0..<20).map { record($0, hash: hash) } + [record(99, hash: other)])
        try await store.append([])
        // At least: the other checks share a PostgreSQL database and may append meanwhile (a
        // parallel run failed on an exact count).
        #expect(try await store.count() >= before + 21)
        let read = try await store.records(featureSetHash: hash, since: 0, limit: 1_000)
        #expect(read == (0..<20).map { record($0, hash: hash) })
        #expect(try await store.records(featureSetHash: hash, since: 1_010, limit: 1_000).count == 10)
        #expect(try await store.records(featureSetHash: hash, since: 0, limit: 5).map(\.servedAt) == [1_000, 1_001, 1_002, 1_003, 1_004])
        #expect(try await store.records(featureSetHash: other, since: 0, limit: 10).count == 1)
    }

    /// Records appended by concurrent writers are all kept.
    static func concurrentAppends(_ store: any ParityLogStore) async throws {
        let hash = uniqueHash()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask { try await store.append((0..<50).map { record(writer * 50 + $0, hash: hash) }) }
            }
            try await group.waitForAll()
        }
        #expect(try await store.records(featureSetHash: hash, since: 0, limit: 1_000).count == 200)
    }

    /// Every check, each a test case of its own.
    public static let checks: [ConformanceCheck<any ParityLogStore>] = [
        ConformanceCheck("appends and reads records back, filtered and limited", appendsAndReads),
        ConformanceCheck("keeps every record of concurrent writers", concurrentAppends),
    ]
}
