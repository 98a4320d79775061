import Foundation
import MLOpsCommands
import MLOpsTestSupport
import Testing

@Suite("mlops features")
struct FeaturesCommandTests {
    static let events = """
        user,ts,label
        u1,2026-12-01T10:00:00Z,1
        u2,2026-12-01T10:00:00+02:00,0
        u1,1764590400,0
        u9,2026-12-03T00:00:00Z,1
        u1,2026-12-09T00:00:00Z,1
        """
    static let features = """
        user,feature_ts,spend_7d,segment
        u1,2026-11-30T10:00:00Z,12.5,retail
        u1,2026-12-01T10:00:00Z,20,premium
        u2,2026-12-01T07:00:00Z,3,"business, large"
        u1,2026-12-01T12:00:00Z,99,retail
        """

    @Test("join keeps every event row in order, takes the latest value at or before it within the TTL, and reports why others are empty")
    func join() async throws {
        try await withTemporaryFolder { folder in
            try write(Self.events + "\n", to: folder.file("events.csv"))
            try write(Self.features + "\n", to: folder.file("features.csv"))
            let result = await mlops(
                "features", "join", "--events", folder.file("events.csv"), "--features", folder.file("features.csv"), "--key", "user",
                "--event-time", "ts", "--feature-time", "feature_ts", "--ttl", "2d", "--output", folder.file("train.csv"), "--format", "json")
            #expect(result.exitCode == 0, "\(result.transcript)")
            let lines = try String(contentsOfFile: folder.file("train.csv"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines[0] == "user,ts,label,spend_7d,segment")
            #expect(lines[1] == "u1,2026-12-01T10:00:00Z,1,20,premium")  // exact time matches
            // The event times are written as the file had them (mixed forms stay text).
            #expect(lines[2] == "u2,2026-12-01T10:00:00+02:00,0,3,\"business, large\"")  // 08:00 UTC, after 07:00
            #expect(lines[3] == "u1,1764590400,0,,")  // epoch seconds: a year earlier, before every row
            #expect(lines[4] == "u9,2026-12-03T00:00:00Z,1,,")  // unseen entity
            #expect(lines[5] == "u1,2026-12-09T00:00:00Z,1,,")  // latest row is 7 days old: beyond the TTL
            let json = result.json
            #expect(json["matched_events"] as? Int == 2)
            #expect(json["events_without_entity"] as? Int == 1)
            #expect(json["events_outside_ttl"] as? Int == 1)
            #expect(json["events_without_earlier_value"] as? Int == 1)
            #expect((json["event_time_formats"] as? [String: Any])?["iso8601"] as? Int == 4)
            #expect((json["event_time_formats"] as? [String: Any])?["epoch_seconds"] as? Int == 1)

            // Split by entity (by count, or by a memory limit far below the inputs): the same file and report.
            let whole = try String(contentsOfFile: folder.file("train.csv"), encoding: .utf8)
            try FileManager.default.createDirectory(atPath: folder.file("spill"), withIntermediateDirectories: false)
            for flags in [["--partitions", "3"], ["--memory-limit", "100"], ["--partitions", "2", "--spill-folder", folder.file("spill")]] {
                let parted = await mlops(
                    ["features", "join", "--events", folder.file("events.csv"), "--features", folder.file("features.csv"), "--key", "user",
                     "--event-time", "ts", "--feature-time", "feature_ts", "--ttl", "2d", "--output", folder.file("parted.csv"), "--format", "json"] + flags)
                #expect(parted.exitCode == 0, "\(flags): \(parted.transcript)")
                #expect(try String(contentsOfFile: folder.file("parted.csv"), encoding: .utf8) == whole, "\(flags)")
                #expect(parted.json["matched_events"] as? Int == 2 && parted.json["events_outside_ttl"] as? Int == 1, "\(flags)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".mlops-join") }.isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("spill")).isEmpty)
        }
    }

    @Test("feature times in both forms are counted per form, and equal texts on both sides are equal times, in memory and partitioned")
    func featureTimeForms() async throws {
        try await withTemporaryFolder { folder in
            try write("k,ft,v\nA,1704067200.0000015,1\nA,2024-01-02T00:00:00Z,2\nB,1704067200,3\n", to: folder.file("f.csv"))
            try write("k,et\nA,1704067200.0000015\nA,1704153600\nB,2024-01-01T00:00:00Z\n", to: folder.file("e.csv"))
            for flags in [["--partitions", "1"], ["--partitions", "2"]] {
                let result = await mlops(
                    ["features", "join", "--events", folder.file("e.csv"), "--features", folder.file("f.csv"), "--key", "k", "--event-time", "et",
                     "--feature-time", "ft", "--ttl", "1000d", "--output", folder.file("out.csv"), "--format", "json"] + flags)
                #expect(result.exitCode == 0, "\(flags): \(result.transcript)")
                let formats = result.json["feature_time_formats"] as? [String: Any]
                #expect(formats?["epoch_seconds"] as? Int == 2 && formats?["iso8601"] as? Int == 1, "\(flags): \(result.json)")
                #expect(result.json["matched_events"] as? Int == 3, "\(flags)")
                let lines = try String(contentsOfFile: folder.file("out.csv"), encoding: .utf8).split(separator: "\n")
                #expect(lines.map { $0.split(separator: ",").last.map(String.init) ?? "" }.dropFirst() == ["1", "2", "3"], "\(flags): \(lines)")
            }
        }
    }

    @Test("64-bit ids passed through keep every digit, as pandas' int64 keeps them, in memory and partitioned")
    func largeIntegers() async throws {
        try await withTemporaryFolder { folder in
            try write("user,ts,request_id,label\nu1,100,9007199254740993,1\nu2,200,1234567890123456789,0\nu1,300,7,1\n", to: folder.file("events.csv"))
            try write("user,feature_ts,big_feature\nu1,50,9223372036854775807\nu2,150,12\n", to: folder.file("features.csv"))
            for flags in [[], ["--partitions", "2"]] {
                let result = await mlops(
                    ["features", "join", "--events", folder.file("events.csv"), "--features", folder.file("features.csv"), "--key", "user",
                     "--event-time", "ts", "--feature-time", "feature_ts", "--ttl", "1d", "--output", folder.file("out.csv")] + flags)
                #expect(result.exitCode == 0, "\(result.transcript)")
                let lines = try String(contentsOfFile: folder.file("out.csv"), encoding: .utf8).split(separator: "\n")
                #expect(lines == [
                    "user,ts,request_id,label,big_feature", "u1,100,9007199254740993,1,9223372036854775807",
                    "u2,200,1234567890123456789,0,12", "u1,300,7,1,9223372036854775807",
                ], "\(flags)")
            }
        }
    }

