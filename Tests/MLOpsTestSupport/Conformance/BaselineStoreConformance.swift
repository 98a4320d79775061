public import DriftStats
import Foundation
import Testing
import TensorCore

/// The behaviour every ``BaselineStore`` must show: ``checks``, which each implementation's
/// tests pass to a parameterized test.
public enum BaselineStoreConformance {
    /// A seeded table of `rows` rows: a normal `amount` and a categorical `country`.
    static func profile(rows: Int, seed: UInt64) throws -> DatasetProfile {
        var random = Xoshiro256StarStar(seed: seed)
        let amounts = (0..<rows).map { _ in random.nextNormal() }
        let countries: [String?] = (0..<rows).map { _ in
            let u = random.nextUniform()
            return u < 0.5 ? "DE" : u < 0.8 ? "FR" : "IT"
        }
        let table = try FeatureTable(columns: [
            ("amount", .double(DoubleColumn(values: amounts))),
            ("country", .categorical(CategoricalColumn(countries))),
        ])
        return try DatasetProfile(profiling: table)
    }

    /// A name no other check uses, so checks can share one PostgreSQL database.
    static func uniqueName() -> String { "fraud-\(UUID().uuidString.prefix(8))" }

    /// Saves are numbered from 1 per name; the latest, any version and the list read them back.
    static func keepsNumberedVersions(_ store: any BaselineStore) async throws {
        let name = uniqueName()
        let saved1 = try await store.save(try profile(rows: 1_000, seed: 1), as: name, note: "training set")
        let saved2 = try await store.save(try profile(rows: 2_000, seed: 2), as: name, note: nil)
        #expect(saved1.version == 1 && saved2.version == 2)
        let latest = try await store.latest(name)
        #expect(latest.version == 2)
        #expect(latest.profile.rowCount == 2_000)
        let old = try await store.baseline(name, version: 1)
        #expect(old.note == "training set")
        #expect(old.profile.rowCount == 1_000)
        #expect(try await store.list().contains { $0.name == name && $0.latestVersion == 2 && $0.rowCount == 2_000 })
    }

    /// Unknown names and versions, and empty names, are typed errors.
    static func refusesUnknownAndInvalid(_ store: any BaselineStore) async throws {
        let name = uniqueName()
        let first = try profile(rows: 100, seed: 3)
        _ = try await store.save(first, as: name, note: nil)
        await expectCode(.baselineNotFound) { _ = try await store.latest("\(name)-missing") }
        await expectCode(.baselineNotFound) { _ = try await store.baseline(name, version: 2) }
        await expectCode(.invalidArgument) { _ = try await store.save(first, as: "", note: nil) }
    }

    /// Concurrent saves of one name get distinct, consecutive versions.
    static func concurrentSavesGetDistinctVersions(_ store: any BaselineStore) async throws {
        let name = uniqueName()
        let first = try profile(rows: 200, seed: 4)
        _ = try await store.save(first, as: name, note: nil)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { try await store.save(first, as: name, note: nil).version } }
            var versions: [Int] = []
            for try await version in group { versions.append(version) }
            #expect(versions.sorted() == [2, 3, 4, 5])
        }
    }

    /// Every check, each a test case of its own: pass them to a parameterized test.
    public static let checks: [ConformanceCheck<any BaselineStore>] = [
        ConformanceCheck("keeps numbered versions with their notes", keepsNumberedVersions),
        ConformanceCheck("refuses unknown names, versions and empty names", refusesUnknownAndInvalid),
        ConformanceCheck("concurrent saves get distinct versions", concurrentSavesGetDistinctVersions),
    ]

    static func expectCode(_ code: DriftError.Code, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected a \(code) error")
        } catch let error as DriftError {
            #expect(error.code == code, "\(error)")
        } catch {
            Issue.record("expected a DriftError \(code), got \(error)")
        }
    }
}
