import Foundation
public import Rollout
import Testing

/// The behaviour every ``RolloutStore`` must show: ``checks``, which each implementation's tests
/// pass to a parameterized test.
public enum RolloutStoreConformance {
    static func plan(_ name: String = "ranker-\(UUID().uuidString.prefix(8))") throws -> RolloutPlan {
        try RolloutPlan(
            name: name, strategy: .canary, control: "champion", candidate: "challenger", steps: [5, 25, 100], metric: "converted",
            registry: .init(model: "shop/ranker", controlVersion: 3, candidateVersion: 4))
    }

    /// A created rollout reads back whole; a second create of the name is refused.
    static func createsAndReads(_ store: any RolloutStore) async throws {
        let plan = try plan()
        let created = try await store.create(plan, now: 100)
        #expect(created.version == 1 && created.step == 0 && created.status == .running)
        let read = try await store.state(of: plan.name)
        #expect(read == created)
        #expect(try await store.list().contains { $0.plan.name == plan.name })
        await expectCode(.stateConflict) { _ = try await store.create(plan, now: 101) }
        await expectCode(.rolloutNotFound) { _ = try await store.state(of: "\(plan.name)-missing") }
    }

    /// Updates bump the version; a stale version is refused and changes nothing.
    static func optimisticUpdates(_ store: any RolloutStore) async throws {
        let plan = try plan()
        var state = try await store.create(plan, now: 100)
        #expect(try await RolloutController.resume(name: plan.name, store: store, now: 100).state == state)
        state = try await store.update(state, now: 110)
        #expect(state.version == 2 && state.updatedAt == 110)
        var stale = state
        stale = try await store.update(stale, now: 120)
        #expect(stale.version == 3)
        await expectCode(.stateConflict) { _ = try await store.update(state, now: 130) }
        #expect(try await store.state(of: plan.name).version == 3)
    }

    /// Of concurrent updates from one version, exactly one wins.
    static func concurrentUpdatesOneWins(_ store: any RolloutStore) async throws {
        let plan = try plan()
        let state = try await store.create(plan, now: 100)
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<4 {
                group.addTask {
                    do {
                        _ = try await store.update(state, now: 200 + Double(i))
                        return true
                    } catch let error as RolloutError where error.code == .stateConflict {
                        return false
                    }
                }
            }
            var wins = 0
            for try await won in group where won { wins += 1 }
            return wins
        }
        #expect(wins == 1)
        #expect(try await store.state(of: plan.name).version == 2)
    }

    /// A rollout that ended takes no further change; a plan cannot change under a running rollout.
    static func endedRolloutsAreFinal(_ store: any RolloutStore) async throws {
        let plan = try plan()
        let aliases = InMemoryAliasControl(aliases: ["shop/ranker/production": 3])
        let controller = try await RolloutController.start(plan: plan, store: store, aliasControl: aliases, now: 0)
        // A candidate that never converts, against a control converting half the time: rolled back.
        for i in 0..<40_000 {
            let variant = controller.route("u\(i)")
            controller.recorder.recordRequest(variant: variant, latency: 0.01)
            controller.recorder.recordOutcome(variant: variant, metric: 0, value: variant == 1 ? 0 : (i % 2 == 0 ? 1 : 0))
        }
        var decision = try await controller.evaluate(now: 10)
        for t in 0..<10 where controller.state.status == .running {
            decision = try await controller.evaluate(now: 20 + Double(t))
        }
        #expect(controller.state.status == .rolledBack, "\(decision?.look.reason ?? "")")
        let stored = try await store.state(of: plan.name)
        #expect(stored.status == .rolledBack)
        await expectCode(.rolloutEnded) { _ = try await store.update(stored, now: 500) }
    }

    /// Every check, each a test case of its own: pass them to a parameterized test.
    public static let checks: [ConformanceCheck<any RolloutStore>] = [
        ConformanceCheck("creates and reads rollouts, refusing duplicates and unknown names", createsAndReads),
        ConformanceCheck("updates are optimistic: stale versions are refused", optimisticUpdates),
        ConformanceCheck("of concurrent updates from one version exactly one wins", concurrentUpdatesOneWins),
        ConformanceCheck("an ended rollout takes no further change", endedRolloutsAreFinal),
    ]

    static func expectCode(_ code: RolloutError.Code, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected a \(code) error")
        } catch let error as RolloutError {
            #expect(error.code == code, "\(error)")
        } catch {
            Issue.record("expected a RolloutError \(code), got \(error)")
        }
    }
}
