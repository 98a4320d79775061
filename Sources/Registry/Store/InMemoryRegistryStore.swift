public import Foundation
public import Lineage
public import MLOpsStorage
import Synchronization

/// A ``RegistryStore`` in memory, for tests, demos and short-lived tools. Nothing survives the
/// process.
///
/// It enforces the same rules as ``SQLRegistryStore`` (the same code does, and the same
/// conformance suite runs on both): a mutation works on a copy of the records, and the copy
/// replaces them only when every check passed. The audit log is not copied: a mutation collects
/// its new entries and they are appended when it commits, so a write costs the same with a
/// million entries in the log as with none.
public final class InMemoryRegistryStore: RegistryStore {
    struct State {
        var principals: [String: Principal] = [:]
        var models: [ModelName: RegisteredModel] = [:]
        var versions: [ModelName: [Int: ModelVersion]] = [:]
        var policies: [String: PromotionPolicy] = [:]
        var approvals: [String: Approval] = [:]
        var aliases: [ModelName: [String: AliasAssignment]] = [:]
        var history: [ModelName: [String: [AliasHistoryEntry]]] = [:]
        var changeCounter: Int64 = 0
    }

    /// The records and the audit log, behind one lock.
    private struct Storage {
        var records = State()
        var audit: [AuditEntry] = []

        var auditHead: AuditHead {
            guard let last = audit.last else { return AuditHead(sequence: 0, hash: AuditEntry.genesisHash) }
            return AuditHead(sequence: last.sequence, hash: last.hash)
        }
    }

    private let storage = Mutex(Storage())
    /// One mutation at a time.
    private let writeLock = ResourcePool<Void>()
    private let rules: RegistryRules
    private let lineage: (any LineageStore)?

