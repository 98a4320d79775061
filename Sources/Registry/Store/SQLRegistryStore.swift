public import Foundation
public import Lineage
public import MLOpsStorage
import TensorCore

/// A ``RegistryStore`` on a SQL database: SQLite (the embedded default) or PostgreSQL, shared by
/// any number of processes.
///
/// ```swift
/// try await StoreLocation(parsing: "sqlite:mlops.sqlite").withDatabase { database in
///     let registry = try await SQLRegistryStore(database: database)   // migrates the registry tables
///     let version = try await registry.resolve(try ModelName("fraud/scorer"), alias: "production")
/// }
/// ```
///
/// Every mutation is one write transaction: the role check, the rules, the change and its audit
/// entry commit together or not at all. Registry writers queue for one lock (SQLite's write lock;
/// a PostgreSQL advisory lock, see `SQLDatabase.write(serializedBy:)`), so concurrent promotions
/// of one alias see each other and the audit chain never forks.
public struct SQLRegistryStore: RegistryStore {
    /// The database the store writes to.
    public let database: any SQLDatabase
    /// Where promotion policies look up a version's run.
    public let lineage: (any LineageStore)?
    private let rules: RegistryRules
    /// Records decoded before, by their stored text (see ``DecodedRecordCache``).
    private let cache = DecodedRecordCache()

    /// Opens the store on `database`, bringing the registry tables to their latest version.
    ///
    /// - Parameters:
    ///   - database: the SQLite or PostgreSQL database (shared with Lineage and the other products).
    ///   - migrate: with `false` nothing is changed: the tables must exist at the version this
    ///     build knows (read-only tools use this).
    ///   - lineage: where promotion policies look up runs; by default the Lineage tables of the
    ///     same database.
    ///   - namingPolicy: which model names may be registered.
    ///   - now: the clock (times are kept to the millisecond).
    /// - Throws: `StorageError` (`schemaTooNew`) when the database was written by a newer build;
    ///   with `migrate: false`, `StorageError` (`schemaTooOld`) when the registry tables are
    ///   missing or older.
    public init(
        database: any SQLDatabase, migrate: Bool = true, lineage: (any LineageStore)? = nil,
        namingPolicy: NamingPolicy = NamingPolicy(), now: @escaping @Sendable () -> Date = { Date() }
    ) async throws {
        self.database = database
        if migrate {
            try await database.migrate([StorageSchema.schema, LineageSchema.schema, RegistrySchema.schema])
        } else {
            try await SQLMigrator.requireCompatible([RegistrySchema.schema], on: database)
        }
        if let lineage {
            self.lineage = lineage
        } else {
            self.lineage = try? await SQLLineageStore(database: database, migrate: false)
        }
        rules = RegistryRules(namingPolicy: namingPolicy, now: now)
    }

    private func mutate<Result: Sendable>(
        _ body: @escaping @Sendable (RegistryRules, SQLRegistryTransaction) async throws -> Result
    ) async throws -> Result {
        let rules = rules
        let cache = cache
        // Every mutation extends the audit chain's head: queue the writers rather than let
        // PostgreSQL abort all but one of them (see SQLDatabase.write(serializedBy:)).
        // Brief: a mutation reads and writes a handful of rows through their keys.
        return try await database.write(serializedBy: "registry", expecting: .brief) { connection in
            try await body(rules, SQLRegistryTransaction(connection: connection, cache: cache))
        }
    }

    /// A read transaction; `duration` is ``SQLTransactionDuration/brief`` for look-ups through
    /// keys and indexes, ``SQLTransactionDuration/unbounded`` for listings that grow with the
    /// registry.
    private func read<Result: Sendable>(
        _ duration: SQLTransactionDuration, _ body: @escaping @Sendable (SQLRegistryTransaction) async throws -> Result
    ) async throws -> Result {
        let cache = cache
        return try await database.read(expecting: duration) { connection in
            try await body(SQLRegistryTransaction(connection: connection, cache: cache))
        }
    }

    // MARK: Principals

    public func addPrincipal(_ principal: PrincipalRegistration, by actor: String?) async throws -> Principal {
        try await mutate { try await $0.addPrincipal(principal, by: actor, in: $1) }
    }

    public func principal(_ id: String) async throws -> Principal {
        guard let principal = try await read(.brief, { try await $0.principal(id) }) else {
            throw RegistryError(.notFound, "No principal '\(id)' is registered")
        }
        return principal
    }

