import Foundation
import Lineage
import MLOpsStorage

/// What a store knows about a version's Lineage run before its promotion transaction starts.
enum LineageEvidence: Sendable {
    /// The version names no run.
    case noRun
    /// The store has no Lineage store to look in.
    case unavailable
    /// The run is not in the Lineage store.
    case missing(RunID)
    /// The run's reproducibility gaps (empty: reproducible).
    case gaps(RunID, [ReproducibilityCheck.Gap])
}

/// Every registry rule, written once over a ``RegistryTransaction``: who may do what, what a
/// promotion must show, and the audit entry each change appends.
struct RegistryRules: Sendable {
    let namingPolicy: NamingPolicy
    let now: @Sendable () -> Date

    // MARK: Checks

    static func checkPrincipalID(_ id: String) throws(RegistryError) {
        guard (1...128).contains(id.utf8.count),
              id.unicodeScalars.allSatisfy({ $0.isASCIIAlphanumeric || "._@-".unicodeScalars.contains($0) })
        else {
            throw RegistryError(
                .invalidName, "Principal '\(id)' is not a valid identifier",
                fix: "use 1 to 128 letters, digits, '.', '_', '@' and '-'.")
        }
    }

    static func checkAlias(_ alias: String) throws(RegistryError) {
        guard let first = alias.unicodeScalars.first, first.isASCIIAlphanumeric, alias.utf8.count <= 64,
              alias.unicodeScalars.allSatisfy({ $0.isASCIIAlphanumeric || "._-".unicodeScalars.contains($0) })
        else {
            throw RegistryError(
                .invalidName, "Alias '\(alias)' is not a valid alias name",
                fix: "use 1 to 64 letters, digits, '.', '_' and '-', starting with a letter or digit.")
        }
        let lower = alias.lowercased()
        if lower == "latest" || (lower.hasPrefix("v") && lower.count > 1 && lower.dropFirst().allSatisfy(\.isNumber)) {
            throw RegistryError(
                .invalidName, "Alias '\(alias)' is reserved (MLflow reads 'latest' and 'v<number>' as versions)",
                fix: "choose another name, such as production or champion.")
        }
    }

    static func checkReason(_ reason: String, for what: String) throws(RegistryError) {
        guard !reason.isBlank else {
            throw RegistryError(.invalidArgument, "A \(what) needs a reason", fix: "say why, for the audit log (--reason).")
        }
    }

    /// The principal, which must exist and hold `role`.
    static func actor(_ id: String, holding role: Role, in tx: some RegistryTransaction, toDo what: String) async throws -> Principal {
        try checkPrincipalID(id)
        let principal = try await tx.principal(id)
        if principal == nil, try await tx.principalCount() == 0 {
            // "An admin adds it" cannot be followed in a registry that has no admin yet.
            throw RegistryError(
                .permissionDenied, "Principal '\(id)' is not registered (the registry has no principals yet), so it cannot \(what)",
                fix: "a new registry begins with its first admin: `mlops principals add ID --role admin`, which then adds '\(id)' with the \(role) role.",
                principal: id, role: role)
        }
        return try check(principal, id: id, holds: role, toDo: what)
    }

    /// `principal` (looked up as `id`), which must exist and hold `role`.
    static func check(_ principal: Principal?, id: String, holds role: Role, toDo what: String) throws(RegistryError) -> Principal {
        guard let principal else {
            throw RegistryError(
                .permissionDenied, "Principal '\(id)' is not registered, so it cannot \(what)",
                fix: "an admin adds it with `mlops principals add \(id) --role \(role)`.", principal: id, role: role)
        }
        guard principal.holds(role) else {
            throw RegistryError(
                .permissionDenied, "Principal '\(id)' does not hold the \(role) role needed to \(what)",
                fix: "an admin grants it the \(role) role, or act as a principal that holds it.", principal: id, role: role)
        }
        return principal
    }

    static func existingModel(_ name: ModelName, in tx: some RegistryTransaction) async throws -> RegisteredModel {
        guard let model = try await tx.model(name) else {
            throw RegistryError(.notFound, "No model named '\(name)' is registered", fix: "register it first (`mlops models register \(name)`).")
        }
        return model
    }

