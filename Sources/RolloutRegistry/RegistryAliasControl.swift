public import Registry
public import Rollout

/// `ModelAliasControl` on the Registry product: moves go through `RegistryStore`'s
/// `promote`, so the registry's promotion policies, roles, and audit log apply to a rollout's
/// moves exactly as to a person's.
///
/// The principal acting must hold the registry's `promote` role. A move the registry refuses
/// (its policy asks for approvals the candidate lacks; the alias moved meanwhile) throws the
/// registry's error, and the rollout controller leaves the rollout's state unchanged.
public struct RegistryAliasControl: ModelAliasControl {
    /// The registry.
    public let registry: any RegistryStore
    /// The principal the moves are made as.
    public let principal: String

    /// A control moving aliases in `registry` as `principal`.
    public init(registry: any RegistryStore, principal: String) {
        self.registry = registry
        self.principal = principal
    }

    public func version(of model: String, alias: String) async throws -> Int? {
        let name = try ModelName(model)
        return try await registry.aliases(of: name).first { $0.alias == alias }?.version
    }

    public func move(_ model: String, alias: String, to version: Int, expecting expected: Int?, reason: String) async throws {
        let expectation: AliasExpectation = expected.map { .version($0) } ?? .unset
        _ = try await registry.promote(try ModelName(model), version: version, to: alias, by: principal, reason: reason, expecting: expectation)
    }

    /// The registry's `RegistryError.Code.aliasConflict`: the alias was not where the move
    /// expected it.
    public func isLostRace(_ error: any Error) -> Bool {
        (error as? RegistryError)?.code == .aliasConflict
    }
}