    public func principals() async throws -> [Principal] {
        try await read(.unbounded) { try await $0.records(Principal.self, "SELECT record FROM registry_principals ORDER BY id", [], what: "principal") }
            .sorted { $0.id < $1.id }
    }

    // MARK: Models and versions

    public func registerModel(_ registration: ModelRegistration, by actor: String) async throws -> RegisteredModel {
        try await mutate { try await $0.registerModel(registration, by: actor, in: $1) }
    }

    public func model(_ name: ModelName) async throws -> RegisteredModel {
        try await read(.brief) { try await RegistryRules.existingModel(name, in: $0) }
    }

    public func models() async throws -> [RegisteredModel] {
        try await read(.unbounded) { try await $0.models(SQLRegistryTransaction.allModelsQuery, []) }.sorted { $0.name < $1.name }
    }

    public func registerModel(_ registration: ModelRegistration, firstVersion: VersionRegistration, by actor: String) async throws -> RegisteredModelWithVersion {
        try await mutate { try await $0.registerModel(registration, firstVersion: firstVersion, by: actor, in: $1) }
    }

    public func registerVersion(_ registration: VersionRegistration, by actor: String) async throws -> ModelVersion {
        try await mutate { try await $0.registerVersion(registration, by: actor, in: $1) }
    }

    public func version(_ model: ModelName, _ version: Int) async throws -> ModelVersion {
        try await read(.brief) { try await RegistryRules.existingVersion(model, version, in: $0) }
    }

    public func versions(of model: ModelName) async throws -> [ModelVersion] {
        try await read(.unbounded) { tx in
            _ = try await RegistryRules.existingModel(model, in: tx)
            return try await tx.records(
                ModelVersion.self, "SELECT record FROM registry_versions WHERE model = ? ORDER BY version", [.text(model.value)], what: "version")
        }
    }

    public func versions(taggedWith key: String, value: String) async throws -> [ModelVersion] {
        try await read(.brief) { tx in
            try await tx.records(
                ModelVersion.self,
                """
                SELECT v.record FROM registry_version_tags t
                JOIN registry_versions v ON v.model = t.model AND v.version = t.version
                WHERE t.key = ? AND t.value = ? ORDER BY t.model, t.version
                """,
                [.text(key), .text(value)], what: "version")
        }.inListOrder()
    }

    public func versions(usingArtifact digest: Digest) async throws -> [ModelVersion] {
        // Every list is ordered here too, as the in-memory store orders it (RegistryListOrder).
        try await read(.unbounded) { try await $0.versions(usingArtifact: digest) }.inListOrder()
    }

    public func setCard(_ card: ModelCard, of model: ModelName, version: Int, by actor: String, reason: String) async throws -> ModelVersion {
        try await mutate { try await $0.setCard(card, of: model, version: version, by: actor, reason: reason, in: $1) }
    }

    // MARK: Policies and approvals

    public func setPolicy(_ policy: PromotionPolicy, by actor: String, reason: String) async throws {
        try await mutate { try await $0.setPolicy(policy, by: actor, reason: reason, in: $1) }
    }

    public func policies() async throws -> [PromotionPolicy] {
        try await read(.unbounded) { try await $0.records(PromotionPolicy.self, "SELECT record FROM registry_policies ORDER BY alias, risk_class", [], what: "policy") }
            .inListOrder()
    }

    public func policy(for model: ModelName, alias: String) async throws -> PromotionPolicy? {
        try await read(.brief) { tx in try await RegistryRules.policy(for: try await RegistryRules.existingModel(model, in: tx), alias: alias, in: tx) }
    }

    public func submitApproval(_ approval: Approval) async throws {
        try await mutate { try await $0.submitApproval(approval, in: $1) }
    }

    public func approvals(of model: ModelName, version: Int) async throws -> [Approval] {
        try await read(.brief) { tx in
            _ = try await RegistryRules.existingVersion(model, version, in: tx)
            return try await tx.approvals(model, version)
        }
    }

    // MARK: Aliases

    public func evaluatePromotion(_ model: ModelName, version: Int, to alias: String) async throws -> [PolicyFailure] {
        let rules = rules
        return try await withLineageEvidence(model, version) { evidence in
            try await self.read(.brief) { tx in
                let record = try await RegistryRules.existingModel(model, in: tx)
                let candidate = try await RegistryRules.existingVersion(model, version, in: tx)
                return try await rules.evaluate(model: record, version: candidate, alias: alias, lineage: evidence, in: tx)
            }
        }
    }