    static func existingVersion(_ name: ModelName, _ number: Int, in tx: some RegistryTransaction) async throws -> ModelVersion {
        guard let version = try await tx.version(name, number) else {
            _ = try await existingModel(name, in: tx)
            throw RegistryError(.notFound, "Model '\(name)' has no version \(number)", fix: "list its versions with `mlops models show \(name)`.")
        }
        return version
    }

    // MARK: Audit

    func audit(
        _ tx: some RegistryTransaction, principal: String, action: String, subject: String,
        before: (some Encodable)?, after: (some Encodable)?, reason: String, advancingChangeCounter: Bool = false
    ) async throws {
        try await audit(
            tx, principal: principal, action: action, subject: subject, beforeText: try before.map { try RegistryCoding.canonicalText($0) },
            afterText: try after.map { try RegistryCoding.canonicalText($0) }, reason: reason, advancingChangeCounter: advancingChangeCounter)
    }

    /// Appends the entry with `before` and `after` already in canonical JSON (a record encoded
    /// once for its row and its entry). A mutation that moves an alias or changes a version's
    /// status passes `advancingChangeCounter`, so that watchers learn of it.
    func audit(
        _ tx: some RegistryTransaction, principal: String, action: String, subject: String,
        beforeText: String?, afterText: String?, reason: String, advancingChangeCounter: Bool = false
    ) async throws {
        let head = try await tx.auditHead()
        let entry = AuditEntry(
            sequence: head.sequence + 1, at: now(), principal: principal, action: action, subject: subject,
            before: beforeText, after: afterText, reason: reason, previousHash: head.hash)
        try await tx.appendAudit(entry, advancingChangeCounter: advancingChangeCounter)
    }

    // MARK: Principals

    func addPrincipal(_ registration: PrincipalRegistration, by actor: String?, in tx: some RegistryTransaction) async throws -> Principal {
        try Self.checkPrincipalID(registration.id)
        if let key = registration.publicKey, !SigningKey.isPublicKey(key) {
            throw RegistryError(
                .invalidArgument, "The public key of '\(registration.id)' is not a usable Ed25519 public key (32 bytes, not a point of small order such as all zeros)",
                fix: "pass the public key printed by `mlops keys generate`.")
        }
        let actorID: String
        if try await tx.principalCount() == 0 {
            // Bootstrap: the first principal adds itself and must be able to add the others.
            guard registration.roles.contains(.admin) else {
                throw RegistryError(
                    .permissionDenied, "The first principal of a registry must hold the admin role; '\(registration.id)' does not",
                    fix: "add the first principal with --role admin (it then adds the others).", principal: registration.id, role: .admin)
            }
            // An acting principal named here would enter the audit log without existing.
            if let actor, actor != registration.id {
                throw RegistryError(
                    .permissionDenied, "Principal '\(actor)' is not registered (the registry has no principals yet), so it cannot add principals",
                    fix: "add the first admin without an acting principal (leave --principal out): it adds itself.", principal: actor, role: .admin)
            }
            actorID = registration.id
        } else {
            guard let actor else {
                throw RegistryError(
                    .permissionDenied, "Adding a principal needs an admin to act (the registry has principals already)",
                    fix: "pass the acting admin (--principal).", role: .admin)
            }
            actorID = try await Self.actor(actor, holding: .admin, in: tx, toDo: "add principals").id
        }
        if try await tx.principal(registration.id) != nil {
            throw RegistryError(.alreadyExists, "Principal '\(registration.id)' exists already", fix: "choose another ID; `mlops principals list` shows those taken.")
        }
        let principal = Principal(
            id: registration.id, roles: registration.roles, publicKey: registration.publicKey, createdAt: now().registryRounded,
            createdBy: actor == nil ? nil : actorID)
        try await tx.insertPrincipal(principal)
        try await audit(tx, principal: actorID, action: "principal.add", subject: "principal:\(principal.id)", before: Optional<Principal>.none, after: principal, reason: "")
        return principal
    }

    // MARK: Models and versions

