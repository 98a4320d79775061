/// The migration history of one module's tables (`storage`, `lineage`, `registry`...).
///
/// Each module owns its schema and versions it on its own; a database records, per module, the
/// steps that ran.
public struct SQLSchema: Sendable {
    /// The module's name: lowercase letters, digits and `_`.
    public let module: String
    /// The steps, numbered 1, 2, 3... in order.
    public let migrations: [SQLMigration]

    /// Creates a schema. Its steps must be numbered 1, 2, 3... in order and the module name must be
    /// lowercase ASCII; ``validate()`` checks, and ``SQLDatabase/migrate(_:)`` refuses a schema that
    /// fails the check before it changes anything.
    public init(module: String, migrations: [SQLMigration]) {
        self.module = module
        self.migrations = migrations
    }

    /// Checks the module name and the numbering of the steps.
    ///
    /// - Throws: ``StorageError`` (``StorageError/Code/migrationFailed``) naming the step out of order.
    public func validate() throws(StorageError) {
        guard !module.isEmpty, module.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
            throw StorageError(
                .migrationFailed, "Schema module name '\(module)' is not valid",
                fix: "use lowercase ASCII letters, digits and underscores.")
        }
        for (index, migration) in migrations.enumerated() where migration.version != index + 1 {
            throw StorageError(
                .migrationFailed,
                "Migration '\(migration.name)' of module '\(module)' has version \(migration.version) at position \(index + 1)",
                fix: "number the migrations 1, 2, 3... in the order they run, with no gaps.")
        }
    }

    /// The version the schema reaches when every step has run (0 for an empty history).
    public var latestVersion: Int { migrations.count }
}