    public func promote(
        _ model: ModelName, version: Int, to alias: String, by actor: String, reason: String, expecting: AliasExpectation
    ) async throws -> AliasAssignment {
        try await withLineageEvidence(model, version) { evidence in
            try await self.mutate {
                try await $0.promote(model, version: version, to: alias, by: actor, reason: reason, expecting: expecting, lineage: evidence, in: $1)
            }
        }
    }

    /// Runs `body`, and only when the alias's policy asks for the version's Lineage run, runs it
    /// again with the run read first.
    ///
    /// The run is never read inside the transaction: the Lineage store may be on the same
    /// database, and a second transaction opened from inside the first could wait forever for a
    /// connection (an in-memory or read-only SQLite database has one; a reader pool can be all
    /// held by such outer transactions). The first attempt gets a look-up that stops it; it is
    /// rolled back, the run is read, and the second attempt gets the evidence.
    private func withLineageEvidence<Result: Sendable>(
        _ model: ModelName, _ version: Int, _ body: @escaping @Sendable (@escaping RegistryLineage.Lookup) async throws -> Result
    ) async throws -> Result {
        do {
            return try await body { _ in throw LineageEvidenceNeeded() }
        } catch is LineageEvidenceNeeded {
            let evidence = try await RegistryLineage.evidence(for: try await self.version(model, version), in: lineage)
            return try await body { _ in evidence }
        }
    }

    public func rollback(_ model: ModelName, alias: String, by actor: String, reason: String, expecting: AliasExpectation) async throws -> AliasAssignment {
        try await mutate { try await $0.rollback(model, alias: alias, by: actor, reason: reason, expecting: expecting, in: $1) }
    }

    public func resolve(_ model: ModelName, alias: String) async throws -> ModelVersion {
        try await read(.brief) { tx in
            guard let version = try await tx.record(
                ModelVersion.self,
                """
                SELECT v.record FROM registry_aliases a
                JOIN registry_versions v ON v.model = a.model AND v.version = a.version
                WHERE a.model = ? AND a.alias = ?
                """,
                [.text(model.value), .text(alias)], what: "version")
            else {
                _ = try await RegistryRules.existingModel(model, in: tx)
                throw RegistryError(.notFound, "Model '\(model)' has no alias '\(alias)'", fix: "list its aliases with `mlops models show \(model)`.")
            }
            return version
        }
    }

    public func aliases(of model: ModelName) async throws -> [AliasAssignment] {
        try await read(.brief) { tx in
            _ = try await RegistryRules.existingModel(model, in: tx)
            return try await tx.records(AliasAssignment.self, "SELECT record FROM registry_aliases WHERE model = ? ORDER BY alias", [.text(model.value)], what: "alias")
        }.sorted { $0.alias < $1.alias }
    }

    public func aliasHistory(of model: ModelName, alias: String) async throws -> [AliasHistoryEntry] {
        try await read(.unbounded) { tx in
            _ = try await RegistryRules.existingModel(model, in: tx)
            return try await tx.aliasHistory(model, alias)
        }
    }

    // MARK: Status

    public func quarantine(_ model: ModelName, version: Int, by actor: String, reason: String) async throws -> ModelVersion {
        try await mutate { try await $0.quarantine(model, version: version, by: actor, reason: reason, in: $1) }
    }

    public func purge(_ model: ModelName, version: Int, by actor: String, reason: String) async throws -> PurgeOutcome {
        // On SQLite what the purge removes or rewrites is overwritten in the file, not left in free
        // space: every writing connection runs with secure_delete on (SQLiteConnection). Old page
        // images stay in the WAL until its next checkpoint, when the last connection closes.
        try await mutate { try await $0.purge(model, version: version, by: actor, reason: reason, in: $1) }
    }

    // MARK: Audit

    public func auditEntries(after sequence: Int64, limit: Int) async throws -> [AuditEntry] {
        try await read(.unbounded) { try await $0.auditEntries(after: sequence, limit: max(0, limit)) }
    }