    func registerModel(_ registration: ModelRegistration, by actor: String, in tx: some RegistryTransaction) async throws -> RegisteredModel {
        try namingPolicy.check(registration.name)
        _ = try await Self.actor(actor, holding: .register, in: tx, toDo: "register models")
        if try await tx.model(registration.name) != nil {
            throw RegistryError(.alreadyExists, "A model named '\(registration.name)' is registered already", fix: "register a new version of it instead.")
        }
        let model = RegisteredModel(
            name: registration.name, description: registration.description, owner: registration.owner ?? actor, tags: registration.tags,
            riskClass: registration.riskClass, createdAt: now().registryRounded, createdBy: actor, latestVersion: 0)
        try await tx.insertModel(model)
        try await audit(tx, principal: actor, action: "model.register", subject: "model:\(model.name)", before: Optional<RegisteredModel>.none, after: model, reason: "")
        return model
    }

    func registerModel(
        _ registration: ModelRegistration, firstVersion: VersionRegistration, by actor: String, in tx: some RegistryTransaction
    ) async throws -> RegisteredModelWithVersion {
        guard firstVersion.model == registration.name else {
            throw RegistryError(
                .invalidArgument, "The first version names model '\(firstVersion.model)', not '\(registration.name)'",
                fix: "register the version under the model being registered.")
        }
        var model = try await registerModel(registration, by: actor, in: tx)
        let version = try await registerVersion(firstVersion, by: actor, in: tx)
        model.latestVersion = version.version
        return RegisteredModelWithVersion(model: model, version: version)
    }

    func registerVersion(_ registration: VersionRegistration, by actor: String, in tx: some RegistryTransaction) async throws -> ModelVersion {
        _ = try await Self.actor(actor, holding: .register, in: tx, toDo: "register versions")
        for (name, value) in registration.metrics where !value.isFinite {
            throw RegistryError(.invalidArgument, "Metric '\(name)' is \(value); a version's metrics must be finite numbers")
        }
        try registration.signature?.validate()
        let model = try await Self.existingModel(registration.model, in: tx)
        // Quarantine holds the bytes back, not only the version: a new version of the same bytes
        // (registered again, or imported from a bundle) would bring them back, ready to promote.
        // A purged version's tombstone keeps the hold (``ModelVersion/quarantinedTag``).
        if let held = try await tx.versionsNotReady(usingArtifact: registration.artifactDigest).first(where: \.holdsItsArtifactBack) {
            let how = held.status == .quarantined
                ? "is quarantined as version \(held.version) of '\(held.model)'\(held.statusReason.map { " (\($0))" } ?? "")"
                : "was quarantined as version \(held.version) of '\(held.model)', purged since"
            throw RegistryError(
                .versionUnavailable,
                "The artifact \(registration.artifactDigest) \(how); a new version of the same bytes would bring it back",
                fix: "register other bytes; quarantined bytes are held back for good.")
        }
        let number = model.latestVersion + 1
        var version = ModelVersion(
            model: model.name, version: number, runID: registration.runID, artifactDigest: registration.artifactDigest,
            source: registration.source, featureSetHash: registration.featureSetHash, signature: registration.signature,
            metrics: registration.metrics, description: registration.description, tags: registration.tags, card: registration.card,
            author: actor, createdAt: now().registryRounded, status: .ready, statusReason: nil,
            digest: Digest(of: [UInt8]()))
        version.digest = try version.identityDigest()
        let encoded = try EncodedRecord(version)
        try await tx.insertVersion(encoded)
        try await audit(tx, principal: actor, action: "version.register", subject: AuditEntry.versionSubject(model.name, number), beforeText: nil, afterText: encoded.text, reason: "")
        return version
    }

    func setCard(_ card: ModelCard, of name: ModelName, version number: Int, by actor: String, reason: String, in tx: some RegistryTransaction) async throws -> ModelVersion {
        _ = try await Self.actor(actor, holding: .register, in: tx, toDo: "edit model cards")
        var version = try await Self.existingVersion(name, number, in: tx)
        guard version.status != .purged else {
            throw RegistryError(.versionUnavailable, "Version \(number) of '\(name)' was purged; its card cannot be set")
        }
        let before = version.card
        version.card = card
        try await tx.updateVersion(try EncodedRecord(version))
        try await audit(tx, principal: actor, action: "version.card", subject: AuditEntry.versionSubject(name, number), before: before, after: card, reason: reason)
        return version
    }

