import Foundation
import MLOpsCommands
import MLOpsTestSupport
import Testing

@Suite("mlops gpu")
struct GPUCommandTests {
    static let trace = """
        submit_time,duration_s,gpus,team,priority,gang
        0,3600,8,vision,0,2
        60,600,2,nlp,0,
        120,300,1,nlp,5,
        180,1200,4,vision,0,
        240,100,64,nlp,0,
        """

    @Test("simulate --format json reports every figure the issue names, and --schedule-out lets them be recomputed")
    func simulateJSON() async throws {
        try await withTemporaryFolder { folder in
            try write(Self.trace, to: folder.file("trace.csv"))
            let result = await mlops(
                "gpu", "simulate", "--trace", folder.file("trace.csv"), "--gpus", "16", "--policy", "priority", "--format", "json",
                "--schedule-out", folder.file("schedule.csv"), "--plot", folder.file("plot.svg"))
            #expect(result.exitCode == 0, "\(result.transcript)")
            let json = result.json
            for key in ["jct_seconds", "queueing_delay_seconds", "utilization", "fairness", "preemptions", "teams", "scheduler", "unschedulable_jobs", "jobs", "makespan_seconds"] {
                #expect(json[key] != nil, "missing \(key)")
            }
            let jct = try #require(json["jct_seconds"] as? [String: Any])
            #expect(jct["average"] is Double && jct["median"] is Double && jct["p99"] is Double)
            let unschedulable = try #require(json["unschedulable_jobs"] as? [[String: Any]])
            #expect(unschedulable.first?["job"] as? Int == 4)
            #expect((unschedulable.first?["reason"] as? String)?.contains("needs 64 GPUs") == true)
            let team = try #require((json["teams"] as? [[String: Any]])?.first)
            #expect((team["gpu_hours"] as? [String: Any])?["idle_held"] != nil && team["cost"] != nil)
            let timeline = try #require((json["utilization"] as? [String: Any])?["timeline"] as? [[String: Any]])
            #expect(timeline.first?["busy_gpus"] != nil && timeline.first?["queued_jobs"] != nil)

            // Recompute the average JCT from the schedule and the trace.
            let rows = try String(contentsOfFile: folder.file("schedule.csv"), encoding: .utf8).split(separator: "\n")
            #expect(rows.first == "job,start,end,gpus,nodes")
            var finish: [Int: Double] = [:]
            for row in rows.dropFirst() {
                let fields = row.split(separator: ",", omittingEmptySubsequences: false)
                let job = try #require(Int(fields[0]))
                finish[job] = max(finish[job] ?? 0, try #require(Double(fields[2])))
            }
            let submits: [Int: Double] = [0: 0, 1: 60, 2: 120, 3: 180]
            #expect(Set(finish.keys) == [0, 1, 2, 3])
            let average = finish.map { $0.value - (submits[$0.key] ?? 0) }.reduce(0, +) / 4
            #expect(abs(average - (jct["average"] as? Double ?? -1)) < 1e-9)
            let svg = try String(contentsOfFile: folder.file("plot.svg"), encoding: .utf8)
            #expect(svg.hasPrefix("<svg") && svg.contains("polyline"))
        }
    }

    @Test("simulate prints a text summary by default")
    func simulateText() async throws {
        try await withTemporaryFolder { folder in
            try write(Self.trace, to: folder.file("trace.csv"))
            let result = await mlops("gpu", "simulate", "--trace", folder.file("trace.csv"), "--gpus", "16", "--policy", "las")
            #expect(result.exitCode == 0, "\(result.transcript)")
            #expect(result.output.contains("policy las") && result.output.contains("JCT: average"))
            #expect(result.output.contains("unschedulable: job 4"))
        }
    }

    @Test(
        "bad input exits 2 with a message that says what to fix",
        arguments: [
            (["--gpus", "16"], "trace.csv", "submit_time,duration_s,gpus,team\n0,abc,1,a\n", "trace.csv:2"),
            (["--gpus", "16"], "trace.csv", "foo,bar\n1,2\n", "no known trace form"),
            ([], "trace.csv", "submit_time,duration_s,gpus,team\n0,1,1,a\n", "--gpus N"),
            (["--gpus", "16", "--cluster", "c.json"], "trace.csv", "submit_time,duration_s,gpus,team\n0,1,1,a\n", "not both"),
            (["--gpus", "0"], "trace.csv", "submit_time,duration_s,gpus,team\n0,1,1,a\n", "--gpus 0"),
            (["--gpus", "8", "--time-scale", "0"], "trace.csv", "submit_time,duration_s,gpus,team\n0,1,1,a\n", "--time-scale"),
            (["--gpus", "8", "--policy", "random"], "trace.csv", "submit_time,duration_s,gpus,team\n0,1,1,a\n", "policy"),
            (["--gpus", "8", "--checkpoint-interval", "-1"], "trace.csv", "submit_time,duration_s,gpus,team\n0,1,1,a\n", "--checkpoint-interval"),
            (["--cluster", "missing.json"], "trace.csv", "submit_time,duration_s,gpus,team\n0,1,1,a\n", "missing.json"),
            (["--gpus", "8"], "missing.csv", "", "missing.csv"),
            (["--gpus", "8", "--no-preemption", "--fair-share-preemption"], "trace.csv", "submit_time,duration_s,gpus,team\n0,1,1,a\n", "contradict"),
        ])
    func badInput(options: [String], traceName: String, traceText: String, mention: String) async throws {
        try await withTemporaryFolder { folder in
            if !traceText.isEmpty { try write(traceText, to: folder.file(traceName)) }
            let adjusted = options.map { $0.hasSuffix(".json") ? folder.file($0) : $0 }
            let result = await mlops(["gpu", "simulate", "--trace", folder.file(traceName)] + adjusted)
            #expect(result.exitCode == 2, "\(result.transcript)")
            #expect(result.error.contains(mention), "\(result.transcript)")
        }
    }

    @Test("a node list with only its header is refused naming the file")
    func headerOnlyNodeList() async throws {
        try await withTemporaryFolder { folder in
            try write("submit_time,duration_s,gpus,team\n0,1,1,a\n", to: folder.file("trace.csv"))
            try write("sn,cpu_milli,memory_mib,gpu,model\n", to: folder.file("nodes.csv"))
            let result = await mlops("gpu", "simulate", "--trace", folder.file("trace.csv"), "--cluster", folder.file("nodes.csv"))
            #expect(result.exitCode == 2 && result.error.contains("nodes.csv") && result.error.contains("no nodes"), "\(result.transcript)")
        }
    }

    @Test("a cluster file whose quota exceeds the cluster is refused with exit 2, naming the team")
    func badQuota() async throws {
        try await withTemporaryFolder { folder in
            try write("submit_time,duration_s,gpus,team\n0,1,1,a\n", to: folder.file("trace.csv"))
            try write(#"{"nodes": [{"name": "n", "gpus": 8}], "teams": [{"name": "a", "quota": {"gpu": 16}}]}"#, to: folder.file("c.json"))
            let result = await mlops("gpu", "simulate", "--trace", folder.file("trace.csv"), "--cluster", folder.file("c.json"))
            #expect(result.exitCode == 2, "\(result.transcript)")
            #expect(result.error.contains("team a") && result.error.contains("Fix:"), "\(result.transcript)")
        }
    }

    @Test("--schedule-out refuses to overwrite the trace")
    func scheduleOutIsNotAnInput() async throws {
        try await withTemporaryFolder { folder in
            try write(Self.trace, to: folder.file("trace.csv"))
            let result = await mlops("gpu", "simulate", "--trace", folder.file("trace.csv"), "--gpus", "8", "--schedule-out", folder.file("trace.csv"))
            #expect(result.exitCode == 2, "\(result.transcript)")
            #expect(try String(contentsOfFile: folder.file("trace.csv"), encoding: .utf8) == Self.trace)
        }
    }

    @Test("fragmentation compares placements on a fill snapshot")
    func fragmentation() async throws {
        try await withTemporaryFolder { folder in
            try write("submit_time,duration_s,gpus,team,gpu_fraction\n0,10,1,a,0.5\n1,10,1,a,0.7\n2,10,1,a,0.3\n3,10,1,a,0.5\n4,10,2,a,\n", to: folder.file("pods.csv"))
            let result = await mlops(["gpu", "fragmentation", "--trace", folder.file("pods.csv"), "--gpus", "4", "--gpus-per-node", "2", "--format", "json"])
            #expect(result.exitCode == 0, "\(result.transcript)")
            let reports = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
            #expect(reports.map { $0["placement"] as? String } == ["binpack", "spread", "first-fit", "fragmentation-aware"])
            let failed = reports.map { (($0["final"] as? [String: Any])?["failed_jobs"] as? Int) ?? -1 }
            // First-fit strands the last 0.5 on the second node and the 2-GPU job fails.
            #expect(failed[0] == 0 && failed[2] == 1, "\(failed)")
        }
    }
}