    /// Reads the log and checks each row in place as the database steps through it (nothing is
    /// kept but the last hash). A long log is split into consecutive parts read at once on
    /// separate connections (one per core, up to four), joined so the result is exactly that of
    /// one reader: the first bad entry in log order.
    public func verifyAudit() async throws -> AuditVerification {
        let last = try await auditHead().sequence
        let parts = last >= 200_000 ? max(1, min(4, ProcessInfo.processInfo.activeProcessorCount)) : 1
        let verification = try await verifyAudit(parts: parts, through: last)
        // Each part reads its own snapshot: a purge committed between them can show a part its
        // redaction and no part its purge entry. One reader, one snapshot, settles it.
        if parts > 1, verification.problem?.contains(AuditChainVerifier.unexplainedRedaction) == true {
            return try await verifyAudit(parts: 1, through: last)
        }
        return verification
    }

    /// Verifies in `parts` parts of about equal length; the last part runs to the end of the log,
    /// entries appended after `last` included.
    func verifyAudit(parts: Int, through last: Int64) async throws -> AuditVerification {
        let select = "SELECT \(SQLRegistryTransaction.auditColumns) FROM registry_audit"
        let count = Int64(max(1, min(parts, Int(max(1, last)))))
        let size = max(1, last / count)
        // Each part: the entries after `after`, up to `upper` (the last part: to the end; the
        // first from the lowest sequence there is, so a row written in below 1 is checked too).
        let ranges: [(after: Int64, upper: Int64)] = (0..<count).map { index in
            (index == 0 ? Int64.min : index * size, index == count - 1 ? Int64.max : (index + 1) * size)
        }
        let verifiers = try await withThrowingTaskGroup(of: (Int, AuditChainVerifier).self) { group in
            for (index, range) in ranges.enumerated() {
                group.addTask {
                    // One read transaction per part (one snapshot), read in pages of 10,000 rows
                    // so a driver that materializes a query's rows (PostgreSQL) holds one page.
                    let verifier = try await self.database.read { connection in
                        var verifier = AuditChainVerifier.resuming()
                        var after = range.after
                        while true {
                            let before = verifier.rowsRead
                            verifier = try await connection.reduceRows(
                                "\(select) WHERE sequence > ? AND sequence <= ? ORDER BY sequence LIMIT 10000",
                                [.integer(after), .integer(range.upper)], into: verifier
                            ) { verifier, row in verifier.check(row: row) }
                            guard verifier.failure == nil, verifier.rowsRead - before == 10_000 else { return verifier }
                            after = verifier.checked
                        }
                    }
                    return (index, verifier)
                }
            }
            var verifiers: [(Int, AuditChainVerifier)] = []
            for try await result in group { verifiers.append(result) }
            return verifiers.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return AuditChainVerifier.joined(verifiers)
    }

    public func auditHead() async throws -> AuditHead {
        try await read(.brief) { try await $0.auditHead() }
    }

    public func changeCounter() async throws -> Int64 {
        try await read(.brief) { try await $0.connection.queryScalar(Int64.self, "SELECT \(SQLRegistryTransaction.changeCounterQuery)") }
    }

    /// The PostgreSQL channel every change of the counter is announced on (its payload is the
    /// new value).
    public static let changeChannel = "mlops_registry_changes"

    /// On PostgreSQL, listens for the change counter's announcements (`LISTEN`/`NOTIFY`) and
    /// reads the counter when one arrives; on SQLite, polls it every `pollInterval`.
    ///
    /// When the listening connection is lost, it polls once and listens again, so a change made
    /// meanwhile is still reported.
    public func watchChanges(pollInterval: Duration, _ onChange: @Sendable (Int64) async throws -> Void) async throws {
        guard let source = database as? any SQLNotificationSource else {
            return try await pollChanges(every: pollInterval, onChange)
        }
        let watch = ChangeCounterWatch()
        while !Task.isCancelled {
            do {
                try await source.listen(on: Self.changeChannel) {
                    try await watch.report(try await changeCounter(), to: onChange)
                } onNotification: { _ in
                    // The counter is read rather than taken from the payload: notifications of
                    // one transaction may be folded, and a read is the truth.
                    try await watch.report(try await changeCounter(), to: onChange)
                }
            } catch let error as StorageError where error.code == .connectionFailed || error.code == .sqlFailed {
                // Lost the connection: wait one interval and listen again (onListening catches up).
                try? await Task.sleep(for: pollInterval)
            }
        }
    }
}

/// A registry transaction on one SQL connection.
struct SQLRegistryTransaction: RegistryTransaction {
    let connection: any SQLConnection
    let cache: DecodedRecordCache

