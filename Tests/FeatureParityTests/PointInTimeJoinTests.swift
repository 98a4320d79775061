import FeatureParity
import Foundation
import Testing
import TensorCore

/// Tests/FeatureParityTests/Fixtures/join.json, written by Scripts/fixtures/make_feature_join_fixtures.py.
struct JoinFixture: Decodable, Sendable, CustomStringConvertible {
    struct Events: Decodable, Sendable { let entity: [String]; let time: [String] }
    struct Features: Decodable, Sendable { let entity: [String]; let time: [String]; let value: [Double?]; let segment: [String] }
    struct Expected: Decodable, Sendable { let value: [Double?]; let segment: [String?] }
    let name: String
    let ttl_seconds: Int
    let events: Events
    let features: Features
    let expected: Expected
    var description: String { name }

    static let all: [JoinFixture] = {
        struct File: Decodable { let cases: [JoinFixture] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/join.json")
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return file.cases
    }()
}

@Suite("Point-in-time joins")
struct PointInTimeJoinTests {
    @Test("the fixtures are present")
    func fixtures() { #expect(JoinFixture.all.count == 2) }

    @Test("the join equals pandas merge_asof (backward, exact matches, TTL inclusive), row by row", arguments: JoinFixture.all)
    func matchesPandas(_ fixture: JoinFixture) throws {
        let events = try FeatureTable(columns: [
            ("entity", .categorical(CategoricalColumn(fixture.events.entity))), ("event_time", .categorical(CategoricalColumn(fixture.events.time))),
        ])
        let features = try FeatureTable(columns: [
            ("entity", .categorical(CategoricalColumn(fixture.features.entity))), ("t", .categorical(CategoricalColumn(fixture.features.time))),
            ("value", .double(DoubleColumn(fixture.features.value))), ("segment", .categorical(CategoricalColumn(fixture.features.segment))),
        ])
        let join = PointInTimeJoin(key: "entity", eventTime: "event_time", featureTime: "t", ttl: try TimeToLive(microseconds: Int64(fixture.ttl_seconds) * 1_000_000))
        let (table, report) = try join.join(events: events, features: features)
        #expect(table.rowCount == fixture.events.entity.count)
        #expect(table.columnNames == ["entity", "event_time", "value", "segment"])
        let value = try table.doubleColumn(named: "value")
        let segment = try table.categoricalColumn(named: "segment")
        for row in 0..<table.rowCount {
            #expect(value[row] == fixture.expected.value[row], "row \(row)")
            #expect(segment[row] == fixture.expected.segment[row], "row \(row)")
        }
        #expect(report.events == fixture.events.entity.count)
        #expect(report.matchedEvents == fixture.expected.segment.filter { $0 != nil }.count)
        #expect(report.duplicateFeatureRows > 0)
        #expect(report.eventsWithoutEntity > 0)
        #expect(report.features.first { $0.name == "value" }?.missing == fixture.expected.value.filter { $0 == nil }.count)
    }

    static func table(_ columns: [(String, Column)]) throws -> FeatureTable { try FeatureTable(columns: columns) }

    @Test("a row created after the event stays hidden from it (backfills never leak into the past)")
    func createdTime() throws {
        let events = try Self.table([("k", .categorical(CategoricalColumn(["a", "a"]))), ("t", .double(DoubleColumn(values: [100, 300])))])
        let features = try Self.table([
            ("k", .categorical(CategoricalColumn(["a", "a"]))), ("ft", .double(DoubleColumn(values: [50, 90]))),
            ("created", .double(DoubleColumn(values: [50, 250]))), ("v", .double(DoubleColumn(values: [1, 2]))),
        ])
        let plain = try PointInTimeJoin(key: "k", eventTime: "t", featureTime: "ft").join(events: events, features: features)
        #expect(Array(try plain.table.doubleColumn(named: "v")) == [2, 2])
        let (table, report) = try PointInTimeJoin(key: "k", eventTime: "t", featureTime: "ft", createdTime: "created").join(events: events, features: features)
        // At t = 100 the row for 90 was not written yet (created 250): the one for 50 is used.
        #expect(Array(try table.doubleColumn(named: "v")) == [1, 2])
        #expect(report.backfilledRowsSkipped == 1)
        #expect(table.columnNames == ["k", "t", "v"])
    }

    @Test("unsorted feature rows, same-time duplicates (the later row wins), clashing names, missing keys and times are handled and counted")
    func edgeCases() throws {
        let events = try Self.table([
            ("k", .categorical(CategoricalColumn(["a", "b", nil, "a", "zz"]))), ("t", .double(DoubleColumn([10, 10, 10, nil, 10]))),
            ("v", .double(DoubleColumn(values: [7, 7, 7, 7, 7]))),
        ])
        let features = try Self.table([
            ("k", .categorical(CategoricalColumn(["a", "a", "a", "b", nil]))), ("ft", .double(DoubleColumn([9, 5, 9, 11, 1]))),
            ("v", .double(DoubleColumn(values: [1, 2, 3, 4, 5]))),
        ])
        let (table, report) = try PointInTimeJoin(key: "k", eventTime: "t", featureTime: "ft").join(events: events, features: features)
        #expect(table.columnNames == ["k", "t", "v", "v_feature"])
        #expect(Array(try table.doubleColumn(named: "v_feature")) == [3, nil, nil, nil, nil])
        #expect(report.duplicateFeatureRows == 1)
        #expect(report.eventsWithoutKey == 1 && report.eventsWithoutTime == 1 && report.eventsWithoutEntity == 1)
        #expect(report.eventsWithoutEarlierValue == 1)  // b's only row is at 11, after 10
        #expect(report.featureRowsWithoutKeyOrTime == 1)
    }

    @Test("a key that is also a time column is refused, in memory and from files, naming the column")
    func keyIsNotATime() throws {
        let table = try Self.table([("k", .categorical(CategoricalColumn(["a"]))), ("t", .double(DoubleColumn(values: [1])))])
        for join in [
            PointInTimeJoin(key: "k", eventTime: "k", featureTime: "t"), PointInTimeJoin(key: "k", eventTime: "t", featureTime: "k"),
            PointInTimeJoin(key: "k", eventTime: "t", featureTime: "t", createdTime: "k"),
        ] {
            #expect { _ = try join.join(events: table, features: table) } throws: { error in
                (error as? FeatureParityError)?.code == .invalidArgument && "\(error)".contains("The key column 'k' is also the")
            }
            // From files, before any read: the readers' schemas name the key and the times.
            #expect { _ = try join.joinFiles(events: "/nonexistent/e.csv", features: "/nonexistent/f.csv", output: "/tmp/never.csv", partitions: 2) } throws: { error in
                (error as? FeatureParityError)?.code == .invalidArgument
            }
        }
    }

