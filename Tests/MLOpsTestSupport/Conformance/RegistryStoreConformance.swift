public import Foundation
public import Lineage
import MLOpsStorage
public import Registry
import Testing

/// A registry store under test, with the Lineage store its promotion policies read runs from.
public struct RegistryFixture: Sendable {
    /// The store under test.
    public var registry: any RegistryStore
    /// Where its policies look up runs.
    public var lineage: any LineageStore

    /// Creates a fixture.
    public init(registry: any RegistryStore, lineage: any LineageStore) {
        self.registry = registry
        self.lineage = lineage
    }
}

/// The behaviour every ``RegistryStore`` must show: ``checks``, which each implementation's tests
/// pass to a parameterized test. Every check uses its own namespace and principals, so checks can
/// share one PostgreSQL database.
public enum RegistryStoreConformance {
    /// Adds an admin named `id`, through an admin already there or, on an empty store, as the
    /// bootstrap principal. Checks sharing one database may bootstrap at the same moment: the
    /// one that loses (a principal now exists) looks again and goes through the winner's admin.
    public static func addAdmin(_ id: String, to registry: any RegistryStore) async throws {
        for attempt in 1...2 {
            do {
                let existingAdmin = try await registry.principals().first { $0.holds(.admin) }?.id
                _ = try await registry.addPrincipal(PrincipalRegistration(id: id, roles: [.admin]), by: existingAdmin)
                return
            } catch let error as RegistryError where error.code == .permissionDenied && attempt == 1 {
                continue
            }
        }
    }

    /// Principals, keys and a model in a namespace of their own.
    public struct World: Sendable {
        public let registry: any RegistryStore
        public let admin: String
        public let registrar: String
        public let promoter: String
        public let approvers: [(id: String, key: SigningKey)]
        public let model: ModelName
        /// Aliases of this world's own: policies apply per alias and risk class to every model,
        /// so checks that share a database must not share alias names.
        public let production: String
        public let staging: String
        public let champion: String

        /// Sets up an admin (bootstrapping the registry when it is empty), a registrar, a
        /// promoter and three approvers with keys, and registers a model of `riskClass`.
        public static func make(_ registry: any RegistryStore, riskClass: RiskClass = .high) async throws -> World {
            let tag = String(UUID().uuidString.prefix(8)).lowercased()
            let admin = "admin-\(tag)"
            try await RegistryStoreConformance.addAdmin(admin, to: registry)
            let registrar = "registrar-\(tag)", promoter = "promoter-\(tag)"
            _ = try await registry.addPrincipal(PrincipalRegistration(id: registrar, roles: [.register]), by: admin)
            _ = try await registry.addPrincipal(PrincipalRegistration(id: promoter, roles: [.promote]), by: admin)
            var approvers: [(String, SigningKey)] = []
            for index in 0..<3 {
                let key = SigningKey()
                let id = "approver\(index)-\(tag)"
                _ = try await registry.addPrincipal(PrincipalRegistration(id: id, roles: [.approve], publicKey: key.publicKey), by: admin)
                approvers.append((id, key))
            }
            let model = try ModelName("team-\(tag)/scorer")
            _ = try await registry.registerModel(ModelRegistration(name: model, description: "scores", riskClass: riskClass), by: registrar)
            return World(
                registry: registry, admin: admin, registrar: registrar, promoter: promoter, approvers: approvers, model: model,
                production: "production-\(tag)", staging: "staging-\(tag)", champion: "champion-\(tag)")
        }

        /// Registers a version with `metrics`.
        public func version(metrics: [String: Double] = ["f1": 0.8], card: ModelCard? = nil, runID: RunID? = nil, tags: [String: String] = [:], by author: String? = nil) async throws -> ModelVersion {
            try await registry.registerVersion(
                VersionRegistration(
                    model: model, runID: runID, artifactDigest: Digest(of: Array(UUID().uuidString.utf8)), metrics: metrics, tags: tags, card: card),
                by: author ?? registrar)
        }

        /// A signed approval of `version` for `alias` by approver `index`, under the current policy.
        public func approval(_ version: ModelVersion, alias: String, by index: Int, validFor: Duration = .seconds(3600), signedAt: Date = Date()) async throws -> Approval {
            let policy = try #require(try await registry.policy(for: model, alias: alias), "approvals are signed under a policy")
            let (id, key) = approvers[index]
            return try Approval.sign(
                model: model, version: version.version, versionDigest: version.digest, alias: alias,
                policyHash: try policy.hash(), principal: id, key: key, signedAt: signedAt, validFor: validFor)
        }
    }

    static let completeCard = ModelCard(
        intendedUse: "score card transactions", limitations: "not for wire transfers", trainingData: "transactions 2026",
        evaluationSlices: [ModelCard.EvaluationSlice(name: "DE", metrics: ["f1": 0.8])], owners: ["fraud team"])

