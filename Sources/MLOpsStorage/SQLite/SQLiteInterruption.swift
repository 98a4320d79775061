internal import CSQLite
import Foundation
import Synchronization

/// Connects Swift task cancellation to the SQLite statement a connection is running.
///
/// Every call a ``SQLiteConnection`` runs (on its own thread, or on a brief transaction's
/// caller's) is one numbered operation. Cancelling
/// the task that waits for an operation marks that number cancelled and interrupts the
/// statement (`sqlite3_interrupt`); SQLite's progress handler and the connection's busy handler
/// also look at the mark, so an operation is stopped whether it is computing, waiting for
/// another process's lock, or not started yet. A mark for an operation that has already
/// finished is ignored, so a late cancellation never stops the next caller's statement.
///
/// The handle is only interrupted under the lock, and ``closeHandle(_:)`` takes it out from
/// under the lock before closing it, so an interrupt can never reach a closed connection.
final class SQLiteInterruption: Sendable {
    private struct State {
        /// The handle's address (an integer, since a pointer is not `Sendable`); 0 when closed.
        var handleAddress: Int = 0
        var handle: OpaquePointer? { OpaquePointer(bitPattern: handleAddress) }
        var running: UInt64 = 0
        var cancelled: UInt64 = 0
        var busySince: ContinuousClock.Instant?
        /// Whether the busy handler waits for a lock (off while a brief transaction runs on its
        /// caller's thread, which must not sleep).
        var waits = true
    }

    private let state = Mutex(State())
    private let nextOperation = Atomic<UInt64>(1)
    /// How long one statement waits for another connection's lock.
    let busyTimeout: Duration

    init(busyTimeout: Duration) {
        self.busyTimeout = busyTimeout
    }

    /// Hands out the number of a new operation.
    func newOperation() -> UInt64 {
        nextOperation.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Records the open handle once the connection is open.
    func attach(_ handle: OpaquePointer) {
        let address = Int(bitPattern: handle)
        state.withLock { $0.handleAddress = address }
    }

    /// Forgets the handle (so no interrupt can reach it any more), then closes it with `close`.
    ///
    /// The close runs outside the lock: closing the last connection to a WAL file checkpoints
    /// it, which may call the busy handler, which takes the lock.
    func closeHandle(_ close: (OpaquePointer) -> Void) {
        let address = state.withLock { state in
            defer { state.handleAddress = 0 }
            return state.handleAddress
        }
        if let handle = OpaquePointer(bitPattern: address) { close(handle) }
    }

    /// Called when `operation` starts (under the connection's call lock); whether it was
    /// cancelled already.
    func begin(_ operation: UInt64) -> Bool {
        state.withLock { state in
            state.running = operation
            state.busySince = nil
            return state.cancelled == operation
        }
    }

    /// Called when the running operation ends (under the connection's call lock).
    func end() {
        state.withLock { state in
            state.running = 0
            state.busySince = nil
        }
    }

    /// Turns waiting for other connections' locks on or off.
    func setWaiting(_ waits: Bool) {
        state.withLock { $0.waits = waits }
    }

    /// Whether `operation` was cancelled.
    func isCancelled(_ operation: UInt64) -> Bool {
        state.withLock { $0.cancelled == operation }
    }

    /// Marks `operation` cancelled and interrupts it when it is the one running. Any thread.
    func cancel(_ operation: UInt64) {
        state.withLock { state in
            state.cancelled = operation
            if state.running == operation, let handle = state.handle { sqlite3_interrupt(handle) }
        }
    }

    /// Whether the running operation should stop (the progress handler asks this).
    var shouldStop: Bool {
        state.withLock { $0.running != 0 && $0.cancelled == $0.running }
    }

    /// The busy handler's decision: sleep a little and retry (true), or give up (false) when the
    /// operation was cancelled, the busy timeout has passed, or waiting is off (so it sleeps only
    /// on the connection's own thread, never on a brief transaction's caller's).
    func waitWhileBusy(attempt: Int32) -> Bool {
        let now = ContinuousClock.now
        let (stop, since): (Bool, ContinuousClock.Instant) = state.withLock { state in
            if attempt == 0 || state.busySince == nil { state.busySince = now }
            let since = state.busySince ?? now
            return (!state.waits || (state.running != 0 && state.cancelled == state.running), since)
        }
        if stop { return false }
        let remaining = busyTimeout - (now - since)
        if remaining <= .zero { return false }
        // 1, 2, 4, 8, then 10 ms between looks: short enough that a cancellation or a freed lock
        // is seen quickly, long enough not to spin.
        let step = Duration.milliseconds(min(10, 1 << min(Int(attempt), 4)))
        let sleep = min(step, remaining)
        let microseconds = sleep.components.seconds * 1_000_000 + sleep.components.attoseconds / 1_000_000_000_000
        usleep(UInt32(clamping: max(1, microseconds)))
        return true
    }

    /// Installs the progress handler and busy handler on `handle`.
    func install(on handle: OpaquePointer) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        // Every 1,000 virtual-machine steps: cheap next to the steps themselves.
        sqlite3_progress_handler(handle, 1_000, { context in
            guard let context else { return 0 }
            return Unmanaged<SQLiteInterruption>.fromOpaque(context).takeUnretainedValue().shouldStop ? 1 : 0
        }, context)
        sqlite3_busy_handler(handle, { context, attempt in
            guard let context else { return 0 }
            return Unmanaged<SQLiteInterruption>.fromOpaque(context).takeUnretainedValue().waitWhileBusy(attempt: attempt) ? 1 : 0
        }, context)
    }
}
