import Synchronization

/// A ``RolloutStore`` in memory: for tests and single-process tools. Nothing survives the process.
public final class InMemoryRolloutStore: RolloutStore {
    private let states = Mutex<[String: RolloutState]>([:])

    /// An empty store.
    public init() {}

    public func create(_ plan: RolloutPlan, now: Double) async throws -> RolloutState {
        try states.withLock { (states: inout [String: RolloutState]) throws(RolloutError) -> RolloutState in
            guard states[plan.name] == nil else { throw RolloutStoreRules.exists(plan.name) }
            let state = RolloutState(plan: plan, now: now)
            states[plan.name] = state
            return state
        }
    }

    public func state(of name: String) async throws -> RolloutState {
        guard let state = states.withLock({ $0[name] }) else { throw RolloutStoreRules.notFound(name) }
        return state
    }

    public func update(_ state: RolloutState, now: Double) async throws -> RolloutState {
        try states.withLock { (states: inout [String: RolloutState]) throws(RolloutError) -> RolloutState in
            guard let stored = states[state.plan.name] else { throw RolloutStoreRules.notFound(state.plan.name) }
            let next = try RolloutStoreRules.next(state, replacing: stored, now: now)
            states[state.plan.name] = next
            return next
        }
    }

    public func list() async throws -> [RolloutState] {
        states.withLock { $0.values.sorted { $0.plan.name < $1.plan.name } }
    }
}
