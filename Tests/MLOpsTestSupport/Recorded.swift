import Synchronization

/// Values that concurrent tasks append and a test reads, behind a lock.
public final class Recorded<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    /// Creates an empty record.
    public init() {}

    /// Appends `value`.
    public func append(_ value: Value) { values.withLock { $0.append(value) } }

    /// Everything appended so far, in order.
    public var all: [Value] { values.withLock { $0 } }
}

/// Polls `condition` every 10 ms until it holds (true) or `seconds` pass (false): for what a
/// background task makes true soon, never for timing.
public func eventually(within seconds: Int = 10, _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
