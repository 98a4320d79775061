import Foundation
import MLOpsCommands
import MLOpsTestSupport
import Rollout
import Testing
import TensorCore

@Suite("mlops rollout")
struct RolloutCommandTests {
    /// A seeded events file: `count` events, half per variant by unit, candidate converting at `rate` against 0.3.
    static func events(count: Int, candidateRate: Double, seed: UInt64, shuffledRows: Bool = false) -> String {
        var random = Xoshiro256StarStar(seed: seed)
        let router = try? Router(salt: "analyze", weights: try TrafficWeights(parsing: "control=50,candidate=50"))
        var rows: [String] = []
        for i in 0..<count {
            let unit = "user-\(i % (count / 3 + 1))"
            let variant = router?.variant(for: unit) ?? "control"
            let rate = variant == "candidate" ? candidateRate : 0.3
            rows.append("\(1_765_000_000 + Double(i) * 0.5),\(unit),\(variant),\(random.nextUniform() < rate ? 1 : 0)")
        }
        if shuffledRows { rows.swapAt(10, 20) }
        return "timestamp,unit,variant,converted\n" + rows.joined(separator: "\n") + "\n"
    }

    @Test("assign writes unit,variant exactly as the library routes, from a list or a CSV unit column")
    func assign() async throws {
        try await withTemporaryFolder { folder in
            let units = (0..<500).map { "user-\($0)" } + ["with,comma", "ünï"]
            try write(units.joined(separator: "\n") + "\n", to: folder.file("units.txt"))
            let result = await mlops("rollout", "assign", "--units", folder.file("units.txt"), "--salt", "ranker", "--weights", "control=95,candidate=5")
            #expect(result.exitCode == 0, "\(result.transcript)")
            let router = try Router(salt: "ranker", weights: try TrafficWeights(parsing: "control=95,candidate=5"))
            let expected = "unit,variant\n" + units.map { "\($0.contains(",") ? "\"\($0)\"" : $0),\(router.variant(for: $0))" }.joined(separator: "\n") + "\n"
            #expect(result.output == expected)

            try write("id,unit,country\n1,user-7,DE\n2,\"with,comma\",FR\n", to: folder.file("units.csv"))
            let csv = await mlops("rollout", "assign", "--units", folder.file("units.csv"), "--salt", "ranker", "--weights", "control=95,candidate=5")
            #expect(csv.exitCode == 0, "\(csv.transcript)")
            #expect(csv.output == "unit,variant\nuser-7,\(router.variant(for: "user-7"))\n\"with,comma\",\(router.variant(for: "with,comma"))\n")
        }
    }

    @Test("assign splits lines ending in CRLF, or a mix of CRLF and LF, as LF lines (keys and CSV header alike)")
    func assignCRLF() async throws {
        try await withTemporaryFolder { folder in
            let router = try Router(salt: "s", weights: try TrafficWeights(parsing: "control=50,candidate=50"))
            let expected = "unit,variant\n" + ["u1", "u2", "u3"].map { "\($0),\(router.variant(for: $0))" }.joined(separator: "\n") + "\n"
            for (name, text) in [("crlf.txt", "u1\r\nu2\r\nu3\r\n"), ("mixed.txt", "u1\nu2\r\nu3\n"), ("header.csv", "unit\r\nu1\r\nu2\r\nu3\r\n")] {
                try write(text, to: folder.file(name))
                let result = await mlops("rollout", "assign", "--units", folder.file(name), "--salt", "s", "--weights", "control=50,candidate=50")
                #expect(result.exitCode == 0, "\(name): \(result.transcript)")
                #expect(result.output == expected, "\(name)")
            }
        }
    }

