import Synchronization

/// Lends a bounded number of resources (database connections, or nothing at all for a lock) to
/// tasks, one task each at a time.
///
/// Waiting tasks suspend (they do not block a thread) and are served in arrival order. The pool
/// creates resources lazily with `make`, up to `capacity`. A waiting task that is cancelled
/// stops waiting and throws `CancellationError`; a pool of capacity one with a `Void` resource
/// is an async lock (see ``init()``).
///
/// One pool type serves every module of the package, so that waiting, cancellation and closing
/// behave the same wherever something is shared.
package final class ResourcePool<Resource: Sendable>: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Handoff, Never>
    }

    private struct State {
        var idle: [Resource] = []
        var created = 0
        var waiters: [Waiter] = []
        var nextWaiter: UInt64 = 0
        var closed = false
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let make: @Sendable () async throws -> Resource

    /// Creates a pool that makes up to `capacity` resources with `make`, when first needed.
    package init(capacity: Int, make: @escaping @Sendable () async throws -> Resource) {
        self.capacity = max(1, capacity)
        self.make = make
    }

    /// What a waiting task is handed when it is woken.
    private enum Handoff {
        case resource(Resource)
        case create
        case closed
        case cancelled
    }

    /// Lends a resource to `body` and takes it back afterwards, whether `body` returns or throws.
    ///
    /// - Throws: `onClosed()` when the pool is closed; `CancellationError` when the task is
    ///   cancelled while it waits; whatever `make` or `body` throws.
    package func withResource<Result>(
        onClosed: () -> any Error, _ body: (Resource) async throws -> Result
    ) async throws -> Result {
        let resource = try await acquire(onClosed: onClosed)
        do {
            let result = try await body(resource)
            release(resource)
            return result
        } catch {
            release(resource)
            throw error
        }
    }

    private func acquire(onClosed: () -> any Error) async throws -> Resource {
        let handoff: Handoff? = state.withLock { state in
            if state.closed { return .closed }
            if let resource = state.idle.popLast() { return .resource(resource) }
            if state.created < capacity {
                state.created += 1
                return .create
            }
            return nil
        }
        let next: Handoff
        if let handoff { next = handoff } else { next = await wait() }
        switch next {
        case .resource(let resource): return resource
        case .create: return try await create()
        case .closed: throw onClosed()
        case .cancelled: throw CancellationError()
        }
    }

    /// Queues the task until a resource is released, the pool closes, or the task is cancelled.
    private func wait() async -> Handoff {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate: Handoff? = state.withLock { state in
                    if state.closed { return .closed }
                    if let resource = state.idle.popLast() { return .resource(resource) }
                    if state.created < capacity {
                        state.created += 1
                        return .create
                    }
                    // A cancellation that came before the continuation existed found no waiter to
                    // wake; it is seen here.
                    if Task.isCancelled { return .cancelled }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: .cancelled)
        }
    }

    /// Makes a resource for a slot already counted in `created`; on failure frees the slot and
    /// lets the next waiter try, so nobody waits for a resource that will never exist.
    private func create() async throws -> Resource {
        do {
            return try await make()
        } catch {
            let waiter = state.withLock { state -> Waiter? in
                if !state.waiters.isEmpty { return state.waiters.removeFirst() }
                state.created -= 1
                return nil
            }
            waiter?.continuation.resume(returning: .create)
            throw error
        }
    }

    private func release(_ resource: Resource) {
        let waiter: Waiter? = state.withLock { state in
            // After close the resource is dropped here, and freed (closed) with its last reference.
            if state.closed { return nil }
            if state.waiters.isEmpty {
                state.idle.append(resource)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: .resource(resource))
    }

    /// Marks the pool closed, wakes waiting tasks with an error and returns the idle resources.
    package func close() -> [Resource] {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            defer {
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        for waiter in waiters { waiter.continuation.resume(returning: .closed) }
        return idle
    }
}

extension ResourcePool where Resource == Void {
    /// An async lock: one holder at a time, waiters suspended in arrival order and free to give
    /// up when cancelled.
    package convenience init() {
        self.init(capacity: 1, make: {})
    }

    /// Runs `body` while holding the lock.
    package func withLock<Result>(_ body: () async throws -> Result) async throws -> Result {
        try await withResource(onClosed: { CancellationError() }) { _ in try await body() }
    }
}
