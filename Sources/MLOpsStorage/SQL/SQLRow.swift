/// One row of a query result: column names and values, read by name or position.
public struct SQLRow: Sendable, Hashable {
    /// The column names, in the order of the select list.
    public let columns: [String]
    /// The values, in the same order as ``columns``.
    public let values: [SQLValue]

    /// Creates a row.
    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of the named column, or ``SQLValue/null`` when there is no such column.
    public subscript(_ column: String) -> SQLValue {
        guard let index = columns.firstIndex(of: column) else { return .null }
        return values[index]
    }

    /// Decodes the value of the named column.
    ///
    /// - Throws: ``StorageError`` with code ``StorageError/Code/decodingFailed`` when the column
    ///   is missing or its value has another type.
    public func decode<Value: SQLValueConvertible>(
        _ type: Value.Type = Value.self, _ column: String
    ) throws(StorageError) -> Value {
        guard let index = columns.firstIndex(of: column) else {
            throw StorageError(
                .decodingFailed, "The result has no column '\(column)'; it has \(columns.joined(separator: ", "))",
                fix: "select the column in the query, or read one of the columns listed.")
        }
        return try decode(type, at: index)
    }

    /// Decodes the value at a position of the select list.
    ///
    /// - Throws: ``StorageError`` with code ``StorageError/Code/decodingFailed`` when the position
    ///   is out of range or the value has another type.
    public func decode<Value: SQLValueConvertible>(
        _ type: Value.Type = Value.self, at index: Int
    ) throws(StorageError) -> Value {
        guard values.indices.contains(index) else {
            throw StorageError(
                .decodingFailed, "The result has \(values.count) columns; column \(index) does not exist",
                fix: "read a column index from 0 to \(values.count - 1).")
        }
        guard let value = Value(sqlValue: values[index]) else {
            throw StorageError(
                .decodingFailed,
                "Column '\(columns[index])' holds a \(values[index].typeName) value, which cannot be read as \(Self.typeName(Value.self))",
                fix: "read it as the stored type, or cast it in the query.")
        }
        return value
    }

    /// A type's name for a message: `Optional<Int64>` reads as "Int64 or null".
    static func typeName(_ type: Any.Type) -> String {
        let name = String(describing: type)
        guard name.hasPrefix("Optional<"), name.hasSuffix(">") else { return name }
        return "\(name.dropFirst("Optional<".count).dropLast()) or null"
    }
}
