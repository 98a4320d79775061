import Foundation
public import MLOpsStorage

/// Where models, versions, aliases, principals, policies, approvals and the audit log live, and
/// the one place their rules are enforced.
///
/// Every mutating call names the principal it acts as and checks that principal's role in the
/// same transaction that makes the change and appends its audit entry; a refused call changes
/// nothing and logs nothing. ``InMemoryRegistryStore`` and ``SQLRegistryStore`` (SQLite and
/// PostgreSQL) share the rules and pass one conformance suite.
public protocol RegistryStore: Sendable {
    // MARK: Principals

    /// Adds a principal. The first principal of an empty registry bootstraps it and must hold
    /// ``Role/admin``; after that, `actor` must be an admin.
    func addPrincipal(_ principal: PrincipalRegistration, by actor: String?) async throws -> Principal
    /// A principal by identifier.
    func principal(_ id: String) async throws -> Principal
    /// Every principal, by identifier.
    func principals() async throws -> [Principal]

    // MARK: Models and versions

    /// Registers a model (``Role/register``).
    func registerModel(_ registration: ModelRegistration, by actor: String) async throws -> RegisteredModel
    /// A model by name.
    func model(_ name: ModelName) async throws -> RegisteredModel
    /// Every model, by name.
    func models() async throws -> [RegisteredModel]
    /// Registers a model and its first version in one transaction (``Role/register``): both are
    /// stored, or neither is, so a crash or a refused version never leaves the model without its
    /// first version.
    ///
    /// - Throws: ``RegistryError/Code/alreadyExists`` when the model is registered already (then
    ///   register the version with ``registerVersion(_:by:)``: another process may have registered
    ///   the model since it was looked up); ``RegistryError/Code/invalidArgument`` when
    ///   `firstVersion` names another model; otherwise what ``registerModel(_:by:)`` and
    ///   ``registerVersion(_:by:)`` throw.
    func registerModel(_ registration: ModelRegistration, firstVersion: VersionRegistration, by actor: String) async throws -> RegisteredModelWithVersion
    /// Registers the next version of a model (``Role/register``); the version is fixed from then on.
    func registerVersion(_ registration: VersionRegistration, by actor: String) async throws -> ModelVersion
    /// One version.
    func version(_ model: ModelName, _ version: Int) async throws -> ModelVersion
    /// Every version of a model, oldest first.
    func versions(of model: ModelName) async throws -> [ModelVersion]
    /// Versions carrying tag `key` with `value`, by model and version.
    func versions(taggedWith key: String, value: String) async throws -> [ModelVersion]
    /// Every version of any model whose artifact is `digest`, purged ones (tombstones) included,
    /// by model and version.
    ///
    /// One read of the versions; a store that does not implement it gets a default that reads
    /// every model's versions.
    func versions(usingArtifact digest: Digest) async throws -> [ModelVersion]
    /// Replaces a version's model card (``Role/register``).
    func setCard(_ card: ModelCard, of model: ModelName, version: Int, by actor: String, reason: String) async throws -> ModelVersion

    // MARK: Policies and approvals

    /// Sets the promotion policy of an alias for a risk class (``Role/admin``).
    func setPolicy(_ policy: PromotionPolicy, by actor: String, reason: String) async throws
    /// Every policy, by alias and risk class.
    func policies() async throws -> [PromotionPolicy]
    /// The policy a promotion of `model` to `alias` is held to (the risk class's own, else the
    /// alias's catch-all); nil when none applies.
    func policy(for model: ModelName, alias: String) async throws -> PromotionPolicy?
    /// Records a signed approval after verifying it: the principal holds the approver role, the
    /// signature verifies against its registered key, the version digest and policy hash are
    /// current, it has not expired, and the principal is not the version's author.
    func submitApproval(_ approval: Approval) async throws
    /// The approvals recorded for a version.
    func approvals(of model: ModelName, version: Int) async throws -> [Approval]

    // MARK: Aliases

    /// Every rule a promotion of this version to `alias` would break now (empty when it would pass).
    func evaluatePromotion(_ model: ModelName, version: Int, to alias: String) async throws -> [PolicyFailure]
    /// Points `alias` at `version` (``Role/promote``) if the policy passes and the alias still
    /// points where `expecting` says.
    ///
    /// - Throws: ``RegistryError/Code/policyViolation`` listing every failed rule;
    ///   ``RegistryError/Code/aliasConflict`` naming the alias's current target;
    ///   ``RegistryError/Code/versionUnavailable`` for a quarantined or purged version.
    func promote(_ model: ModelName, version: Int, to alias: String, by actor: String, reason: String, expecting: AliasExpectation) async throws -> AliasAssignment
    /// Returns `alias` to the version it pointed at before its current holder was promoted
    /// (``Role/promote``), recording `reason`, if the alias still points where `expecting` says:
    /// two operators rolling back at once take it back one step, not two.
    ///
    /// - Throws: ``RegistryError/Code/aliasConflict`` naming the alias's current target;
    ///   ``RegistryError/Code/notFound`` when the alias is unset or had no holder before;
    ///   ``RegistryError/Code/versionUnavailable`` when that holder is quarantined or purged.
    func rollback(_ model: ModelName, alias: String, by actor: String, reason: String, expecting: AliasExpectation) async throws -> AliasAssignment
    /// The version `alias` points at.
    func resolve(_ model: ModelName, alias: String) async throws -> ModelVersion
    /// The aliases of a model, by name.
    func aliases(of model: ModelName) async throws -> [AliasAssignment]
    /// Every move of an alias, oldest first.
    func aliasHistory(of model: ModelName, alias: String) async throws -> [AliasHistoryEntry]

    // MARK: Status

