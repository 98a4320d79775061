import Foundation
import MLOpsStorage

/// The reads and writes one registry transaction needs, and nothing else: each store implements
/// them over its own storage, and ``RegistryRules`` implements every rule once on top of them,
/// so the in-memory and SQL stores cannot drift apart.
///
/// A transaction is all or nothing: when the body that uses it throws, none of its writes remain.
protocol RegistryTransaction {
    func principal(_ id: String) async throws -> Principal?
    func principalCount() async throws -> Int
    func insertPrincipal(_ principal: Principal) async throws
    func model(_ name: ModelName) async throws -> RegisteredModel?
    func insertModel(_ model: RegisteredModel) async throws
    func version(_ model: ModelName, _ version: Int) async throws -> ModelVersion?
    func insertVersion(_ version: EncodedRecord<ModelVersion>) async throws
    func updateVersion(_ version: EncodedRecord<ModelVersion>) async throws
    /// Versions (any model) whose artifact is `digest`.
    func versions(usingArtifact digest: Digest) async throws -> [ModelVersion]
    /// Versions (any model) whose artifact is `digest` and that are not ready (quarantined or
    /// purged): those that may hold the bytes back (``ModelVersion/holdsItsArtifactBack``).
    func versionsNotReady(usingArtifact digest: Digest) async throws -> [ModelVersion]
    func policy(alias: String, riskClass: RiskClass?) async throws -> PromotionPolicy?
    /// The policy for `riskClass` at `alias`, else the alias's catch-all (one look-up).
    func applicablePolicy(alias: String, riskClass: RiskClass) async throws -> PromotionPolicy?
    func savePolicy(_ policy: PromotionPolicy) async throws
    /// How many policies `alias` has (any risk class).
    func policyCount(alias: String) async throws -> Int
    func approvals(_ model: ModelName, _ version: Int) async throws -> [Approval]
    /// Keeps one approval per (model, version, alias, principal, policy): a newer one replaces it.
    func saveApproval(_ approval: Approval) async throws
    func alias(_ model: ModelName, _ alias: String) async throws -> AliasAssignment?
    /// ``alias(_:_:)`` with the canonical text it is stored as (what its next move's audit
    /// entry records as the state before).
    func storedAlias(_ model: ModelName, _ alias: String) async throws -> EncodedRecord<AliasAssignment>?
    func aliases(pointingAt model: ModelName, version: Int) async throws -> [String]
    func aliasHistory(_ model: ModelName, _ alias: String) async throws -> [AliasHistoryEntry]
    func saveAlias(_ assignment: EncodedRecord<AliasAssignment>, history: AliasHistoryEntry) async throws
    func auditHead() async throws -> AuditHead
    /// Appends `entry`; with `advancingChangeCounter`, the change counter (the number watchers
    /// poll, see ``RegistryStore/changeCounter()``) grows by one with it.
    func appendAudit(_ entry: AuditEntry, advancingChangeCounter: Bool) async throws
    /// Removes the state text of the format-2 entries about `subject` (a version being purged),
    /// keeping each text's SHA-256 in its place.
    func redactAuditState(of subject: String) async throws
}