    /// The RegistryError `body` throws, or nil (recording an issue) when it throws nothing or something else.
    static func registryError(_ code: RegistryError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async -> RegistryError? {
        do {
            try await body()
            Issue.record("expected a RegistryError \(code), nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as RegistryError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("expected a RegistryError \(code), got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    /// The audit entries about `subject`.
    static func entries(about subject: String, in registry: any RegistryStore) async throws -> [AuditEntry] {
        try await registry.auditEntries(after: 0, limit: 1_000_000).filter { $0.subject == subject }
    }

    // MARK: Checks

    static func principalsNeedAnAdmin(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let world = try await World.make(registry)
        // Only an admin adds principals; a registrar cannot, naming the role.
        let refused = await registryError(.permissionDenied) {
            _ = try await registry.addPrincipal(PrincipalRegistration(id: "intruder-\(UUID().uuidString.prefix(6))", roles: [.admin]), by: world.registrar)
        }
        #expect(refused?.role == .admin)
        #expect(refused?.principal == world.registrar)
        _ = await registryError(.alreadyExists) { _ = try await registry.addPrincipal(PrincipalRegistration(id: world.promoter, roles: [.promote]), by: world.admin) }
        _ = await registryError(.invalidName) { _ = try await registry.addPrincipal(PrincipalRegistration(id: "bad name", roles: []), by: world.admin) }
        _ = await registryError(.invalidArgument) {
            _ = try await registry.addPrincipal(PrincipalRegistration(id: "short-key-\(UUID().uuidString.prefix(6))", roles: [.approve], publicKey: Data([1, 2, 3])), by: world.admin)
        }
        _ = await registryError(.notFound) { _ = try await registry.principal("nobody-\(UUID().uuidString)") }
        let listed = try await registry.principals().map(\.id)
        #expect(listed.contains(world.admin) && listed.contains(world.approvers[0].id))
        #expect(try await registry.principal(world.approvers[0].id).publicKey == world.approvers[0].key.publicKey)
    }

    static func modelsAndVersions(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let world = try await World.make(registry)
        _ = await registryError(.alreadyExists) { _ = try await registry.registerModel(ModelRegistration(name: world.model), by: world.registrar) }
        let denied = await registryError(.permissionDenied) {
            _ = try await registry.registerModel(ModelRegistration(name: try ModelName("\(world.model.namespace)/other")), by: world.promoter)
        }
        #expect(denied?.role == .register)
        let first = try await world.version(metrics: ["f1": 0.8], tags: ["stage": "candidate-\(world.model.namespace)"])
        let second = try await world.version(metrics: ["f1": 0.85])
        #expect(first.version == 1 && second.version == 2)
        #expect(first.author == world.registrar && first.status == .ready)
        #expect(try first.identityDigest() == first.digest)
        #expect(first.digest != second.digest)
        #expect(try await registry.model(world.model).latestVersion == 2)
        #expect(try await registry.versions(of: world.model).map(\.version) == [1, 2])
        #expect(try await registry.version(world.model, 1) == first)
        #expect(try await registry.versions(taggedWith: "stage", value: "candidate-\(world.model.namespace)").map(\.version) == [1])
        _ = await registryError(.notFound) { _ = try await registry.version(world.model, 3) }
        _ = await registryError(.notFound) { _ = try await registry.model(try ModelName("\(world.model.namespace)/missing")) }
        _ = await registryError(.invalidArgument) { _ = try await world.version(metrics: ["f1": .nan]) }
        #expect(try await registry.model(world.model).latestVersion == 2, "a refused registration used up a version number")
        #expect(try await registry.models().contains { $0.name == world.model })
    }

    static func aModelAndItsFirstVersionRegisterTogether(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let world = try await World.make(registry)
        let name = try ModelName("\(world.model.namespace)/together")
        func firstVersion(of model: ModelName, metrics: [String: Double] = ["f1": 0.7]) -> VersionRegistration {
            VersionRegistration(model: model, artifactDigest: Digest(of: Array(UUID().uuidString.utf8)), metrics: metrics)
        }
        func nothingStored(_ what: Comment, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            _ = await registryError(.notFound, sourceLocation: sourceLocation) { _ = try await registry.model(name) }
            #expect(try await entries(about: "model:\(name)", in: registry).isEmpty, what, sourceLocation: sourceLocation)
            #expect(try await entries(about: "\(name)@1", in: registry).isEmpty, what, sourceLocation: sourceLocation)
        }
        // A refused version (a metric that is not finite) leaves no model behind.
        _ = await registryError(.invalidArgument) {
            _ = try await registry.registerModel(ModelRegistration(name: name), firstVersion: firstVersion(of: name, metrics: ["f1": .infinity]), by: world.registrar)
        }
        try await nothingStored("a refused first version left its model")
        // A version of another model, and a principal without the register role: nothing either.
        let mismatch = await registryError(.invalidArgument) {
            _ = try await registry.registerModel(ModelRegistration(name: name), firstVersion: firstVersion(of: world.model), by: world.registrar)
        }
        #expect(mismatch?.message.contains("\(world.model)") == true, "\(String(describing: mismatch))")
        _ = await registryError(.permissionDenied) {
            _ = try await registry.registerModel(ModelRegistration(name: name), firstVersion: firstVersion(of: name), by: world.promoter)
        }
        try await nothingStored("a refused registration left something")
        #expect(try await registry.model(world.model).latestVersion == 0, "a refused pair added a version to another model")

        let pair = try await registry.registerModel(ModelRegistration(name: name, riskClass: .low), firstVersion: firstVersion(of: name), by: world.registrar)
        #expect(pair.model.name == name && pair.model.latestVersion == 1 && pair.model.riskClass == .low)
        #expect(pair.version.model == name && pair.version.version == 1 && pair.version.author == world.registrar)
        #expect(try await registry.model(name) == pair.model)
        #expect(try await registry.versions(of: name) == [pair.version])
        let modelEntries = try await entries(about: "model:\(name)", in: registry)
        let versionEntries = try await entries(about: "\(name)@1", in: registry)
        #expect(modelEntries.map(\.action) == ["model.register"])
        #expect(versionEntries.map(\.action) == ["version.register"])
        // One transaction: the two entries are neighbours in the chain, whatever else is written.
        if let model = modelEntries.first, let version = versionEntries.first {
            #expect(version.sequence == model.sequence + 1 && version.previousHash == model.hash)
        }
        // A model registered already is refused whole: no second version slips in.
        _ = await registryError(.alreadyExists) {
            _ = try await registry.registerModel(ModelRegistration(name: name), firstVersion: firstVersion(of: name), by: world.registrar)
        }
        #expect(try await registry.model(name).latestVersion == 1)
        #expect(try await registry.verifyAudit().isIntact)
    }

    static func aliasesAreCompareAndSet(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let world = try await World.make(registry, riskClass: .low)
        let v1 = try await world.version(), v2 = try await world.version(), v3 = try await world.version()
        _ = try await registry.promote(world.model, version: v1.version, to: world.staging, by: world.promoter, reason: "first", expecting: .unset)
        let conflict = await registryError(.aliasConflict) {
            _ = try await registry.promote(world.model, version: v2.version, to: world.staging, by: world.promoter, reason: "", expecting: .unset)
        }
        #expect(conflict?.message.contains("version 1") == true, "the conflict names the current target: \(String(describing: conflict))")
        _ = await registryError(.aliasConflict) {
            _ = try await registry.promote(world.model, version: v3.version, to: world.staging, by: world.promoter, reason: "", expecting: .version(v2.version))
        }
        let moved = try await registry.promote(world.model, version: v2.version, to: world.staging, by: world.promoter, reason: "better", expecting: .version(v1.version))
        #expect(moved.version == 2 && moved.revision == 2 && moved.assignedBy == world.promoter)
        #expect(try await registry.resolve(world.model, alias: world.staging).version == 2)
        #expect(try await registry.aliases(of: world.model).map(\.alias) == [world.staging])
        _ = await registryError(.notFound) { _ = try await registry.resolve(world.model, alias: world.production) }
        _ = await registryError(.invalidName) { _ = try await registry.promote(world.model, version: 1, to: "latest", by: world.promoter, reason: "", expecting: .any) }
        let denied = await registryError(.permissionDenied) {
            _ = try await registry.promote(world.model, version: 1, to: world.staging, by: world.registrar, reason: "", expecting: .any)
        }
        #expect(denied?.role == .promote)
        #expect(try await registry.resolve(world.model, alias: world.staging).version == 2)
    }

    /// Runs `move` for every input at once; each outcome is the version it left the alias at, or its error.
    static func race(_ inputs: [Int], _ move: @escaping @Sendable (Int) async throws -> Int) async -> [Result<Int, any Error>] {
        await withTaskGroup(of: Result<Int, any Error>.self) { group in
            for input in inputs {
                group.addTask {
                    do {
                        return .success(try await move(input))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var outcomes: [Result<Int, any Error>] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
    }

    static func concurrentPromotionsHaveOneWinner(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let world = try await World.make(registry, riskClass: .low)
        var versions: [Int] = []
        for _ in 0..<6 { versions.append(try await world.version().version) }
        let outcomes = await race(versions) { version in
            try await registry.promote(world.model, version: version, to: world.production, by: world.promoter, reason: "race", expecting: .unset).version
        }
        let winners = outcomes.compactMap { try? $0.get() }
        #expect(winners.count == 1, "\(winners.count) promotions won")
        for case .failure(let error) in outcomes {
            #expect((error as? RegistryError)?.code == .aliasConflict, "\(error)")
        }
        #expect(try await registry.resolve(world.model, alias: world.production).version == winners.first)
        #expect(try await registry.aliasHistory(of: world.model, alias: world.production).count == 1)
        #expect(try await Self.entries(about: "\(world.model)#\(world.production)", in: registry).count == 1, "refused promotions were logged")
    }

    /// An alias with policies governs every class: an organisation's own (or misspelt) class
    /// with no policy there is refused (`risk_class_policy`); a built-in class without one is free.
    static func unknownRiskClassesAreGoverned(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let world = try await World.make(registry, riskClass: RiskClass(rawValue: "hgih"))
        let version = try await world.version()
        try await registry.setPolicy(PromotionPolicy(alias: world.production, riskClass: .high, requiredApprovals: 2), by: world.admin, reason: "gate")
        let refused = await registryError(.policyViolation) {
            _ = try await registry.promote(world.model, version: version.version, to: world.production, by: world.promoter, reason: "", expecting: .unset)
        }
        #expect(refused?.failures.map(\.rule) == ["risk_class_policy"])
        // An alias with no policy at all is free for every class.
        _ = try await registry.promote(world.model, version: version.version, to: world.staging, by: world.promoter, reason: "", expecting: .unset)
        // A policy for every class, or for the class itself, then applies instead.
        try await registry.setPolicy(PromotionPolicy(alias: world.production, riskClass: RiskClass(rawValue: "hgih"), requiredApprovals: 1), by: world.admin, reason: "own")
        let ownPolicy = await registryError(.policyViolation) {
            _ = try await registry.promote(world.model, version: version.version, to: world.production, by: world.promoter, reason: "", expecting: .unset)
        }
        #expect(ownPolicy?.failures.map(\.rule) == ["approvals"])
        let low = try await World.make(registry, riskClass: .low)
        let lowVersion = try await low.version()
        try await registry.setPolicy(PromotionPolicy(alias: low.production, riskClass: .high, requiredApprovals: 2), by: low.admin, reason: "gate")
        _ = try await registry.promote(low.model, version: lowVersion.version, to: low.production, by: low.promoter, reason: "", expecting: .unset)
    }

    static func policiesAreEnforcedByTheStore(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let world = try await World.make(registry, riskClass: .high)
        let champion = try await world.version(metrics: ["f1": 0.80, "auc": 0.95], card: completeCard)
        _ = try await registry.promote(world.model, version: champion.version, to: world.production, by: world.promoter, reason: "first", expecting: .unset)
        let policy = PromotionPolicy(
            alias: world.production, riskClass: .high,
            metricMinimums: [PromotionPolicy.MetricRule(metric: "auc", value: 0.9)],
            marginsOverHolder: [PromotionPolicy.MetricRule(metric: "f1", value: 0.01)],
            requireCompleteCard: true, requiredApprovals: 2)
        let policyDenied = await registryError(.permissionDenied) { try await registry.setPolicy(policy, by: world.promoter, reason: "gate") }
        #expect(policyDenied?.role == .admin)
        try await registry.setPolicy(policy, by: world.admin, reason: "two approvers for production")
        #expect(try await registry.policy(for: world.model, alias: world.production) == policy)

        // A challenger that breaks every rule: auc too low, f1 not 1 % above 0.80, no card, no approvals.
        let weak = try await world.version(metrics: ["f1": 0.805, "auc": 0.85])
        let logged = try await Self.entries(about: "\(world.model)#\(world.production)", in: registry).count
        let refused = await registryError(.policyViolation) {
            _ = try await registry.promote(world.model, version: weak.version, to: world.production, by: world.promoter, reason: "", expecting: .any)
        }
        #expect(Set(refused?.failures.map(\.rule) ?? []) == ["metric_minimum", "margin_over_holder", "complete_card", "approvals"], "\(String(describing: refused))")
        #expect(try await registry.evaluatePromotion(world.model, version: weak.version, to: world.production).count == 4)
        #expect(try await registry.resolve(world.model, alias: world.production).version == champion.version, "a refused promotion moved the alias")
        #expect(try await Self.entries(about: "\(world.model)#\(world.production)", in: registry).count == logged, "a refused promotion was logged")

        // A good challenger still needs two approvals by approvers who are not its author.
        let strong = try await world.version(metrics: ["f1": 0.82, "auc": 0.96], card: completeCard)
        #expect(try await registry.evaluatePromotion(world.model, version: strong.version, to: world.production).map(\.rule) == ["approvals"])
        try await registry.submitApproval(try await world.approval(strong, alias: world.production, by: 0))
        let one = try await registry.evaluatePromotion(world.model, version: strong.version, to: world.production)
        #expect(one.first?.message.contains("1 of 2") == true, "\(one)")

        // Forged: approver 1's approval signed with approver 2's key.
        var forged = try await world.approval(strong, alias: world.production, by: 1)
        forged.signature = try world.approvers[2].key.signature(for: forged.statement)
        _ = await registryError(.invalidSignature) { try await registry.submitApproval(forged) }
        // Altered after signing: another version.
        var altered = try await world.approval(strong, alias: world.production, by: 1)
        altered.version = weak.version
        _ = await registryError(.invalidSignature) { try await registry.submitApproval(altered) }
        // Expired.
        let expired = try await world.approval(strong, alias: world.production, by: 1, validFor: .seconds(60), signedAt: Date().addingTimeInterval(-3600))
        _ = await registryError(.invalidSignature) { try await registry.submitApproval(expired) }
        #expect(try await registry.approvals(of: world.model, version: strong.version).count == 1)

        try await registry.submitApproval(try await world.approval(strong, alias: world.production, by: 1))
        let promoted = try await registry.promote(world.model, version: strong.version, to: world.production, by: world.promoter, reason: "beats champion", expecting: .version(champion.version))
        #expect(promoted.version == strong.version)

        // A new policy voids approvals signed under the old one.
        var stricter = policy
        stricter.requiredApprovals = 1
        try await registry.setPolicy(stricter, by: world.admin, reason: "one approver")
        let next = try await world.version(metrics: ["f1": 0.9, "auc": 0.97], card: completeCard)
        let oldPolicyApproval = try Approval.sign(
            model: world.model, version: next.version, versionDigest: next.digest, alias: world.production, policyHash: try policy.hash(),
            principal: world.approvers[0].id, key: world.approvers[0].key)
        _ = await registryError(.invalidSignature) { try await registry.submitApproval(oldPolicyApproval) }
    }

    static func authorsCannotApprove(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let world = try await World.make(registry, riskClass: .low)
        // No policy guards the alias yet: an approval would count for nothing and is refused.
        let early = try await world.version()
        let unguarded = try Approval.sign(
            model: world.model, version: early.version, versionDigest: early.digest, alias: world.staging,
            policyHash: Digest(of: [UInt8]()), principal: world.approvers[0].id, key: world.approvers[0].key)
        _ = await registryError(.notFound) { try await registry.submitApproval(unguarded) }
        // A principal with both roles registers a version, then tries to approve it.
        let key = SigningKey()
        let both = "both-\(world.model.namespace)"
        _ = try await registry.addPrincipal(PrincipalRegistration(id: both, roles: [.register, .approve], publicKey: key.publicKey), by: world.admin)
        try await registry.setPolicy(PromotionPolicy(alias: world.production, riskClass: .low, requiredApprovals: 1), by: world.admin, reason: "one")
        let version = try await world.version(by: both)
        let policy = try #require(try await registry.policy(for: world.model, alias: world.production))
        let own = try Approval.sign(
            model: world.model, version: version.version, versionDigest: version.digest, alias: world.production, policyHash: try policy.hash(),
            principal: both, key: key)
        let refused = await registryError(.permissionDenied) { try await registry.submitApproval(own) }
        #expect(refused?.principal == both)
        _ = await registryError(.policyViolation) {
            _ = try await registry.promote(world.model, version: version.version, to: world.production, by: world.promoter, reason: "", expecting: .any)
        }
        // A second principal an admin gave the author's key is the author again; two principals
        // sharing one key are one approver (QA sweep: one key holder met "2 approvals").
        let alias = "alias-\(world.model.namespace)", twin = "twin-\(world.model.namespace)"
        _ = try await registry.addPrincipal(PrincipalRegistration(id: alias, roles: [.approve], publicKey: key.publicKey), by: world.admin)
        let viaAlias = try Approval.sign(
            model: world.model, version: version.version, versionDigest: version.digest, alias: world.production, policyHash: try policy.hash(),
            principal: alias, key: key)
        try await registry.submitApproval(viaAlias)
        let authorKey = try await registry.evaluatePromotion(world.model, version: version.version, to: world.production)
        #expect(authorKey.first { $0.rule == "approvals" }?.message.contains("signs with the author's key") == true, "\(authorKey)")
        try await registry.setPolicy(PromotionPolicy(alias: world.production, riskClass: .low, requiredApprovals: 2), by: world.admin, reason: "two")
        let two = try #require(try await registry.policy(for: world.model, alias: world.production))
        let other = try await world.version()
        _ = try await registry.addPrincipal(PrincipalRegistration(id: twin, roles: [.approve], publicKey: world.approvers[0].key.publicKey), by: world.admin)
        for (id, signer) in [(world.approvers[0].id, world.approvers[0].key), (twin, world.approvers[0].key)] {
            try await registry.submitApproval(try Approval.sign(
                model: world.model, version: other.version, versionDigest: other.digest, alias: world.production, policyHash: try two.hash(),
                principal: id, key: signer))
        }
        let shared = try await registry.evaluatePromotion(world.model, version: other.version, to: world.production)
        let message = shared.first { $0.rule == "approvals" }?.message ?? ""
        #expect(message.contains("1 of 2") && message.contains("signs with the key of an approver counted already"), "\(shared)")
        try await registry.submitApproval(try Approval.sign(
            model: world.model, version: other.version, versionDigest: other.digest, alias: world.production, policyHash: try two.hash(),
            principal: world.approvers[1].id, key: world.approvers[1].key))
        #expect(try await registry.evaluatePromotion(world.model, version: other.version, to: world.production).isEmpty)
    }

    static func rollbackReturnsToThePreviousHolder(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let world = try await World.make(registry, riskClass: .low)
        let v1 = try await world.version(), v2 = try await world.version()
        _ = await registryError(.notFound) { _ = try await registry.rollback(world.model, alias: world.production, by: world.promoter, reason: "nothing yet") }
        _ = try await registry.promote(world.model, version: v1.version, to: world.production, by: world.promoter, reason: "first", expecting: .unset)
        _ = try await registry.promote(world.model, version: v2.version, to: world.production, by: world.promoter, reason: "second", expecting: .version(1))
        _ = await registryError(.invalidArgument) { _ = try await registry.rollback(world.model, alias: world.production, by: world.promoter, reason: " ") }
        let back = try await registry.rollback(world.model, alias: world.production, by: world.promoter, reason: "latency regression")
        #expect(back.version == v1.version && back.revision == 3)
        #expect(try await registry.resolve(world.model, alias: world.production).version == v1.version)
        let history = try await registry.aliasHistory(of: world.model, alias: world.production)
        #expect(history.map(\.version) == [1, 2, 1])
        #expect(history.map(\.action) == [.promote, .promote, .rollback])
        #expect(history.last?.reason == "latency regression" && history.last?.previousVersion == 2)
        // Version 1 had no holder before it.
        _ = await registryError(.notFound) { _ = try await registry.rollback(world.model, alias: world.production, by: world.promoter, reason: "again") }
        let audit = try await registry.auditEntries(after: 0, limit: 100_000).filter { $0.subject == "\(world.model)#\(world.production)" }
        #expect(audit.map(\.action) == ["alias.promote", "alias.promote", "alias.rollback"])
        #expect(audit.last?.reason == "latency regression" && audit.last?.principal == world.promoter)

        // A promotion of the version the alias holds already changes no holder: a rollback after
        // it still goes back to the version before (it went "back" to the same version; QA sweep).
        _ = try await registry.promote(world.model, version: v2.version, to: world.production, by: world.promoter, reason: "again", expecting: .version(1))
        _ = try await registry.promote(world.model, version: v2.version, to: world.production, by: world.promoter, reason: "twice", expecting: .version(2))
        let undone = try await registry.rollback(world.model, alias: world.production, by: world.promoter, reason: "v2 is bad")
        #expect(undone.version == v1.version)
        #expect(try await registry.aliasHistory(of: world.model, alias: world.production).map(\.version) == [1, 2, 1, 2, 2, 1])
    }

    static func concurrentRollbacksGoBackOneStep(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let world = try await World.make(registry, riskClass: .low)
        for expected in [AliasExpectation.unset, .version(1), .version(2)] {
            let version = try await world.version().version
            _ = try await registry.promote(world.model, version: version, to: world.production, by: world.promoter, reason: "up", expecting: expected)
        }
        // A rollback that expects another holder is a conflict naming the current one, and changes nothing.
        let stale = await registryError(.aliasConflict) {
            _ = try await registry.rollback(world.model, alias: world.production, by: world.promoter, reason: "stale", expecting: .version(2))
        }
        #expect(stale?.message.contains("version 3") == true, "\(String(describing: stale))")
        // Six operators roll back at once, each expecting version 3: one goes back to 2, the rest conflict.
        let outcomes = await race(Array(0..<6)) { _ in
            try await registry.rollback(world.model, alias: world.production, by: world.promoter, reason: "race", expecting: .version(3)).version
        }
        let winners = outcomes.compactMap { try? $0.get() }
        #expect(winners == [2], "\(winners)")
        for case .failure(let error) in outcomes {
            #expect((error as? RegistryError)?.code == .aliasConflict, "\(error)")
        }
        #expect(try await registry.resolve(world.model, alias: world.production).version == 2)
        // One move recorded, in the alias history and the audit log (other checks may share the log).
        #expect(try await registry.aliasHistory(of: world.model, alias: world.production).map(\.version) == [1, 2, 3, 2])
        let moves = try await registry.auditEntries(after: 0, limit: 100_000).filter { $0.subject == "\(world.model)#\(world.production)" }
        #expect(moves.map(\.action) == ["alias.promote", "alias.promote", "alias.promote", "alias.rollback"])
        #expect(try await registry.verifyAudit().isIntact)
    }

    static func quarantinedAndPurgedVersionsNeverPromote(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let world = try await World.make(registry, riskClass: .low)
        let v1 = try await world.version(card: completeCard), v2 = try await world.version()
        let shared = try await registry.registerVersion(
            VersionRegistration(model: world.model, artifactDigest: v1.artifactDigest, metrics: ["f1": 0.7]), by: world.registrar)
        _ = try await registry.promote(world.model, version: v1.version, to: world.production, by: world.promoter, reason: "", expecting: .unset)
        let counter = try await registry.changeCounter()
        _ = await registryError(.permissionDenied) { _ = try await registry.quarantine(world.model, version: v2.version, by: world.promoter, reason: "bias") }
        let quarantined = try await registry.quarantine(world.model, version: v2.version, by: world.admin, reason: "bias found")
        #expect(quarantined.status == .quarantined && quarantined.statusReason == "bias found")
        #expect(try await registry.changeCounter() > counter)
        // The quarantined bytes cannot come back as a new, ready version (registered again, or
        // imported from a bundle; QA sweep).
        let again = await registryError(.versionUnavailable) {
            _ = try await registry.registerVersion(VersionRegistration(model: world.model, artifactDigest: v2.artifactDigest), by: world.registrar)
        }
        #expect(again?.message.contains("quarantined as version \(v2.version)") == true, "\(String(describing: again))")
        _ = await registryError(.versionUnavailable) {
            _ = try await registry.promote(world.model, version: v2.version, to: world.production, by: world.promoter, reason: "", expecting: .any)
        }
        // Purge is refused while an alias points at the version.
        _ = await registryError(.invalidArgument) { _ = try await registry.purge(world.model, version: v1.version, by: world.admin, reason: "PII") }
        _ = try await registry.promote(world.model, version: shared.version, to: world.production, by: world.promoter, reason: "", expecting: .any)
        let purged = try await registry.purge(world.model, version: v1.version, by: world.admin, reason: "trained on PII")
        #expect(purged.version.status == .purged && purged.version.card == nil && purged.version.metrics.isEmpty)
        #expect(purged.artifactStillUsed, "version \(shared.version) shares the artifact")
        #expect(purged.version.digest == v1.digest, "the tombstone keeps the version's identity")
        #expect(try await registry.version(world.model, v1.version).status == .purged)
        _ = await registryError(.versionUnavailable) {
            _ = try await registry.promote(world.model, version: v1.version, to: world.staging, by: world.promoter, reason: "", expecting: .any)
        }
        _ = await registryError(.versionUnavailable) { _ = try await registry.purge(world.model, version: v1.version, by: world.admin, reason: "again") }
        #expect(purged.version.tags.isEmpty, "a version purged while ready keeps no hold on its bytes")
        // The versions on a digest, tombstones included, in order; one live version keeps the bytes.
        let onShared = try await registry.versions(usingArtifact: v1.artifactDigest)
        #expect(onShared.map(\.version) == [v1.version, shared.version] && onShared.map(\.status) == [.purged, .ready])
        #expect(try await registry.hasLiveVersion(usingArtifact: v1.artifactDigest))
        #expect(try await registry.versions(usingArtifact: Digest(of: Array("never stored".utf8))).isEmpty)
        let last = try await registry.purge(world.model, version: v2.version, by: world.admin, reason: "cleanup")
        #expect(!last.artifactStillUsed)
        #expect(try await registry.versions(usingArtifact: v2.artifactDigest).map(\.status) == [.purged])
        #expect(try await !registry.hasLiveVersion(usingArtifact: v2.artifactDigest))
        // The quarantine's hold on the bytes outlives the purge: the tombstone keeps its tag, and
        // the same bytes still cannot come back as a new version.
        #expect(last.version.tags == [ModelVersion.quarantinedTag: "true"] && last.version.holdsItsArtifactBack)
        #expect(try await registry.version(world.model, v2.version).holdsItsArtifactBack)
        let afterPurge = await registryError(.versionUnavailable) {
            _ = try await registry.registerVersion(VersionRegistration(model: world.model, artifactDigest: v2.artifactDigest), by: world.registrar)
        }
        #expect(afterPurge?.message.contains("was quarantined as version \(v2.version)") == true, "\(String(describing: afterPurge))")
        let entries = try await registry.auditEntries(after: 0, limit: 100_000).filter { $0.subject == "\(world.model)@\(v1.version)" }
        #expect(entries.last?.action == "version.purge" && entries.last?.reason == "trained on PII" && entries.last?.principal == world.admin)
    }

    static func purgeRemovesMetadataFromTheAuditLog(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let world = try await World.make(registry, riskClass: .low)
        var card = completeCard
        card.limitations = "trained on SECRET-CARD patient records"
        let secret = try await world.version(metrics: ["f1": 0.8125], card: card, tags: ["source": "SECRET-TAG"])
        _ = try await registry.setCard(card, of: world.model, version: secret.version, by: world.registrar, reason: "card again")
        let kept = try await world.version(card: card, tags: ["source": "SECRET-TAG"])
        let subject = "\(world.model)@\(secret.version)"
        let before = try await registry.auditEntries(after: 0, limit: 100_000).filter { $0.subject == subject }
        #expect(before.map(\.action) == ["version.register", "version.card"] && before.allSatisfy { $0.format == 2 && !$0.isRedacted })
        #expect(before.first?.after?.contains("SECRET-TAG") == true)
        _ = try await registry.purge(world.model, version: secret.version, by: world.admin, reason: "trained on PII")
        let log = try await registry.auditEntries(after: 0, limit: 100_000)
        let mine = log.filter { $0.subject == subject }
        // Who registered it and when stays; what it held is gone, its digest in its place.
        #expect(mine.map(\.action) == ["version.register", "version.card", "version.purge"])
        #expect(mine.map(\.principal) == [world.registrar, world.registrar, world.admin])
        for (entry, original) in zip(mine.prefix(2), before) {
            #expect(entry.isRedacted && entry.before == nil && entry.after == nil)
            #expect(entry.afterDigest?.count == 64 && entry.hash == original.hash && entry.sequence == original.sequence)
        }
        #expect(!mine.contains { ($0.before ?? "").contains("SECRET") || ($0.after ?? "").contains("SECRET") })
        // The other version keeps its text: only the purged subject is redacted.
        #expect(log.first { $0.subject == "\(world.model)@\(kept.version)" }?.after?.contains("SECRET-TAG") == true)
        #expect(try await registry.verifyAudit().isIntact)
    }

    static func reproducibleLineageIsChecked(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let world = try await World.make(registry, riskClass: .low)
        try await registry.setPolicy(PromotionPolicy(alias: world.production, riskClass: .low, requireReproducibleLineage: true), by: world.admin, reason: "lineage")
        let noRun = try await world.version()
        #expect(try await registry.evaluatePromotion(world.model, version: noRun.version, to: world.production).map(\.rule) == ["reproducible_lineage"])
        let run = try await fixture.lineage.startRun(RunStart(experiment: "registry-\(world.model.namespace)", name: "train", startTime: Date()))
        let unfinished = try await world.version(runID: run.id)
        let failures = try await registry.evaluatePromotion(world.model, version: unfinished.version, to: world.production)
        #expect(failures.contains { $0.rule == "reproducible_lineage" && $0.message.contains("not finished") }, "\(failures)")
        let missing = try await world.version(runID: RunID())
        #expect(try await registry.evaluatePromotion(world.model, version: missing.version, to: world.production).first?.message.contains("not in the Lineage store") == true)
    }

    static func theAuditChainCoversEveryMutation(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let start = try await registry.auditHead()
        let world = try await World.make(registry, riskClass: .low)
        let version = try await world.version()
        _ = try await registry.setCard(completeCard, of: world.model, version: version.version, by: world.registrar, reason: "card")
        _ = try await registry.promote(world.model, version: version.version, to: world.champion, by: world.promoter, reason: "", expecting: .unset)
        let entries = try await registry.auditEntries(after: start.sequence, limit: 100_000)
        let tag = String(world.model.namespace.dropFirst("team-".count))
        // make(): admin, registrar, promoter, 3 approvers, the model; then version, card, promotion.
        #expect(entries.filter { $0.subject.contains(tag) }.map(\.action) == [
            "principal.add", "principal.add", "principal.add", "principal.add", "principal.add", "principal.add",
            "model.register", "version.register", "version.card", "alias.promote",
        ])
        #expect(entries.first?.previousHash == start.hash)
        for (previous, entry) in zip(entries, entries.dropFirst()) {
            #expect(entry.previousHash == previous.hash && entry.sequence == previous.sequence + 1)
        }
        let head = try await registry.auditHead()
        #expect(head.sequence >= entries.last?.sequence ?? 0)
        let verification = try await registry.verifyAudit()
        #expect(verification.isIntact, "\(verification)")
        #expect(verification.head.sequence >= head.sequence)
    }

    /// Every check, each a test case of its own: pass them to a parameterized test.
    static func aliasResolverFollowsMoves(_ fixture: RegistryFixture) async throws {
        let registry = fixture.registry
        let world = try await World.make(registry, riskClass: .low)
        let v1 = try await world.version(), v2 = try await world.version()
        _ = try await registry.promote(world.model, version: v1.version, to: world.production, by: world.promoter, reason: "first", expecting: .unset)
        let resolver = AliasResolver(store: registry, pollInterval: .milliseconds(20))
        #expect(resolver.cachedVersion(of: world.model, alias: world.production) == nil)
        #expect(try await resolver.resolve(world.model, alias: world.production) == v1)
        #expect(resolver.cachedVersion(of: world.model, alias: world.production) == v1)

        // Answered from memory: the store moves, and the resolver does not know until it refreshes.
        _ = try await registry.promote(world.model, version: v2.version, to: world.production, by: world.promoter, reason: "better", expecting: .version(1))
        #expect(try await resolver.resolve(world.model, alias: world.production) == v1)
        try await resolver.refresh()
        #expect(try await resolver.resolve(world.model, alias: world.production) == v2)
        _ = await registryError(.notFound) { _ = try await resolver.resolve(world.model, alias: world.staging) }
        #expect(resolver.cachedVersion(of: world.model, alias: world.staging) == nil, "a failed resolution was kept")

        // Watching: run() follows every move, and the stream reports each holder.
        let seen = Recorded<Int>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await resolver.run() }
            let updates = try await resolver.updates(of: world.model, alias: world.production)
            group.addTask {
                for await version in updates { seen.append(version.version) }
            }
            #expect(try await eventually { seen.all == [2] }, "the stream did not start with the current holder")
            _ = try await registry.rollback(world.model, alias: world.production, by: world.promoter, reason: "back")
            #expect(try await eventually { seen.all == [2, 1] }, "the rollback was not reported: \(seen.all)")
            #expect(resolver.cachedVersion(of: world.model, alias: world.production) == v1)
            _ = try await registry.quarantine(world.model, version: 1, by: world.admin, reason: "leak")
            #expect(try await eventually { resolver.cachedVersion(of: world.model, alias: world.production)?.status == .quarantined },
                    "a status change of the holder was not picked up")
            group.cancelAll()
        }
        #expect(seen.all == [2, 1, 1], "\(seen.all)")
    }

    static func bundlesRoundTrip(_ fixture: RegistryFixture) async throws {
        try await withTemporaryFolder { folder in
            let registry = fixture.registry
            let artifacts = try FileSystemArtifactStore(root: folder.file("artifacts"))
            let world = try await World.make(registry, riskClass: .high)
            let weights = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) }
            let digest = try await artifacts.put(weights).digest
            let original = try await registry.registerVersion(
                VersionRegistration(
                    model: world.model, artifactDigest: digest, source: "s3://models/scorer/1", featureSetHash: "fs-1",
                    metrics: ["f1": 0.9], description: "first", tags: ["team": "fraud"], card: completeCard),
                by: world.registrar)
            try await registry.setPolicy(PromotionPolicy(alias: world.production, riskClass: .high, requiredApprovals: 2), by: world.admin, reason: "gate")
            try await registry.submitApproval(try await world.approval(original, alias: world.production, by: 0))
            try await registry.submitApproval(try await world.approval(original, alias: world.production, by: 1))

            let path = folder.file("scorer-v1.mlbundle")
            let exported = try await ModelBundle.export(world.model, version: 1, from: registry, artifacts: artifacts, lineage: fixture.lineage, to: path)
            #expect(exported.approvals.count == 2 && exported.approvers.count == 2)
            let verified = try ModelBundle.verify(at: path)
            #expect(verified.manifest == exported)
            #expect(verified.artifactDigest == digest && verified.artifactSize == Int64(weights.count))

            // Refused imports write nothing: a principal without the register role, a changed byte.
            // (Other checks may write to a shared database meanwhile: count this world's entries.)
            func trail() async throws -> [AuditEntry] {
                try await registry.auditEntries(after: 0, limit: 1_000_000).filter { $0.subject.hasPrefix(world.model.value) || $0.principal == world.registrar }
            }
            let before = try await trail()
            let denied = await registryError(.permissionDenied) {
                _ = try await ModelBundle.importBundle(at: path, into: registry, artifacts: artifacts, by: world.promoter)
            }
            #expect(denied?.role == .register)
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[bytes.count / 2] ^= 0x01
            let damaged = folder.file("damaged.mlbundle")
            try Data(bytes).write(to: URL(fileURLWithPath: damaged))
            _ = await registryError(.invalidBundle) { _ = try await ModelBundle.importBundle(at: damaged, into: registry, artifacts: artifacts, by: world.registrar) }
            #expect(try await trail() == before, "a refused import changed the registry")
            #expect(try await registry.model(world.model).latestVersion == 1)

            // Never over another file.
            await #expect(throws: StorageError.self) {
                try await ModelBundle.export(world.model, version: 1, from: registry, artifacts: artifacts, lineage: nil, to: damaged)
            }
            #expect(Array(try Data(contentsOf: URL(fileURLWithPath: damaged))) == bytes)

            let imported = try await ModelBundle.importBundle(at: path, into: registry, artifacts: artifacts, by: world.registrar)
            #expect(!imported.modelRegistered && imported.approvalsVerified == 2)
            let copy = imported.version
            #expect(copy.version == 2 && copy.author == world.registrar)
            #expect(copy.artifactDigest == digest && copy.metrics == original.metrics && copy.card == original.card)
            #expect(copy.source == original.source && copy.featureSetHash == original.featureSetHash)
            #expect(copy.tags["team"] == "fraud" && copy.tags["mlops.bundle.source"] == "\(world.model)@1 \(original.digest)")
            #expect(copy.tags["mlops.bundle.seal"] == verified.seal)
            #expect(try await registry.approvals(of: world.model, version: 2).isEmpty, "approvals were carried over")
            #expect(try await artifacts.read(digest) == weights)
            #expect(try await registry.verifyAudit().isIntact)
        }
    }

