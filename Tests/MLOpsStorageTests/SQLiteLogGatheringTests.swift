import Foundation
@testable import MLOpsStorage
import MLOpsTestSupport
import TensorCore
import Testing

/// The VFS that gathers a transaction's write-ahead-log frames into one write
/// (`SQLiteConfiguration.gathersLogWrites`, Sources/CSQLiteVFS): one write per commit, and the
/// same database as SQLite's own VFS writes, seen at once by other connections, through spills,
/// rewrites of spilled pages, rollbacks, checkpoints and restarts of the log.
@Suite("SQLite log gathering")
struct SQLiteLogGatheringTests {
    /// The writer connection's count of gathered log writes.
    static func gatheredWrites(_ database: SQLiteDatabase) async throws -> Int64? {
        try await database.write { connection in try await (connection as? SQLiteConnection)?.gatheredLogWrites() }
    }

    @Test("a commit that changes several pages reaches the log in one write; with gathering off nothing is gathered")
    func oneWritePerCommit() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("gathered.sqlite"))
            try await database.write { try await $0.executeScript("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL); CREATE INDEX notes_body ON notes (body)") }
            let before = try #require(try await Self.gatheredWrites(database))
            for index in 0..<50 {
                // A 3,000-byte body: the table's page, the index's page and the index entry's
                // overflow page change in each commit.
                try await database.write { try await $0.execute("INSERT INTO notes (body) VALUES (?)", [.text("\(index)" + String(repeating: "x", count: 3_000))]) }
            }
            #expect(try await Self.gatheredWrites(database) == before + 50)
            try await database.close()

            let plain = try await SQLiteDatabase(path: folder.file("plain.sqlite"), configuration: SQLiteConfiguration(gathersLogWrites: false))
            try await plain.write { try await $0.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)") }
            #expect(try await Self.gatheredWrites(plain) == nil)
            try await plain.close()
        }
    }

    /// Rolled back on purpose after its statements ran.
    struct PlannedRollback: Error {}

    @Test(
        "transactions larger than the cache (spilled, rewritten, rolled back) leave the same rows a reader sees at once, and an intact file",
        arguments: [true, false])
    func randomWorkload(gathered: Bool) async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("workload.sqlite")
            let writer = try await SQLiteDatabase(path: path, configuration: SQLiteConfiguration(gathersLogWrites: gathered))
            // Another set of connections on the file, through SQLite's own VFS, as another process would.
            let reader = try await SQLiteDatabase(path: path, configuration: SQLiteConfiguration(gathersLogWrites: false))
            try await writer.write { connection in
                try await connection.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v BLOB NOT NULL)")
                // A 16-page cache: a transaction of a few hundred rows spills pages to the log
                // before it commits, and writes some of them again.
                _ = try await connection.query("PRAGMA cache_size = 16")
            }
            var expected: [Int64: [UInt8]] = [:]
            var random = SplitMix64(seed: gathered ? 11 : 12)
            for round in 0..<80 {
                var changes: [(Int64, [UInt8]?)] = []
                for _ in 0..<Int.random(in: 1...300, using: &random) {
                    let key = Int64.random(in: 0..<1_500, using: &random)
                    if Int.random(in: 0..<8, using: &random) == 0 {
                        changes.append((key, nil))
                    } else {
                        let byte = UInt8(truncatingIfNeeded: round &+ Int(key))
                        changes.append((key, [UInt8](repeating: byte, count: Int.random(in: 50...2_500, using: &random))))
                    }
                }
                let rollBack = Int.random(in: 0..<5, using: &random) == 0
                let planned = changes
                do {
                    try await writer.write { connection in
                        for (key, value) in planned {
                            if let value {
                                _ = try await connection.execute(
                                    "INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", [.integer(key), .blob(value)])
                            } else {
                                _ = try await connection.execute("DELETE FROM kv WHERE k = ?", [.integer(key)])
                            }
                        }
                        if rollBack { throw PlannedRollback() }
                    }
                } catch is PlannedRollback {}
                if !rollBack {
                    for (key, value) in changes { expected[key] = value }
                }
                let seen = try await reader.read { connection in
                    try await connection.query("SELECT count(*), coalesce(sum(length(v)), 0) FROM kv").map {
                        (try $0.decode(Int.self, at: 0), try $0.decode(Int.self, at: 1))
                    }
                }
                #expect(seen.first?.0 == expected.count, "round \(round)")
                #expect(seen.first?.1 == expected.values.reduce(0) { $0 + $1.count }, "round \(round)")
            }
            let rows = try await reader.read { connection in
                try await connection.query("SELECT k, v FROM kv ORDER BY k").map { (try $0.decode(Int64.self, at: 0), try $0.decode([UInt8].self, at: 1)) }
            }
            #expect(rows.map(\.0) == expected.keys.sorted())
            #expect(rows.allSatisfy { expected[$0.0] == $0.1 })
            #expect(try await writer.checkIntegrity() == [])
            try await reader.close()
            try await writer.close()
            // Reopened (the log replayed or checkpointed at close), the rows are all there.
            let reopened = try await SQLiteDatabase(path: path, configuration: SQLiteConfiguration(gathersLogWrites: false))
            #expect(try await reopened.read { try await $0.queryScalar(Int.self, "SELECT count(*) FROM kv") } == expected.count)
            #expect(try await reopened.checkIntegrity() == [])
            try await reopened.close()
        }
    }
}