    /// The canonical text `encoded` is stored as; the cache learns the pair, so the next read of
    /// the record (the version a promotion reads, the alias the next promotion moves) costs no
    /// decode. For records whose times the rules round to the millisecond (see
    /// ``DecodedRecordCache/remember(_:text:)``).
    func storedText<Record: Codable & Equatable & Sendable>(_ encoded: EncodedRecord<Record>) -> String {
        // Debug builds (the tests) check the cache's premise: the text reads back as the record.
        assert(
            (try? RegistryCoding.decode(Record.self, from: encoded.text, what: "record")) == encoded.record,
            "\(Record.self) does not read back from \(encoded.text)")
        cache.remember(encoded.record, text: encoded.text)
        return encoded.text
    }

    /// The records a query's first column holds, read in place (on SQLite, straight from the
    /// statement: a record decoded before costs a hash and a comparison, no copy).
    func records<Record: Decodable & Sendable>(_ type: Record.Type, _ sql: String, _ arguments: [SQLValue], what: String) async throws -> [Record] {
        let cache = cache
        return try await connection.reduceRows(sql, arguments, into: [Record]()) { records, row in
            records.append(try Self.record(type, in: row, at: 0, what: what, cache: cache))
            return true
        }
    }

    func record<Record: Decodable & Sendable>(_ type: Record.Type, _ sql: String, _ arguments: [SQLValue], what: String) async throws -> Record? {
        let cache = cache
        return try await firstRow(sql, arguments) { row in try Self.record(type, in: row, at: 0, what: what, cache: cache) }
    }

    /// `read` of the query's first row, read in place (no row is copied out), or nil when it
    /// has none.
    func firstRow<Value: Sendable>(
        _ sql: String, _ arguments: [SQLValue], _ read: @escaping @Sendable (borrowing SQLRowView) throws -> Value
    ) async throws -> Value? {
        try await connection.reduceRows(sql, arguments, into: Value?.none) { value, row in
            value = try read(row)
            return false
        }
    }

    /// The record in column `index` of `row`, decoded once per distinct text (`cache`).
    static func record<Record: Decodable & Sendable>(
        _ type: Record.Type, in row: borrowing SQLRowView, at index: Int, what: String, cache: DecodedRecordCache
    ) throws -> Record {
        try row.withText(at: index) { bytes throws -> Record in
            guard let bytes else {
                throw RegistryError(.corruptRecord, "A stored \(what) is not text", fix: "the record was edited by hand; restore it from a backup.")
            }
            return try cache.record(type, bytes: bytes) { text in try RegistryCoding.decode(type, from: text, what: what) }
        }
    }

    /// Models with their latest version number, read from the versions' primary key (versions
    /// are never deleted: a purged one stays as a tombstone, so its number is never reused):
    /// `record` and the number, from `registry_models m`.
    static let modelsQuery = """
        SELECT record, (SELECT coalesce(max(v.version), 0) FROM registry_versions v WHERE v.model = m.name)
        FROM registry_models m
        """
    /// Every model, by name.
    static let allModelsQuery = "\(modelsQuery) ORDER BY name"
    /// One model by name (every mutation reads one).
    static let modelByNameQuery = "\(modelsQuery) WHERE name = ?"

    /// The models `sql` (one of the queries above) selects.
    func models(_ sql: String, _ arguments: [SQLValue]) async throws -> [RegisteredModel] {
        let cache = cache
        return try await connection.reduceRows(sql, arguments, into: [RegisteredModel]()) { models, row in
            var model = try Self.record(RegisteredModel.self, in: row, at: 0, what: "model", cache: cache)
            model.latestVersion = Int(row.integer(at: 1) ?? 0)
            models.append(model)
            return true
        }
    }

    func principal(_ id: String) async throws -> Principal? {
        try await record(Principal.self, "SELECT record FROM registry_principals WHERE id = ?", [.text(id)], what: "principal")
    }

    func principalCount() async throws -> Int {
        try await connection.queryScalar(Int.self, "SELECT count(*) FROM registry_principals")
    }

