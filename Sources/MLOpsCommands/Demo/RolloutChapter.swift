import Foundation
import Lineage
import MLOpsStorage
import Registry
import Rollout
import RolloutRegistry
import TensorCore

/// Chapter 6: a ranking model's challengers go through a canary inside the serving process.
/// Simulated shoppers, sticky by user id, are routed by the rollout's salted hash; every minute
/// the controller looks at conversions with an always-valid test. The first challenger converts
/// less and is rolled back with production left on the champion; the second converts more and is
/// promoted, moving the registry's production alias. Each decision trail is drawn as an SVG.
struct RolloutChapter: DemoChapter {
    let slug = "rollout"
    let title = "6. Rollout: two canaries, one rolled back and one promoted, with the registry alias following"

    /// Conversion rates: the champion's, the worse challenger's and the better one's.
    static let rates = (champion: 0.10, worse: 0.085, better: 0.12)

    struct Outcome {
        let plan: RolloutPlan
        let state: RolloutState
        let minutes: Int
        let requests: Int
        let leftTheCanary: Int
        let chart: String
    }

    func run(in context: DemoContext) async throws -> (ChapterReport, String) {
        let lineage = try await SQLLineageStore(database: context.database)
        let registry = try await SQLRegistryStore(database: context.database, lineage: lineage)
        let rollouts = try await SQLRolloutStore(database: context.database)

        // The controller's principal, added by the admin the Registry chapter created.
        let (admin, controllerID) = ("demo-admin", "demo-rollout-controller")
        if !(try await registry.principals().contains { $0.id == controllerID }) {
            try await createUnlessPresent {
                _ = try await registry.addPrincipal(PrincipalRegistration(id: controllerID, roles: [.register, .promote]), by: admin)
            }
        }
        let model = try ModelName("shop/ranker")
        if (try? await registry.model(model)) == nil {
            try await createUnlessPresent {
                _ = try await registry.registerModel(
                    ModelRegistration(name: model, description: "Ranks products on the shop's search page (the demo's canary model).", riskClass: .low), by: controllerID)
            }
        }
        // The three rankers' bytes go to the artifact folder first, on every run (a put of bytes
        // held already changes nothing): every version the demo registers can be exported, and
        // `store check --verify-artifacts` finds each one's bytes.
        let names = ["champion", "challenger-a", "challenger-b"]
        var digests: [String: Digest] = [:]
        for name in names { digests[name] = try await context.artifacts.put(Array("shop/ranker \(name)".utf8)).digest }
        var versions = try await registry.versions(of: model)
        for name in names.dropFirst(versions.count) {
            guard let digest = digests[name] else { continue }
            _ = try await registry.registerVersion(
                VersionRegistration(model: model, artifactDigest: digest, description: name, tags: ["role": name]), by: controllerID)
        }
        versions = try await registry.versions(of: model)
        let (champion, worse, better) = (versions[0].version, versions[1].version, versions[2].version)
        let aliases = RegistryAliasControl(registry: registry, principal: controllerID)
        // Every run of the demo starts from the champion in production.
        if try await aliases.version(of: model.description, alias: "production") != champion {
            _ = try await registry.promote(model, version: champion, to: "production", by: controllerID, reason: "demo: the champion serves", expecting: .any)
        }
        let run = try await rollouts.list().filter { $0.plan.name.hasPrefix("ranker-canary-") }.count / 2 + 1

        var policy = AnalysisPolicy()
        policy.minimumSamples = 500
        policy.tuningSampleSize = 20_000
        policy.guardrails = [try Guardrail(metric: "error_rate", maximum: 0.02)]
        var outcomes: [Outcome] = []
        for (label, version, rate) in [("a", worse, Self.rates.worse), ("b", better, Self.rates.better)] {
            let plan = try RolloutPlan(
                name: "ranker-canary-\(run)-\(label)", strategy: .canary, control: "v\(champion)", candidate: "v\(version)", steps: [5, 25, 50],
                salt: "ranker-canary-\(run)-\(label)", metric: "converted", policy: policy,
                registry: .init(model: model.description, alias: "production", controlVersion: champion, candidateVersion: version), minimumStepSeconds: 180)
            outcomes.append(try await Self.canary(plan: plan, candidateRate: rate, store: rollouts, aliases: aliases, seed: context.seed &+ UInt64(version)))
        }
        let production = try await registry.resolve(model, alias: "production").version
        for (outcome, name) in zip(outcomes, ["rollout-trail-a.svg", "rollout-trail-b.svg"]) {
            try context.write(Array(outcome.chart.utf8), to: name)
        }
        let history = try await registry.aliasHistory(of: model, alias: "production").suffix(3)

        func verdict(_ outcome: Outcome) -> String {
            let last = outcome.state.decisions.last
            return "\(outcome.plan.candidate) \(outcome.state.status.rawValue) after \(outcome.minutes) minutes and \(outcome.requests) requests: \(last?.look.reason ?? "")"
        }
        let highlights = outcomes.map(verdict) + ["production alias of shop/ranker now on version \(production)"]
        var body = """
            <p>The shop's ranking model (champion v\(champion), converting \(Int(Self.rates.champion * 100))% of searches) faces two challengers. \
            Each goes through a canary inside the serving process: 5% of users, then 25%, then 50%, sticky by user id through the rollout's \
            salted hash, so a shopper in the canary stays there as it grows; each step bakes at least three minutes. Every simulated minute 4,000 searches arrive and the controller \
            looks: the sample-ratio check, an error-rate guardrail, and an always-valid 95% confidence sequence on the conversion difference \
            (it may look every minute without raising its error rate). The first challenger converts \(String(format: "%.1f", Self.rates.worse * 100))%, \
            the second \(String(format: "%.0f", Self.rates.better * 100))%.</p>
            """
        for (outcome, name) in zip(outcomes, ["rollout-trail-a.svg", "rollout-trail-b.svg"]) {
            body += "<h2>\(HTML.escape(outcome.plan.candidate)): \(outcome.state.status.rawValue)</h2>"
            body += "<p><img src=\"\(name)\" alt=\"decision trail of \(HTML.escape(outcome.plan.name))\"></p>"
            body += "<p>Users who left the canary as it grew: \(outcome.leftTheCanary).</p>"
            body += HTML.table(
                headers: ["minute", "step", "decision", "estimate", "interval", "action"],
                rows: outcome.state.decisions.map { d in
                    [
                        String(format: "%.0f", d.time / 60), "\(d.step + 1)", d.look.decision.rawValue, d.look.estimate.map { String(format: "%+.4f", $0) } ?? "–",
                        d.look.interval.map { String(format: "[%+.4f, %+.4f]", $0[0], $0[1]) } ?? "–", d.action,
                    ]
                })
        }
        body += "<h2>The production alias</h2>" + HTML.table(
            headers: ["revision", "version", "by", "reason"], rows: history.map { ["\($0.revision)", "v\($0.version)", $0.principal, $0.reason] })
        body += "<p>Check a policy against logged traffic with <code>mlops rollout analyze EVENTS --control v1 --candidate v2 --metric converted</code>, and tune it with <code>mlops rollout simulate --baseline 0.1 --effect -0.05</code>.</p>"
        let facts: [ChapterReport.Fact] = outcomes.map { .init(label: "\($0.plan.name)", value: "\($0.state.status.rawValue) after \($0.requests) requests") }
            + [.init(label: "production", value: "shop/ranker v\(production)")]
        var report = ChapterReport(slug: slug, title: title, highlights: highlights, facts: facts, files: ["rollout-trail-a.svg", "rollout-trail-b.svg"])
        report.figures = ["rollout-trail-a.svg", "rollout-trail-b.svg"]
        return (report, body)
    }

