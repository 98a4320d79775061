import ServiceLifecycle

extension SQLiteDatabase {
    /// Waits until the task is cancelled or the service group shuts down gracefully, then closes
    /// the database. Connections serve callers directly; the only background work, the
    /// write-ahead log's checkpoints between commits, is stopped and waited for by the close.
    ///
    /// - Throws: ``StorageError`` when closing fails.
    public func run() async throws {
        try? await gracefulShutdown()
        try await close()
    }
}