    // MARK: Policies and approvals

    func setPolicy(_ policy: PromotionPolicy, by actor: String, reason: String, in tx: some RegistryTransaction) async throws {
        try Self.checkAlias(policy.alias)
        guard policy.requiredApprovals >= 0 else {
            throw RegistryError(.invalidArgument, "A policy cannot require \(policy.requiredApprovals) approvals")
        }
        for rule in policy.metricMinimums + policy.marginsOverHolder
        where !rule.value.isFinite || rule.metric.trimmingCharacters(in: .whitespaces).isEmpty {
            throw RegistryError(
                .invalidArgument, "Policy rule on metric '\(rule.metric)' has a bound of \(rule.value)",
                fix: "name a metric and give a finite bound.")
        }
        // A relative margin: 0.01 is 1 %; a million times the holder's value is past any real rule
        // (and 1e308 would print as "+inf%").
        for rule in policy.marginsOverHolder where rule.value < 0 || rule.value > 1e6 {
            throw RegistryError(
                .invalidArgument, "A margin over the holder of \(rule.value) on '\(rule.metric)' is outside 0 to 1,000,000",
                fix: "give a relative margin such as 0.01 for 1 %.")
        }
        // Bounds no value can meet: a minimum above a maximum on one metric.
        for metric in Set(policy.metricMinimums.map(\.metric)).sorted() {
            let rules = policy.metricMinimums.filter { $0.metric == metric }
            if let floor = rules.filter({ !$0.lowerIsBetter }).map(\.value).max(), let ceiling = rules.filter(\.lowerIsBetter).map(\.value).min(), floor > ceiling {
                throw RegistryError(
                    .invalidArgument, "The policy's rules on '\(metric)' need at least \(floor) and at most \(ceiling): no version could ever pass",
                    fix: "keep the bound you meant (a minimum for a score, a maximum for a loss).")
            }
        }
        _ = try await Self.actor(actor, holding: .admin, in: tx, toDo: "set promotion policies")
        let before = try await tx.policy(alias: policy.alias, riskClass: policy.riskClass)
        try await tx.savePolicy(policy)
        try await audit(
            tx, principal: actor, action: "policy.set", subject: "policy:\(policy.alias)/\(policy.riskClass?.rawValue ?? "*")",
            before: before, after: policy, reason: reason)
    }

    /// The policy for `model`'s risk class at `alias`, else the alias's catch-all.
    static func policy(for model: RegisteredModel, alias: String, in tx: some RegistryTransaction) async throws -> PromotionPolicy? {
        try await tx.applicablePolicy(alias: alias, riskClass: model.riskClass)
    }