    @Test("a passed-through column that turns to text after its first 1,000 rows is read as text and written as it was, in memory and partitioned")
    func lateTextColumns() async throws {
        try await withTemporaryFolder { folder in
            var events = "user,ts,note\n", features = "user,feature_ts,score\n"
            for i in 0..<1_500 {
                events += "u\(i % 10),\(1_000 + i),\(i == 1_200 ? "see ticket 7" : String(i))\n"
                features += "u\(i % 10),\(i),\(i == 1_300 ? "n/a-yet" : String(Double(i) / 2))\n"
            }
            try write(events, to: folder.file("events.csv"))
            try write(features, to: folder.file("features.csv"))
            var outputs: [String] = []
            for flags in [[], ["--partitions", "3"]] {
                let result = await mlops(
                    ["features", "join", "--events", folder.file("events.csv"), "--features", folder.file("features.csv"), "--key", "user",
                     "--event-time", "ts", "--feature-time", "feature_ts", "--ttl", "1d", "--output", folder.file("out.csv")] + flags)
                #expect(result.exitCode == 0, "\(flags): \(result.transcript)")
                outputs.append(try String(contentsOfFile: folder.file("out.csv"), encoding: .utf8))
            }
            #expect(outputs[0] == outputs[1])
            let lines = outputs[0].split(separator: "\n")
            #expect(lines.count == 1_501)
            #expect(lines[1_201].hasPrefix("u0,2200,see ticket 7,"), "\(lines[1_201])")
            #expect(lines[1].hasPrefix("u0,1000,0,"), "\(lines[1])")
        }
    }

