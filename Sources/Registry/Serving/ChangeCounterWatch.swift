import Synchronization

/// Remembers the last change counter reported, so a watcher reports each value once and only
/// ever forwards (a notification and a poll that read the same value report it once).
final class ChangeCounterWatch: Sendable {
    private let last = Mutex<Int64?>(nil)

    /// Calls `onChange` with `counter` when it is the first value seen or larger than the last.
    func report(_ counter: Int64, to onChange: @Sendable (Int64) async throws -> Void) async throws {
        let isNew = last.withLock { last in
            guard last.map({ counter > $0 }) ?? true else { return false }
            last = counter
            return true
        }
        if isNew { try await onChange(counter) }
    }
}