    /// Quarantines a version (``Role/admin``): kept for the record, never promoted again.
    func quarantine(_ model: ModelName, version: Int, by actor: String, reason: String) async throws -> ModelVersion
    /// Purges a version (``Role/admin``): its card, metrics, signature, description, tags and
    /// source are removed and a tombstone stays. Refused while an alias points at it.
    ///
    /// The artifact's bytes are not the store's: ``PurgeOutcome/artifactStillUsed`` says whether
    /// another version still uses them; when not, remove them from the artifact store.
    func purge(_ model: ModelName, version: Int, by actor: String, reason: String) async throws -> PurgeOutcome

    // MARK: Audit and change tracking

    /// Audit entries after `sequence`, at most `limit`, in order; from the start when `sequence`
    /// is 0 or less (a row written into a SQL store below sequence 1 included).
    func auditEntries(after sequence: Int64, limit: Int) async throws -> [AuditEntry]
    /// Checks the whole chain and names the first bad entry.
    func verifyAudit() async throws -> AuditVerification
    /// The last entry's sequence and hash.
    func auditHead() async throws -> AuditHead
    /// A number that grows whenever an alias moves or a version's status changes (watchers poll it).
    func changeCounter() async throws -> Int64
    /// Calls `onChange` with the change counter once at the start and then each time it grows,
    /// until the task is cancelled (then it returns).
    ///
    /// The default polls ``changeCounter()`` every `pollInterval`; ``SQLRegistryStore`` listens
    /// for PostgreSQL notifications instead and polls only on SQLite. ``AliasResolver`` builds
    /// on this.
    ///
    /// - Throws: what `onChange` throws, and what reading the counter throws.
    func watchChanges(pollInterval: Duration, _ onChange: @Sendable (Int64) async throws -> Void) async throws
}

extension RegistryStore {
    /// Reads every model's versions: the default of a store without a query of its own.
    public func versions(usingArtifact digest: Digest) async throws -> [ModelVersion] {
        var found: [ModelVersion] = []
        for model in try await models() {
            found += try await versions(of: model.name).filter { $0.artifactDigest == digest }
        }
        return found
    }

    /// Whether a version that is not purged, of any model, uses the artifact `digest`: the
    /// question of a purge (may the bytes go?) and of a refused registration of purged bytes (may
    /// they go again?), asked under the artifact store's lock on the digest.
    public func hasLiveVersion(usingArtifact digest: Digest) async throws -> Bool {
        try await versions(usingArtifact: digest).contains { $0.status != .purged }
    }

    /// Rolls `alias` back whatever it points at now (``AliasExpectation/any``): two of these at
    /// once go back two steps; pass `expecting:` the holder you saw to go back one.
    public func rollback(_ model: ModelName, alias: String, by actor: String, reason: String) async throws -> AliasAssignment {
        try await rollback(model, alias: alias, by: actor, reason: reason, expecting: .any)
    }

    /// Registers `version` as the next version of its model, and the model itself from `model`
    /// when the registry does not have it, in the same transaction
    /// (``registerModel(_:firstVersion:by:)``). A model another process registers between the
    /// look-up and that call gets the version as the next one, so processes registering versions
    /// of one new model at once all land and exactly one creates it.
    ///
    /// - Returns: The version, and whether this call registered the model.
    /// - Throws: what ``registerModel(_:firstVersion:by:)`` and ``registerVersion(_:by:)`` throw,
    ///   but not ``RegistryError/Code/alreadyExists`` for the model.
    public func registerVersion(
        _ version: VersionRegistration, creatingModel model: ModelRegistration, by actor: String
    ) async throws -> (version: ModelVersion, modelCreated: Bool) {
        do {
            _ = try await self.model(model.name)
        } catch let error as RegistryError where error.code == .notFound {
            do {
                return (try await registerModel(model, firstVersion: version, by: actor).version, true)
            } catch let error as RegistryError where error.code == .alreadyExists {
                // Registered by another process since the look-up: the version goes to it.
            }
        }
        return (try await registerVersion(version, by: actor), false)
    }

    /// Throws what a mutating call acting as `principal` would throw when it does not hold
    /// `role` (or is not registered), so work outside the store (storing an artifact's bytes)
    /// is not done for a call the store will refuse.
    ///
    /// - Throws: ``RegistryError/Code/permissionDenied`` naming the principal and the role.
    public func requireRole(_ role: Role, of principal: String, toDo what: String) async throws {
        let found: Principal?
        do {
            found = try await self.principal(principal)
        } catch let error as RegistryError where error.code == .notFound {
            found = nil
        }
        _ = try RegistryRules.check(found, id: principal, holds: role, toDo: what)
    }

    /// Polls ``changeCounter()`` every `pollInterval`.
    public func watchChanges(pollInterval: Duration, _ onChange: @Sendable (Int64) async throws -> Void) async throws {
        try await pollChanges(every: pollInterval, onChange)
    }

    /// Reads the counter every `interval` and reports each new value (the first read too).
    func pollChanges(every interval: Duration, _ onChange: @Sendable (Int64) async throws -> Void) async throws {
        let watch = ChangeCounterWatch()
        while !Task.isCancelled {
            try await watch.report(try await changeCounter(), to: onChange)
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}

/// What ``RegistryStore/purge(_:version:by:reason:)`` did.
public struct PurgeOutcome: Sendable, Hashable, Codable {
    /// The tombstone left behind.
    public var version: ModelVersion
    /// Whether another version that is not purged still uses the artifact's bytes (then keep them).
    public var artifactStillUsed: Bool

    enum CodingKeys: String, CodingKey {
        case version
        case artifactStillUsed = "artifact_still_used"
    }

    /// Creates an outcome.
    public init(version: ModelVersion, artifactStillUsed: Bool) {
        self.version = version
        self.artifactStillUsed = artifactStillUsed
    }
}
