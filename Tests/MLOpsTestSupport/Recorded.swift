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