    /// Creates an empty store.
    ///
    /// - Parameters:
    ///   - lineage: where promotion policies look up a version's run (nil: a policy that needs
    ///     reproducible lineage fails).
    ///   - namingPolicy: which model names may be registered.
    ///   - now: the clock (times are kept to the millisecond).
    public init(lineage: (any LineageStore)? = nil, namingPolicy: NamingPolicy = NamingPolicy(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.lineage = lineage
        self.rules = RegistryRules(namingPolicy: namingPolicy, now: now)
    }

    /// Runs `body` on a copy of the state; the copy is kept only when `body` returns.
    private func mutate<Result: Sendable>(_ body: (RegistryRules, InMemoryRegistryTransaction) async throws -> Result) async throws -> Result {
        try await writeLock.withLock {
            let transaction = readTransaction()
            let result = try await body(rules, transaction)
            storage.withLock {
                $0.records = transaction.state
                if !transaction.redactedSubjects.isEmpty {
                    for index in $0.audit.indices where transaction.redactedSubjects.contains($0.audit[index].subject) {
                        $0.audit[index] = $0.audit[index].redacted()
                    }
                }
                $0.audit.append(contentsOf: transaction.appended)
            }
            return result
        }
    }

    private func read<Result>(_ body: (State) throws -> Result) rethrows -> Result {
        try storage.withLock { try body($0.records) }
    }

    private func readTransaction() -> InMemoryRegistryTransaction {
        storage.withLock { InMemoryRegistryTransaction(state: $0.records, auditHead: $0.auditHead) }
    }

    // MARK: Principals

    public func addPrincipal(_ principal: PrincipalRegistration, by actor: String?) async throws -> Principal {
        try await mutate { try await $0.addPrincipal(principal, by: actor, in: $1) }
    }

    public func principal(_ id: String) async throws -> Principal {
        guard let principal = read({ $0.principals[id] }) else {
            throw RegistryError(.notFound, "No principal '\(id)' is registered")
        }
        return principal
    }

    public func principals() async throws -> [Principal] {
        read { $0.principals.values.sorted { $0.id < $1.id } }
    }

    // MARK: Models and versions

    public func registerModel(_ registration: ModelRegistration, by actor: String) async throws -> RegisteredModel {
        try await mutate { try await $0.registerModel(registration, by: actor, in: $1) }
    }

    public func model(_ name: ModelName) async throws -> RegisteredModel {
        try await RegistryRules.existingModel(name, in: readTransaction())
    }

    public func models() async throws -> [RegisteredModel] {
        read { $0.models.values.sorted { $0.name < $1.name } }
    }

    public func registerModel(_ registration: ModelRegistration, firstVersion: VersionRegistration, by actor: String) async throws -> RegisteredModelWithVersion {
        try await mutate { try await $0.registerModel(registration, firstVersion: firstVersion, by: actor, in: $1) }
    }

    public func registerVersion(_ registration: VersionRegistration, by actor: String) async throws -> ModelVersion {
        try await mutate { try await $0.registerVersion(registration, by: actor, in: $1) }
    }

    public func version(_ model: ModelName, _ version: Int) async throws -> ModelVersion {
        try await RegistryRules.existingVersion(model, version, in: readTransaction())
    }

    public func versions(of model: ModelName) async throws -> [ModelVersion] {
        _ = try await self.model(model)
        return read { ($0.versions[model] ?? [:]).values.sorted { $0.version < $1.version } }
    }

    public func versions(taggedWith key: String, value: String) async throws -> [ModelVersion] {
        read { state in
            state.versions.values.flatMap(\.values).filter { $0.tags[key] == value }
                .inListOrder()
        }
    }

    public func versions(usingArtifact digest: Digest) async throws -> [ModelVersion] {
        try await readTransaction().versions(usingArtifact: digest)
    }

    public func setCard(_ card: ModelCard, of model: ModelName, version: Int, by actor: String, reason: String) async throws -> ModelVersion {
        try await mutate { try await $0.setCard(card, of: model, version: version, by: actor, reason: reason, in: $1) }
    }

    // MARK: Policies and approvals

    public func setPolicy(_ policy: PromotionPolicy, by actor: String, reason: String) async throws {
        try await mutate { try await $0.setPolicy(policy, by: actor, reason: reason, in: $1) }
    }

    public func policies() async throws -> [PromotionPolicy] {
        read { $0.policies.values.inListOrder() }
    }

    public func policy(for model: ModelName, alias: String) async throws -> PromotionPolicy? {
        let transaction = readTransaction()
        return try await RegistryRules.policy(for: try await RegistryRules.existingModel(model, in: transaction), alias: alias, in: transaction)
    }

    public func submitApproval(_ approval: Approval) async throws {
        try await mutate { try await $0.submitApproval(approval, in: $1) }
    }

    public func approvals(of model: ModelName, version: Int) async throws -> [Approval] {
        let transaction = readTransaction()
        _ = try await RegistryRules.existingVersion(model, version, in: transaction)
        return try await transaction.approvals(model, version)
    }

    // MARK: Aliases

    public func evaluatePromotion(_ model: ModelName, version: Int, to alias: String) async throws -> [PolicyFailure] {
        let evidence = RegistryLineage.lookup(in: lineage)
        let transaction = readTransaction()
        let record = try await RegistryRules.existingModel(model, in: transaction)
        let candidate = try await RegistryRules.existingVersion(model, version, in: transaction)
        return try await rules.evaluate(model: record, version: candidate, alias: alias, lineage: evidence, in: transaction)
    }

    public func promote(
        _ model: ModelName, version: Int, to alias: String, by actor: String, reason: String, expecting: AliasExpectation
    ) async throws -> AliasAssignment {
        let evidence = RegistryLineage.lookup(in: lineage)
        return try await mutate {
            try await $0.promote(model, version: version, to: alias, by: actor, reason: reason, expecting: expecting, lineage: evidence, in: $1)
        }
    }

    public func rollback(_ model: ModelName, alias: String, by actor: String, reason: String, expecting: AliasExpectation) async throws -> AliasAssignment {
        try await mutate { try await $0.rollback(model, alias: alias, by: actor, reason: reason, expecting: expecting, in: $1) }
    }

    public func resolve(_ model: ModelName, alias: String) async throws -> ModelVersion {
        let transaction = readTransaction()
        guard let assignment = try await transaction.alias(model, alias) else {
            _ = try await RegistryRules.existingModel(model, in: transaction)
            throw RegistryError(.notFound, "Model '\(model)' has no alias '\(alias)'", fix: "list its aliases with `mlops models show \(model)`.")
        }
        return try await RegistryRules.existingVersion(model, assignment.version, in: transaction)
    }

    public func aliases(of model: ModelName) async throws -> [AliasAssignment] {
        _ = try await self.model(model)
        return read { ($0.aliases[model] ?? [:]).values.sorted { $0.alias < $1.alias } }
    }

    public func aliasHistory(of model: ModelName, alias: String) async throws -> [AliasHistoryEntry] {
        _ = try await self.model(model)
        return read { $0.history[model]?[alias] ?? [] }
    }

    // MARK: Status

    public func quarantine(_ model: ModelName, version: Int, by actor: String, reason: String) async throws -> ModelVersion {
        try await mutate { try await $0.quarantine(model, version: version, by: actor, reason: reason, in: $1) }
    }

    public func purge(_ model: ModelName, version: Int, by actor: String, reason: String) async throws -> PurgeOutcome {
        try await mutate { try await $0.purge(model, version: version, by: actor, reason: reason, in: $1) }
    }

    // MARK: Audit

    public func auditEntries(after sequence: Int64, limit: Int) async throws -> [AuditEntry] {
        storage.withLock { storage in
            let start = Int(max(0, min(sequence, Int64(storage.audit.count))))
            return Array(storage.audit[start...].prefix(max(0, limit)))
        }
    }

    public func verifyAudit() async throws -> AuditVerification {
        var verifier = AuditChainVerifier()
        for entry in storage.withLock({ $0.audit }) where !verifier.check(entry) { break }
        return verifier.result()
    }

    public func auditHead() async throws -> AuditHead {
        storage.withLock { $0.auditHead }
    }

    public func changeCounter() async throws -> Int64 {
        read { $0.changeCounter }
    }

    /// Replaces the stored audit entries (tests use it to show that ``verifyAudit()`` finds
    /// tampering; nothing else should).
    package func replaceAuditEntriesForTesting(_ body: (inout [AuditEntry]) -> Void) {
        storage.withLock { body(&$0.audit) }
    }
}

/// A transaction over a copy of the in-memory records; the audit entries it appends wait in
/// ``appended`` until it commits.
final class InMemoryRegistryTransaction: RegistryTransaction {
    var state: InMemoryRegistryStore.State
    private let committedHead: AuditHead
    private(set) var appended: [AuditEntry] = []
    /// Subjects whose earlier entries lose their state text when the transaction commits.
    private(set) var redactedSubjects: Set<String> = []

