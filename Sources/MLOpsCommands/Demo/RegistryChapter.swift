import Foundation
import Lineage
import MLOpsStorage
import Registry

/// Chapter 4: the demo's models under governance. A promotion to production is refused until two
/// holders of the approver role sign it; a challenger is promoted and rolled back once; the audit
/// chain is verified; the model card and the audit trail go on the page.
struct RegistryChapter: DemoChapter {
    /// The principal that bootstraps the demo's registry.
    static let admin = "demo-admin"

    let slug = "registry"
    let title = "4. Registry: governed promotion, rollback and a verified audit trail"

    /// The demo's approvers sign with keys derived from public text, so a rerun on the same store
    /// finds the keys it registered before. Never derive real keys like this.
    static func demoKey(_ name: String) throws -> SigningKey {
        try SigningKey(rawRepresentation: Data(Digest(of: Array("swift-mlops demo key: \(name)".utf8)).hex.utf8.prefix(32)))
    }

    func run(in context: DemoContext) async throws -> (ChapterReport, String) {
        let lineage = try await SQLLineageStore(database: context.database)
        let registry = try await SQLRegistryStore(database: context.database, lineage: lineage)
        // The two runs the Lineage chapter of this demo recorded, by id (another demo sharing
        // the store records runs of the same experiment at the same time).
        var runs: [Run] = []
        for id in context.ledger.runs { runs.append(try await lineage.run(id)) }
        guard runs.count == 2, let baselineRun = runs.first, let challengerRun = runs.last else {
            throw CommandFailure.problem("error: the registry chapter found \(runs.count) fraud-demo runs; the Lineage chapter should have recorded two.")
        }

        // Principals: an admin, a trainer pipeline that registers and promotes, two approvers.
        let (admin, trainer) = (Self.admin, "demo-trainer")
        let approvers = try ["demo-approver-ana", "demo-approver-ben"].map { ($0, try Self.demoKey($0)) }
        let existing = Set(try await registry.principals().map(\.id))
        // The demo's admin bootstraps an empty registry; `DemoCommand` refused any other.
        if !existing.contains(admin) {
            do {
                try await createUnlessPresent { _ = try await registry.addPrincipal(PrincipalRegistration(id: admin, roles: [.admin]), by: nil) }
            } catch let error as RegistryError where error.code == .permissionDenied {
                // Only an empty registry takes a principal without an admin: another demo
                // sharing the store bootstrapped it first. Its admin is this one's.
                guard try await registry.principals().contains(where: { $0.id == admin && $0.holds(.admin) }) else { throw error }
            }
        }
        if !existing.contains(trainer) {
            try await createUnlessPresent { _ = try await registry.addPrincipal(PrincipalRegistration(id: trainer, roles: [.register, .promote]), by: admin) }
        }
        for (id, key) in approvers where !existing.contains(id) {
            try await createUnlessPresent { _ = try await registry.addPrincipal(PrincipalRegistration(id: id, roles: [.approve], publicKey: key.publicKey), by: admin) }
        }

        let model = try ModelName("fraud/scorer")
        if (try? await registry.model(model)) == nil {
            try await createUnlessPresent {
                _ = try await registry.registerModel(
                    ModelRegistration(name: model, description: "Scores card transactions for fraud (the demo's logistic regression).", riskClass: .high),
                    by: trainer)
            }
        }
        let policy = PromotionPolicy(
            alias: "production", riskClass: .high, metricMinimums: [PromotionPolicy.MetricRule(metric: "auc", value: 0.7)],
            requireCompleteCard: true, requiredApprovals: 2)
        try await registry.setPolicy(policy, by: admin, reason: "production needs a complete card, AUC ≥ 0.7 and two approvers")

        let card = ModelCard(
            intendedUse: "Rank card transactions for manual fraud review.",
            limitations: "Trained on synthetic transactions; not calibrated; not for automatic blocking.",
            trainingData: "Seeded synthetic transactions (see the Lineage chapter for the data set's digest).",
            evaluationSlices: [ModelCard.EvaluationSlice(name: "all transactions", metrics: ["auc": baselineRun.latestMetrics["auc"]?.value ?? 0])],
            owners: ["fraud team", "demo-trainer"])
        let baseline = try await register(baselineRun, card: card, model: model, in: registry, by: trainer)
        let challenger = try await register(challengerRun, card: card, model: model, in: registry, by: trainer)

        // 1. Refused: no approvals yet. Every failed rule is listed; nothing changes.
        var refusedRules: [PolicyFailure] = []
        do {
            _ = try await registry.promote(model, version: baseline.version, to: "production", by: trainer, reason: "first release", expecting: .any)
        } catch let error as RegistryError where error.code == .policyViolation {
            refusedRules = error.failures
        }
        // 2. Two approvers sign; the promotion passes.
        for (id, key) in approvers {
            try await registry.submitApproval(try Approval.sign(
                model: model, version: baseline.version, versionDigest: baseline.digest, alias: "production", policyHash: try policy.hash(),
                principal: id, key: key))
        }
        _ = try await registry.promote(model, version: baseline.version, to: "production", by: trainer, reason: "first release, two approvals", expecting: .any)
        // 3. The challenger is approved and promoted, then rolled back once.
        for (id, key) in approvers {
            try await registry.submitApproval(try Approval.sign(
                model: model, version: challenger.version, versionDigest: challenger.digest, alias: "production", policyHash: try policy.hash(),
                principal: id, key: key))
        }
        try await Self.promote(
            model, version: challenger.version, in: registry, by: trainer, reason: "challenger trained on newer data", after: baseline.version)
        // Back one step from this demo's challenger only: when another demo sharing the store
        // moved production on first, there is nothing of this demo's left to roll back.
        let rolledBack: Int
        do {
            rolledBack = try await registry.rollback(
                model, alias: "production", by: trainer, reason: "challenger's alert rate doubled in the first hour",
                expecting: .version(challenger.version)).version
        } catch let error as RegistryError where error.code == .aliasConflict {
            rolledBack = try await registry.resolve(model, alias: "production").version
        }
        // 4. The chain verifies; its head can be anchored elsewhere.
        let verification = try await registry.verifyAudit()
        let history = try await registry.aliasHistory(of: model, alias: "production")
        let trail = try await registry.auditEntries(after: max(0, verification.head.sequence - 40), limit: 40)
        let markdown = card.markdown(model: model, version: baseline.version, riskClass: .high)
        try context.write(Array(markdown.utf8), to: "model-card.md")

        let highlights = [
            "promotion of \(model) v\(baseline.version) to production refused first: \(refusedRules.map(\.rule).joined(separator: ", ")) (\(refusedRules.first?.message ?? "no rule failed"))",
            "after 2 signed approvals (Ed25519) it was promoted; challenger v\(challenger.version) promoted, then rolled back to v\(rolledBack)",
            "audit chain: \(verification.entries) entries, \(verification.isIntact ? "intact" : "BROKEN at \(verification.firstBadSequence ?? 0)"), head \(verification.head.hash.prefix(16))…",
        ]
        var body = "<p>The store enforces the production policy for high-risk models: AUC at least 0.7, a complete model card, and two signed approvals by holders of the approver role, never the version's author. Every change is an entry of a hash-chained audit log.</p>"
        body += "<h2>The refused promotion</h2><ul>" + refusedRules.map { "<li><code>\(HTML.escape($0.rule))</code>: \(HTML.escape($0.message))</li>" }.joined() + "</ul>"
        body += "<h2>Alias history of production</h2>" + HTML.table(
            headers: ["revision", "action", "version", "previous", "by", "reason"],
            rows: history.map { ["\($0.revision)", $0.action.rawValue, "\($0.version)", $0.previousVersion.map(String.init) ?? "—", $0.principal, $0.reason] })
        body += "<h2>Model card (<a href=\"model-card.md\">model-card.md</a>)</h2><pre>\(HTML.escape(markdown))</pre>"
        body += "<h2>Audit trail (last \(trail.count) entries)</h2><p>\(verification.isIntact ? "Chain intact" : "Chain BROKEN"): \(verification.entries) entries, head <code>\(verification.head.hash)</code>.</p>"
        body += HTML.table(
            headers: ["#", "when", "who", "action", "subject", "reason", "hash"],
            rows: trail.map { ["\($0.sequence)", ISO8601DateFormatter().string(from: $0.at), $0.principal, $0.action, $0.subject, $0.reason, String($0.hash.prefix(12)) + "…"] })
        body += "<p>Try <code>mlops audit verify --store \(HTML.escape(context.location.description))</code> and <code>mlops models show \(model) --store \(HTML.escape(context.location.description))</code>.</p>"
        let facts: [ChapterReport.Fact] = [
            .init(label: "model", value: model.value),
            .init(label: "production", value: "version \(rolledBack)"),
            .init(label: "audit head", value: "\(verification.head.sequence) \(verification.head.hash)"),
        ]
        return (ChapterReport(slug: slug, title: title, highlights: highlights, facts: facts, files: ["model-card.md"]), body)
    }

