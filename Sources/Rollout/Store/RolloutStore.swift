/// Where rollout state lives, so that every replica routes by the same step and a restart
/// resumes where the rollout stood.
///
/// Changes are optimistic: a replica reads a state, decides, and writes it back expecting the
/// version it read; if another replica wrote first, the write fails with
/// ``RolloutError/Code/stateConflict`` and the replica reads again. A rollout that has ended
/// (promoted or rolled back) takes no further change. Implementations: ``InMemoryRolloutStore``
/// (tests, one process) and ``SQLRolloutStore`` (SQLite, or PostgreSQL shared by replicas);
/// both pass one conformance suite.
public protocol RolloutStore: Sendable {
    /// Stores a new rollout at its first step.
    ///
    /// - Throws: ``RolloutError/Code/stateConflict`` when a rollout of that name exists.
    func create(_ plan: RolloutPlan, now: Double) async throws -> RolloutState

    /// The rollout named `name`.
    ///
    /// - Throws: ``RolloutError/Code/rolloutNotFound``.
    func state(of name: String) async throws -> RolloutState

    /// Replaces the stored state with `state` if the stored version is still `state.version`;
    /// returns it with the next version and `updatedAt` = `now`.
    ///
    /// - Throws: ``RolloutError/Code/stateConflict`` when the stored version moved on;
    ///   ``RolloutError/Code/rolloutEnded`` when the stored rollout has ended;
    ///   ``RolloutError/Code/rolloutNotFound``.
    func update(_ state: RolloutState, now: Double) async throws -> RolloutState

    /// Every rollout, by name.
    func list() async throws -> [RolloutState]
}

enum RolloutStoreRules {
    static func notFound(_ name: String) -> RolloutError {
        RolloutError(.rolloutNotFound, "No rollout is named '\(name)'", location: name, fix: "list them with the store's list(), or create it first.")
    }

    static func exists(_ name: String) -> RolloutError {
        RolloutError(.stateConflict, "A rollout named '\(name)' already exists", location: name, fix: "choose another name or resume that one.")
    }

    /// Checks that `next` may replace `stored`, and returns what to store.
    static func next(_ next: RolloutState, replacing stored: RolloutState, now: Double) throws(RolloutError) -> RolloutState {
        guard stored.status == .running else {
            throw RolloutError(
                .rolloutEnded, "Rollout '\(stored.plan.name)' has ended (\(stored.status.rawValue)) and takes no further change", location: stored.plan.name,
                fix: "start a new rollout.")
        }
        guard stored.version == next.version else {
            throw RolloutError(
                .stateConflict, "Rollout '\(stored.plan.name)' is at version \(stored.version), not \(next.version): another replica changed it", location: stored.plan.name,
                fix: "read the state again and redo the change.")
        }
        guard stored.plan == next.plan else {
            throw RolloutError(.invalidPlan, "A rollout's plan cannot change while it runs", location: stored.plan.name, fix: "start a new rollout with the new plan.")
        }
        var result = next
        result.version = stored.version + 1
        result.updatedAt = now
        return result
    }
}