    public static let checks: [ConformanceCheck<RegistryFixture>] = [
        ConformanceCheck("principals need an admin, and the first one is one", principalsNeedAnAdmin),
        ConformanceCheck("models and versions register with roles, numbers and digests", modelsAndVersions),
        ConformanceCheck("a model and its first version register together or not at all", aModelAndItsFirstVersionRegisterTogether),
        ConformanceCheck("aliases move by compare-and-set", aliasesAreCompareAndSet),
        ConformanceCheck("concurrent promotions of one alias have one winner", concurrentPromotionsHaveOneWinner),
        ConformanceCheck("promotion policies are enforced by the store, listing every failed rule", policiesAreEnforcedByTheStore),
        ConformanceCheck("an alias with policies governs an unknown risk class too", unknownRiskClassesAreGoverned),
        ConformanceCheck("authors cannot approve their own versions", authorsCannotApprove),
        ConformanceCheck("rollback returns the alias to its previous holder, with the reason", rollbackReturnsToThePreviousHolder),
        ConformanceCheck("concurrent rollbacks of one alias go back one step, the others conflict", concurrentRollbacksGoBackOneStep),
        ConformanceCheck("quarantined and purged versions are never promoted; purge leaves a tombstone", quarantinedAndPurgedVersionsNeverPromote),
        ConformanceCheck("purge removes the version's metadata from the audit log and the chain still verifies", purgeRemovesMetadataFromTheAuditLog),
        ConformanceCheck("reproducible lineage is checked against the Lineage store", reproducibleLineageIsChecked),
        ConformanceCheck("the audit chain covers every mutation and verifies", theAuditChainCoversEveryMutation),
        ConformanceCheck("an alias resolver answers from memory and follows every move", aliasResolverFollowsMoves),
        ConformanceCheck("a version travels in a bundle, verified, and a damaged bundle writes nothing", bundlesRoundTrip),
    ]
}
