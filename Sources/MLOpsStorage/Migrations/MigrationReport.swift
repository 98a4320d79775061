/// What a migration did, per module.
public struct MigrationReport: Sendable, Hashable, Codable {
    /// One module's change.
    public struct Entry: Sendable, Hashable, Codable {
        /// The module.
        public let module: String
        /// The version before the migration (0 for a new database).
        public let fromVersion: Int
        /// The version after it.
        public let toVersion: Int
        /// The names of the steps that ran, in order.
        public let appliedSteps: [String]
    }

    /// One entry per schema given to the migration, in the same order.
    public let entries: [Entry]

    /// Whether any step ran.
    public var changedAnything: Bool { entries.contains { $0.fromVersion != $0.toVersion } }
}