    func submitApproval(_ approval: Approval, in tx: some RegistryTransaction) async throws {
        try Self.checkAlias(approval.alias)
        let approver = try await Self.actor(approval.principal, holding: .approve, in: tx, toDo: "approve promotions")
        guard let key = approver.publicKey else {
            throw RegistryError(
                .invalidSignature, "Principal '\(approver.id)' has no public key, so its approvals cannot be verified",
                fix: "an admin registers its key (`mlops principals add … --public-key`).", principal: approver.id)
        }
        guard approval.verifies(with: key) else {
            throw RegistryError(
                .invalidSignature, "The approval of '\(approval.model)' version \(approval.version) for '\(approval.alias)' by '\(approver.id)' does not verify against its registered key",
                fix: "sign with the principal's own key file; the approval may have been altered.", principal: approver.id)
        }
        let current = now()
        guard approval.expiresAt > current else {
            throw RegistryError(
                .invalidSignature, "The approval by '\(approver.id)' expired at \(approval.expiresAt)",
                fix: "sign a new approval.", principal: approver.id)
        }
        let model = try await Self.existingModel(approval.model, in: tx)
        let version = try await Self.existingVersion(approval.model, approval.version, in: tx)
        guard version.isPromotable else {
            throw RegistryError(.versionUnavailable, "Version \(version.version) of '\(model.name)' is \(version.status) and can never be promoted")
        }
        guard approval.versionDigest == version.digest else {
            throw RegistryError(
                .invalidSignature, "The approval signs version digest \(approval.versionDigest), but version \(version.version) of '\(model.name)' is \(version.digest)",
                fix: "sign the version as it is registered.", principal: approver.id)
        }
        guard let policy = try await Self.policy(for: model, alias: approval.alias, in: tx) else {
            throw RegistryError(
                .notFound, "Alias '\(approval.alias)' has no promotion policy for risk class \(model.riskClass), so an approval would count for nothing",
                fix: "an admin sets one first (`mlops policies set --alias \(approval.alias) …`).", principal: approver.id)
        }
        let policyHash = try policy.hash()
        guard approval.policyHash == policyHash else {
            throw RegistryError(
                .invalidSignature, "The approval signs policy \(approval.policyHash), but the policy for '\(approval.alias)' is \(policyHash)",
                fix: "sign under the current policy (`mlops models approve` reads it).", principal: approver.id)
        }
        guard approver.id != version.author else {
            throw RegistryError(
                .permissionDenied, "Principal '\(approver.id)' registered version \(version.version) of '\(model.name)' and cannot approve it (four eyes)",
                fix: "another principal with the approve role must approve.", principal: approver.id, role: .approve)
        }
        try await tx.saveApproval(approval)
        try await audit(
            tx, principal: approver.id, action: "approval.submit", subject: AuditEntry.versionSubject(model.name, version.version) + "#\(approval.alias)",
            before: Optional<Approval>.none, after: approval, reason: "")
    }

    // MARK: Promotion