    func insertPrincipal(_ principal: Principal) async throws {
        let inserted = try await connection.execute(
            "INSERT INTO registry_principals (id, record) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
            [.text(principal.id), .text(try RegistryCoding.canonicalText(principal))])
        guard inserted == 1 else { throw RegistryError(.alreadyExists, "Principal '\(principal.id)' exists already", fix: "choose another ID; `mlops principals list` shows those taken.") }
    }

    func model(_ name: ModelName) async throws -> RegisteredModel? {
        try await models(Self.modelByNameQuery, [.text(name.value)]).first
    }

    func insertModel(_ model: RegisteredModel) async throws {
        // The name's uniqueness decides, not the look-up before: safe with any number of writers.
        let inserted = try await connection.execute(
            "INSERT INTO registry_models (name, risk_class, record) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
            [.text(model.name.value), .text(model.riskClass.rawValue), .text(try RegistryCoding.canonicalText(model))])
        guard inserted == 1 else { throw RegistryError(.alreadyExists, "A model named '\(model.name)' is registered already") }
    }

    func version(_ model: ModelName, _ version: Int) async throws -> ModelVersion? {
        try await record(
            ModelVersion.self, "SELECT record FROM registry_versions WHERE model = ? AND version = ?",
            [.text(model.value), .integer(Int64(version))], what: "version")
    }

    func insertVersion(_ encoded: EncodedRecord<ModelVersion>) async throws {
        let version = encoded.record
        _ = try await connection.execute(
            "INSERT INTO registry_versions (model, version, status, artifact_digest, record) VALUES (?, ?, ?, ?, ?)",
            [.text(version.model.value), .integer(Int64(version.version)), .text(version.status.rawValue), .text(version.artifactDigest.description),
             .text(storedText(encoded))])
        try await writeTags(of: version)
    }

    func updateVersion(_ encoded: EncodedRecord<ModelVersion>) async throws {
        let version = encoded.record
        _ = try await connection.execute(
            "UPDATE registry_versions SET status = ?, record = ? WHERE model = ? AND version = ?",
            [.text(version.status.rawValue), .text(storedText(encoded)), .text(version.model.value), .integer(Int64(version.version))])
        _ = try await connection.execute(
            "DELETE FROM registry_version_tags WHERE model = ? AND version = ?", [.text(version.model.value), .integer(Int64(version.version))])
        try await writeTags(of: version)
    }

    private func writeTags(of version: ModelVersion) async throws {
        guard !version.tags.isEmpty else { return }
        try await connection.executeBatch(
            "INSERT INTO registry_version_tags (model, version, key, value) VALUES (?, ?, ?, ?)",
            version.tags.sorted { $0.key < $1.key }.map { [.text(version.model.value), .integer(Int64(version.version)), .text($0.key), .text($0.value)] })
    }

    /// A scan of the versions: asked by a purge, a quarantine's note and a refused registration
    /// of purged bytes, all rare; an index on every digest would cost every registration.
    func versions(usingArtifact digest: Digest) async throws -> [ModelVersion] {
        try await records(
            ModelVersion.self, "SELECT record FROM registry_versions WHERE artifact_digest = ?", [.text(digest.description)], what: "version")
    }

    /// Every registration asks; the partial index `registry_versions_held` (its `WHERE` the same
    /// term as this query's) answers.
    func versionsNotReady(usingArtifact digest: Digest) async throws -> [ModelVersion] {
        try await records(
            ModelVersion.self, Self.versionsNotReadyQuery, [.text(digest.description)], what: "version")
    }

    /// The query of ``versionsNotReady(usingArtifact:)``; its status term must stay the partial
    /// index's (`status <> 'ready'`) for the index to serve it.
    static let versionsNotReadyQuery = "SELECT record FROM registry_versions WHERE artifact_digest = ? AND status <> 'ready'"

    func policy(alias: String, riskClass: RiskClass?) async throws -> PromotionPolicy? {
        try await record(
            PromotionPolicy.self, "SELECT record FROM registry_policies WHERE alias = ? AND risk_class = ?",
            [.text(alias), .text(riskClass?.rawValue ?? "*")], what: "policy")
    }

    func applicablePolicy(alias: String, riskClass: RiskClass) async throws -> PromotionPolicy? {
        // The class's own policy sorts first (false before true), the catch-all '*' after it.
        try await record(
            PromotionPolicy.self,
            "SELECT record FROM registry_policies WHERE alias = ? AND risk_class IN (?, '*') ORDER BY risk_class = '*' LIMIT 1",
            [.text(alias), .text(riskClass.rawValue)], what: "policy")
    }