    init(state: InMemoryRegistryStore.State, auditHead: AuditHead) {
        self.state = state
        committedHead = auditHead
    }

    static func policyKey(_ alias: String, _ riskClass: RiskClass?) -> String { "\(alias)\u{0}\(riskClass?.rawValue ?? "*")" }
    static func approvalKey(_ approval: Approval) -> String {
        "\(approval.model)\u{0}\(approval.version)\u{0}\(approval.alias)\u{0}\(approval.principal)\u{0}\(approval.policyHash)"
    }

    func principal(_ id: String) async throws -> Principal? { state.principals[id] }
    func principalCount() async throws -> Int { state.principals.count }
    func insertPrincipal(_ principal: Principal) async throws { state.principals[principal.id] = principal }
    func model(_ name: ModelName) async throws -> RegisteredModel? { state.models[name] }
    func insertModel(_ model: RegisteredModel) async throws { state.models[model.name] = model }
    func version(_ model: ModelName, _ version: Int) async throws -> ModelVersion? { state.versions[model]?[version] }
    func insertVersion(_ version: EncodedRecord<ModelVersion>) async throws {
        state.versions[version.record.model, default: [:]][version.record.version] = version.record
        // As the SQL store reads it: the highest version number the model has.
        if let latest = state.models[version.record.model]?.latestVersion {
            state.models[version.record.model]?.latestVersion = max(latest, version.record.version)
        }
    }
    func updateVersion(_ version: EncodedRecord<ModelVersion>) async throws {
        state.versions[version.record.model, default: [:]][version.record.version] = version.record
    }
    func versions(usingArtifact digest: Digest) async throws -> [ModelVersion] {
        state.versions.values.flatMap(\.values).filter { $0.artifactDigest == digest }
            .inListOrder()
    }
    func versionsNotReady(usingArtifact digest: Digest) async throws -> [ModelVersion] {
        try await versions(usingArtifact: digest).filter { $0.status != .ready }
    }
    func policy(alias: String, riskClass: RiskClass?) async throws -> PromotionPolicy? { state.policies[Self.policyKey(alias, riskClass)] }
    func applicablePolicy(alias: String, riskClass: RiskClass) async throws -> PromotionPolicy? {
        state.policies[Self.policyKey(alias, riskClass)] ?? state.policies[Self.policyKey(alias, nil)]
    }
    func savePolicy(_ policy: PromotionPolicy) async throws { state.policies[Self.policyKey(policy.alias, policy.riskClass)] = policy }
    func policyCount(alias: String) async throws -> Int { state.policies.values.filter { $0.alias == alias }.count }
    func approvals(_ model: ModelName, _ version: Int) async throws -> [Approval] {
        state.approvals.values.filter { $0.model == model && $0.version == version }.sorted { ($0.alias, $0.principal, $0.signedAt) < ($1.alias, $1.principal, $1.signedAt) }
    }
    func saveApproval(_ approval: Approval) async throws { state.approvals[Self.approvalKey(approval)] = approval }
    func alias(_ model: ModelName, _ alias: String) async throws -> AliasAssignment? { state.aliases[model]?[alias] }
    func storedAlias(_ model: ModelName, _ alias: String) async throws -> EncodedRecord<AliasAssignment>? {
        try state.aliases[model]?[alias].map { try EncodedRecord($0) }
    }
    func aliases(pointingAt model: ModelName, version: Int) async throws -> [String] {
        (state.aliases[model] ?? [:]).values.filter { $0.version == version }.map(\.alias)
    }
    func aliasHistory(_ model: ModelName, _ alias: String) async throws -> [AliasHistoryEntry] { state.history[model]?[alias] ?? [] }
    func saveAlias(_ encoded: EncodedRecord<AliasAssignment>, history: AliasHistoryEntry) async throws {
        let assignment = encoded.record
        state.aliases[assignment.model, default: [:]][assignment.alias] = assignment
        state.history[assignment.model, default: [:]][assignment.alias, default: []].append(history)
    }
    func auditHead() async throws -> AuditHead {
        appended.last.map { AuditHead(sequence: $0.sequence, hash: $0.hash) } ?? committedHead
    }
    func appendAudit(_ entry: AuditEntry, advancingChangeCounter: Bool) async throws {
        appended.append(entry)
        if advancingChangeCounter { state.changeCounter += 1 }
    }
    func redactAuditState(of subject: String) async throws {
        redactedSubjects.insert(subject)
        // Entries appended earlier in this transaction are redacted now; committed ones at commit.
        appended = appended.map { $0.subject == subject ? $0.redacted() : $0 }
    }
}