    /// Runs one canary to its end: 4,000 searches a minute from 200,000 returning shoppers.
    static func canary(plan: RolloutPlan, candidateRate: Double, store: any RolloutStore, aliases: any ModelAliasControl, seed: UInt64) async throws -> Outcome {
        let start = 1_765_000_000.0
        let controller = try await RolloutController.start(plan: plan, store: store, aliasControl: aliases, now: start)
        var random = Xoshiro256StarStar(seed: seed)
        var inCanary = Set<Int>()
        var left = 0
        var requests = 0
        var minute = 0
        while controller.state.status == .running && minute < 240 {
            minute += 1
            for _ in 0..<4_000 {
                let user = Int(random.next() % 200_000)
                let variant = controller.route("shopper-\(user)")
                if variant == 1 { inCanary.insert(user) } else if inCanary.contains(user) { left += 1 }
                let erred = random.nextUniform() < 0.002
                controller.recorder.recordRequest(variant: variant, latency: 0.02 + 0.01 * random.nextUniform(), error: erred)
                let rate = variant == 1 ? candidateRate : rates.champion
                controller.recorder.recordOutcome(variant: variant, metric: 0, value: !erred && random.nextUniform() < rate ? 1 : 0)
                requests += 1
            }
            try await controller.evaluate(now: start + Double(minute) * 60)
        }
        let state = controller.state
        let looks = state.decisions.map(\.look)
        let chart = DecisionTrailChart.svg(looks, title: "\(plan.name): \(plan.candidate) vs \(plan.control), \(state.status.rawValue)")
        return Outcome(plan: plan, state: state, minutes: minute, requests: requests, leftTheCanary: left, chart: chart)
    }
}
