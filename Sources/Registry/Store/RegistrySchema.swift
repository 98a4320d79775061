public import MLOpsStorage

/// The `registry` module's tables.
///
/// Each record is kept whole as canonical JSON in a `record` column, beside the columns that
/// keys, look-ups and constraints need (name, version, status, artifact digest, tags). The
/// audit log keeps its fields in columns of their own, exactly the bytes its hashes cover, so
/// `mlops audit verify` (or a SQL query) can check them without this build's record types.
/// Times are integer milliseconds since the Unix epoch.
public enum RegistrySchema {
    /// The migrations.
    public static let schema = SQLSchema(module: "registry", migrations: [
        SQLMigration(version: 1, name: "create models, versions, aliases, principals, policies, approvals and the audit log") { d in
            """
            CREATE TABLE registry_principals (
                id TEXT NOT NULL PRIMARY KEY,
                record TEXT NOT NULL
            );
            CREATE TABLE registry_models (
                name TEXT NOT NULL PRIMARY KEY,
                risk_class TEXT NOT NULL,
                latest_version \(d.integerType) NOT NULL,
                record TEXT NOT NULL
            );
            CREATE TABLE registry_versions (
                model TEXT NOT NULL REFERENCES registry_models (name),
                version \(d.integerType) NOT NULL,
                status TEXT NOT NULL,
                artifact_digest TEXT NOT NULL,
                record TEXT NOT NULL,
                PRIMARY KEY (model, version)
            );
            CREATE INDEX registry_versions_artifact ON registry_versions (artifact_digest);
            CREATE TABLE registry_version_tags (
                model TEXT NOT NULL,
                version \(d.integerType) NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (model, version, key),
                FOREIGN KEY (model, version) REFERENCES registry_versions (model, version)
            );
            CREATE INDEX registry_version_tags_value ON registry_version_tags (key, value);
            CREATE TABLE registry_policies (
                alias TEXT NOT NULL,
                risk_class TEXT NOT NULL,
                record TEXT NOT NULL,
                PRIMARY KEY (alias, risk_class)
            );
            CREATE TABLE registry_approvals (
                model TEXT NOT NULL,
                version \(d.integerType) NOT NULL,
                alias TEXT NOT NULL,
                principal TEXT NOT NULL,
                policy_hash TEXT NOT NULL,
                record TEXT NOT NULL,
                PRIMARY KEY (model, version, alias, principal, policy_hash),
                FOREIGN KEY (model, version) REFERENCES registry_versions (model, version)
            );
            CREATE TABLE registry_aliases (
                model TEXT NOT NULL REFERENCES registry_models (name),
                alias TEXT NOT NULL,
                version \(d.integerType) NOT NULL,
                record TEXT NOT NULL,
                PRIMARY KEY (model, alias)
            );
            CREATE TABLE registry_alias_history (
                model TEXT NOT NULL,
                alias TEXT NOT NULL,
                revision \(d.integerType) NOT NULL,
                record TEXT NOT NULL,
                PRIMARY KEY (model, alias, revision)
            );
            CREATE TABLE registry_audit (
                sequence \(d.integerType) NOT NULL PRIMARY KEY,
                at \(d.integerType) NOT NULL,
                principal TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                before TEXT,
                after TEXT,
                reason TEXT NOT NULL,
                previous_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            );
            CREATE TABLE registry_state (
                id \(d.integerType) NOT NULL PRIMARY KEY,
                change_counter \(d.integerType) NOT NULL
            );
            INSERT INTO registry_state (id, change_counter) VALUES (1, 0);
            """
        },
        SQLMigration(version: 2, name: "cover tag searches with the version's key") { _ in
            // A search by tag reads the model and version from the index itself, not from the
            // tag table's rows.
            """
            DROP INDEX registry_version_tags_value;
            CREATE INDEX registry_version_tags_search ON registry_version_tags (key, value, model, version);
            """
        },
        // Entries holding a version's metadata are hashed through the digest of their state, so
        // a purge can remove the text and keep the chain (AuditEntry.format); entries written
        // before keep format 1.
        SQLMigration(version: 3, name: "audit entries whose state a purge can remove") { d in
            """
            ALTER TABLE registry_audit ADD COLUMN format \(d.integerType) NOT NULL DEFAULT 1;
            ALTER TABLE registry_audit ADD COLUMN before_digest TEXT;
            ALTER TABLE registry_audit ADD COLUMN after_digest TEXT;
            """
        },
        SQLMigration(version: 4, name: "fewer pages written per mutation", apply: leanerWrites),
        SQLMigration(version: 5, name: "index the artifacts of versions that are not ready; purged quarantined versions keep the hold", apply: heldArtifacts),
    ])