    /// Every rule the promotion breaks; empty when it passes.
    func evaluate(
        model: RegisteredModel, version: ModelVersion, alias: String, lineage: RegistryLineage.Lookup, in tx: some RegistryTransaction
    ) async throws -> [PolicyFailure] {
        var failures: [PolicyFailure] = []
        if !version.isPromotable {
            failures.append(PolicyFailure(rule: "status", message: "version \(version.version) is \(version.status) and can never be promoted"))
        }
        guard let policy = try await Self.policy(for: model, alias: alias, in: tx) else {
            // An alias that governs some classes governs a class of an organisation's own (or a
            // misspelt one) too: it is not free of rules because no policy names it.
            if !RiskClass.builtIn.contains(model.riskClass), try await tx.policyCount(alias: alias) > 0 {
                failures.append(PolicyFailure(
                    rule: "risk_class_policy",
                    message: "risk class '\(model.riskClass)' is not low, medium or high, and '\(alias)' has policies for other classes but none for it or for every class; set one (policies set --alias \(alias) --risk-class \(model.riskClass))"))
            }
            return failures
        }
        for rule in policy.metricMinimums {
            guard let value = version.metrics[rule.metric] else {
                failures.append(PolicyFailure(rule: "metric_minimum", message: "metric '\(rule.metric)' was not recorded; the policy needs it \(rule.lowerIsBetter ? "at most" : "at least") \(rule.value)"))
                continue
            }
            let passes = rule.lowerIsBetter ? value <= rule.value : value >= rule.value
            if !passes {
                failures.append(PolicyFailure(rule: "metric_minimum", message: "metric '\(rule.metric)' is \(value); the policy needs \(rule.lowerIsBetter ? "at most" : "at least") \(rule.value)"))
            }
        }
        if !policy.marginsOverHolder.isEmpty, let holder = try await tx.alias(model.name, alias), holder.version != version.version,
           let champion = try await tx.version(model.name, holder.version) {
            for rule in policy.marginsOverHolder {
                guard let value = version.metrics[rule.metric] else {
                    failures.append(PolicyFailure(rule: "margin_over_holder", message: "metric '\(rule.metric)' was not recorded, so it cannot be compared with version \(champion.version)"))
                    continue
                }
                guard let incumbent = champion.metrics[rule.metric] else { continue }
                let target = rule.lowerIsBetter ? incumbent - abs(incumbent) * rule.value : incumbent + abs(incumbent) * rule.value
                // The bound is computed in binary floating point (0.80 + 5 % is 0.8400000000000001),
                // so a value within one part in 10¹² of it counts as on it: exactly the margin
                // passes, as "at least" says. No recorded metric is that precise.
                let slack = abs(target) * 1e-12
                let passes = rule.lowerIsBetter ? value <= target + slack : value >= target - slack
                if !passes {
                    failures.append(PolicyFailure(
                        rule: "margin_over_holder",
                        message: "metric '\(rule.metric)' is \(value); it must be \(rule.lowerIsBetter ? "at most" : "at least") \(String(format: "%.12g", target)), \(String(format: "%.12g", rule.value * 100))% \(rule.lowerIsBetter ? "below" : "above") version \(champion.version)'s \(incumbent)"))
                }
            }
        }
        if policy.requireReproducibleLineage {
            switch try await lineage(version) {
            case .noRun:
                failures.append(PolicyFailure(rule: "reproducible_lineage", message: "the version names no Lineage run"))
            case .unavailable:
                failures.append(PolicyFailure(rule: "reproducible_lineage", message: "the registry has no Lineage store to check run lineage in"))
            case .missing(let run):
                failures.append(PolicyFailure(rule: "reproducible_lineage", message: "run \(run) is not in the Lineage store"))
            case .gaps(let run, let gaps):
                for gap in gaps {
                    failures.append(PolicyFailure(rule: "reproducible_lineage", message: "run \(run): \(gap.explanation)"))
                }
            }
        }
        if policy.requireCompleteCard {
            if let card = version.card {
                let missing = card.missingFields(for: model.riskClass)
                if !missing.isEmpty {
                    failures.append(PolicyFailure(rule: "complete_card", message: "the model card lacks \(missing.joined(separator: ", ")), required for risk class \(model.riskClass)"))
                }
            } else {
                failures.append(PolicyFailure(rule: "complete_card", message: "the version has no model card; risk class \(model.riskClass) requires \(ModelCard.requiredFields(for: model.riskClass).joined(separator: ", "))"))
            }
        }
        if policy.requiredApprovals > 0 {
            let policyHash = try policy.hash()
            let current = now()
            var approvers = Set<String>()
            // One key counts once, and never the author's: two principals an admin gave one key
            // are one person, who must not make up two approvals, or approve their own version.
            var keys = Set<Data>()
            let authorKey = try await tx.principal(version.author)?.publicKey
            var notCounted: [String] = []
            for approval in try await tx.approvals(model.name, version.version) where approval.alias == alias {
                guard approval.policyHash == policyHash else { notCounted.append("\(approval.principal) (under an older policy)"); continue }
                guard approval.versionDigest == version.digest else { notCounted.append("\(approval.principal) (for another digest)"); continue }
                guard approval.expiresAt > current else { notCounted.append("\(approval.principal) (expired)"); continue }
                guard approval.principal != version.author else { notCounted.append("\(approval.principal) (the author)"); continue }
                guard let approver = try await tx.principal(approval.principal), approver.holds(policy.approverRole),
                      let key = approver.publicKey, approval.verifies(with: key)
                else {
                    notCounted.append("\(approval.principal) (no longer holds the \(policy.approverRole) role or key)")
                    continue
                }
                guard key != authorKey else { notCounted.append("\(approval.principal) (signs with the author's key)"); continue }
                guard keys.insert(key).inserted else { notCounted.append("\(approval.principal) (signs with the key of an approver counted already)"); continue }
                approvers.insert(approval.principal)
            }
            if approvers.count < policy.requiredApprovals {
                var message = "\(approvers.count) of \(policy.requiredApprovals) required signed approvals by holders of the \(policy.approverRole) role (never the author \(version.author))"
                if !approvers.isEmpty { message += "; counted: \(approvers.sorted().joined(separator: ", "))" }
                if !notCounted.isEmpty { message += "; not counted: \(notCounted.joined(separator: ", "))" }
                failures.append(PolicyFailure(rule: "approvals", message: message))
            }
        }
        return failures
    }

