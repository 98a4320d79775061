import FeatureParity
import Foundation
import MLOpsTestSupport
import Testing
import TensorCore

/// Joins of files, in memory and split into partitions by entity: the partitioned join must give
/// the in-memory join's output byte for byte and its report count for count.
@Suite("Point-in-time joins of files, in memory and partitioned")
struct PartitionedJoinTests {
    /// A generated events file and features file with everything that can go wrong: unsorted
    /// rows, same-time duplicates, missing keys and times, ISO times in several zones mixed with
    /// epoch seconds, backfilled rows, text with commas, quotes and line breaks, NaN and missing
    /// numbers, and events of entities the features never saw.
    static func write(seed: UInt64, events eventCount: Int, features featureCount: Int, entities: Int, in folder: TemporaryFolder, jsonLines: Bool = false) throws -> (events: String, features: String) {
        var random = Xoshiro256StarStar(seed: seed)
        func time(_ seconds: Int) -> String {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return String(seconds)
            case 1: return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(seconds)))
            case 2:
                let formatter = ISO8601DateFormatter()
                formatter.timeZone = TimeZone(secondsFromGMT: 5 * 3600 + 1800)
                return formatter.string(from: Date(timeIntervalSince1970: Double(seconds)))
            default: return String(seconds) + ".5"
            }
        }
        func entity() -> String? { Int.random(in: 0..<50, using: &random) == 0 ? nil : "e\(Int.random(in: 0..<entities, using: &random))" }
        let texts = ["plain", "with, comma", "say \"hi\"", "two\nlines", " padded ", "ünïcode"]
        var eventRows: [[String: String?]] = []
        for _ in 0..<eventCount {
            let t = 1_700_000_000 + Int.random(in: 0..<2_000_000, using: &random)
            eventRows.append(["id": entity(), "ts": Int.random(in: 0..<100, using: &random) == 0 ? nil : time(t), "label": String(Int.random(in: 0..<2, using: &random)), "note": texts[Int.random(in: 0..<texts.count, using: &random)]])
        }
        var featureRows: [[String: String?]] = []
        for _ in 0..<featureCount {
            let t = 1_700_000_000 + Int.random(in: 0..<2_000_000, using: &random) / 3600 * 3600  // hours: same-time duplicates
            let created = t + (Int.random(in: 0..<10, using: &random) == 0 ? 500_000 : 0)  // some backfilled later
            let value: String? = switch Int.random(in: 0..<20, using: &random) {
            case 0: nil
            case 1: "NaN"
            default: String(Double(Int.random(in: -10_000..<10_000, using: &random)) / 8)
            }
            featureRows.append([
                "id": entity(), "ft": Int.random(in: 0..<200, using: &random) == 0 ? nil : time(t), "created": String(created),
                "amount": value, "segment": texts[Int.random(in: 0..<texts.count, using: &random)], "label": String(Int.random(in: 0..<3, using: &random)),
            ])
        }
        let eventColumns = ["id", "ts", "label", "note"], featureColumns = ["id", "ft", "created", "amount", "segment", "label"]
        func render(_ rows: [[String: String?]], _ columns: [String]) -> String {
            if jsonLines {
                return rows.map { row in
                    "{" + columns.map { name in
                        let value = row[name] ?? nil
                        guard let value else { return "\"\(name)\":null" }
                        if name == "amount", value != "NaN" { return "\"\(name)\":\(value)" }
                        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
                        return "\"\(name)\":\"\(escaped)\""
                    }.joined(separator: ",") + "}\n"
                }.joined()
            }
            return columns.joined(separator: ",") + "\n" + rows.map { row in
                columns.map { name in (row[name] ?? nil).map(TableWriter.csvField) ?? "" }.joined(separator: ",") + "\n"
            }.joined()
        }
        let suffix = jsonLines ? "jsonl" : "csv"
        let events = folder.file("events-\(seed).\(suffix)"), features = folder.file("features-\(seed).\(suffix)")
        try render(eventRows, eventColumns).write(toFile: events, atomically: true, encoding: .utf8)
        try render(featureRows, featureColumns).write(toFile: features, atomically: true, encoding: .utf8)
        return (events, features)
    }

    static func contents(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test("partitioned joins write the in-memory join's bytes and report its counts, for CSV and JSON Lines", arguments: [false, true])
    func partitionedEqualsInMemory(jsonLines: Bool) throws {
        try withTemporaryFolder { folder in
            for seed: UInt64 in [1, 2, 3] {
                let (events, features) = try Self.write(seed: seed, events: 3_000, features: 9_000, entities: 400, in: folder, jsonLines: jsonLines)
                for createdTime in [nil, "created"] {
                    let join = PointInTimeJoin(key: "id", eventTime: "ts", featureTime: "ft", createdTime: createdTime, ttl: try TimeToLive(parsing: "3d"))
                    let suffix = jsonLines ? "jsonl" : "csv"
                    let whole = folder.file("whole.\(suffix)")
                    let expected = try join.joinFiles(events: events, features: features, output: whole)
                    #expect(expected.events == 3_000)
                    #expect(expected.matchedEvents > 500 && expected.matchedEvents < 3_000, "\(expected)")
                    #expect(expected.eventsWithoutKey > 0, "\(expected)")
                    #expect(expected.duplicateFeatureRows > 0, "\(expected)")
                    #expect(expected.eventsWithoutTime > 0, "\(expected)")
                    if createdTime != nil { #expect(expected.backfilledRowsSkipped > 0) }
                    let wholeBytes = try Self.contents(whole)
                    for partitions in [2, 3, 7, 64] {
                        let parted = folder.file("parted-\(partitions).\(suffix)")
                        let report = try join.joinFiles(events: events, features: features, output: parted, partitions: partitions)
                        #expect(report == expected, "seed \(seed), \(partitions) partitions")
                        #expect(try Self.contents(parted) == wholeBytes, "seed \(seed), \(partitions) partitions, created \(createdTime ?? "-")")
                    }
                }
            }
            // Nothing is left behind but the inputs and outputs.
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".mlops-join") || $0.contains(".partial-") }
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }

    @Test("an event time column whose forms change after the first rows is read as times, the same way in partitions")
    func lateMixedTimes() throws {
        try withTemporaryFolder { folder in
            var events = "id,ts\n"
            for i in 0..<1_500 { events += "e\(i % 40),\(1_700_000_000 + i * 60)\n" }
            for i in 0..<20 { events += "e\(i),2023-11-15T00:\(String(format: "%02d", i)):00+01:00\n" }
            var features = "id,ft,x\n"
            for i in 0..<400 { features += "e\(i % 40),\(1_699_990_000 + i * 300),\(i)\n" }
            try events.write(toFile: folder.file("e.csv"), atomically: true, encoding: .utf8)
            try features.write(toFile: folder.file("f.csv"), atomically: true, encoding: .utf8)
            let join = PointInTimeJoin(key: "id", eventTime: "ts", featureTime: "ft", ttl: try TimeToLive(parsing: "1d"))
            let whole = try join.joinFiles(events: folder.file("e.csv"), features: folder.file("f.csv"), output: folder.file("w.csv"))
            let parted = try join.joinFiles(events: folder.file("e.csv"), features: folder.file("f.csv"), output: folder.file("p.csv"), partitions: 5)
            #expect(whole == parted)
            #expect(whole.eventTimeFormats.iso8601 == 1_520)  // forced to times: every value counts as a time
            #expect(try Self.contents(folder.file("w.csv")) == Self.contents(folder.file("p.csv")))
        }
    }

    @Test("a key spelled NA, null or N/A is an entity, not a missing key, in CSV and JSON Lines, in memory and in partitions; JSON strings such as \"NA\" stay text")
    func markerSpelledKeys() throws {
        try withTemporaryFolder { folder in
            try "id,ts,note\nNA,100,NA\nnull,100,x\n,100,y\nN/A,100,z\n".write(toFile: folder.file("e.csv"), atomically: true, encoding: .utf8)
            try "id,ft,v\nNA,50,1\nnull,50,2\nN/A,50,3\n".write(toFile: folder.file("f.csv"), atomically: true, encoding: .utf8)
            try """
                {"id":"NA","ts":100,"country":"NA"}
                {"id":"null","ts":100,"country":"null"}
                {"id":null,"ts":100,"country":null}

                """.write(toFile: folder.file("e.jsonl"), atomically: true, encoding: .utf8)
            try """
                {"id":"NA","ft":50,"region":"NA"}
                {"id":"null","ft":50,"region":"N/A"}

                """.write(toFile: folder.file("f.jsonl"), atomically: true, encoding: .utf8)
            let join = PointInTimeJoin(key: "id", eventTime: "ts", featureTime: "ft")
            for partitions in [1, 3] {
                let csv = try join.joinFiles(events: folder.file("e.csv"), features: folder.file("f.csv"), output: folder.file("o\(partitions).csv"), partitions: partitions)
                #expect(csv.matchedEvents == 3 && csv.eventsWithoutKey == 1, "\(csv)")
                // The key is written as it was read; the other text column keeps the CSV markers.
                #expect(try String(contentsOfFile: folder.file("o\(partitions).csv"), encoding: .utf8) == "id,ts,note,v\nNA,100,,1\nnull,100,x,2\n,100,y,\nN/A,100,z,3\n")
                let json = try join.joinFiles(events: folder.file("e.jsonl"), features: folder.file("f.jsonl"), output: folder.file("o\(partitions).jsonl"), partitions: partitions)
                #expect(json.matchedEvents == 2 && json.eventsWithoutKey == 1, "\(json)")
                #expect(try String(contentsOfFile: folder.file("o\(partitions).jsonl"), encoding: .utf8) == """
                    {"id":"NA","ts":100,"country":"NA","region":"NA"}
                    {"id":"null","ts":100,"country":"null","region":"N/A"}
                    {"id":null,"ts":100,"country":null,"region":null}

                    """)
            }
        }
    }

    @Test("empty inputs and outputs: a header-only events file gives a header-only training set; no feature rows leave every event empty")
    func emptyInputs() throws {
        try withTemporaryFolder { folder in
            try "id,ts,y\n".write(toFile: folder.file("none.csv"), atomically: true, encoding: .utf8)
            try "id,ts,y\na,10,1\nb,20,0\n".write(toFile: folder.file("e.csv"), atomically: true, encoding: .utf8)
            try "id,ft,x\n".write(toFile: folder.file("nofeatures.csv"), atomically: true, encoding: .utf8)
            try "id,ft,x\na,5,1.5\n".write(toFile: folder.file("f.csv"), atomically: true, encoding: .utf8)
            let join = PointInTimeJoin(key: "id", eventTime: "ts", featureTime: "ft")
            for partitions in [1, 4] {
                let out = folder.file("out-\(partitions).csv")
                let report = try join.joinFiles(events: folder.file("none.csv"), features: folder.file("f.csv"), output: out, partitions: partitions)
                #expect(report.events == 0)
                #expect(try String(contentsOfFile: out, encoding: .utf8) == "id,ts,y,x\n")
                let empty = try join.joinFiles(events: folder.file("e.csv"), features: folder.file("nofeatures.csv"), output: out, partitions: partitions)
                #expect(empty.matchedEvents == 0 && empty.eventsWithoutEntity == 2)
                #expect(try String(contentsOfFile: out, encoding: .utf8) == "id,ts,y,x\na,10,1,\nb,20,0,\n")
            }
        }
    }

    /// A join killed with kill -9 leaves its spill folder: the next partitioned join in that
    /// place removes it, and never a folder a running join holds.
    @Test("a partitioned join removes spill folders killed joins left (lock free for a while, or no lock and an hour old) and keeps those in use")
    func abandonedSpillFolders() throws {
        try withTemporaryFolder { folder in
            try "id,ts,y\na,10,1\n".write(toFile: folder.file("e.csv"), atomically: true, encoding: .utf8)
            try "id,ft,x\na,5,1.5\n".write(toFile: folder.file("f.csv"), atomically: true, encoding: .utf8)
            let manager = FileManager.default
            func spill(_ name: String, lock: Bool) throws -> String {
                let path = folder.file(".mlops-join-\(name)")
                try manager.createDirectory(atPath: path, withIntermediateDirectories: false)
                try "a,1\n".write(toFile: path + "/events-0.csv", atomically: true, encoding: .utf8)
                if lock { #expect(manager.createFile(atPath: path + "/lock", contents: nil)) }
                return path
            }
            let dead = try spill("dead", lock: true)
            let live = try spill("live", lock: true)
            let oldUnlocked = try spill("old", lock: false)
            let newUnlocked = try spill("new", lock: false)
            let freshlyLocked = try spill("fresh", lock: true)
            try manager.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: oldUnlocked)
            // Free locks a minute old; the fresh one may belong to a join between creating and locking it.
            for folder in [dead, live] { try manager.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: folder + "/lock") }
            // This process holds the live folder's lock, as the join that made it would.
            let held = open(live + "/lock", O_RDWR)
            #expect(held >= 0 && flock(held, LOCK_EX | LOCK_NB) == 0)
            defer { close(held) }

            let join = PointInTimeJoin(key: "id", eventTime: "ts", featureTime: "ft")
            _ = try join.joinFiles(events: folder.file("e.csv"), features: folder.file("f.csv"), output: folder.file("out.csv"), partitions: 2, spillFolder: folder.path)
            #expect(!manager.fileExists(atPath: dead))
            #expect(!manager.fileExists(atPath: oldUnlocked))
            #expect(manager.fileExists(atPath: live + "/events-0.csv"))
            #expect(manager.fileExists(atPath: newUnlocked + "/events-0.csv"))
            let left = try manager.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".mlops-join-") }.sorted()
            #expect(left == [".mlops-join-fresh", ".mlops-join-live", ".mlops-join-new"])
            _ = freshlyLocked
        }
    }

    @Test("bad settings and inputs are typed errors, and a refused join leaves no output and no spill folder")
    func badInput() throws {
        try withTemporaryFolder { folder in
            try "id,ts\na,10\n".write(toFile: folder.file("e.csv"), atomically: true, encoding: .utf8)
            try "id,ft,x\na,5,1\n".write(toFile: folder.file("f.csv"), atomically: true, encoding: .utf8)
            try "id,ft,x\na,5,1\nb,yesterday,2\n".write(toFile: folder.file("badtime.csv"), atomically: true, encoding: .utf8)
            let join = PointInTimeJoin(key: "id", eventTime: "ts", featureTime: "ft")
            let out = folder.file("out.csv")
            let cases: [(() throws -> JoinReport, FeatureParityError.Code)] = [
                ({ try join.joinFiles(events: folder.file("e.csv"), features: folder.file("f.csv"), output: out, partitions: 0) }, .invalidArgument),
                ({ try join.joinFiles(events: folder.file("e.csv"), features: folder.file("f.csv"), output: out, partitions: 513) }, .invalidArgument),
                ({ try join.joinFiles(events: folder.file("nope.csv"), features: folder.file("f.csv"), output: out, partitions: 3) }, .fileError),
                ({ try PointInTimeJoin(key: "user", eventTime: "ts", featureTime: "ft").joinFiles(events: folder.file("e.csv"), features: folder.file("f.csv"), output: out, partitions: 3) }, .missingColumn),
                ({ try join.joinFiles(events: folder.file("e.csv"), features: folder.file("badtime.csv"), output: out, partitions: 3) }, .invalidTime),
                ({ try join.joinFiles(events: folder.file("e.csv"), features: folder.file("f.csv"), output: folder.file("no/such/out.csv"), partitions: 3) }, .fileError),
            ]
            for (index, (attempt, code)) in cases.enumerated() {
                do {
                    _ = try attempt()
                    Issue.record("case \(index) was accepted")
                } catch let error as FeatureParityError {
                    #expect(error.code == code, "case \(index): \(error)")
                }
            }
            #expect(!FileManager.default.fileExists(atPath: out))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".mlops-join") || $0.contains(".partial-") }
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }

    @Test("partitioned and in-memory joins agree on canonically equivalent keys, name the same bad row, and refuse what a spill cannot carry")
    func reviewEdges() throws {
        try withTemporaryFolder { folder in
            let join = PointInTimeJoin(key: "id", eventTime: "ts", featureTime: "ft", ttl: try TimeToLive(parsing: "1d"))
            // A composed "é" in the events, a decomposed one in the features: one entity to Swift.
            var events = "id,ts\n", features = "id,ft,x\n"
            for i in 0..<200 {
                events += "caf\u{E9}\(i),\(1_000 + i)\n"
                features += "cafe\u{301}\(i),\(900 + i),\(i)\n"
            }
            try events.write(toFile: folder.file("e.csv"), atomically: true, encoding: .utf8)
            try features.write(toFile: folder.file("f.csv"), atomically: true, encoding: .utf8)
            let whole = try join.joinFiles(events: folder.file("e.csv"), features: folder.file("f.csv"), output: folder.file("w.csv"))
            let parted = try join.joinFiles(events: folder.file("e.csv"), features: folder.file("f.csv"), output: folder.file("p.csv"), partitions: 8)
            #expect(whole.matchedEvents == 200 && parted == whole)
            #expect(try Self.contents(folder.file("w.csv")) == Self.contents(folder.file("p.csv")))

            // A bad time deep in the file: both name the file's row, with the same code.
            var late = "id,ft,x\n"
            for i in 0..<150_000 { late += "k\(i % 977),\(i == 140_321 ? "1732523400000" : String(1_000 + i)),1\n" }
            try late.write(toFile: folder.file("late.csv"), atomically: true, encoding: .utf8)
            var messages: [String] = []
            for partitions in [1, 6] {
                do {
                    _ = try join.joinFiles(events: folder.file("e.csv"), features: folder.file("late.csv"), output: folder.file("x.csv"), partitions: partitions)
                    Issue.record("epoch milliseconds were accepted as seconds (\(partitions) partitions)")
                } catch let error as FeatureParityError {
                    #expect(error.code == .invalidTime && error.location == "\(folder.file("late.csv")): row 140322", "\(partitions): \(error)")
                    messages.append(error.description)
                }
            }
            #expect(messages.count == 2 && messages[0] == messages[1])

            // JSON Lines with an empty key name: carried in memory, refused by a partitioned join.
            try #"{"id":"a","ts":10,"":1}"#.appending("\n").write(toFile: folder.file("e.jsonl"), atomically: true, encoding: .utf8)
            try #"{"id":"a","ft":5,"x":2}"#.appending("\n").write(toFile: folder.file("f.jsonl"), atomically: true, encoding: .utf8)
            do {
                _ = try join.joinFiles(events: folder.file("e.jsonl"), features: folder.file("f.jsonl"), output: folder.file("o.jsonl"), partitions: 3)
                Issue.record("an empty column name went through a partitioned join")
            } catch let error as FeatureParityError {
                #expect(error.code == .invalidArgument)
            }
        }
    }

    @Test("the partition count grows with the inputs past a third of the memory limit, within 1...512")
    func partitionCount() {
        #expect(PointInTimeJoin.partitionCount(inputBytes: 100, memoryLimit: 1_000) == 1)
        #expect(PointInTimeJoin.partitionCount(inputBytes: 1_000, memoryLimit: 1_000) == 3)
        #expect(PointInTimeJoin.partitionCount(inputBytes: 10_000_000, memoryLimit: 1_000) == 512)
        #expect(PointInTimeJoin.partitionCount(inputBytes: 0, memoryLimit: 0) == 1)
    }
}
