import Foundation
public import MLOpsStorage
import Synchronization
import Testing

/// The behaviour every ``SQLDatabase`` driver must show: ``checks``, which each driver's tests
/// pass to a parameterized test.
///
/// Every check uses tables and schema modules with a random suffix, so checks can share one
/// PostgreSQL database and run in parallel.
public enum SQLDatabaseConformance {
    /// A name no other check uses: `prefix_` and eight hex digits.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(String(UInt32.random(in: .min ... .max), radix: 16))"
    }

    /// Every value kind survives a write and a read unchanged.
    public static func valuesRoundTrip(_ database: any SQLDatabase) async throws {
        let table = uniqueName("values")
        let dialect = database.dialect
        try await database.write { db in
            try await db.executeScript(
                "CREATE TABLE \(table) (id \(dialect.integerType) PRIMARY KEY, i \(dialect.integerType), r \(dialect.realType), t TEXT, b \(dialect.blobType))")
        }
        let cases: [[SQLValue]] = [
            [1, .integer(.max), .real(-0.5), "héllo ✓ 'quoted' ?", .blob([0, 1, 255])],
            [2, .integer(.min), .real(1e300), "", .blob([])],
            [3, nil, nil, nil, nil],
        ]
        try await database.write { db in
            try await db.executeBatch("INSERT INTO \(table) (id, i, r, t, b) VALUES (?, ?, ?, ?, ?)", cases)
        }
        let rows = try await database.read { db in try await db.query("SELECT id, i, r, t, b FROM \(table) ORDER BY id") }
        #expect(rows.map(\.values) == cases)
        #expect(try rows[0].decode(String.self, "t") == "héllo ✓ 'quoted' ?")
        #expect(try rows[2].decode(Int?.self, "i") == nil)
        #expect(throws: StorageError.self) { try rows[0].decode(Int.self, "t") }
    }

    /// A batch of thousands of rows (upserts included) writes every row exactly once.
    public static func largeBatchesWriteEveryRow(_ database: any SQLDatabase) async throws {
        let table = uniqueName("batch")
        try await database.write { db in
            try await db.executeScript("CREATE TABLE \(table) (id \(db.dialect.integerType) PRIMARY KEY, name TEXT NOT NULL, score \(db.dialect.realType))")
        }
        let rows: [[SQLValue]] = (0..<5_003).map { [.integer(Int64($0)), .text("row-\($0)"), $0 % 7 == 0 ? .null : .real(Double($0) / 3)] }
        try await database.write { db in try await db.executeBatch("INSERT INTO \(table) (id, name, score) VALUES (?, ?, ?)", rows) }
        // The same ids again, as an upsert: the suffix after VALUES must survive the rewrite.
        try await database.write { db in
            try await db.executeBatch(
                "INSERT INTO \(table) (id, name, score) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                rows.map { [$0[0], .text("again"), $0[2]] })
        }
        let (count, again, nulls) = try await database.read { db in
            (try await db.queryScalar(Int.self, "SELECT count(*) FROM \(table)"),
             try await db.queryScalar(Int.self, "SELECT count(*) FROM \(table) WHERE name = 'again'"),
             try await db.queryScalar(Int.self, "SELECT count(*) FROM \(table) WHERE score IS NULL"))
        }
        #expect(count == 5_003)
        #expect(again == 5_003)
        #expect(nulls == 715)
    }

    /// Large batches of every value kind (what PostgreSQL sends through COPY): text with tabs,
    /// line breaks, backslashes and `\N`, extreme numbers, blobs, NULLs; `ON CONFLICT DO NOTHING`
    /// skips rows already stored and repeats within the batch (the first wins); a batch that
    /// breaks a constraint fails typed and leaves nothing, and the next batch works.
    public static func largeBatchesOfEveryKind(_ database: any SQLDatabase) async throws {
        let table = uniqueName("kinds")
        let dialect = database.dialect
        try await database.write { db in
            try await db.executeScript(
                "CREATE TABLE \(table) (id \(dialect.integerType) PRIMARY KEY, i \(dialect.integerType), r \(dialect.realType), t TEXT NOT NULL, b \(dialect.blobType))")
        }
        let texts = ["tab\there", "line\nbreak\r\n", "back\\slash \\N", "\\N", "héllo ✓ 'quoted' ?", "", "trailing\\"]
        let reals: [Double] = [-0.5, 1e300, -1e-300, 0.1, 123456789.123456789, .greatestFiniteMagnitude, 5e-324]
        func row(_ id: Int) -> [SQLValue] {
            [.integer(Int64(id)), id % 5 == 0 ? .null : .integer(id % 2 == 0 ? .max - Int64(id) : .min + Int64(id)),
             id % 7 == 0 ? .null : .real(reals[id % reals.count] * (id % 3 == 0 ? -1 : 1)), .text(texts[id % texts.count] + "\(id)"),
             id % 11 == 0 ? .null : .blob((0..<(id % 9)).map { UInt8(truncatingIfNeeded: $0 * 37 + id) })]
        }
        let rows = (0..<2_000).map(row)
        try await database.write { db in try await db.executeBatch("INSERT INTO \(table) (id, i, r, t, b) VALUES (?, ?, ?, ?, ?)", rows) }
        let read = try await database.read { db in try await db.query("SELECT id, i, r, t, b FROM \(table) ORDER BY id") }
        #expect(read.map(\.values) == rows)

        // Skipping conflicts: 1,000 stored ids again (changed text, skipped), 1,000 new ones, each new one twice.
        var more: [[SQLValue]] = []
        for id in 1_000..<3_000 {
            var changed = row(id)
            changed[3] = .text("second")
            more.append(changed)
            if id >= 2_000 {
                var repeatRow = row(id)
                repeatRow[3] = .text("repeat")
                more.append(repeatRow)
            }
        }
        let conflicting = more
        try await database.write { db in
            try await db.executeBatch("INSERT INTO \(table) (id, i, r, t, b) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING", conflicting)
        }
        let (count, second, repeated, original) = try await database.read { db in
            (try await db.queryScalar(Int.self, "SELECT count(*) FROM \(table)"),
             try await db.queryScalar(Int.self, "SELECT count(*) FROM \(table) WHERE t = 'second'"),
             try await db.queryScalar(Int.self, "SELECT count(*) FROM \(table) WHERE t = 'repeat'"),
             try await db.queryScalar(Int.self, "SELECT count(*) FROM \(table) WHERE id < 2000 AND t <> 'second'"))
        }
        #expect(count == 3_000 && second == 1_000 && repeated == 0 && original == 2_000)

        // A NULL where the table forbids one: typed, nothing written, and the next batch works.
        var broken = (5_000..<6_000).map(row)
        broken[700][3] = .null
        let refused = broken
        do {
            try await database.write { db in try await db.executeBatch("INSERT INTO \(table) (id, i, r, t, b) VALUES (?, ?, ?, ?, ?)", refused) }
            Issue.record("a NULL in a NOT NULL column was accepted")
        } catch let error as StorageError {
            #expect(error.code == .constraintViolation || error.code == .sqlFailed, "\(error)")
        }
        for clause in ["", " ON CONFLICT (id) DO NOTHING"] {
            let batch = (6_000..<6_600).map(row)
            try await database.write { db in try await db.executeBatch("INSERT INTO \(table) (id, i, r, t, b) VALUES (?, ?, ?, ?, ?)\(clause)", batch) }
        }
        // Conflict-skipping batches with no conflict, and with a repeat only inside the batch.
        let fresh = (7_000..<7_600).map(row)
        var repeatInside = (8_000..<8_600).map(row)
        var laterCopy = row(8_300)
        laterCopy[3] = .text("later copy")
        repeatInside.append(laterCopy)
        for batch in [fresh, repeatInside] {
            try await database.write { db in try await db.executeBatch("INSERT INTO \(table) (id, i, r, t, b) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING", batch) }
        }
        let freshRead = try await database.read { db in try await db.query("SELECT id, i, r, t, b FROM \(table) WHERE id >= 7000 ORDER BY id") }
        #expect(freshRead.map(\.values) == fresh + (8_000..<8_600).map(row))
        let after = try await database.read { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM \(table)") }
        #expect(after == 4_800)
    }

    /// A body that throws leaves nothing behind; one that returns commits.
    public static func transactionsCommitOrRollBack(_ database: any SQLDatabase) async throws {
        let table = uniqueName("tx")
        try await database.write { db in try await db.executeScript("CREATE TABLE \(table) (id \(db.dialect.integerType) PRIMARY KEY)") }
        struct Abort: Error {}
        await #expect(throws: Abort.self) {
            try await database.write { db in
                try await db.execute("INSERT INTO \(table) (id) VALUES (?)", [1])
                throw Abort()
            }
        }
        _ = try await database.write { db in try await db.execute("INSERT INTO \(table) (id) VALUES (?)", [2]) }
        let ids = try await database.read { db in try await db.query("SELECT id FROM \(table)").map { try $0.decode(Int.self, at: 0) } }
        #expect(ids == [2])
    }

    /// A constraint violation is a typed error and the transaction leaves no partial rows.
    public static func constraintViolationsAreTyped(_ database: any SQLDatabase) async throws {
        let table = uniqueName("unique")
        try await database.write { db in try await db.executeScript("CREATE TABLE \(table) (id \(db.dialect.integerType) PRIMARY KEY)") }
        do {
            try await database.write { db in
                try await db.execute("INSERT INTO \(table) (id) VALUES (?)", [1])
                try await db.execute("INSERT INTO \(table) (id) VALUES (?)", [1])
            }
            Issue.record("a duplicate primary key was accepted")
        } catch let error as StorageError {
            #expect(error.code == .constraintViolation)
            #expect(error.sql?.contains("INSERT INTO \(table)") == true)
        }
        let count = try await database.read { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM \(table)") }
        #expect(count == 0)
    }

    /// Many concurrent read-modify-write transactions lose no update.
    public static func concurrentWritesAreSerialized(_ database: any SQLDatabase, tasks: Int = 16) async throws {
        let table = uniqueName("counter")
        try await database.write { db in
            try await db.executeScript("CREATE TABLE \(table) (id \(db.dialect.integerType) PRIMARY KEY, n \(db.dialect.integerType) NOT NULL)")
            try await db.execute("INSERT INTO \(table) (id, n) VALUES (1, 0)")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    try await database.write { db in
                        let n = try await db.queryScalar(Int.self, "SELECT n FROM \(table) WHERE id = 1")
                        try await db.execute("UPDATE \(table) SET n = ? WHERE id = 1", [.integer(Int64(n + 1))])
                    }
                }
            }
            try await group.waitForAll()
        }
        let n = try await database.read { db in try await db.queryScalar(Int.self, "SELECT n FROM \(table) WHERE id = 1") }
        #expect(n == tasks)
    }

    /// Of concurrent compare-and-set updates on one version, exactly one wins.
    public static func compareAndSetHasOneWinner(_ database: any SQLDatabase, contenders: Int = 8) async throws {
        let table = uniqueName("alias")
        try await database.write { db in
            try await db.executeScript("CREATE TABLE \(table) (name TEXT PRIMARY KEY, target TEXT NOT NULL, version \(db.dialect.integerType) NOT NULL)")
            try await db.execute("INSERT INTO \(table) (name, target, version) VALUES ('production', 'v1', 1)")
        }
        let wins = try await withThrowingTaskGroup(of: Int.self) { group in
            for contender in 0..<contenders {
                group.addTask {
                    try await database.write { db in
                        try await db.execute(
                            "UPDATE \(table) SET target = ?, version = version + 1 WHERE name = 'production' AND version = ?",
                            [.text("v\(contender + 2)"), 1])
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(wins == 1)
    }

    /// Placeholders inside string literals are not parameters; a wrong argument count is an error.
    public static func placeholdersAreBoundNotSpliced(_ database: any SQLDatabase) async throws {
        let value = try await database.read { db in try await db.queryScalar(String.self, "SELECT '?' || ?", ["x"]) }
        #expect(value == "?x")
        let hostile = "'); DROP TABLE mlops_schema_migrations; --"
        let echoed = try await database.read { db in try await db.queryScalar(String.self, "SELECT ?", [.text(hostile)]) }
        #expect(echoed == hostile)
        await #expect(throws: StorageError.self) {
            _ = try await database.read { db in try await db.query("SELECT ?, ?", [1]) }
        }
    }

    /// Migrations run once, record their versions, and refuse a store from a newer schema.
    public static func migrationsAreVersionedAndIdempotent(_ database: any SQLDatabase) async throws {
        let module = uniqueName("conformance")
        let table = uniqueName("migrated")
        let steps = [
            SQLMigration(version: 1, name: "create") { dialect in "CREATE TABLE \(table) (id \(dialect.integerType) PRIMARY KEY)" },
            SQLMigration(version: 2, name: "add column") { _ in "ALTER TABLE \(table) ADD COLUMN note TEXT" },
        ]
        let first = try await database.migrate([SQLSchema(module: module, migrations: steps)])
        #expect(first.entries.first?.fromVersion == 0)
        #expect(first.entries.first?.toVersion == 2)
        #expect(first.entries.first?.appliedSteps == ["create", "add column"])
        let second = try await database.migrate([SQLSchema(module: module, migrations: steps)])
        #expect(second.changedAnything == false)
        _ = try await database.write { db in try await db.execute("INSERT INTO \(table) (id, note) VALUES (1, 'ok')") }

        // A build that knows only version 1 must refuse the store and change nothing.
        do {
            try await database.migrate([SQLSchema(module: module, migrations: Array(steps.prefix(1)))])
            Issue.record("a store with a newer schema was accepted")
        } catch let error as StorageError {
            #expect(error.code == .schemaTooNew)
            #expect(error.description.contains("version 2"))
        }
    }

    /// A schema whose steps are out of order, or whose name is invalid, is refused before any change.
    public static func malformedSchemasAreRefused(_ database: any SQLDatabase) async throws {
        let table = uniqueName("never")
        let gap = SQLSchema(module: uniqueName("gap"), migrations: [
            SQLMigration(version: 1, name: "create") { _ in "CREATE TABLE \(table) (id INTEGER)" },
            SQLMigration(version: 3, name: "skips two") { _ in "SELECT 1" },
        ])
        for schema in [gap, SQLSchema(module: "Not Valid!", migrations: [])] {
            do {
                try await database.migrate([schema])
                Issue.record("a malformed schema was applied")
            } catch let error as StorageError {
                #expect(error.code == .migrationFailed)
            }
        }
        let versions = try await database.recordedSchemaVersions()
        #expect(versions[gap.module] == nil)
    }

    /// Concurrent migrators of a fresh schema apply each step exactly once.
    public static func concurrentMigrationsApplyOnce(_ database: any SQLDatabase, migrators: Int = 6) async throws {
        let module = uniqueName("race")
        let table = uniqueName("raced")
        let schema = SQLSchema(module: module, migrations: [
            SQLMigration(version: 1, name: "create") { dialect in "CREATE TABLE \(table) (id \(dialect.integerType) PRIMARY KEY)" },
            SQLMigration(version: 2, name: "seed") { connection in try await connection.execute("INSERT INTO \(table) (id) VALUES (1)") },
        ])
        let reports = try await withThrowingTaskGroup(of: MigrationReport.self) { group in
            for _ in 0..<migrators { group.addTask { try await database.migrate([schema]) } }
            return try await group.reduce(into: [MigrationReport]()) { $0.append($1) }
        }
        #expect(reports.filter(\.changedAnything).count == 1)
        let rows = try await database.read { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM \(table)") }
        #expect(rows == 1)
    }

    /// A store opened without migrating (``SQLMigrator/requireCompatible(_:on:)``) accepts only
    /// the schema version the build knows: a missing or older schema is `schemaTooOld`, a newer
    /// one `schemaTooNew`, and the check changes nothing.
    public static func compatibilityCheckAcceptsOnlyTheKnownVersion(_ database: any SQLDatabase) async throws {
        let module = uniqueName("compat")
        let table = uniqueName("compat")
        let steps = [
            SQLMigration(version: 1, name: "create") { dialect in "CREATE TABLE \(table) (id \(dialect.integerType) PRIMARY KEY)" },
            SQLMigration(version: 2, name: "add column") { _ in "ALTER TABLE \(table) ADD COLUMN note TEXT" },
        ]
        let current = SQLSchema(module: module, migrations: steps)
        let older = SQLSchema(module: module, migrations: Array(steps.prefix(1)))
        func expectRefusal(_ schema: SQLSchema, _ code: StorageError.Code, sourceLocation: SourceLocation = #_sourceLocation) async {
            do {
                try await SQLMigrator.requireCompatible([schema], on: database)
                Issue.record("schema \(schema.module) was accepted", sourceLocation: sourceLocation)
            } catch let error as StorageError {
                #expect(error.code == code, sourceLocation: sourceLocation)
                #expect(error.description.contains(module), sourceLocation: sourceLocation)
            } catch {
                Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            }
        }
        await expectRefusal(current, .schemaTooOld)
        #expect(try await database.recordedSchemaVersions()[module] == nil)
        try await database.migrate([older])
        await expectRefusal(current, .schemaTooOld)
        try await database.migrate([current])
        try await SQLMigrator.requireCompatible([current], on: database)
        await expectRefusal(older, .schemaTooNew)
        #expect(try await database.recordedSchemaVersions()[module] == 2)
    }

    /// A healthy database reports no integrity problems.
    public static func healthyDatabasePassesIntegrityCheck(_ database: any SQLDatabase) async throws {
        try await database.migrate([StorageSchema.schema])
        let problems = try await database.checkIntegrity()
        #expect(problems.isEmpty)
    }

    /// Writers serialized by one lock that all extend the same chain (read the head, insert the
    /// next) queue and each sees the one before: every link is written once, none is lost, and
    /// no transaction had to be run again (plain SERIALIZABLE writes on PostgreSQL abort and
    /// retry each other here).
    public static func serializedWritersExtendOneChain(_ database: any SQLDatabase) async throws {
        let table = uniqueName("chain")
        _ = try await database.write { db in
            try await db.execute("CREATE TABLE \(table) (n \(db.dialect.integerType) PRIMARY KEY)")
        }
        let writers = 24
        let bodyRuns = RunCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<writers {
                group.addTask {
                    _ = try await database.write(serializedBy: table) { db in
                        bodyRuns.count.withLock { $0 += 1 }
                        let head = try await db.queryScalar(Int.self, "SELECT coalesce(max(n), 0) FROM \(table)")
                        return try await db.execute("INSERT INTO \(table) (n) VALUES (?)", [.integer(Int64(head + 1))])
                    }
                }
            }
            try await group.waitForAll()
        }
        let links = try await database.read { db in try await db.query("SELECT n FROM \(table) ORDER BY n").map { try $0.decode(Int.self, at: 0) } }
        #expect(links == Array(1...writers))
        #expect(bodyRuns.count.withLock { $0 } == writers, "transactions were retried instead of queued")
    }

    /// Every check, each a test case of its own: pass them to a parameterized test.
    public static let checks: [ConformanceCheck<any SQLDatabase>] = [
        ConformanceCheck("every value kind round-trips", valuesRoundTrip),
        ConformanceCheck("large batches write every row once", largeBatchesWriteEveryRow),
        ConformanceCheck("large batches of every value kind, conflicts skipped, failures typed", largeBatchesOfEveryKind),
        ConformanceCheck("transactions commit or roll back", transactionsCommitOrRollBack),
        ConformanceCheck("constraint violations are typed", constraintViolationsAreTyped),
        ConformanceCheck("concurrent writes are serialized") { try await concurrentWritesAreSerialized($0) },
        ConformanceCheck("compare-and-set has one winner") { try await compareAndSetHasOneWinner($0) },
        ConformanceCheck("placeholders are bound, not spliced", placeholdersAreBoundNotSpliced),
        ConformanceCheck("migrations are versioned and idempotent", migrationsAreVersionedAndIdempotent),
        ConformanceCheck("malformed schemas are refused", malformedSchemasAreRefused),
        ConformanceCheck("concurrent migrations apply once") { try await concurrentMigrationsApplyOnce($0) },
        ConformanceCheck("the compatibility check accepts only the known version", compatibilityCheckAcceptsOnlyTheKnownVersion),
        ConformanceCheck("a healthy database passes the integrity check", healthyDatabasePassesIntegrityCheck),
        ConformanceCheck("serialized writers extend one chain without losing a link", serializedWritersExtendOneChain),
    ]
}

/// Counts transaction bodies run by concurrent tasks.
private final class RunCounter: Sendable {
    let count = Mutex(0)
}
