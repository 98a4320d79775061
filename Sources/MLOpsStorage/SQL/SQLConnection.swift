/// A database connection lent to a ``SQLDatabase/read(_:)`` or ``SQLDatabase/write(_:)`` body.
///
/// Statements take `?` placeholders and bound ``SQLValue`` arguments only: no caller value is
/// ever spliced into SQL text. A connection is valid only inside the body it was lent to.
public protocol SQLConnection {
    /// The dialect of the database behind the connection.
    var dialect: SQLDialect { get }

    /// Runs one statement and returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) async throws -> Int

    /// Runs one query and returns all its rows.
    func query(_ sql: String, _ arguments: [SQLValue]) async throws -> [SQLRow]

    /// Runs one statement once per argument list, reusing the prepared statement.
    ///
    /// - Complexity: O(rows); the statement is prepared once.
    func executeBatch(_ sql: String, _ rows: [[SQLValue]]) async throws

    /// Runs several statements separated by semicolons, with no arguments (schema changes).
    func executeScript(_ sql: String) async throws
}

extension SQLConnection {
    /// Runs one statement with no arguments and returns the number of rows it changed.
    @discardableResult
    public func execute(_ sql: String) async throws -> Int {
        try await execute(sql, [])
    }

    /// Runs one query with no arguments.
    public func query(_ sql: String) async throws -> [SQLRow] {
        try await query(sql, [])
    }

    /// Runs a query and returns its first row, or `nil` when it returned none.
    public func queryFirst(_ sql: String, _ arguments: [SQLValue] = []) async throws -> SQLRow? {
        try await query(sql, arguments).first
    }

    /// Runs a query whose first column of the first row is a single value, such as `SELECT count(*)`.
    ///
    /// - Throws: ``StorageError`` (``StorageError/Code/decodingFailed``) when the query returns no row
    ///   or a value of another type.
    public func queryScalar<Value: SQLValueConvertible>(
        _ type: Value.Type = Value.self, _ sql: String, _ arguments: [SQLValue] = []
    ) async throws -> Value {
        guard let row = try await query(sql, arguments).first else {
            throw StorageError(
                .decodingFailed, "The query returned no row where one value was expected", sql: sql,
                fix: "check the WHERE clause, or use queryFirst to allow an empty result.")
        }
        return try row.decode(type, at: 0)
    }
}
