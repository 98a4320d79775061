/// One named, numbered step of a schema's history.
///
/// A step runs once per database, inside the migration transaction, and is recorded in the
/// `mlops_schema_migrations` table. Steps are never edited after release: a change is a new step.
public struct SQLMigration: Sendable {
    /// The step's number: 1 for the first step, then 2, 3... without gaps.
    public let version: Int
    /// A short description, kept in the database next to the version.
    public let name: String
    /// The work of the step, given a connection inside the migration transaction.
    public let apply: @Sendable (any SQLConnection) async throws -> Void

    /// Creates a step that runs arbitrary statements.
    public init(version: Int, name: String, apply: @escaping @Sendable (any SQLConnection) async throws -> Void) {
        self.version = version
        self.name = name
        self.apply = apply
    }

    /// Creates a step that runs a script produced for the database's dialect.
    ///
    /// ```swift
    /// SQLMigration(version: 1, name: "create notes") { dialect in
    ///     "CREATE TABLE notes (id \(dialect.integerType) PRIMARY KEY, body TEXT NOT NULL)"
    /// }
    /// ```
    public init(version: Int, name: String, script: @escaping @Sendable (SQLDialect) -> String) {
        self.init(version: version, name: name) { connection in
            try await connection.executeScript(script(connection.dialect))
        }
    }
}