    func policyCount(alias: String) async throws -> Int {
        try await connection.queryScalar(Int.self, "SELECT count(*) FROM registry_policies WHERE alias = ?", [.text(alias)])
    }

    func savePolicy(_ policy: PromotionPolicy) async throws {
        _ = try await connection.execute(
            "INSERT INTO registry_policies (alias, risk_class, record) VALUES (?, ?, ?) ON CONFLICT (alias, risk_class) DO UPDATE SET record = excluded.record",
            [.text(policy.alias), .text(policy.riskClass?.rawValue ?? "*"), .text(try RegistryCoding.canonicalText(policy))])
    }

    func approvals(_ model: ModelName, _ version: Int) async throws -> [Approval] {
        try await records(
            Approval.self, "SELECT record FROM registry_approvals WHERE model = ? AND version = ? ORDER BY alias, principal, policy_hash",
            [.text(model.value), .integer(Int64(version))], what: "approval")
    }

    func saveApproval(_ approval: Approval) async throws {
        _ = try await connection.execute(
            """
            INSERT INTO registry_approvals (model, version, alias, principal, policy_hash, record) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (model, version, alias, principal, policy_hash) DO UPDATE SET record = excluded.record
            """,
            [.text(approval.model.value), .integer(Int64(approval.version)), .text(approval.alias), .text(approval.principal),
             .text(approval.policyHash.description), .text(try RegistryCoding.canonicalText(approval))])
    }

    static let aliasQuery = "SELECT record FROM registry_aliases WHERE model = ? AND alias = ?"

    func alias(_ model: ModelName, _ alias: String) async throws -> AliasAssignment? {
        try await record(AliasAssignment.self, Self.aliasQuery, [.text(model.value), .text(alias)], what: "alias")
    }

    func storedAlias(_ model: ModelName, _ alias: String) async throws -> EncodedRecord<AliasAssignment>? {
        let cache = cache
        return try await firstRow(Self.aliasQuery, [.text(model.value), .text(alias)]) { row in
            let record = try Self.record(AliasAssignment.self, in: row, at: 0, what: "alias", cache: cache)
            return EncodedRecord(stored: record, text: row.text(at: 0) ?? "")
        }
    }

    func aliases(pointingAt model: ModelName, version: Int) async throws -> [String] {
        try await connection.query(
            "SELECT alias FROM registry_aliases WHERE model = ? AND version = ? ORDER BY alias", [.text(model.value), .integer(Int64(version))]
        ).map { try $0.decode(String.self, at: 0) }
    }

    func aliasHistory(_ model: ModelName, _ alias: String) async throws -> [AliasHistoryEntry] {
        try await records(
            AliasHistoryEntry.self, "SELECT record FROM registry_alias_history WHERE model = ? AND alias = ? ORDER BY revision",
            [.text(model.value), .text(alias)], what: "alias history")
    }

    func saveAlias(_ encoded: EncodedRecord<AliasAssignment>, history: AliasHistoryEntry) async throws {
        let assignment = encoded.record
        _ = try await connection.execute(
            """
            INSERT INTO registry_aliases (model, alias, version, record) VALUES (?, ?, ?, ?)
            ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, record = excluded.record
            """,
            [.text(assignment.model.value), .text(assignment.alias), .integer(Int64(assignment.version)), .text(storedText(encoded))])
        // The revision is the history's key: two moves from one revision cannot both commit.
        _ = try await connection.execute(
            "INSERT INTO registry_alias_history (model, alias, revision, record) VALUES (?, ?, ?, ?)",
            [.text(assignment.model.value), .text(assignment.alias), .integer(Int64(history.revision)), .text(try RegistryCoding.canonicalText(history))])
    }

    func auditHead() async throws -> AuditHead {
        let head = try await firstRow("SELECT sequence, hash FROM registry_audit ORDER BY sequence DESC LIMIT 1", []) { row in
            guard let sequence = row.integer(at: 0), let hash = row.text(at: 1) else {
                throw RegistryError(.corruptRecord, "The newest audit entry's sequence or hash is not of its type", fix: "the log was edited by hand; run `mlops audit verify`.")
            }
            return AuditHead(sequence: sequence, hash: hash)
        }
        return head ?? AuditHead(sequence: 0, hash: AuditEntry.genesisHash)
    }