    @Test("each empty event counts under one reason: no key, else no time, else an unseen entity")
    func oneReasonPerEvent() throws {
        // No key and no time; an unseen entity without a time; an unseen entity with a time.
        let events = try Self.table([
            ("k", .categorical(CategoricalColumn([nil, "zz", "zz", "a"]))), ("t", .double(DoubleColumn([nil, nil, 10, 10]))),
        ])
        let features = try Self.table([("k", .categorical(CategoricalColumn(["a"]))), ("ft", .double(DoubleColumn([1]))), ("v", .double(DoubleColumn([5])))])
        let (_, report) = try PointInTimeJoin(key: "k", eventTime: "t", featureTime: "ft").join(events: events, features: features)
        #expect(report.eventsWithoutKey == 1 && report.eventsWithoutTime == 1 && report.eventsWithoutEntity == 1)
        #expect(report.matchedEvents == 1)
        #expect(report.eventsWithoutKey + report.eventsWithoutTime + report.eventsWithoutEntity + report.matchedEvents == report.events)
    }

    @Test("a NaN feature value counts as missing, as pandas reads it")
    func nanIsMissing() throws {
        let events = try Self.table([("k", .categorical(CategoricalColumn(["a", "b"]))), ("t", .double(DoubleColumn(values: [10, 10])))])
        let features = try Self.table([
            ("k", .categorical(CategoricalColumn(["a", "b"]))), ("ft", .double(DoubleColumn(values: [1, 1]))), ("v", .double(DoubleColumn(values: [.nan, 2]))),
        ])
        let (_, report) = try PointInTimeJoin(key: "k", eventTime: "t", featureTime: "ft").join(events: events, features: features)
        #expect(report.features.first?.missing == 1)
    }