    @Test("JSON Lines in and out")
    func jsonLines() async throws {
        try await withTemporaryFolder { folder in
            try write(#"{"id": 1, "t": 100, "y": 1}"# + "\n" + #"{"id": 2, "t": 100, "y": 0}"# + "\n", to: folder.file("e.jsonl"))
            try write(#"{"id": 1, "ft": 90, "x": 0.5}"# + "\n", to: folder.file("f.jsonl"))
            let result = await mlops(
                "features", "join", "--events", folder.file("e.jsonl"), "--features", folder.file("f.jsonl"), "--key", "id", "--event-time", "t",
                "--feature-time", "ft", "--ttl", "1h", "--output", folder.file("out.jsonl"))
            #expect(result.exitCode == 0, "\(result.transcript)")
            let out = try String(contentsOfFile: folder.file("out.jsonl"), encoding: .utf8)
            #expect(out.contains(#""x":0.5"#) && out.contains(#""x":null"#), "\(out)")
            // A key first seen after the first 1,000 records (an optional field added later) is
            // a column of its own, in memory and partitioned, as pandas reads the file.
            var features = (0..<1_200).map { i in #"{"id": \#(i % 3), "ft": \#(i)}"# }
            features[1_100] = #"{"id": 1, "ft": 1100, "tier": "gold"}"#
            try write(features.joined(separator: "\n") + "\n", to: folder.file("late.jsonl"))
            // id 1 at 1100 takes the row of 1100 (gold); id 2 at 1150 the row of 1148 (no tier).
            try write(#"{"id": 1, "t": 1100, "y": 1}"# + "\n" + #"{"id": 2, "t": 1150, "y": 0}"# + "\n", to: folder.file("e2.jsonl"))
            for partitions in ["1", "3"] {
                let late = await mlops(
                    "features", "join", "--events", folder.file("e2.jsonl"), "--features", folder.file("late.jsonl"), "--key", "id", "--event-time", "t",
                    "--feature-time", "ft", "--ttl", "1h", "--output", folder.file("late-\(partitions).jsonl"), "--partitions", partitions)
                #expect(late.exitCode == 0, "\(late.transcript)")
                let joined = (try? String(contentsOfFile: folder.file("late-\(partitions).jsonl"), encoding: .utf8)) ?? ""
                #expect(joined.contains(#""tier":"gold""#) && joined.contains(#""tier":null"#), "\(partitions): \(joined)")
            }
        }
    }

    @Test("bad input exits 2 with a message naming it, and writes nothing over an input")
    func badInput() async throws {
        try await withTemporaryFolder { folder in
            try write(Self.events + "\n", to: folder.file("events.csv"))
            try write(Self.features + "\n", to: folder.file("features.csv"))
            try write("user,ts\nu1,yesterday\n", to: folder.file("badtime.csv"))
            try write("user,ts\nu1,99999999999999\n", to: folder.file("fartime.csv"))
            try write(#"{"user":"u1","ts":1764590400,"label":1}"# + "\n" + #"{"user":"u2","ts":true,"label":0}"# + "\n", to: folder.file("booltime.jsonl"))
            try write(#"{"user":"u1","feature_ts":false,"spend":1}"# + "\n" + #"{"user":"u1","feature_ts":true,"spend":2}"# + "\n", to: folder.file("boolfeatures.jsonl"))
            let base = ["--events", folder.file("events.csv"), "--features", folder.file("features.csv"), "--key", "user", "--event-time", "ts", "--feature-time", "feature_ts"]
            let cases: [([String], String)] = [
                (base + ["--ttl", "2x", "--output", folder.file("o.csv")], "not a duration"),
                (base + ["--ttl", "2d", "--output", folder.file("events.csv")], "one of the inputs"),
                (["--events", folder.file("events.csv"), "--features", folder.file("features.csv"), "--key", "id", "--event-time", "ts", "--feature-time", "feature_ts", "--ttl", "2d", "--output", folder.file("o.csv")], "id"),
                (["--events", folder.file("events.csv"), "--features", folder.file("features.csv"), "--key", "user", "--event-time", "when", "--feature-time", "feature_ts", "--ttl", "2d", "--output", folder.file("o.csv")], "when"),
                (["--events", folder.file("missing.csv"), "--features", folder.file("features.csv"), "--key", "user", "--event-time", "ts", "--feature-time", "feature_ts", "--ttl", "2d", "--output", folder.file("o.csv")], "no file"),
                (["--events", folder.file("badtime.csv"), "--features", folder.file("features.csv"), "--key", "user", "--event-time", "ts", "--feature-time", "feature_ts", "--ttl", "2d", "--output", folder.file("o.csv")], "yesterday"),
                // An unreadable time names its file, in memory and partitioned.
                (["--events", folder.file("badtime.csv"), "--features", folder.file("features.csv"), "--key", "user", "--event-time", "ts", "--feature-time", "feature_ts", "--ttl", "2d", "--output", folder.file("o.csv")], "\(folder.file("badtime.csv")): row "),
                (["--events", folder.file("badtime.csv"), "--features", folder.file("features.csv"), "--key", "user", "--event-time", "ts", "--feature-time", "feature_ts", "--ttl", "2d", "--output", folder.file("o.csv"), "--partitions", "3"], "\(folder.file("badtime.csv")): row "),
                (base + ["--ttl", "2d", "--output", folder.file("no-such-folder/o.csv")], "Cannot write"),
                (base + ["--ttl", "2d", "--output", folder.file("o.csv"), "--partitions", "0"], "--partitions 0"),
                (base + ["--ttl", "2d", "--output", folder.file("o.csv"), "--memory-limit", "lots"], "not a size"),
                (base + ["--ttl", "2d", "--output", folder.file("o.csv"), "--memory-limit", "1G", "--partitions", "2"], "give one of them"),
                (["--events", folder.file("fartime.csv"), "--features", folder.file("features.csv"), "--key", "user", "--event-time", "ts", "--feature-time", "feature_ts", "--ttl", "2d", "--output", folder.file("o.csv")],
                 "99999999999999 in 'ts' is not a time: as epoch seconds it falls outside the years 1 to 9999"),
                (base + ["--ttl", "2d", "--output", folder.file("o.parquet")], "names a file in Parquet format, which features join does not write"),
                (base + ["--ttl", "2d", "--output", folder.file("o.XLSX")], "in Excel format"),
                (base + ["--ttl", "2d", "--output", folder.file("o.csv.gz")], "in gzip format"),
                // The key named as a time column stopped the process (SIGILL; QA sweep).
                (["--events", folder.file("events.csv"), "--features", folder.file("features.csv"), "--key", "user", "--event-time", "user", "--feature-time", "feature_ts", "--ttl", "2d", "--output", folder.file("o.csv")],
                 "The key column 'user' is also the event time column"),
                (["--events", folder.file("events.csv"), "--features", folder.file("features.csv"), "--key", "user", "--event-time", "ts", "--feature-time", "user", "--ttl", "2d", "--output", folder.file("o.csv"), "--partitions", "2"],
                 "The key column 'user' is also the feature time column"),
                (base + ["--ttl", "2d", "--output", folder.file("o.csv"), "--created-time", "user"], "is also the created time column"),
                // JSON booleans in a time column were epoch 0 and 1, joined silently (QA sweep).
                (["--events", folder.file("booltime.jsonl"), "--features", folder.file("features.csv"), "--key", "user", "--event-time", "ts", "--feature-time", "feature_ts", "--ttl", "2d", "--output", folder.file("o.csv")], "true"),
                (["--events", folder.file("events.csv"), "--features", folder.file("boolfeatures.jsonl"), "--key", "user", "--event-time", "ts", "--feature-time", "feature_ts", "--ttl", "2d", "--output", folder.file("o.csv"), "--partitions", "2"], "false"),
            ]
            for (arguments, message) in cases {
                let result = await mlops(["features", "join"] + arguments)
                #expect(result.exitCode == 2, "\(arguments): \(result.transcript)")
                #expect(result.error.contains(message), "\(arguments): \(result.error)")
            }
            #expect(try String(contentsOfFile: folder.file("events.csv"), encoding: .utf8) == Self.events + "\n")
            #expect(!FileManager.default.fileExists(atPath: folder.file("o.parquet")))
            // Other names are CSV, as documented.
            let text = await mlops(["features", "join"] + base + ["--ttl", "2d", "--output", folder.file("o.txt")])
            #expect(text.exitCode == 0, "\(text.transcript)")
            #expect(try String(contentsOfFile: folder.file("o.txt"), encoding: .utf8).hasPrefix("user,"))
        }
    }
}

@Suite("mlops parity")
struct ParityCommandTests {
    @Test("parity: an infinity agrees only with the same infinity; a binary file and a folder are refused by name")
    func parityInfinitiesAndBinaryFiles() async throws {
        try await withTemporaryFolder { folder in
            // QA sweep: |inf − 7| ≤ tolerance × max(|inf|, |7|) = ∞ counted inf against 7 (and −inf
            // against inf) as agreeing.
            var offline = "id,f\n1,inf\n2,-inf\n3,inf\n4,1e308\n", online = "id,f\n1,7\n2,inf\n3,inf\n4,-1e308\n"
            for i in 5...20 {
                offline += "\(i),\(i)\n"
                online += "\(i),\(i)\n"
            }
            try write(offline, to: folder.file("offline.csv"))
            try write(online, to: folder.file("online.csv"))
            let report = await mlops("parity", folder.file("offline.csv"), folder.file("online.csv"), "--key", "id", "--format", "json")
            let feature = (report.json["features"] as? [[String: Any]])?.first { $0["name"] as? String == "f" }
            #expect(feature?["match_rate"] as? Double == 17.0 / 20.0, "\(report.transcript)")
            // A file with a NUL byte is refused as `mlops drift` refuses it; a folder's message keeps its name.
            try write("id,f\n1,2\u{0}3\n", to: folder.file("binary.csv"))
            let binary = await mlops("parity", folder.file("binary.csv"), folder.file("online.csv"), "--key", "id")
            #expect(binary.exitCode == 2 && binary.error.contains("holds NUL bytes"), "\(binary.transcript)")
            try FileManager.default.createDirectory(atPath: folder.file("dir.csv"), withIntermediateDirectories: false)
            let directory = await mlops("parity", folder.file("dir.csv"), folder.file("online.csv"), "--key", "id")
            #expect(directory.exitCode == 2 && directory.error.contains("dir.csv: This is a folder") && !directory.error.contains("Dir.csv"), "\(directory.transcript)")
        }
    }

    @Test("parity names the skewed feature in JSON with every key the issue lists, and exits 1; clean files exit 0")
    func parity() async throws {
        try await withTemporaryFolder { folder in
            var offline = "user,ts,spend,segment\n", online = "user,ts,spend,segment\n", clean = "user,ts,spend,segment\n"
            for i in 0..<300 {
                let spend = Double(i % 50) + 0.25
                offline += "u\(i),\(1_000 + i),\(spend),\(["a", "b"][i % 2])\n"
                online += "u\(i),\(1_010 + i),\(spend * 100),\(["a", "b"][i % 2])\n"
                clean += "u\(i),\(1_010 + i),\(spend),\(["a", "b"][i % 2])\n"
            }
            try write(offline, to: folder.file("offline.csv"))
            try write(online, to: folder.file("online.csv"))
            try write(clean, to: folder.file("clean.csv"))
            let skewed = await mlops("parity", folder.file("offline.csv"), folder.file("online.csv"), "--key", "user", "--timestamp", "ts", "--format", "json")
            #expect(skewed.exitCode == 1, "\(skewed.transcript)")
            #expect(skewed.json["skewed"] as? Bool == true)
            let features = try #require(skewed.json["features"] as? [[String: Any]])
            let spend = try #require(features.first { $0["name"] as? String == "spend" })
            for key in ["name", "match_rate", "mean_abs_diff", "max_abs_diff", "distribution_distance", "threshold", "skewed"] {
                #expect(spend[key] != nil, "missing \(key)")
            }
            #expect(spend["skewed"] as? Bool == true && spend["match_rate"] as? Double == 0)
            #expect(features.first { $0["name"] as? String == "segment" }?["skewed"] as? Bool == false)
            let ok = await mlops("parity", folder.file("offline.csv"), folder.file("clean.csv"), "--key", "user", "--timestamp", "ts")
            #expect(ok.exitCode == 0, "\(ok.transcript)")
            let html = await mlops("parity", folder.file("offline.csv"), folder.file("online.csv"), "--key", "user", "--format", "html")
            #expect(html.exitCode == 1 && html.output.contains("<table") && html.output.contains("spend"))
            let same = await mlops("parity", folder.file("offline.csv"), folder.file("online.csv"), "--key", "ts", "--timestamp", "ts")
            #expect(same.exitCode == 2 && same.error.contains("--key and --timestamp both name 'ts'"), "\(same.transcript)")
            for bad in [["--key", "id"], ["--key", "user", "--timestamp", "when"], ["--key", "user", "--match-rate", "2"], ["--key", "user", "--tolerance", "-1"]] {
                let refused = await mlops(["parity", folder.file("offline.csv"), folder.file("online.csv")] + bad)
                #expect(refused.exitCode == 2, "\(bad): \(refused.transcript)")
            }
            let missing = await mlops("parity", folder.file("nope.csv"), folder.file("online.csv"), "--key", "user")
            #expect(missing.exitCode == 2)
            // The online file lacking the key or time column is said of the online file, without
            // the pairing's internal column names (QA sweep).
            try write("id,ts,spend\nu1,1010,1.25\n", to: folder.file("online-id.csv"))
            try write("user,time,spend\nu1,1010,1.25\n", to: folder.file("online-time.csv"))
            for (file, extra, message) in [
                ("online-id.csv", [String](), "The online file has no key column 'user' (it has id, ts, spend)"),
                ("online-time.csv", ["--timestamp", "ts"], "The online file has no time column 'ts' (it has user, time, spend)"),
            ] {
                let refused = await mlops(["parity", folder.file("offline.csv"), folder.file(file), "--key", "user"] + extra)
                #expect(refused.exitCode == 2 && refused.error.contains(message) && !refused.error.contains("__"), "\(refused.transcript)")
            }
        }
    }

    @Test("pandas' missing-value tokens in the online file keep a number feature numeric, as pandas reads them")
    func pandasMissingTokens() async throws {
        try await withTemporaryFolder { folder in
            try write("id,x\na,1.5\nb,2\nc,3\n", to: folder.file("offline.csv"))
            for token in ["n/a", "#N/A", "<NA>", "None", "NaN"] {
                try write("id,x\na,1.50\nb,2.0\nc,\(token)\n", to: folder.file("online.csv"))
                let result = await mlops("parity", folder.file("offline.csv"), folder.file("online.csv"), "--key", "id", "--format", "json")
                let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "\(token): \(result.transcript)")
                let feature = try #require((json["features"] as? [[String: Any]])?.first, "\(token)")
                #expect(feature["kind"] as? String == "numeric", "\(token): \(result.output)")
                let rate = try #require(feature["match_rate"] as? Double, "\(token)")
                #expect(abs(rate - 2.0 / 3.0) < 1e-12, "\(token): \(rate)")
            }
        }
    }
}