    func promote(
        _ name: ModelName, version number: Int, to alias: String, by actor: String, reason: String, expecting: AliasExpectation,
        lineage: RegistryLineage.Lookup, in tx: some RegistryTransaction
    ) async throws -> AliasAssignment {
        try Self.checkAlias(alias)
        _ = try await Self.actor(actor, holding: .promote, in: tx, toDo: "promote versions")
        let model = try await Self.existingModel(name, in: tx)
        let version = try await Self.existingVersion(name, number, in: tx)
        guard version.isPromotable else {
            throw RegistryError(
                .versionUnavailable, "Version \(number) of '\(name)' is \(version.status)\(version.statusReason.map { " (\($0))" } ?? "") and can never be promoted",
                fix: "promote another version.")
        }
        let current = try await Self.alias(name, alias, expecting: expecting, for: "promotion", in: tx)
        let failures = try await evaluate(model: model, version: version, alias: alias, lineage: lineage, in: tx)
        guard failures.isEmpty else {
            throw RegistryError(
                .policyViolation, "Promoting version \(number) of '\(name)' to '\(alias)' breaks \(failures.count) rule\(failures.count == 1 ? "" : "s") of its policy",
                fix: "meet every rule listed; nothing was changed.", principal: actor, failures: failures)
        }
        return try await move(model: name, alias: alias, to: number, from: current, action: .promote, by: actor, reason: reason, in: tx)
    }

    /// The alias's current assignment with its stored text, if it is where `expecting` says
    /// (compare-and-set).
    ///
    /// - Throws: ``RegistryError/Code/aliasConflict`` naming where it points now.
    static func alias(
        _ name: ModelName, _ alias: String, expecting: AliasExpectation, for move: String, in tx: some RegistryTransaction
    ) async throws -> EncodedRecord<AliasAssignment>? {
        let stored = try await tx.storedAlias(name, alias)
        let current = stored?.record
        guard expecting.holds(for: current?.version) else {
            throw RegistryError(
                .aliasConflict,
                "Alias '\(alias)' of '\(name)' now points at \(current.map { "version \($0.version) (revision \($0.revision), moved by \($0.assignedBy))" } ?? "nothing"), not where this \(move) expected",
                fix: "another promotion or rollback moved it first; look at it again and retry only if this \(move) should still happen.")
        }
        return stored
    }

    func rollback(
        _ name: ModelName, alias: String, by actor: String, reason: String, expecting: AliasExpectation, in tx: some RegistryTransaction
    ) async throws -> AliasAssignment {
        try Self.checkAlias(alias)
        try Self.checkReason(reason, for: "rollback")
        _ = try await Self.actor(actor, holding: .promote, in: tx, toDo: "roll back aliases")
        _ = try await Self.existingModel(name, in: tx)
        guard let stored = try await Self.alias(name, alias, expecting: expecting, for: "rollback", in: tx) else {
            throw RegistryError(.notFound, "Alias '\(alias)' of '\(name)' is not set, so there is nothing to roll back", fix: "check the alias's name; promote a version to set it.")
        }
        let current = stored.record
        // The holder before the current one: recorded when the current holder was last promoted
        // over another version (a promotion of the version the alias already held changes no
        // holder, and rolling back to it would leave the alias where it is).
        let history = try await tx.aliasHistory(name, alias)
        guard let promotion = history.last(where: { $0.action == .promote && $0.version == current.version && $0.previousVersion != current.version }),
              let previous = promotion.previousVersion
        else {
            throw RegistryError(
                .notFound, "Alias '\(alias)' of '\(name)' had no holder before version \(current.version)",
                fix: "promote the version it should point at instead.")
        }
        let target = try await Self.existingVersion(name, previous, in: tx)
        guard target.isPromotable else {
            throw RegistryError(
                .versionUnavailable, "The previous holder of '\(alias)', version \(previous), is \(target.status) and cannot take the alias back",
                fix: "promote another version instead.")
        }
        return try await move(model: name, alias: alias, to: previous, from: stored, action: .rollback, by: actor, reason: reason, in: tx)
    }