    @Test("assign refuses bad weights, empty keys and missing files with exit 2 and the reason")
    func assignBadInput() async throws {
        try await withTemporaryFolder { folder in
            try write("u1\n\nu3\n", to: folder.file("blank.txt"))
            try write("u1\n", to: folder.file("ok.txt"))
            try write("unit,x\n,1\n", to: folder.file("empty.csv"))
            let cases: [([String], String)] = [
                (["--units", folder.file("ok.txt"), "--salt", "s", "--weights", "control=95,candidate=4"], "sum to 99"),
                (["--units", folder.file("ok.txt"), "--salt", "s", "--weights", "control=95,control=5"], "twice"),
                (["--units", folder.file("ok.txt"), "--salt", "s", "--weights", "control=95;candidate=5"], "NAME=PERCENT"),
                (["--units", folder.file("blank.txt"), "--salt", "s", "--weights", "a=50,b=50"], "empty"),
                (["--units", folder.file("empty.csv"), "--salt", "s", "--weights", "a=50,b=50"], "empty"),
                (["--units", folder.file("missing.txt"), "--salt", "s", "--weights", "a=50,b=50"], "there is no file at"),
                (["--units", folder.path, "--salt", "s", "--weights", "a=50,b=50"], "is a folder, not a file"),
                (["--units", folder.file("ok.txt"), "--weights", "a=50,b=50"], "salt"),
            ]
            for (arguments, message) in cases {
                let result = await mlops(["rollout", "assign"] + arguments)
                #expect(result.exitCode == 2, "\(arguments): \(result.transcript)")
                #expect(result.error.contains(message), "\(arguments): \(result.error)")
                #expect(result.output.isEmpty)
            }
        }
    }

