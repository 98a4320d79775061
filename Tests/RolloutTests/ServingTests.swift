import Foundation
import Synchronization
import Rollout
import Testing
import TensorCore

@Suite("Evidence, bandits and shadow traffic")
struct ServingTests {
    @Test("delayed outcomes join their request by id; unknown ids are counted; expiry closes the window with a default")
    func delayedOutcomes() throws {
        let recorder = try EvidenceRecorder(variants: ["control", "candidate"], metrics: ["converted"], pendingCapacity: 3)
        let converted = try recorder.metric("converted")
        recorder.expectOutcome(requestID: "r1", variant: 1, now: 0)
        recorder.expectOutcome(requestID: "r2", variant: 0, now: 0)
        recorder.expectOutcome(requestID: "r3", variant: 1, now: 50)
        recorder.expectOutcome(requestID: "r4", variant: 1, now: 60)  // over capacity: dropped
        #expect(recorder.recordOutcome(requestID: "r1", metric: converted, value: 1))
        #expect(!recorder.recordOutcome(requestID: "r1", metric: converted, value: 1))  // joined already
        #expect(!recorder.recordOutcome(requestID: "nope", metric: converted, value: 1))
        #expect(recorder.expireOutcomes(olderThan: 10, value: 0, metric: converted) == 1)  // r2 did not convert
        let counts = recorder.joinCounts
        #expect(counts.pending == 1 && counts.dropped == 1 && counts.unmatched == 2 && counts.expired == 1, "\(counts)")
        #expect(recorder.evidence(variant: 1)?.outcomes[converted].count == 1)
        #expect(recorder.evidence(variant: 0)?.outcomes[converted].mean == 0)
        #expect(throws: RolloutError.self) { try recorder.metric("revenue") }
        #expect(throws: RolloutError.self) { try EvidenceRecorder(variants: ["a", "a"]) }
    }

    @Test("recording from many tasks at once loses nothing")
    func concurrentRecording() async throws {
        let recorder = try EvidenceRecorder(variants: ["control", "candidate"], metrics: ["m"])
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for i in 0..<5_000 {
                        recorder.recordRequest(variant: (task + i) % 2, latency: 0.001 * Double(i % 50), error: i % 100 == 0)
                        recorder.recordOutcome(variant: (task + i) % 2, metric: 0, value: 1)
                    }
                }
            }
        }
        let evidence = recorder.snapshot()
        #expect(evidence.map(\.requests).reduce(0, +) == 40_000)
        #expect(evidence.map(\.errors).reduce(0, +) == 400)
        #expect(evidence.map { $0.outcomes[0].count }.reduce(0, +) == 40_000)
        let p50 = try #require(evidence[0].latencyQuantile(0.5))
        #expect(abs(p50 - 0.0245) < 0.003)
    }

    @Test("bandit assignment is sticky, survives a restart through its export, and Thompson sampling finds the best arm", arguments: [
        BanditRouter.Algorithm.thompsonSampling, .epsilonGreedy(epsilon: 0.1), .ucb1,
    ])
    func bandits(_ algorithm: BanditRouter.Algorithm) throws {
        let rates = [0.05, 0.10, 0.20]
        let bandit = try BanditRouter(arms: ["a", "b", "c"], algorithm: algorithm, seed: 1)
        var random = Xoshiro256StarStar(seed: 2)
        var first: [String: Int] = [:]
        var late = [0, 0, 0]
        for i in 0..<6_000 {
            let unit = "u\(i % 3_000 == i ? i : i - 3_000)"  // every unit comes twice
            let arm = bandit.arm(for: unit)
            if let earlier = first[unit] { #expect(arm == earlier) } else { first[unit] = arm }
            bandit.recordReward(arm: arm, reward: random.nextUniform() < rates[arm] ? 1 : 0)
            if i >= 2_000 && i < 3_000 { late[arm] += 1 }
        }
        #expect(late[2] > late[0] && late[2] > late[1], "late pulls \(late)")
        let restored = try BanditRouter(arms: ["a", "b", "c"], algorithm: algorithm, restoring: bandit.assignments())
        for (unit, arm) in first.prefix(200) { #expect(restored.arm(for: unit) == arm) }
        #expect(throws: RolloutError.self) { try BanditRouter(arms: ["a"], algorithm: algorithm) }
        #expect(throws: RolloutError.self) { try BanditRouter(arms: ["a", "b"], algorithm: .epsilonGreedy(epsilon: 2)) }
        #expect(throws: RolloutError.self) { try BanditRouter(arms: ["a", "b"], algorithm: algorithm, restoring: ["u": "z"]) }
    }

    @Test("shadow traffic never reaches the caller, drops what overflows its queue, and counts failures")
    func shadow() async throws {
        let compared = Compared()
        let shadow = try ShadowTraffic<Int, Int>(capacity: 4, cpuBudget: 1, challenger: { input in
            if input == 3 { throw RolloutError(.invalidEvents, "boom") }
            return input * 2
        }, compare: { input, champion, challenger in compared.add(champion == challenger) })
        // Nothing runs yet: the queue holds 4, the rest are dropped without waiting.
        var queued = 0
        for i in 0..<10 where shadow.offer(i, champion: i * 2) { queued += 1 }
        #expect(queued == 4)
        shadow.finish()
        await shadow.run()
        let counts = shadow.currentCounts
        #expect(counts.offered == 10 && counts.droppedQueueFull == 6)
        #expect(counts.evaluated + counts.failed + counts.droppedOverBudget == 4)
        #expect(counts.failed == 1)
        #expect(compared.agreements == counts.evaluated)
        #expect(throws: RolloutError.self) { try ShadowTraffic<Int, Int>(capacity: 0, challenger: { $0 }, compare: { _, _, _ in }) }
    }

    final class Compared: Sendable {
        private let count = Mutex(0)
        func add(_ agreed: Bool) { if agreed { count.withLock { $0 += 1 } } }
        var agreements: Int { count.withLock { $0 } }
    }
}
