// canary-rollout: a serving process runs a canary of its next model in process. Requests are
// routed by a salted hash of the user id (sticky: a user in the canary stays there as it grows),
// their outcomes are recorded, and every simulated minute the controller judges the evidence with
// an always-valid test: it grows the canary 5% → 25% → 50% while nothing is wrong, and rolls back
// as soon as the candidate is shown to convert less, leaving production on the champion.
//
//   swift run canary-rollout

import Foundation
import Rollout
import TensorCore

// The plan: v2 replaces v1 through three canary steps, judged on conversion.
var policy = AnalysisPolicy()
policy.minimumSamples = 500          // per variant, before anything but "hold"
policy.alpha = 0.05                  // the chance of ever acting on a difference that is not there
policy.guardrails = [try Guardrail(metric: "latency_p99", maximumIncrease: 0.5)]
let plan = try RolloutPlan(
    name: "ranker-v2", strategy: .canary, control: "v1", candidate: "v2", steps: [5, 25, 50], metric: "converted", policy: policy,
    registry: .init(model: "shop/ranker", alias: "production", controlVersion: 1, candidateVersion: 2),
    minimumStepSeconds: 300)          // each step bakes five minutes before the canary grows

// Where the state lives (a SQLRolloutStore on SQLite or PostgreSQL in a real service) and the
// registry the alias lives in (RegistryAliasControl on the Registry product in a real service).
let store = InMemoryRolloutStore()
let registry = InMemoryAliasControl(aliases: ["shop/ranker/production": 1])
let controller = try await RolloutController.start(plan: plan, store: store, aliasControl: registry, now: 0)
print("started \(plan.name): \(try controller.state.weights)")

// The traffic: 50,000 returning users; v1 converts 10%, v2 only 8.5%.
var random = Xoshiro256StarStar(seed: 2026)
var seenInCanary = Set<Int>()
var leftCanary = 0
for minute in 1...120 {
    for _ in 0..<3_000 {
        let user = Int(random.next() % 50_000)
        let variant = controller.route("user-\(user)")   // no allocation, no lock held while routing
        if variant == 1 { seenInCanary.insert(user) } else if seenInCanary.contains(user) { leftCanary += 1 }
        controller.recorder.recordRequest(variant: variant, latency: 0.020 + 0.005 * random.nextUniform())
        let converted = random.nextUniform() < (variant == 1 ? 0.085 : 0.10)
        controller.recorder.recordOutcome(variant: variant, metric: 0, value: converted ? 1 : 0)
    }
    guard let decision = try await controller.evaluate(now: Double(minute) * 60) else { continue }
    let interval = decision.look.interval.map { String(format: "[%+.4f, %+.4f]", $0[0], $0[1]) } ?? "–"
    print("minute \(minute): \(decision.look.decision.rawValue), \(decision.action); v2 − v1 interval \(interval)")
    if controller.state.status != .running {
        print("reason: \(decision.look.reason)")
        break
    }
}
print("\(leftCanary) users left the canary as it grew")
let production = try await registry.version(of: "shop/ranker", alias: "production") ?? 0
print(controller.state.status == .rolledBack ? "rolled back: production stays on version \(production)" : "production on version \(production)")