    /// Promotes `version` to production expecting the alias at `expected`, as one pipeline
    /// would. When another demo sharing the store moved the alias first (`aliasConflict`), the
    /// promotion is made again from where the alias is then (up to 25 tries): an optimistic move
    /// that lost a race looks again before it retries.
    static func promote(
        _ model: ModelName, version: Int, in registry: SQLRegistryStore, by actor: String, reason: String, after expected: Int
    ) async throws {
        var expectation = AliasExpectation.version(expected)
        // Eight demos at once on a fresh store make about 24 moves of this one alias; a few
        // milliseconds of jitter between tries keeps the losers from racing in lockstep.
        let attempts = 25
        for attempt in 1...attempts {
            do {
                _ = try await registry.promote(model, version: version, to: "production", by: actor, reason: reason, expecting: expectation)
                return
            } catch let error as RegistryError where error.code == .aliasConflict && attempt < attempts {
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...20)))
                let now = try await registry.aliases(of: model).first { $0.alias == "production" }?.version
                expectation = now.map(AliasExpectation.version) ?? .unset
            }
        }
    }

    /// Registers the model a Lineage run wrote as a new version, with the run's AUC.
    private func register(_ run: Run, card: ModelCard, model: ModelName, in registry: SQLRegistryStore, by trainer: String) async throws -> ModelVersion {
        guard let output = run.outputs.first(where: { $0.kind == .model }) else {
            throw CommandFailure.problem("error: run \(run.id) recorded no model output.")
        }
        var metrics: [String: Double] = [:]
        if let auc = run.latestMetrics["auc"]?.value, auc.isFinite { metrics["auc"] = auc }
        return try await registry.registerVersion(
            VersionRegistration(
                model: model, runID: run.id, artifactDigest: output.digest, source: "mlops-demo://\(run.name)", metrics: metrics,
                description: "trained by run \(run.name)", tags: ["run_name": run.name], card: card),
            by: trainer)
    }
}
