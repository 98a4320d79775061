// governed-promotion: a Swift program that governs a model's way to production with the
// Registry: a promotion refused by policy, two signed approvals, a promotion, a rollback, and
// a verification of the audit chain.
//
//   swift run governed-promotion [folder]
//
// The store is a SQLite file in folder (a new temporary folder by default).

import Foundation
import MLOpsStorage
import Registry

let folder = CommandLine.arguments.dropFirst().first ?? NSTemporaryDirectory() + "governed-promotion-\(UUID().uuidString)"
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)

try await StoreLocation(parsing: "sqlite:\(folder)/registry.sqlite").withDatabase { database in
    let registry = try await SQLRegistryStore(database: database)

    // 1. Principals: an admin bootstraps the registry; a CI pipeline registers and promotes; two
    //    approvers hold Ed25519 keys whose public halves the store keeps.
    let bootstrap = try await registry.principals().first { $0.holds(.admin) }?.id
    let suffix = String(UUID().uuidString.prefix(6)).lowercased()
    let (admin, ci) = ("admin-\(suffix)", "ci-\(suffix)")
    _ = try await registry.addPrincipal(PrincipalRegistration(id: admin, roles: [.admin]), by: bootstrap)
    _ = try await registry.addPrincipal(PrincipalRegistration(id: ci, roles: [.register, .promote]), by: admin)
    var approvers: [(String, SigningKey)] = []
    for name in ["ana", "ben"] {
        let key = SigningKey()
        let id = "\(name)-\(suffix)"
        _ = try await registry.addPrincipal(PrincipalRegistration(id: id, roles: [.approve], publicKey: key.publicKey), by: admin)
        approvers.append((id, key))
    }

    // 2. The policy: production needs AUC ≥ 0.9, a complete card and two approvals.
    let alias = "production"
    let policy = PromotionPolicy(
        alias: alias, riskClass: .high, metricMinimums: [.init(metric: "auc", value: 0.9)],
        requireCompleteCard: true, requiredApprovals: 2)
    try await registry.setPolicy(policy, by: admin, reason: "two approvers for production")

    // 3. A model and two versions; the model and its first version in one transaction.
    let model = try ModelName("fraud-\(suffix)/scorer")
    let card = ModelCard(
        intendedUse: "rank transactions for review", limitations: "not for automatic blocking", trainingData: "transactions 2026-11",
        evaluationSlices: [.init(name: "all", metrics: ["auc": 0.93])], owners: ["fraud team"])
    let first = try await registry.registerModel(
        ModelRegistration(name: model, description: "card fraud scorer", riskClass: .high),
        firstVersion: VersionRegistration(model: model, artifactDigest: Digest(of: Array("weights v1".utf8)), metrics: ["auc": 0.93], card: card),
        by: ci).version
    let second = try await registry.registerVersion(
        VersionRegistration(model: model, artifactDigest: Digest(of: Array("weights v2".utf8)), metrics: ["auc": 0.95], card: card), by: ci)

    // 4. Refused: nobody has approved yet. Every failed rule is listed, nothing changes.
    do {
        _ = try await registry.promote(model, version: first.version, to: alias, by: ci, reason: "release", expecting: .unset)
        print("unexpected: promoted without approvals")
    } catch let error as RegistryError where error.code == .policyViolation {
        print("refused: " + error.failures.map(\.description).joined(separator: "; "))
    }

    // 5. Two approvers sign each version; both get promoted in turn.
    for version in [first, second] {
        for (id, key) in approvers {
            try await registry.submitApproval(try Approval.sign(
                model: model, version: version.version, versionDigest: version.digest, alias: alias, policyHash: try policy.hash(),
                principal: id, key: key))
        }
    }
    _ = try await registry.promote(model, version: first.version, to: alias, by: ci, reason: "first release", expecting: .unset)
    _ = try await registry.promote(model, version: second.version, to: alias, by: ci, reason: "better AUC", expecting: .version(first.version))
    print("production → version \(try await registry.resolve(model, alias: alias).version)")

    // 6. Roll back in one call.
    let back = try await registry.rollback(model, alias: alias, by: ci, reason: "alert rate doubled")
    print("rolled back: production → version \(back.version)")

    // 7. The audit chain verifies; its head can be anchored elsewhere.
    let verification = try await registry.verifyAudit()
    print("audit chain \(verification.isIntact ? "intact" : "BROKEN"): \(verification.entries) entries, head \(verification.head.hash)")
}
