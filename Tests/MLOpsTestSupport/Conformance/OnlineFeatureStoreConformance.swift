import Foundation
public import FeatureParity
import Testing

/// The behaviour every ``OnlineFeatureStore`` must show: ``checks``, which each implementation's
/// tests pass to a parameterized test.
public enum OnlineFeatureStoreConformance {
    static func uniqueView() -> String { "view-\(UUID().uuidString.prefix(8))" }

    static func row(_ entity: String, _ time: Double, _ value: Double?) -> OnlineRow {
        // A number, a missing number, and a category (text round-trips through every store).
        OnlineRow(entity: entity, featureTime: time, values: ["spend": value.map(FeatureValue.number), "count": 1, "segment": "retail, \"gold\""])
    }

    /// Rows written read back; an older row never replaces a newer one; the state records the run.
    static func writesAndReads(_ store: any OnlineFeatureStore) async throws {
        let view = uniqueView()
        #expect(try await store.state(of: view) == nil)
        let written = try await store.materialize(view: view, rows: [row("a", 100, 1), row("b", 100, nil)], watermark: 150, expectedWatermark: nil, now: 160)
        #expect(written == 2)
        let read = try await store.read(view: view, entities: ["a", "b", "c"])
        #expect(read["a"] == row("a", 100, 1) && read["b"] == row("b", 100, nil) && read["c"] == nil)
        let second = try await store.materialize(view: view, rows: [row("a", 90, 7), row("b", 200, 2)], watermark: 250, expectedWatermark: 150, now: 260)
        #expect(second == 1)
        let after = try await store.read(view: view, entities: ["a", "b"])
        #expect(after["a"]?.featureTime == 100 && after["b"]?.values["spend"] == 2)
        let state = try #require(try await store.state(of: view))
        #expect(state.watermark == 250 && state.latestFeatureTime == 200 && state.rowsWritten == 3 && state.updatedAt == 260)
    }

    /// A run that expects a watermark another run already moved changes nothing.
    static func refusesAMovedWatermark(_ store: any OnlineFeatureStore) async throws {
        let view = uniqueView()
        _ = try await store.materialize(view: view, rows: [row("a", 100, 1)], watermark: 150, expectedWatermark: nil, now: 1)
        do {
            _ = try await store.materialize(view: view, rows: [row("a", 120, 9)], watermark: 200, expectedWatermark: nil, now: 2)
            Issue.record("a stale watermark was accepted")
        } catch let error as FeatureParityError {
            #expect(error.code == .watermarkMoved)
        }
        #expect(try await store.read(view: view, entities: ["a"])["a"]?.values["spend"] == 1)
        #expect(try await store.state(of: view)?.watermark == 150)
    }

    /// Every check, each a test case of its own.
    public static let checks: [ConformanceCheck<any OnlineFeatureStore>] = [
        ConformanceCheck("writes and reads rows; older rows never replace newer ones", writesAndReads),
        ConformanceCheck("refuses a run whose watermark moved, changing nothing", refusesAMovedWatermark),
    ]
}
