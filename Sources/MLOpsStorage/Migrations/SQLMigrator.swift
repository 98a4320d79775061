/// The driver-independent part of ``SQLDatabase/migrate(_:)``: runs inside the migration
/// transaction that a driver opens and serializes. Stores opened without migrating check their
/// schemas with ``requireCompatible(_:on:)``.
package enum SQLMigrator {
    /// The table that records every applied migration: a database holding it is a swift-mlops store.
    package static let table = "mlops_schema_migrations"

    /// Checks, changing nothing, that `database` holds every schema at the version this build
    /// knows: what a store opened without migrating (a reading tool) calls before it reads.
    ///
    /// - Parameters:
    ///   - schemas: The schemas the store reads.
    ///   - database: The database to check.
    /// - Throws: ``StorageError`` with ``StorageError/Code/schemaTooNew`` when the database holds
    ///   a newer version of a schema than this build knows, ``StorageError/Code/schemaTooOld``
    ///   when it holds an older one or none; both name the module and the versions.
    package static func requireCompatible(_ schemas: [SQLSchema], on database: any SQLDatabase) async throws {
        let recorded = try await database.recordedSchemaVersions()
        let location = database.location
        for schema in schemas {
            let version = recorded[schema.module] ?? 0
            if version > schema.latestVersion {
                throw tooNew(schema, version: version, location: location)
            }
            if version < schema.latestVersion {
                throw StorageError(
                    .schemaTooOld,
                    version == 0
                        ? "The store at \(location) has no '\(schema.module)' tables yet; this build reads schema version \(schema.latestVersion) and was asked not to change the store"
                        : "The store at \(location) has schema version \(version) for module '\(schema.module)'; this build reads version \(schema.latestVersion) and was asked not to change the store",
                    location: location,
                    fix: "run `mlops store migrate --store \(location)`, or open the store with migration on.")
            }
        }
    }

    static func tooNew(_ schema: SQLSchema, version: Int, location: String) -> StorageError {
        StorageError(
            .schemaTooNew,
            "The store at \(location) has schema version \(version) for module '\(schema.module)', but this build of swift-mlops knows versions up to \(schema.latestVersion); nothing was changed",
            location: location,
            fix: "open it with a newer swift-mlops, or point --store at another store.")
    }

    /// Applies the missing steps of every schema on `connection`, after refusing newer schemas.
    static func migrate(_ schemas: [SQLSchema], on connection: any SQLConnection, location: String) async throws -> MigrationReport {
        for schema in schemas { try schema.validate() }
        try await connection.executeScript(
            """
            CREATE TABLE IF NOT EXISTS \(table) (
                module TEXT NOT NULL,
                version \(connection.dialect.integerType) NOT NULL,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL,
                PRIMARY KEY (module, version)
            )
            """)
        let current = try await versions(on: connection)
        // Refuse first, change after: a newer store is never partly migrated.
        for schema in schemas {
            let version = current[schema.module] ?? 0
            if version > schema.latestVersion {
                throw tooNew(schema, version: version, location: location)
            }
        }
        var entries: [MigrationReport.Entry] = []
        for schema in schemas {
            let from = current[schema.module] ?? 0
            var applied: [String] = []
            for migration in schema.migrations where migration.version > from {
                do {
                    try await migration.apply(connection)
                } catch let error as StorageError {
                    var wrapped = error
                    wrapped.message = "Migration \(schema.module) #\(migration.version) '\(migration.name)' failed: \(error.message)"
                    throw wrapped
                }
                try await connection.execute(
                    "INSERT INTO \(table) (module, version, name, applied_at) VALUES (?, ?, ?, ?)",
                    [.text(schema.module), .integer(Int64(migration.version)), .text(migration.name), .text(Timestamp.nowISO8601())])
                applied.append(migration.name)
            }
            entries.append(.init(module: schema.module, fromVersion: from, toVersion: max(from, schema.latestVersion), appliedSteps: applied))
        }
        return MigrationReport(entries: entries)
    }

    /// The recorded version of every module, or an empty dictionary when the table does not exist yet.
    static func versions(on connection: any SQLConnection) async throws -> [String: Int] {
        let rows = try await connection.query("SELECT module, max(version) AS version FROM \(table) GROUP BY module")
        var result: [String: Int] = [:]
        for row in rows {
            result[try row.decode(String.self, "module")] = try row.decode(Int.self, "version")
        }
        return result
    }
}

extension SQLDatabase {
    /// The schema version recorded per module; empty for a database no migration has touched.
    ///
    /// Read-only: unlike ``migrate(_:)`` it never creates the migrations table.
    public func recordedSchemaVersions() async throws -> [String: Int] {
        try await read { connection in
            let existsQuery = connection.dialect == .postgresql
                ? "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = current_schema()"
                : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
            guard try await connection.queryScalar(Int.self, existsQuery, [.text(SQLMigrator.table)]) > 0 else { return [:] }
            return try await SQLMigrator.versions(on: connection)
        }
    }
}

extension SQLDatabase {
    /// What every store's initializer does with its schema: migrate the database to this build's
    /// version of `schema` (after the storage schema), or, with `migrate: false`, only check that
    /// the tables are there at that version and change nothing (reading tools open stores so).
    ///
    /// - Throws: ``StorageError`` (``StorageError/Code/schemaTooNew``) when a newer build wrote the
    ///   database; with `migrate: false`, ``StorageError/Code/schemaTooOld`` when the tables are
    ///   missing or older.
    package func prepare(_ schema: SQLSchema, migrate: Bool) async throws {
        if migrate {
            try await self.migrate([StorageSchema.schema, schema])
        } else {
            try await SQLMigrator.requireCompatible([schema], on: self)
        }
    }
}