    @Test("analyze --format json has every key the issue names; a worse candidate exits 1, a better one 0")
    func analyze() async throws {
        try await withTemporaryFolder { folder in
            try write(Self.events(count: 20_000, candidateRate: 0.2, seed: 1), to: folder.file("worse.csv"))
            let worse = await mlops(
                "rollout", "analyze", folder.file("worse.csv"), "--control", "control", "--candidate", "candidate", "--metric", "converted",
                "--higher-is-better", "--kind", "proportion", "--alpha", "0.05", "--look-every", "500", "--expected-split", "50/50", "--format", "json")
            #expect(worse.exitCode == 1, "\(worse.transcript)")
            let json = worse.json
            #expect(json["decision"] as? String == "rollback")
            #expect((json["reason"] as? String)?.contains("worse") == true)
            let decided = try #require(json["decided_after_events"] as? Int)
            #expect(decided % 500 == 0 && decided < 20_000)
            let srm = try #require(json["srm"] as? [String: Any])
            #expect(srm["p_value"] is Double && srm["mismatch"] as? Bool == false)
            let looks = try #require(json["looks"] as? [[String: Any]])
            #expect(looks.count == decided / 500)
            let last = try #require(looks.last)
            #expect(last["events"] as? Int == decided && last["estimate"] is Double && last["decision"] as? String == "rollback")
            let interval = try #require(last["interval"] as? [Double])
            #expect(interval.count == 2 && interval[1] < 0)

            try write(Self.events(count: 20_000, candidateRate: 0.4, seed: 2, shuffledRows: true), to: folder.file("better.csv"))
            let better = await mlops(
                "rollout", "analyze", folder.file("better.csv"), "--control", "control", "--candidate", "candidate", "--metric", "converted", "--format", "json")
            #expect(better.exitCode == 0, "\(better.transcript)")
            #expect(better.json["decision"] as? String == "promote")
            #expect(better.json["reordered_events"] as? Int == 2)  // two rows swapped: time goes back twice
            #expect(better.json["units_in_several_variants"] == nil)
            // --check-units reads the unit column: a unit moved to the other variant is counted.
            var rows = try String(contentsOfFile: folder.file("better.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
            let fields = rows[1].split(separator: ",").map(String.init)
            rows.insert("\(fields[0]),\(fields[1]),\(fields[2] == "control" ? "candidate" : "control"),0", at: 2)
            try write(rows.joined(separator: "\n") + "\n", to: folder.file("broken.csv"))
            let checked = await mlops(
                "rollout", "analyze", folder.file("broken.csv"), "--control", "control", "--candidate", "candidate", "--metric", "converted",
                "--check-units", "--format", "json")
            #expect(checked.json["units_in_several_variants"] as? Int == 1, "\(checked.transcript)")

            // Lower is better: the same "worse" file is now a promotion.
            let flipped = await mlops(
                "rollout", "analyze", folder.file("worse.csv"), "--control", "control", "--candidate", "candidate", "--metric", "converted", "--lower-is-better")
            #expect(flipped.exitCode == 0, "\(flipped.transcript)")
            #expect(flipped.output.hasPrefix("decision: promote"))
        }
    }

    @Test("analyze reads JSON Lines and a policy file; too little traffic holds with exit 0")
    func analyzeJSONLinesAndPolicy() async throws {
        try await withTemporaryFolder { folder in
            var lines: [String] = []
            for i in 0..<300 {
                lines.append(#"{"timestamp": \#(i), "unit": "u\#(i)", "variant": "\#(i % 2 == 0 ? "a" : "b")", "ms": \#(100 + i % 7)}"#)
            }
            try write(lines.joined(separator: "\n") + "\n", to: folder.file("events.jsonl"))
            try write(#"{"kind": "mean", "higher_is_better": false, "minimum_samples": 1000, "look_every": 100}"#, to: folder.file("policy.json"))
            let result = await mlops(
                "rollout", "analyze", folder.file("events.jsonl"), "--control", "a", "--candidate", "b", "--metric", "ms", "--policy", folder.file("policy.json"),
                "--format", "json")
            #expect(result.exitCode == 0, "\(result.transcript)")
            #expect(result.json["decision"] as? String == "hold")
            #expect((result.json["reason"] as? String)?.contains("too little traffic") == true)
            #expect((result.json["looks"] as? [Any])?.count == 3)
            // Units count only with --check-units, as for CSV (QA sweep: JSON Lines always counted them).
            lines.append(#"{"timestamp": 300, "unit": "u0", "variant": "b", "ms": 100}"#)
            try write(lines.joined(separator: "\n") + "\n", to: folder.file("shared.jsonl"))
            let plain = await mlops(
                "rollout", "analyze", folder.file("shared.jsonl"), "--control", "a", "--candidate", "b", "--metric", "ms", "--kind", "mean", "--format", "json")
            #expect(plain.exitCode == 0 && plain.json["units_in_several_variants"] == nil, "\(plain.transcript)")
            let checked = await mlops(
                "rollout", "analyze", folder.file("shared.jsonl"), "--control", "a", "--candidate", "b", "--metric", "ms", "--kind", "mean", "--check-units", "--format", "json")
            #expect(checked.json["units_in_several_variants"] as? Int == 1, "\(checked.transcript)")
        }
    }

    @Test("analyze refuses bad input with exit 2 and a message naming it")
    func analyzeBadInput() async throws {
        try await withTemporaryFolder { folder in
            try write(Self.events(count: 2_000, candidateRate: 0.3, seed: 3), to: folder.file("events.csv"))
            try write("timestamp,unit,variant,converted\n1,u1,control,2\n2,u2,candidate,1\n", to: folder.file("notbinary.csv"))
            try write("timestamp,unit,group,converted\n1,u1,control,1\n", to: folder.file("novariant.csv"))
            try write(#"{"alpha": 2}"#, to: folder.file("alpha.json"))
            try write(#"{"alpah": 0.05}"#, to: folder.file("typo.json"))
            try write(#"{"minimum_samples": 10.5}"#, to: folder.file("fraction.json"))
            try write(#"{"look_every": -9223372036854775808}"#, to: folder.file("smallest.json"))
            try Data([0x8A, 0xAE, 0x82, 0x0A, 0x00, 0x71, 0xB8, 0x9E]).write(to: URL(fileURLWithPath: folder.file("binary.csv")))
            let events = folder.file("events.csv")
            let base = ["--control", "control", "--candidate", "candidate", "--metric", "converted"]
            let cases: [([String], String)] = [
                ([events, "--control", "control", "--candidate", "ghost", "--metric", "converted"], "ghost"),
                ([events, "--control", "control", "--candidate", "control", "--metric", "converted"], "different"),
                ([events, "--control", "control", "--candidate", "candidate", "--metric", "revenue"], "revenue"),
                ([events] + base + ["--alpha", "1.5"], "α"),
                ([events] + base + ["--look-every", "0"], "look"),
                ([events] + base + ["--expected-split", "50-50"], "expected-split"),
                ([events] + base + ["--expected-split", "0/100"], "expected split"),
                ([events] + base + ["--minimum-samples", "500", "--maximum-samples", "10"], "maximum"),
                ([events] + base + ["--policy", folder.file("alpha.json")], "alpha"),
                ([events] + base + ["--policy", folder.file("typo.json")], "alpah"),
                ([events] + base + ["--policy", folder.file("nope.json")], "cannot read"),
                ([folder.file("notbinary.csv")] + base, "0 or 1"),
                ([folder.file("novariant.csv")] + base, "its columns: timestamp, unit, group, converted"),
                ([folder.file("missing.csv")] + base, "no events file"),
                ([events] + base + ["--kind", "ratio"], "kind"),
                ([events] + base + ["--expected-split", "nan/50"], "expected split"),
                ([events] + base + ["--alpha", "nan"], "α"),
                // QA sweep: a fraction where a count goes was "not JSON"; a binary file's bytes were echoed.
                ([events] + base + ["--policy", folder.file("fraction.json")], "10.5"),
                ([events] + base + ["--policy", folder.file("smallest.json")], "look_every"),  // abs(Int.min) trapped (review)
                ([folder.file("binary.csv")] + base, "not text (it holds NUL bytes)"),
            ]
            for (arguments, message) in cases {
                let result = await mlops(["rollout", "analyze"] + arguments)
                #expect(result.exitCode == 2, "\(arguments): \(result.transcript)")
                #expect(result.error.contains(message), "\(arguments): \(result.error)")
            }
        }
    }

    @Test("simulate reports each decision's share and events, and the naive z-test's alarm rate; the same seed repeats")
    func simulate() async throws {
        let arguments = ["rollout", "simulate", "--trials", "300", "--baseline", "0.1", "--effect", "-0.05", "--look-every", "10000", "--events", "1000000", "--format", "json"]
        let result = await mlops(arguments)
        #expect(result.exitCode == 0, "\(result.transcript)")
        let decisions = try #require(result.json["decisions"] as? [[String: Any]])
        #expect(Set(decisions.compactMap { $0["decision"] as? String }) == ["promote", "continue", "hold", "rollback"])
        let rollback = try #require(decisions.first { $0["decision"] as? String == "rollback" })
        #expect((rollback["rate"] as? Double ?? 0) > 0.9)
        #expect(rollback["median_events"] is Double)
        #expect(result.json["naive_alarm_rate"] is Double)
        #expect(await mlops(arguments).output == result.output)
        // Extreme but valid settings run (no trap), with a mismatch message built from a huge split.
        for extreme in [["--baseline", "1e-20", "--trials", "3"], ["--baseline", "0.999999999", "--trials", "3"], ["--expected-split", "1e19/1", "--trials", "3"],
                        ["--trials", "2", "--look-every", "1000000", "--events", "1000000000"]] {
            let ran = await mlops(["rollout", "simulate"] + extreme)
            #expect(ran.exitCode == 0, "\(extreme): \(ran.transcript)")
        }
        for bad in [["--trials", "0"], ["--baseline", "1.5"], ["--effect", "-2"], ["--alpha", "0"], ["--events", "10", "--look-every", "100"],
                    ["--look-every", "9223372036854775807"], ["--events", "10000000", "--look-every", "1"]] {
            let refused = await mlops(["rollout", "simulate"] + bad)
            #expect(refused.exitCode == 2, "\(bad): \(refused.transcript)")
        }
    }
}