    /// The audit table's columns in the order ``AuditChainVerifier/check(row:)`` and
    /// ``entry(from:)`` read them.
    static let auditColumns = "sequence, at, principal, action, subject, before, after, reason, previous_hash, hash, format, before_digest, after_digest"

    static let appendAuditStatement = """
        INSERT INTO registry_audit (\(auditColumns), change_counter)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \(changeCounterQuery) + ?)
        """

    /// The change counter: the newest audit entry's (0 before the first).
    static let changeCounterQuery = "coalesce((SELECT change_counter FROM registry_audit ORDER BY sequence DESC LIMIT 1), 0)"

    func appendAudit(_ entry: AuditEntry, advancingChangeCounter: Bool) async throws {
        // The sequence is the key: two writers that read the same head cannot both append. The
        // entry carries the change counter forward (grown by one for a change watchers must
        // see), so the counter costs no row of its own.
        let arguments: [SQLValue] = [
            .integer(entry.sequence), .integer(entry.at.millisecondsSince1970), .text(entry.principal), .text(entry.action), .text(entry.subject),
            entry.before.map(SQLValue.text) ?? .null, entry.after.map(SQLValue.text) ?? .null, .text(entry.reason),
            .text(entry.previousHash), .text(entry.hash), .integer(Int64(entry.format)),
            entry.beforeDigest.map(SQLValue.text) ?? .null, entry.afterDigest.map(SQLValue.text) ?? .null, .integer(advancingChangeCounter ? 1 : 0),
        ]
        guard advancingChangeCounter, connection.dialect == .postgresql else {
            _ = try await connection.execute(Self.appendAuditStatement, arguments)
            return
        }
        let counter = try await connection.queryScalar(Int64.self, Self.appendAuditStatement + " RETURNING change_counter", arguments)
        // Delivered to listeners when (and only if) this transaction commits.
        _ = try await connection.query("SELECT pg_notify(?, ?)", [.text(SQLRegistryStore.changeChannel), .text(String(counter))])
    }

    func auditEntries(after sequence: Int64, limit: Int) async throws -> [AuditEntry] {
        // From the start (after 0 or less) means every row, one written in below 1 included, so
        // the listing shows what `verifyAudit` names.
        try await connection.query(
            "SELECT \(Self.auditColumns) FROM registry_audit WHERE sequence > ? ORDER BY sequence LIMIT ?",
            [.integer(sequence <= 0 ? Int64.min : sequence), .integer(Int64(limit))]
        ).map(Self.entry(from:))
    }

    /// An entry from a row of ``auditColumns``.
    static func entry(from row: SQLRow) throws -> AuditEntry {
        AuditEntry(
            sequence: try row.decode(Int64.self, at: 0), at: Date(millisecondsSince1970: try row.decode(Int64.self, at: 1)),
            principal: try row.decode(String.self, at: 2), action: try row.decode(String.self, at: 3), subject: try row.decode(String.self, at: 4),
            before: try row.decode(String?.self, at: 5), after: try row.decode(String?.self, at: 6), reason: try row.decode(String.self, at: 7),
            previousHash: try row.decode(String.self, at: 8), hash: try row.decode(String.self, at: 9),
            format: Int(try row.decode(Int64.self, at: 10)), beforeDigest: try row.decode(String?.self, at: 11),
            afterDigest: try row.decode(String?.self, at: 12))
    }

    func redactAuditState(of subject: String) async throws {
        // A scan of the log by subject: a purge is rare, and an index would cost every append.
        let rows = try await connection.query(
            "SELECT \(Self.auditColumns) FROM registry_audit WHERE subject = ? AND format = 2 AND (before IS NOT NULL OR after IS NOT NULL) ORDER BY sequence",
            [.text(subject)])
        for row in rows {
            let entry = try Self.entry(from: row).redacted()
            _ = try await connection.execute(
                "UPDATE registry_audit SET before = NULL, after = NULL, before_digest = ?, after_digest = ? WHERE sequence = ?",
                [entry.beforeDigest.map(SQLValue.text) ?? .null, entry.afterDigest.map(SQLValue.text) ?? .null, .integer(entry.sequence)])
        }
    }
}

/// Stops a transaction whose promotion policy needs the version's Lineage run (see
/// `SQLRegistryStore.withLineageEvidence`).
struct LineageEvidenceNeeded: Error {}
