/// The schema MLOpsStorage itself owns: the store's identity.
public enum StorageSchema {
    /// The `storage` module's migrations.
    ///
    /// Version 1 creates `mlops_store_info`, a key-value table holding the store's `store_id`
    /// (a random UUID written once) and `created_at`.
    public static let schema: SQLSchema = {
        do {
            return try SQLSchema(module: "storage", migrations: [
                SQLMigration(version: 1, name: "create mlops_store_info") { connection in
                    try await connection.executeScript("CREATE TABLE mlops_store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                    try await connection.execute(
                        "INSERT INTO mlops_store_info (key, value) VALUES (?, ?), (?, ?)",
                        ["store_id", .text(UUIDText.random()), "created_at", .text(Timestamp.nowISO8601())])
                }
            ])
        } catch {
            // The list above is numbered 1...n by construction; this branch cannot run.
            return SQLSchema.empty(module: "storage")
        }
    }()
}

extension SQLSchema {
    /// A schema with no steps, used only as an unreachable fallback.
    static func empty(module: String) -> SQLSchema {
        SQLSchema(uncheckedModule: module, migrations: [])
    }

    init(uncheckedModule module: String, migrations: [SQLMigration]) {
        self.module = module
        self.migrations = migrations
    }
}
