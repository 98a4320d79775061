import Synchronization

/// The little a rollout needs of a model registry: where an alias points, and moving it.
///
/// When a rollout promotes, the controller moves the plan's alias (`production`) to the
/// candidate's version; when it rolls back, it makes sure the alias points at the control's
/// version again (moving it back if a blue-green switch had moved it). `RegistryAliasControl` (target `RolloutRegistry`)
/// implements it on the Registry product; ``InMemoryAliasControl`` is for tests and examples.
public protocol ModelAliasControl: Sendable {
    /// The version `alias` of `model` points at, or nil when it is not set.
    func version(of model: String, alias: String) async throws -> Int?

    /// Points `alias` of `model` at `version`, if it still points at `expected` (nil: not set).
    ///
    /// - Throws: the registry's error when the move is refused (a policy, a role, a race).
    func move(_ model: String, alias: String, to version: Int, expecting expected: Int?, reason: String) async throws

    /// Whether `error`, thrown by ``move(_:alias:to:expecting:reason:)``, says the alias was not
    /// where the move expected it (another writer moved it first), as opposed to a refusal that
    /// would stand on a retry (a policy, a role, an outage). The controller makes such a move
    /// again from where the alias went.
    func isLostRace(_ error: any Error) -> Bool
}

extension ModelAliasControl {
    /// A ``RolloutError`` with the code ``RolloutError/Code/stateConflict``, which
    /// ``InMemoryAliasControl`` throws when the alias is not where a move expected it.
    public func isLostRace(_ error: any Error) -> Bool {
        (error as? RolloutError)?.code == .stateConflict
    }
}

/// A ``ModelAliasControl`` in memory, with the history of every move.
public final class InMemoryAliasControl: ModelAliasControl {
    /// One move.
    public struct Move: Sendable, Hashable {
        public let model: String
        public let alias: String
        public let from: Int?
        public let to: Int
        public let reason: String
    }

    private let state = Mutex<(aliases: [String: Int], moves: [Move])>(([:], []))

    /// A control with `aliases` set ("model/alias" to version).
    public init(aliases: [String: Int] = [:]) { state.withLock { $0.aliases = aliases } }

    public func version(of model: String, alias: String) async throws -> Int? {
        state.withLock { $0.aliases["\(model)/\(alias)"] }
    }

    public func move(_ model: String, alias: String, to version: Int, expecting expected: Int?, reason: String) async throws {
        try state.withLock { (state: inout (aliases: [String: Int], moves: [Move])) throws(RolloutError) in
            let key = "\(model)/\(alias)"
            let current = state.aliases[key]
            guard current == expected else {
                throw RolloutError(
                    .stateConflict, "Alias \(alias) of \(model) points at \(current.map { "version \($0)" } ?? "nothing"), not \(expected.map { "version \($0)" } ?? "nothing")",
                    location: key, fix: "read the alias again.")
            }
            state.aliases[key] = version
            state.moves.append(Move(model: model, alias: alias, from: current, to: version, reason: reason))
        }
    }

    /// Every move so far, oldest first.
    public var moves: [Move] { state.withLock { $0.moves } }
}
