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
    ])
}
