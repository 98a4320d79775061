import ServiceLifecycle

extension SQLiteDatabase {
    /// Waits until the task is cancelled or the service group shuts down gracefully, then closes
    /// the database. SQLite has no background work of its own: connections serve callers directly.
    ///
    /// - Throws: ``StorageError`` when closing fails.
    public func run() async throws {
        try? await gracefulShutdown()
        try await close()
    }
}
