#if PostgreSQL
internal import PostgresNIO

/// A pooled postgres-nio connection lent to one transaction body.
struct PostgresSQLConnection: SQLConnection, Sendable {
    let connection: PostgresConnection
    let logger: Logger
    let location: String

    var dialect: SQLDialect { .postgresql }

    func execute(_ sql: String, _ arguments: [SQLValue]) async throws -> Int {
        try await run(sql, arguments).metadata.rows ?? 0
    }

    func query(_ sql: String, _ arguments: [SQLValue]) async throws -> [SQLRow] {
        let result = try await run(sql, arguments)
        guard let first = result.rows.first else { return [] }
        let columns = first.map(\.columnName)
        var rows: [SQLRow] = []
        rows.reserveCapacity(result.rows.count)
        for row in result.rows {
            var values: [SQLValue] = []
            values.reserveCapacity(columns.count)
            for cell in row { values.append(try Self.value(of: cell, sql: sql, location: location)) }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }

    /// An `INSERT … VALUES (?, …) [suffix]` runs as multi-row inserts of up to 1,000 rows (one
    /// round trip each instead of one per row); any other statement runs once per row.
    func executeBatch(_ sql: String, _ rows: [[SQLValue]]) async throws {
        if rows.count >= Self.copyThreshold, let copy = CopyInsert(sql), rows.allSatisfy({ $0.count == copy.columns.count }) {
            // Behind a savepoint: where COPY is not allowed (no TEMP privilege, row-level
            // security) the batch falls back to multi-row inserts, in the same transaction. A
            // batch the data itself breaks fails there again, with the same typed error. A
            // conflict with another transaction is thrown at once: the whole transaction is
            // what runs again.
            _ = try await run("SAVEPOINT mlops_copy", [])
            do {
                try await copyRows(copy, rows, sql: sql)
                _ = try await run("RELEASE SAVEPOINT mlops_copy", [])
                return
            } catch {
                if PostgresErrorMapping.isRetryable(error) { throw error }
                _ = try await run("ROLLBACK TO SAVEPOINT mlops_copy", [])
            }
        }
        guard rows.count > 1, let insert = MultiRowInsert(sql), rows.allSatisfy({ $0.count == insert.width }) else {
            for arguments in rows { _ = try await run(sql, arguments) }
            return
        }
        let perStatement = Swift.max(1, Swift.min(1_000, 60_000 / Swift.max(1, insert.width)))
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<Swift.min(start + perStatement, rows.count)]
            _ = try await run(insert.statement(rows: chunk.count), chunk.flatMap { $0 })
            start += chunk.count
        }
    }

    /// Batches of at least this many rows of a plain insert go through COPY (see ``CopyInsert``).
    static let copyThreshold = 500

    /// Runs a batch of `copy`'s rows through `COPY … FROM STDIN`, directly or through the
    /// staging table when conflicting rows are to be skipped.
    ///
    /// A conflict-skipping batch is first copied straight into the table behind a savepoint: a
    /// plain insert costs about half of `INSERT … ON CONFLICT DO NOTHING`'s speculative one (1M
    /// metric points in batches of 10,000: 2.7 s against 5.2 s on the test server), and most
    /// batches hold no conflict. One that does fails there with a unique violation, is rolled
    /// back to the savepoint and goes through the staging table, so it means what it meant row
    /// by row. Any other error is the batch's own (or a conflict with another transaction) and
    /// is thrown, not tried a second way here.
    private func copyRows(_ copy: CopyInsert, _ rows: [[SQLValue]], sql: String) async throws {
        if copy.conflictClause.isEmpty {
            try await copyFrom(rows, into: copy.table, columns: copy.columns, sql: sql)
            return
        }
        _ = try await run("SAVEPOINT mlops_copy_direct", [])
        do {
            try await copyFrom(rows, into: copy.table, columns: copy.columns, sql: sql)
            _ = try await run("RELEASE SAVEPOINT mlops_copy_direct", [])
            return
        } catch let error as StorageError where error.databaseCode == "23505" {
            _ = try await run("ROLLBACK TO SAVEPOINT mlops_copy_direct", [])
        }
        let staging = copy.stagingTable
        // Session-local; created inside the caller's transaction (rolled back with it), emptied
        // before and after use, so a pooled connection never carries rows over.
        _ = try await run(copy.createStaging, [])
        _ = try await run("TRUNCATE \(staging)", [])
        try await copyFrom(rows, into: staging, columns: copy.columns, sql: sql)
        let list = copy.columns.joined(separator: ", ")
        // A temporary table is read in the order its rows were copied (it is never scanned in
        // parallel or from the middle), so among repeats the first row wins, as row by row.
        _ = try await run("INSERT INTO \(copy.table) (\(list)) SELECT \(list) FROM \(staging) \(copy.conflictClause)", [])
        _ = try await run("TRUNCATE \(staging)", [])
    }

    /// Streams `rows` into `table` with `COPY … FROM STDIN`, in buffers of about 1 MiB.
    private func copyFrom(_ rows: [[SQLValue]], into table: String, columns: [String], sql: String) async throws {
        do {
            try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                var buffer = ByteBuffer()
                buffer.reserveCapacity(1 << 20)
                var start = 0
                while start < rows.count {
                    let end = Swift.min(rows.count, start + 4_096)
                    CopyInsert.append(rows[start..<end], to: &buffer)
                    start = end
                    if buffer.readableBytes >= 1 << 20 || start == rows.count {
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
            }
        } catch {
            throw PostgresErrorMapping.storageError(error, sql: sql, location: location)
        }
    }

    /// Runs each statement of the script in turn (the extended protocol takes one statement at a time).
    func executeScript(_ sql: String) async throws {
        for statement in PlaceholderRewriter.statements(sql) {
            _ = try await run(statement, [])
        }
    }

    private func run(_ sql: String, _ arguments: [SQLValue]) async throws -> PostgresQueryResult {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .null: bindings.appendNull()
            case .integer(let value): bindings.append(value)
            case .real(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .blob(let value): bindings.append(ByteBuffer(bytes: value))
            }
        }
        let query = PostgresQuery(unsafeSQL: PlaceholderRewriter.numbered(sql), binds: bindings)
        do {
            let future: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: logger)
            return try await future.get()
        } catch {
            throw PostgresErrorMapping.storageError(error, sql: sql, location: location)
        }
    }

    private static func value(of cell: PostgresCell, sql: String, location: String) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        do {
            switch cell.dataType {
            case .int2, .int4, .int8:
                return .integer(try cell.decode(Int64.self))
            case .float4, .float8:
                return .real(try cell.decode(Double.self))
            case .bool:
                return .integer(try cell.decode(Bool.self) ? 1 : 0)
            case .bytea:
                let buffer = try cell.decode(ByteBuffer.self)
                return .blob(Array(buffer.readableBytesView))
            case .numeric:
                let text = try cell.decode(String.self)
                return Double(text).map(SQLValue.real) ?? .text(text)
            default:
                return .text(try cell.decode(String.self))
            }
        } catch {
            throw StorageError(
                .decodingFailed, "Column '\(cell.columnName)' of PostgreSQL type \(cell.dataType) cannot be read",
                location: location, sql: sql, fix: "cast it in the query to BIGINT, DOUBLE PRECISION, TEXT or BYTEA.")
        }
    }
}
#endif
