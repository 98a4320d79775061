import Synchronization

/// Lends a bounded number of resources (database connections) to tasks, one task each at a time.
///
/// Waiting tasks suspend (they do not block a thread) and are served in arrival order. The pool
/// creates resources lazily with `make`, up to `capacity`.
final class ResourcePool<Resource: Sendable>: Sendable {
    private struct State {
        var idle: [Resource] = []
        var created = 0
        var waiters: [CheckedContinuation<Handoff, Never>] = []
        var closed = false
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let make: @Sendable () throws -> Resource

    init(capacity: Int, make: @escaping @Sendable () throws -> Resource) {
        self.capacity = max(1, capacity)
        self.make = make
    }

    /// What a waiting task is handed when it is woken.
    private enum Handoff {
        case resource(Resource)
        case create
        case closed
    }

    private enum Next {
        case use(Resource)
        case create
        case wait
        case closed
    }

    /// Lends a resource to `body` and takes it back afterwards, whether `body` returns or throws.
    func withResource<Result>(
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
        let next: Next = state.withLock { state in
            if state.closed { return .closed }
            if let resource = state.idle.popLast() { return .use(resource) }
            if state.created < capacity {
                state.created += 1
                return .create
            }
            return .wait
        }
        switch next {
        case .use(let resource):
            return resource
        case .closed:
            throw onClosed()
        case .create:
            return try create()
        case .wait:
            let handoff: Handoff = await withCheckedContinuation { continuation in
                let immediate: Handoff? = state.withLock { state in
                    if state.closed { return .closed }
                    if let resource = state.idle.popLast() { return .resource(resource) }
                    if state.created < capacity {
                        state.created += 1
                        return .create
                    }
                    state.waiters.append(continuation)
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
            switch handoff {
            case .resource(let resource): return resource
            case .create: return try create()
            case .closed: throw onClosed()
            }
        }
    }

    /// Makes a resource for a slot already counted in `created`; on failure frees the slot and
    /// lets the next waiter try, so nobody waits for a resource that will never exist.
    private func create() throws -> Resource {
        do {
            return try make()
        } catch {
            let waiter = state.withLock { state -> CheckedContinuation<Handoff, Never>? in
                if !state.waiters.isEmpty { return state.waiters.removeFirst() }
                state.created -= 1
                return nil
            }
            waiter?.resume(returning: .create)
            throw error
        }
    }

    private func release(_ resource: Resource) {
        let waiter: CheckedContinuation<Handoff, Never>? = state.withLock { state in
            // After close the resource is dropped here, and freed (closed) with its last reference.
            if state.closed { return nil }
            if state.waiters.isEmpty {
                state.idle.append(resource)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: .resource(resource))
    }

    /// Marks the pool closed, wakes waiting tasks with an error and returns the idle resources.
    func close() -> [Resource] {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            defer {
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        for waiter in waiters { waiter.resume(returning: .closed) }
        return idle
    }
}