    private func move(
        model: ModelName, alias: String, to version: Int, from stored: EncodedRecord<AliasAssignment>?, action: AliasHistoryEntry.Action,
        by actor: String, reason: String, in tx: some RegistryTransaction
    ) async throws -> AliasAssignment {
        let current = stored?.record
        let at = now().registryRounded
        let assignment = AliasAssignment(
            model: model, alias: alias, version: version, revision: (current?.revision ?? 0) + 1, assignedAt: at, assignedBy: actor)
        let entry = AliasHistoryEntry(
            revision: assignment.revision, version: version, previousVersion: current?.version, action: action, principal: actor,
            reason: reason, at: at)
        let encoded = try EncodedRecord(assignment)
        try await tx.saveAlias(encoded, history: entry)
        try await audit(
            tx, principal: actor, action: "alias.\(action)", subject: "\(model)#\(alias)", beforeText: stored?.text,
            afterText: encoded.text, reason: reason, advancingChangeCounter: true)
        return assignment
    }

    // MARK: Status

    func quarantine(_ name: ModelName, version number: Int, by actor: String, reason: String, in tx: some RegistryTransaction) async throws -> ModelVersion {
        try Self.checkReason(reason, for: "quarantine")
        _ = try await Self.actor(actor, holding: .admin, in: tx, toDo: "quarantine versions")
        var version = try await Self.existingVersion(name, number, in: tx)
        guard version.status == .ready else {
            throw RegistryError(.versionUnavailable, "Version \(number) of '\(name)' is \(version.status) already", fix: "nothing to do; only a ready version can be quarantined.")
        }
        let before = StatusRecord(status: version.status, reason: version.statusReason)
        version.status = .quarantined
        version.statusReason = reason
        try await tx.updateVersion(try EncodedRecord(version))
        try await audit(
            tx, principal: actor, action: "version.quarantine", subject: AuditEntry.versionSubject(name, number), before: before,
            after: StatusRecord(status: version.status, reason: reason), reason: reason, advancingChangeCounter: true)
        return version
    }

    func purge(_ name: ModelName, version number: Int, by actor: String, reason: String, in tx: some RegistryTransaction) async throws -> PurgeOutcome {
        try Self.checkReason(reason, for: "purge")
        _ = try await Self.actor(actor, holding: .admin, in: tx, toDo: "purge versions")
        var version = try await Self.existingVersion(name, number, in: tx)
        guard version.status != .purged else {
            throw RegistryError(.versionUnavailable, "Version \(number) of '\(name)' was purged already", fix: "nothing to do.")
        }
        let holders = try await tx.aliases(pointingAt: name, version: number)
        guard holders.isEmpty else {
            throw RegistryError(
                .invalidArgument, "Version \(number) of '\(name)' is the target of \(holders.sorted().map { "'\($0)'" }.joined(separator: ", ")); move those aliases before purging it",
                fix: "promote or roll back to another version first.")
        }
        let before = StatusRecord(status: version.status, reason: version.statusReason)
        // The tombstone keeps the identifiers (run, artifact digest, version digest) and drops the rest.
        version.status = .purged
        version.statusReason = reason
        version.card = nil
        version.metrics = [:]
        version.signature = nil
        version.description = ""
        // A quarantine's hold on the bytes outlives the version's metadata.
        version.tags = before.status == .quarantined ? [ModelVersion.quarantinedTag: "true"] : [:]
        version.source = nil
        version.featureSetHash = nil
        try await tx.updateVersion(try EncodedRecord(version))
        let stillUsed = try await tx.versions(usingArtifact: version.artifactDigest).contains {
            $0.status != .purged && !($0.model == name && $0.version == number)
        }
        // The log keeps who registered the version and when; the metadata in its entries goes,
        // each text's digest kept so the chain still verifies (AuditEntry.format 2).
        try await tx.redactAuditState(of: AuditEntry.versionSubject(name, number))
        try await audit(
            tx, principal: actor, action: "version.purge", subject: AuditEntry.versionSubject(name, number), before: before,
            after: StatusRecord(status: .purged, reason: reason), reason: reason, advancingChangeCounter: true)
        return PurgeOutcome(version: version, artifactStillUsed: stillUsed)
    }
}

/// A version's status as the audit log records it.
struct StatusRecord: Encodable {
    var status: VersionStatus
    var reason: String?
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}
