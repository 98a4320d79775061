import Foundation
import MLOpsTestSupport
import Testing

@Suite("the main job and the examples")
struct DemoAndExampleTests {
    @Test("mlops demo runs end to end and writes an index, a page per chapter and summary.json")
    func demo() throws {
        try withTemporaryFolder { folder in
            let result = try Executables.run("mlops", ["demo", "--output", folder.file("out")])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput.contains("index.html"))
            for file in ["index.html", "storage.html", "lineage.html", "drift.html", "drift-report.html", "drift-report.json", "openlineage.json", "summary.json", "transactions.csv", "mlops.sqlite", "registry.html", "model-card.md", "gpu.html", "gpu-trace.csv", "gpu-schedule-fifo.csv", "gpu-schedule-drf.csv", "gpu-fifo.svg", "gpu-drf.svg", "rollout.html", "rollout-trail-a.svg", "rollout-trail-b.svg", "features.html", "features-training.csv", "features-offline.csv", "features-served.csv", "parity.html", "parity.json"] {
                #expect(FileManager.default.fileExists(atPath: folder.file("out/\(file)")), "missing \(file)")
            }
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file("out/summary.json")))) as? [String: Any]
            let chapters = summary?["chapters"] as? [[String: Any]]
            #expect(chapters?.map { $0["slug"] as? String } == ["storage", "lineage", "drift", "registry", "gpu", "rollout", "features"])
            // The GPU chapter: both policies replayed, compared on the page and in the index.
            #expect(result.standardOutput.contains("under FIFO,") && result.standardOutput.contains("under fair share (DRF)"), "\(result.standardOutput)")
            let gpuPage = try String(contentsOfFile: folder.file("out/gpu.html"), encoding: .utf8)
            #expect(gpuPage.contains("dominant-resource fair share") && gpuPage.contains("gpu-fifo.svg"))
            let index = try String(contentsOfFile: folder.file("out/index.html"), encoding: .utf8)
            #expect(index.contains("under FIFO") && index.contains("under fair share (DRF)"))
            let schedule = try String(contentsOfFile: folder.file("out/gpu-schedule-drf.csv"), encoding: .utf8)
            #expect(schedule.hasPrefix("job,start,end,gpus,nodes\n"))
            // The registry chapter: refused until two approvals, promoted, rolled back, chain intact.
            #expect(result.standardOutput.contains("refused first: approvals"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("then rolled back to v1"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("entries, intact"), "\(result.standardOutput)")
            let registryPage = try String(contentsOfFile: folder.file("out/registry.html"), encoding: .utf8)
            #expect(registryPage.contains("Model card") && registryPage.contains("alias.rollback"))
            // The drift chapter: stable windows before the drift, an alarm once it starts.
            #expect(result.standardOutput.contains("no alarm in windows 1–3; traffic drifts from window 4: raised at window 4"), "\(result.standardOutput)")
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file("out/drift-report.json")))) as? [String: Any]
            #expect((report?["dataset"] as? [String: Any])?["drifted"] as? Bool == true)
            let page = try String(contentsOfFile: folder.file("out/drift-report.html"), encoding: .utf8)
            #expect(page.contains("<svg") && !page.contains("https://"))
            // The rollout chapter: the worse challenger rolled back, the better one promoted, the alias on it.
            #expect(result.standardOutput.contains("v2 rolled-back after") && result.standardOutput.contains("the candidate is worse"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("v3 promoted after") && result.standardOutput.contains("the candidate is better"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("production alias of shop/ranker now on version 3"), "\(result.standardOutput)")
            #expect(index.contains("<img src=\"rollout-trail-a.svg\""))
            let trail = try String(contentsOfFile: folder.file("out/rollout-trail-b.svg"), encoding: .utf8)
            #expect(trail.hasPrefix("<svg") && trail.contains("promote"))
            let rolloutPage = try String(contentsOfFile: folder.file("out/rollout.html"), encoding: .utf8)
            #expect(rolloutPage.contains("Users who left the canary as it grew: 0."))
            // The features chapter: every label row kept, the injected unit change named.
            #expect(result.standardOutput.contains("training set: 5000 labelled requests"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("parity: spend_7d skewed (match rate 0.0%"), "\(result.standardOutput)")
            let training = try String(contentsOfFile: folder.file("out/features-training.csv"), encoding: .utf8)
            #expect(training.split(separator: "\n").count == 5_001)
            let parity = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file("out/parity.json")))) as? [String: Any]
            #expect(parity?["skewed"] as? Bool == true)
            // A second run on the same folder works and deduplicates.
            let again = try Executables.run("mlops", ["demo", "--output", folder.file("out"), "--format", "json"])
            #expect(again.status == 0, "\(again.standardError)")
            // The second run's canaries are new rollouts, and end the same way.
            #expect(again.standardOutput.contains("ranker-canary-2-a") && again.standardOutput.contains("production"), "\(again.standardOutput)")
        }
    }

    @Test("the same seed gives the same dataset digest")
    func demoIsDeterministic() throws {
        try withTemporaryFolder { first in
            try withTemporaryFolder { second in
                _ = try Executables.run("mlops", ["demo", "--output", first.path, "--seed", "7"])
                _ = try Executables.run("mlops", ["demo", "--output", second.path, "--seed", "7"])
                let a = try Data(contentsOf: URL(fileURLWithPath: first.file("transactions.csv")))
                let b = try Data(contentsOf: URL(fileURLWithPath: second.file("transactions.csv")))
                #expect(a == b)
                #expect(a.count > 100_000)
            }
        }
    }

    @Test("the store-tour example runs")
    func storeTour() throws {
        try withTemporaryFolder { folder in
            let result = try Executables.run("store-tour", [folder.path])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput.contains("experiment fraud-gbt by risk-team: AUC 0.912"))
            #expect(result.standardOutput.contains("identical: true"))
            #expect(result.standardOutput.contains("bad digest refused"))
        }
    }

    @Test("the table-sketches example runs and every merged quantile is within its bound")
    func tableSketches() throws {
        let result = try Executables.run("table-sketches", ["50000"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("read 50000 rows"))
        let checks = result.standardOutput.split(separator: "\n").filter { $0.contains("true rank of the sketch's answer") }
        #expect(checks.count == 5)
        for line in checks {
            // "(|error| 0.0031 ≤ 0.0133)": the error must not exceed the bound.
            let numbers = line.split(separator: "(|error| ").last?.split(separator: " ")
            let error = numbers.flatMap { Double($0[0]) } ?? .infinity
            let bound = numbers.flatMap { Double($0[2].dropLast()) } ?? 0
            #expect(error <= bound, "\(line)")
        }
    }

    @Test("the train-and-trace example records a run and traces its model back to its data")
    func trainAndTrace() throws {
        try withTemporaryFolder { folder in
            let result = try Executables.run("train-and-trace", [folder.path])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput.contains("was written by run sgd"))
            #expect(result.standardOutput.contains("which read line.csv"))
            #expect(result.standardOutput.contains("after 40 logged epochs"))
            #expect(result.standardOutput.contains("slope 3.0") || result.standardOutput.contains("slope 2.9"))
        }
    }

    @Test("the governed-promotion example: refused, approved twice, promoted, rolled back, chain intact")
    func governedPromotion() throws {
        try withTemporaryFolder { folder in
            let result = try Executables.run("governed-promotion", [folder.path])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput.contains("refused: approvals: 0 of 2"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("production → version 2"))
            #expect(result.standardOutput.contains("rolled back: production → version 1"))
            #expect(result.standardOutput.contains("audit chain intact"))
            // A second run on the same store adds to it and still verifies.
            let again = try Executables.run("governed-promotion", [folder.path])
            #expect(again.status == 0 && again.standardOutput.contains("audit chain intact"), "\(again.standardError)")
        }
    }

    @Test("the shared-gpu-cluster example: a gang in one island on borrowed quota, a preemption, a resume")
    func sharedGPUCluster() throws {
        let result = try Executables.run("shared-gpu-cluster", [])
        #expect(result.status == 0, "\(result.standardError)")
        let output = result.standardOutput
        #expect(output.contains("nlp/too-big: unschedulable: needs 24 GPUs inside one island"), "\(output)")
        #expect(output.contains("vision/train started on A100: a100-0, a100-1 (island nvlink-0), 4 GPUs borrowed"), "\(output)")
        #expect(output.contains("vision/train preempted for platform/hotfix"), "\(output)")
        #expect(output.contains("t=5400s  vision/train started"), "\(output)")
        #expect(output.contains("invariants hold"), "\(output)")
    }

    @Test("the canary-with-sticky-routing example: sticky users, a step-by-step canary, a sequential rollback")
    func canaryExample() throws {
        let result = try Executables.run("canary-rollout", [])
        #expect(result.status == 0, "\(result.standardError)")
        let output = result.standardOutput
        #expect(output.contains("0 users left the canary as it grew"), "\(output)")
        #expect(output.contains("advanced to step 2"), "\(output)")
        #expect(output.contains("rolled back"), "\(output)")
        #expect(output.contains("production stays on version 1"), "\(output)")
    }

    @Test("the train-serve-parity example: no skew as written, both features skewed after the unit change")
    func trainServeParity() throws {
        let result = try Executables.run("train-serve-parity", [])
        #expect(result.status == 0, "\(result.standardError)")
        let output = result.standardOutput
        #expect(output.contains("as written: no skew"), "\(output)")
        #expect(output.contains("after the refactor: skew — spend_per_txn 0.0% agree SKEWED"), "\(output)")
    }

    @Test("the drift-watch example stays quiet before the drift and raises it from window 5")
    func driftWatch() throws {
        try withTemporaryFolder { folder in
            let result = try Executables.run("drift-watch", [folder.path])
            #expect(result.status == 0, "\(result.standardError)")
            let windows = result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("window ") }
            #expect(windows.count == 8)
            for (index, line) in windows.enumerated() {
                #expect(line.contains(index + 1 >= 5 ? "DRIFT" : "ok"), "\(line)")
            }
            #expect(result.standardOutput.contains("new_category"))
        }
    }
}
