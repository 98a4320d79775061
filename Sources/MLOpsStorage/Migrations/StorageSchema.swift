/// The schema MLOpsStorage itself owns: the store's identity.
public enum StorageSchema {
    /// The `storage` module's migrations.
    ///
    /// Version 1 creates `mlops_store_info`, a key-value table holding the store's `store_id`
    /// (a random UUID written once) and `created_at`.
    public static let schema = SQLSchema(module: "storage", migrations: [
        SQLMigration(version: 1, name: "create mlops_store_info") { connection in
            try await connection.executeScript("CREATE TABLE mlops_store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            try await connection.execute(
                "INSERT INTO mlops_store_info (key, value) VALUES (?, ?), (?, ?)",
                ["store_id", .text(UUIDText.random()), "created_at", .text(Timestamp.nowISO8601())])
        },
    ])
}
