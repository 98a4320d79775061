import Foundation
import Rollout
import Testing
import TensorCore

@Suite("Sticky routing")
struct RoutingTests {
    @Test("the fixtures are present")
    func fixtures() {
        #expect(RolloutFixtureFile.loaded?.buckets.count == 60)
        #expect(RolloutFixtureFile.loaded?.replays.count == 5)
    }

    @Test("buckets match an independent Python implementation of the documented hash", arguments: RolloutFixtureFile.loaded?.buckets ?? [])
    func bucketsMatchReference(_ fixture: RolloutFixtureFile.BucketCase) {
        #expect(UnitHash(salt: fixture.salt).bucket(fixture.key) == fixture.bucket)
    }

    @Test("weights are parsed exactly and refused with the reason when they cannot work")
    func weights() throws {
        let weights = try TrafficWeights(parsing: "control=97.5, candidate=2.5")
        #expect(weights.basisPoints == [9750, 250])
        #expect(weights.description == "control=97.5,candidate=2.5")
        for bad in ["control=95,candidate=4", "control=95,candidate=5,x=1", "control=-5,candidate=105", "control=100,control=0", "=100",
                    "control=99.995,candidate=0.005", "control", "control=abc", "", "a,b=100", "control=nan"] {
            #expect(throws: RolloutError.self, "\(bad)") { try TrafficWeights(parsing: bad) }
            do { _ = try TrafficWeights(parsing: bad) } catch { #expect(error.code == .invalidWeights, "\(bad): \(error)") }
        }
    }

    @Test("the same unit gets the same variant on every replica and after a restart")
    func deterministicAcrossReplicas() throws {
        let weights = try TrafficWeights(parsing: "control=80,candidate=20")
        let replicaA = try Router(salt: "ranker-2026-12", weights: weights)
        let replicaB = try Router(salt: "ranker-2026-12", weights: weights)
        // A restart: the router rebuilt from a stored state.
        let plan = try RolloutPlan(name: "ranker-2026-12", strategy: .abTest, control: "control", candidate: "candidate", steps: [20], metric: "converted")
        let restarted = try RolloutState(plan: plan, now: 0).router()
        for i in 0..<20_000 {
            let unit = "user-\(i)"
            let a = replicaA.variantIndex(for: unit)
            #expect(a == replicaB.variantIndex(for: unit))
            #expect(a == restarted.variantIndex(for: unit))
        }
        // Another salt reshuffles.
        let other = try Router(salt: "another", weights: weights)
        let moved = (0..<20_000).filter { other.variantIndex(for: "user-\($0)") != replicaA.variantIndex(for: "user-\($0)") }.count
        #expect(moved > 2_000)
    }

    @Test("a growing canary keeps every unit that was in it (only-forward moves), step after step")
    func canaryOnlyForward() throws {
        let plan = try RolloutPlan(name: "canary", strategy: .canary, control: "champion", candidate: "challenger", steps: [1, 5, 25, 50, 100], metric: "m")
        var router = try Router(salt: "s", weights: try plan.weights(atStep: 0))
        let units = (0..<50_000).map { "u\($0)" }
        var previous = units.map { router.variantIndex(for: $0) }
        for step in 1..<plan.steps.count {
            router = try router.reweighted(to: try plan.weights(atStep: step))
            // The reweighted router and a fresh one (what `rollout assign` and a restart build) agree.
            let fresh = try Router(salt: "s", weights: try plan.weights(atStep: step))
            let now = units.map { router.variantIndex(for: $0) }
            for (i, unit) in units.enumerated() {
                if previous[i] == 1 { #expect(now[i] == 1, "\(unit) left the canary at step \(step)") }
                #expect(now[i] == fresh.variantIndex(for: unit))
            }
            let share = Double(now.filter { $0 == 1 }.count) / Double(units.count) * 100
            #expect(abs(share - plan.steps[step]) < 1.0, "step \(step): \(share)%")
            previous = now
        }
        #expect(previous.allSatisfy { $0 == 1 })
    }

    @Test("with several variants, units only move from shrinking to growing variants")
    func manyVariantsOnlyForward() throws {
        var random = Xoshiro256StarStar(seed: 7)
        let names = ["a", "b", "c", "d"]
        var weights = try TrafficWeights(parsing: "a=40,b=30,c=20,d=10")
        var allocation = BucketAllocation(weights)
        for _ in 0..<30 {
            // Random new weights in basis points.
            var cuts = (0..<3).map { _ in (try? random.nextInt(below: 10_001)) ?? 0 }.sorted()
            cuts = [0] + cuts + [10_000]
            let points = (0..<4).map { cuts[$0 + 1] - cuts[$0] }
            let next = try TrafficWeights(zip(names, points).map { ($0, Double($1) / 100) })
            let moved = try allocation.reweighted(to: next)
            #expect(moved.counts == next.basisPoints)
            for bucket in 0..<TrafficWeights.bucketCount where moved.owners[bucket] != allocation.owners[bucket] {
                let from = Int(allocation.owners[bucket]), to = Int(moved.owners[bucket])
                #expect(next.basisPoints[from] < weights.basisPoints[from], "bucket \(bucket) left \(names[from]), which did not shrink")
                #expect(next.basisPoints[to] > weights.basisPoints[to], "bucket \(bucket) joined \(names[to]), which did not grow")
            }
            let changed = zip(moved.owners, allocation.owners).filter { $0 != $1 }.count
            let needed = zip(next.basisPoints, weights.basisPoints).map { max(0, $0 - $1) }.reduce(0, +)
            #expect(changed == needed, "moved more buckets than needed")
            (allocation, weights) = (moved, next)
        }
    }

    @Test("buckets are uniform: a chi-square test over 200,000 keys in 100 cells")
    func uniform() throws {
        let hash = UnitHash(salt: "uniformity")
        var cells = [Int](repeating: 0, count: 100)
        for i in 0..<200_000 { cells[hash.bucket("user-\(i)") / 100] += 1 }
        let srm = try SampleRatioMismatch(observed: cells, expectedShares: [Double](repeating: 1, count: 100))
        #expect(srm.pValue > 0.001, "p = \(srm.pValue)")
    }

    @Test("targeting rules go first; an unknown variant in a rule is refused when the router is built")
    func targeting() throws {
        let weights = try TrafficWeights(parsing: "control=100,candidate=0")
        let rule = try TargetingRule(attribute: "x-canary", match: .oneOf(["1", "true"]), variant: "candidate")
        let router = try Router(salt: "s", weights: weights, rules: [rule])
        #expect(router.variantIndex(for: "u1", attributes: ["x-canary": "1"]) == 1)
        #expect(router.variantIndex(for: "u1", attributes: ["x-canary": "0"]) == 0)
        #expect(router.variantIndex(for: "u1", attributes: [:]) == 0)
        let stray = try TargetingRule(attribute: "country", match: .prefix("D"), variant: "ghost")
        #expect(throws: RolloutError.self) { try Router(salt: "s", weights: weights, rules: [stray]) }
        #expect(throws: RolloutError.self) { try TargetingRule(attribute: "", match: .present, variant: "candidate") }
        #expect(throws: RolloutError.self) { try TargetingRule(attribute: "a", match: .oneOf([]), variant: "candidate") }
    }

    @Test("an empty unit key is refused where keys enter, and routed to the largest variant, never a crash, at request time")
    func emptyKey() throws {
        #expect(throws: RolloutError.self) { try UnitKey("") }
        let canary = try Router(salt: "s", weights: try TrafficWeights(parsing: "control=95,candidate=5"))
        #expect(canary.variantIndex(for: "") == 0)
        let promoted = try Router(salt: "s", weights: try TrafficWeights(parsing: "control=0,candidate=100"))
        #expect(promoted.variantIndex(for: "") == 1)
        #expect(promoted.variantIndex(for: "u") == 1)
        // A stored allocation that cannot be routed is refused when the router is built.
        let broken = try JSONDecoder().decode(BucketAllocation.self, from: Data(#"{"variants": ["a"], "owners": [0, 1]}"#.utf8))
        #expect(throws: RolloutError.self) { try Router(salt: "s", allocation: broken) }
    }

    @Test("a published router replaces the old one for new requests; the old snapshot keeps working")
    func handle() throws {
        let first = try Router(salt: "s", weights: try TrafficWeights(parsing: "control=100,candidate=0"))
        let handle = RouterHandle(first)
        let snapshot = handle.router
        handle.publish(try first.reweighted(to: try TrafficWeights(parsing: "control=0,candidate=100")))
        #expect(snapshot.variantIndex(for: "u1") == 0)
        #expect(handle.router.variantIndex(for: "u1") == 1)
    }

    @Test("plans refuse steps that shrink the candidate, equal names and impossible steps")
    func plans() throws {
        #expect(throws: RolloutError.self) { try RolloutPlan(name: "p", strategy: .canary, control: "a", candidate: "b", steps: [5, 25, 10], metric: "m") }
        #expect(throws: RolloutError.self) { try RolloutPlan(name: "p", strategy: .canary, control: "a", candidate: "a", metric: "m") }
        #expect(throws: RolloutError.self) { try RolloutPlan(name: "p", strategy: .canary, control: "a", candidate: "b", steps: [0, 5], metric: "m") }
        #expect(throws: RolloutError.self) { try RolloutPlan(name: "p", strategy: .canary, control: "a", candidate: "b", steps: [], metric: "m") }
        #expect(throws: RolloutError.self) { try RolloutPlan(name: "p", strategy: .blueGreen, control: "a", candidate: "b", steps: [50, 100], metric: "m") }
        #expect(throws: RolloutError.self) { try RolloutPlan(name: "", strategy: .abTest, control: "a", candidate: "b", metric: "m") }
        let plan = try RolloutPlan(name: "p", strategy: .canary, control: "a", candidate: "b", metric: "m")
        #expect(plan.steps == [5, 25, 50, 100])
    }
}
