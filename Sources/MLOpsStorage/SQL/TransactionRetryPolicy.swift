/// How often a write transaction is tried again when the database asks for it.
///
/// SQLite answers `SQLITE_BUSY` when another process holds the write lock longer than the busy
/// timeout; PostgreSQL aborts serializable transactions that conflict (SQLSTATE 40001, 40P01)
/// and cancels a statement that waited longer than its lock timeout (55P03, see
/// `PostgresConfiguration.lockTimeout`). All are safe to retry from the start. The delay doubles from ``initialDelay`` up to
/// ``maximumDelay``, and each wait is drawn at random below it ("full jitter"), so writers that
/// collided once do not collide again in lockstep.
public struct TransactionRetryPolicy: Sendable, Hashable {
    /// How many times a transaction runs at most, the first try included.
    public var maximumAttempts: Int
    /// The wait before the second try.
    public var initialDelay: Duration
    /// The longest wait between two tries.
    public var maximumDelay: Duration

    /// Creates a policy. `maximumAttempts` below 1 counts as 1.
    public init(maximumAttempts: Int = 16, initialDelay: Duration = .milliseconds(5), maximumDelay: Duration = .milliseconds(500)) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// Sixteen tries, from up to 5 ms to up to 500 ms apart.
    public static let standard = TransactionRetryPolicy()

    /// Runs `attempt` until it succeeds, throws an error that `isRetryable` rejects, or runs out of tries.
    func run<Result>(
        isRetryable: (any Error) -> Bool,
        _ attempt: () async throws -> Result
    ) async throws -> Result {
        var delay = initialDelay
        var attemptNumber = 1
        while true {
            do {
                return try await attempt()
            } catch {
                guard attemptNumber < maximumAttempts, isRetryable(error) else { throw error }
                attemptNumber += 1
                try await Task.sleep(for: delay * Double.random(in: 0.1...1))
                delay = min(delay * 2, maximumDelay)
            }
        }
    }
}