    /// Migration 5, for the quarantine's hold on an artifact's bytes, which every registration
    /// checks (``ModelVersion/holdsItsArtifactBack``):
    /// - an index of only the versions that are not ready answers that check without a scan of
    ///   every version, and a registration (a ready version) writes no page of it;
    /// - the tombstones of quarantined versions purged by earlier builds, which dropped every tag,
    ///   get the tag ``ModelVersion/quarantinedTag`` that a purge keeps now. The audit log says
    ///   which were quarantined (its `version.quarantine` entries outlive a purge).
    @Sendable static func heldArtifacts(_ connection: any SQLConnection) async throws {
        try await connection.executeScript(
            "CREATE INDEX registry_versions_held ON registry_versions (artifact_digest) WHERE status <> 'ready'")
        // One pass over each table (the audit log has no index on its action).
        let quarantined = Set(try await connection.query("SELECT subject FROM registry_audit WHERE action = 'version.quarantine'", []).map {
            try $0.decode(String.self, "subject")
        })
        guard !quarantined.isEmpty else { return }
        for row in try await connection.query("SELECT record FROM registry_versions WHERE status = 'purged'", []) {
            var version = try RegistryCoding.decode(ModelVersion.self, from: try row.decode(String.self, "record"), what: "version")
            guard quarantined.contains(AuditEntry.versionSubject(version.model, version.version)), version.tags[ModelVersion.quarantinedTag] == nil else { continue }
            version.tags[ModelVersion.quarantinedTag] = "true"
            let key: [SQLValue] = [.text(version.model.value), .integer(Int64(version.version))]
            _ = try await connection.execute(
                "UPDATE registry_versions SET record = ? WHERE model = ? AND version = ?", [.text(try RegistryCoding.canonicalText(version))] + key)
            _ = try await connection.execute(
                "INSERT INTO registry_version_tags (model, version, key, value) VALUES (?, ?, ?, ?)", key + [.text(ModelVersion.quarantinedTag), .text("true")])
        }
    }

    /// Migration 4: what a registration or an alias move writes, cut to the rows that must change.
    ///
    /// Each page a transaction touches is a frame appended to SQLite's write-ahead log, and on
    /// SQLite the frames, not the statements, were most of a mutation's cost. So:
    /// - the change counter moves from a row of its own (`registry_state`, one more page in every
    ///   alias move) into the audit entry each mutation appends anyway (`change_counter`: the
    ///   newest entry's value is the counter);
    /// - a model's latest version number is read from its versions' key (`max(version)`) instead
    ///   of being kept in the model's row (one more page in every registration);
    /// - the versions' artifact index goes: only a purge asked then which versions share an
    ///   artifact, and it scans (as its redaction of the audit log does), instead of every
    ///   registration writing an index page (migration 5 brings back a partial one, which
    ///   registrations do not write);
    /// - on SQLite, the versions and the alias history are kept in their primary key's order
    ///   (`WITHOUT ROWID`): one B-tree each instead of a table and an index beside it.
    @Sendable static func leanerWrites(_ connection: any SQLConnection) async throws {
        let integer = connection.dialect.integerType
        try await connection.executeScript(
            """
            ALTER TABLE registry_audit ADD COLUMN change_counter \(integer) NOT NULL DEFAULT 0;
            UPDATE registry_audit SET change_counter = (SELECT change_counter FROM registry_state WHERE id = 1)
                WHERE sequence = (SELECT max(sequence) FROM registry_audit);
            DROP TABLE registry_state;
            ALTER TABLE registry_models DROP COLUMN latest_version;
            DROP INDEX registry_versions_artifact;
            """)
        guard connection.dialect == .sqlite else { return }
        // SQLite rebuilds a table to change how it is stored. The versions are the parent of the
        // tags' and approvals' foreign keys, which stay enforced inside this transaction: those
        // rows step aside while the old table is dropped, and come back once the new one holds
        // every version.
        try await connection.executeScript(
            """
            CREATE TABLE registry_versions_rebuilt (
                model TEXT NOT NULL REFERENCES registry_models (name),
                version INTEGER NOT NULL,
                status TEXT NOT NULL,
                artifact_digest TEXT NOT NULL,
                record TEXT NOT NULL,
                PRIMARY KEY (model, version)
            ) WITHOUT ROWID;
            INSERT INTO registry_versions_rebuilt (model, version, status, artifact_digest, record)
                SELECT model, version, status, artifact_digest, record FROM registry_versions;
            CREATE TEMP TABLE registry_tags_aside AS SELECT model, version, key, value FROM registry_version_tags;
            CREATE TEMP TABLE registry_approvals_aside AS SELECT model, version, alias, principal, policy_hash, record FROM registry_approvals;
            DELETE FROM registry_version_tags;
            DELETE FROM registry_approvals;
            DROP TABLE registry_versions;
            ALTER TABLE registry_versions_rebuilt RENAME TO registry_versions;
            INSERT INTO registry_version_tags (model, version, key, value) SELECT model, version, key, value FROM registry_tags_aside;
            INSERT INTO registry_approvals (model, version, alias, principal, policy_hash, record)
                SELECT model, version, alias, principal, policy_hash, record FROM registry_approvals_aside;
            DROP TABLE registry_tags_aside;
            DROP TABLE registry_approvals_aside;
            CREATE TABLE registry_alias_history_rebuilt (
                model TEXT NOT NULL,
                alias TEXT NOT NULL,
                revision INTEGER NOT NULL,
                record TEXT NOT NULL,
                PRIMARY KEY (model, alias, revision)
            ) WITHOUT ROWID;
            INSERT INTO registry_alias_history_rebuilt (model, alias, revision, record)
                SELECT model, alias, revision, record FROM registry_alias_history;
            DROP TABLE registry_alias_history;
            ALTER TABLE registry_alias_history_rebuilt RENAME TO registry_alias_history;
            """)
    }
}