    @Test("a composed and a decomposed key are one entity, whichever spelling the feature rows use first, in memory and partitioned", arguments: [false, true])
    func canonicallyEquivalentKeys(swapped: Bool) throws {
        // The reader's dictionary tells the two byte sequences apart; the join must not.
        let (decomposed, composed) = ("cafe\u{301}", "caf\u{E9}")
        var rows = ["\(decomposed),1,1", "\(composed),3,2"]
        if swapped { rows.reverse() }
        let folder = NSTemporaryDirectory() + "mlops-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try ("k,ft,v\n" + rows.joined(separator: "\n") + "\n").write(toFile: folder + "/f.csv", atomically: true, encoding: .utf8)
        try "k,t\n\(decomposed),2\n\(composed),4\n".write(toFile: folder + "/e.csv", atomically: true, encoding: .utf8)
        for partitions in [1, 2] {
            let report = try PointInTimeJoin(key: "k", eventTime: "t", featureTime: "ft")
                .joinFiles(events: folder + "/e.csv", features: folder + "/f.csv", output: folder + "/out.csv", partitions: partitions)
            let output = try String(contentsOfFile: folder + "/out.csv", encoding: .utf8)
            #expect(output.split(separator: "\n").map { $0.split(separator: ",").last.map(String.init) ?? "" } == ["v", "1", "2"], "\(partitions): \(output)")
            #expect(report.entities == 1 && report.matchedEvents == 2, "\(partitions)")
        }
    }

    @Test("TTLs parse from 2d, 36h, 90m, 45s, 1w and sums; bad text is refused")
    func ttl() throws {
        #expect(try TimeToLive(parsing: "2d").microseconds == 172_800_000_000)
        #expect(try TimeToLive(parsing: "36h").microseconds == 129_600_000_000)
        #expect(try TimeToLive(parsing: "90m").microseconds == 5_400_000_000)
        #expect(try TimeToLive(parsing: "1d12h").description == "36h")
        #expect(try TimeToLive(parsing: "1w").description == "1w")
        #expect(try TimeToLive(parsing: "1.5h").microseconds == 5_400_000_000)
        for bad in ["", "2", "d", "2x", "-1d", "1e30d", "2 d"] {
            #expect(throws: FeatureParityError.self, "\(bad)") { try TimeToLive(parsing: bad) }
        }
    }

    @Test("missing columns and unreadable times are typed errors that name them")
    func badInput() throws {
        let events = try Self.table([("k", .categorical(CategoricalColumn(["a"]))), ("t", .categorical(CategoricalColumn(["yesterday"])))])
        let features = try Self.table([("k", .categorical(CategoricalColumn(["a"]))), ("ft", .double(DoubleColumn(values: [1])))])
        do {
            _ = try PointInTimeJoin(key: "k", eventTime: "t", featureTime: "ft").join(events: events, features: features)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidTime && error.description.contains("yesterday") && error.location == "row 1")
        }
        do {
            _ = try PointInTimeJoin(key: "id", eventTime: "t", featureTime: "ft").join(events: events, features: features)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .missingColumn && error.location == "id")
        }
    }
}
