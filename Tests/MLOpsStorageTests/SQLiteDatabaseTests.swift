import Foundation
@testable import MLOpsStorage
import MLOpsTestSupport
import Synchronization
import Testing

@Suite("SQLite driver")
struct SQLiteDatabaseTests {
    @Test("passes the SQL conformance suite on a file", arguments: SQLDatabaseConformance.checks)
    func conformanceOnFile(_ check: ConformanceCheck<any SQLDatabase>) async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("store.sqlite"))
            await check.run(on: database)
            try await database.close()
        }
    }

    @Test("passes the SQL conformance suite in memory", arguments: SQLDatabaseConformance.checks)
    func conformanceInMemory(_ check: ConformanceCheck<any SQLDatabase>) async throws {
        let database = try await SQLiteDatabase(path: ":memory:")
        await check.run(on: database)
        try await database.close()
    }

    /// Text and blob arguments are copied into one buffer of the connection's and bound without
    /// SQLite copying them again: each statement's binding writes over the last one's bytes.
    @Test("arguments survive statements bound in turn, a buffer that grows inside a batch, NUL bytes and empty values")
    func argumentBuffer() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("arguments.sqlite"))
            var texts = [Int64: String]()
            var blobs = [Int64: [UInt8]]()
            let rows: [[SQLValue]] = (0..<12).map { index in
                // Each row needs more of the buffer than all the rows before it.
                let text = String(repeating: "é\u{0}x", count: 1 << index)
                let blob = [UInt8](repeating: UInt8(index), count: (1 << index) * 3)
                texts[Int64(index)] = text
                blobs[Int64(index)] = blob
                return [.integer(Int64(index)), .text(text), .blob(blob)]
            }
            for index in 0..<60 { texts[Int64(index % 12)] = index % 7 == 0 ? "" : "row \(index)" }
            try await database.write { db in
                try await db.executeScript("CREATE TABLE a (id INTEGER PRIMARY KEY, t TEXT, b BLOB); CREATE TABLE n (id INTEGER PRIMARY KEY, t TEXT)")
                try await db.executeBatch("INSERT INTO a (id, t, b) VALUES (?, ?, ?)", rows)
                // Two statements in turn, each bound over the other's bytes.
                for index in 0..<60 {
                    _ = try await db.execute("INSERT INTO n (id, t) VALUES (?, ?)", [.integer(Int64(index)), .text("note \(index)")])
                    _ = try await db.execute(
                        "UPDATE a SET t = ? WHERE id = ?", [.text(index % 7 == 0 ? "" : "row \(index)"), .integer(Int64(index % 12))])
                }
            }
            let stored = try await database.read { db in try await db.query("SELECT id, t, b FROM a ORDER BY id") }
            #expect(stored.count == 12)
            for row in stored {
                let id = try row.decode(Int64.self, at: 0)
                #expect(try row.decode(String?.self, at: 1) == texts[id], "row \(id)")
                #expect(try row.decode([UInt8].self, at: 2) == blobs[id], "row \(id)")
            }
            let written = try await database.read { db in try await db.query("SELECT id, t FROM n ORDER BY id") }
            #expect(try written.map { try $0.decode(String.self, at: 1) } == (0..<60).map { "note \($0)" })
            // An empty text is text, not NULL.
            #expect(try await database.read { try await $0.queryScalar(Int.self, "SELECT count(*) FROM a WHERE t = ''") } == texts.values.filter(\.isEmpty).count)
            // Arguments past the buffer's limit are bound for SQLite to copy: stored whole too.
            let large = String(repeating: "ab\u{0}c", count: SQLiteConnection.bufferedArgumentLimit / 3)
            let largeBlob = [UInt8](repeating: 7, count: SQLiteConnection.bufferedArgumentLimit + 1)
            try await database.write { db in
                _ = try await db.execute("INSERT INTO a (id, t, b) VALUES (?, ?, ?)", [.integer(100), .text(large), .blob(largeBlob)])
                _ = try await db.execute("INSERT INTO a (id, t, b) VALUES (?, ?, ?)", [.integer(101), .text(""), .blob(largeBlob)])
            }
            let largeRow = try #require(try await database.read { db in try await db.queryFirst("SELECT t, b FROM a WHERE id = 100") })
            #expect(try largeRow.decode(String.self, at: 0) == large)
            #expect(try largeRow.decode([UInt8].self, at: 1) == largeBlob)
            #expect(try await database.read { try await $0.queryScalar(String.self, "SELECT t FROM a WHERE id = 101") } == "")
            try await database.close()
        }
    }

    @Test("switches the file to WAL journaling with foreign keys on")
    func walAndForeignKeys() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("wal.sqlite"))
            let mode = try await database.read { db in try await db.queryScalar(String.self, "PRAGMA journal_mode") }
            #expect(mode == "wal")
            let foreignKeys = try await database.write { db in try await db.queryScalar(Int.self, "PRAGMA foreign_keys") }
            #expect(foreignKeys == 1)
        }
    }

    @Test("a writer that never pauses keeps the write-ahead log under 4,000 pages, brief writes or not", arguments: [SQLTransactionDuration.brief, .unbounded])
    func checkpointsKeepTheLogBounded(duration: SQLTransactionDuration) async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("wal.sqlite")
            let database = try await SQLiteDatabase(path: path)
            _ = try await database.write { db in try await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)") }
            // A reader elsewhere keeps the file open, as a service's readers would (closing the
            // last connection would checkpoint and delete the log anyway).
            let reader = try await SQLiteDatabase(path: path)
            let payload = String(repeating: "x", count: 3_000)
            for index in 0..<9_000 {
                try await database.write(serializedBy: "t", expecting: duration) { db in
                    _ = try await db.execute("INSERT INTO t (id, payload) VALUES (?, ?)", [.integer(Int64(index)), .text(payload)])
                }
            }
            // 9,000 commits of a new page each (about 3.6 pages written): without checkpoints the
            // log would hold over 30,000 pages (130 MB); the background checkpoints and, when they
            // cannot catch up, the writer's own at 4,000 pages restart it.
            let walBytes = (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            #expect(walBytes > 0)
            #expect(walBytes < (SQLiteCheckpointer.inlineCheckpointPages + 100) * 4_120, "the write-ahead log grew to \(walBytes) bytes")
            // Whether the writer had to checkpoint itself depends on how far the background
            // checkpoints fell behind (on a loaded machine the writer is slow enough for them to
            // keep up): the bound above holds either way. The rule that sends it there:
            let checkpointer = try #require(database.checkpointer)
            #expect(checkpointer.afterCommit(walPages: SQLiteCheckpointer.inlineCheckpointPages))
            #expect(!checkpointer.afterCommit(walPages: SQLiteCheckpointer.inlineCheckpointPages - 1))
            #expect(checkpointer.completed.load(ordering: .relaxed) >= 1)
            let rows = try await reader.read(expecting: .brief) { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM t") }
            #expect(rows == 9_000)
            try await reader.close()
            try await database.close()
            // Everything is in the file once the last connection closed.
            let reopened = try await SQLiteDatabase(path: path, configuration: SQLiteConfiguration(readOnly: true))
            #expect(try await reopened.read { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM t") } == 9_000)
            try await reopened.close()
        }
    }

    @Test("a writer that pauses never checkpoints in its commit: the checkpoints run on a connection of their own and the log restarts")
    func checkpointsRunBesideTheWriter() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("wal.sqlite")
            let database = try await SQLiteDatabase(path: path)
            _ = try await database.write { db in try await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)") }
            let reader = try await SQLiteDatabase(path: path)
            let payload = String(repeating: "y", count: 3_000)
            let checkpointer = try #require(database.checkpointer)
            var id: Int64 = 0
            // Three rounds of 500 commits (about 3.6 pages each: the row's page, the table's
            // interior page and page 1, which holds the file's size), each followed by a pause in
            // which the background checkpoints (started at 1,000 pages) catch up.
            for round in 1...3 {
                for _ in 0..<500 {
                    id += 1
                    let id = id
                    try await database.write { db in
                        _ = try await db.execute("INSERT INTO t (id, payload) VALUES (?, ?)", [.integer(id), .text(payload)])
                    }
                    // Reads between the writes (their connections add nothing to the log) must
                    // not stop the checkpoints from catching up.
                    if id % 10 == 0 {
                        _ = try await database.read(expecting: .brief) { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM t") }
                    }
                }
                let deadline = ContinuousClock.now + .seconds(20)
                while !checkpointer.isIdle, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(checkpointer.isIdle)
                #expect(checkpointer.completed.load(ordering: .relaxed) >= round)
            }
            #expect(database.inlineCheckpoints.load(ordering: .relaxed) == 0)
            // Each round restarted the log: it never held much more than one round's pages.
            let walBytes = (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            #expect(walBytes < 2_500 * 4_120, "the write-ahead log grew to \(walBytes) bytes")
            #expect(try await reader.read { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM t") } == 1_500)
            try await reader.close()
            try await database.close()
        }
    }

    @Test("refuses a file that is not SQLite and leaves it byte for byte as it was")
    func refusesGarbage() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("notes.txt")
            let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            try garbage.write(to: URL(fileURLWithPath: path))
            do {
                _ = try await SQLiteDatabase(path: path)
                Issue.record("a garbage file was opened as a database")
            } catch let error as StorageError {
                #expect(error.code == .notADatabase)
                #expect(error.description.contains(path))
                #expect(error.fix != nil)
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        }
    }

    @Test("refuses a file with a SQLite header but damaged pages")
    func refusesDamagedDatabase() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("damaged.sqlite")
            var bytes = Array("SQLite format 3\0".utf8)
            bytes += [UInt8](repeating: 0xEE, count: 8192)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            await #expect(throws: StorageError.self) { _ = try await SQLiteDatabase(path: path) }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        }
    }

    @Test("a path where no file can be created is a cannotOpen error that names it")
    func unwritableLocation() async throws {
        // /proc refuses new files even for root, unlike a folder with its write bits removed.
        for path in ["/proc/mlops-test.sqlite", "/nonexistent-folder-\(UUID().uuidString)/store.sqlite"] {
            do {
                _ = try await SQLiteDatabase(path: path)
                Issue.record("\(path) was opened")
            } catch let error as StorageError {
                #expect(error.code == .cannotOpen)
                #expect(error.description.contains(path))
            }
        }
    }

    @Test("several databases opening one fresh file at once all succeed and share one schema")
    func concurrentFreshOpens() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("fresh.sqlite")
            let schema = SQLSchema(module: "race", migrations: [
                SQLMigration(version: 1, name: "create") { _ in "CREATE TABLE raced (id INTEGER PRIMARY KEY)" }
            ])
            let changed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let database = try await SQLiteDatabase(path: path)
                        let report = try await database.migrate([StorageSchema.schema, schema])
                        try await database.close()
                        return report.changedAnything
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(changed.filter { $0 }.count == 1)
            let database = try await SQLiteDatabase(path: path)
            #expect(try await database.checkIntegrity().isEmpty)
            let versions = try await database.read { db in try await SQLMigrator.versions(on: db) }
            #expect(versions == ["storage": 1, "race": 1])
        }
    }

    @Test("create builds a migrated WAL store in a draft and links it into place; a second create changes nothing; no draft is left")
    func createWhole() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("new.sqlite")
            let schema = SQLSchema(module: "made", migrations: [
                SQLMigration(version: 1, name: "create") { _ in "CREATE TABLE made (id INTEGER PRIMARY KEY)" }
            ])
            let report = try await SQLiteDatabase.create(path: path, schemas: [StorageSchema.schema, schema])
            #expect(report?.entries.map(\.module) == ["storage", "made"] && report?.changedAnything == true)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["new.sqlite"])
            // Read-only, as a reader after a kill would: the tables are there, the file is WAL.
            let reader = try await SQLiteDatabase(path: path, configuration: SQLiteConfiguration(readOnly: true))
            #expect(try await reader.recordedSchemaVersions() == ["storage": 1, "made": 1])
            #expect(try await reader.checkIntegrity().isEmpty)
            try await reader.close()
            let header = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)).prefix(20))
            #expect(header[18] == 2 && header[19] == 2, "WAL mode is in the file's header")

            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(try await SQLiteDatabase.create(path: path, schemas: [StorageSchema.schema]) == nil)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        }
    }

    @Test("create: a failing migration leaves nothing at the path; drafts of killed creations go once an hour old, newer ones stay")
    func createFailureAndDrafts() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("s.sqlite")
            let broken = SQLSchema(module: "broken", migrations: [SQLMigration(version: 1, name: "bad") { _ in "CREATE TABLE (" }])
            await #expect(throws: StorageError.self) { try await SQLiteDatabase.create(path: path, schemas: [broken]) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)

            let uuid = "0f0f0f0f-1e1e-4d2d-8c3c-4b4b4b4b4b4b"
            let old = folder.file(".s.sqlite.\(uuid).partial"), oldLog = old + "-wal"
            let recent = folder.file(".s.sqlite.\(uuid.replacingOccurrences(of: "0f", with: "aa")).partial")
            let other = folder.file(".t.sqlite.\(uuid).partial")
            // Not a draft's name: another file written beside the store (`s.sqlite.csv`, say).
            let notDraft = folder.file(".s.sqlite.csv.\(uuid).partial")
            for draft in [old, oldLog, recent, other, notDraft] { #expect(FileManager.default.createFile(atPath: draft, contents: Data([1]))) }
            for draft in [old, oldLog, other, notDraft] {
                try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: draft)
            }
            #expect(try await SQLiteDatabase.create(path: path, schemas: [StorageSchema.schema]) != nil)
            let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            #expect(left == [".s.sqlite.aaaaaaaa-1e1e-4d2d-8c3c-4b4b4b4b4b4b.partial", ".s.sqlite.csv.\(uuid).partial", ".t.sqlite.\(uuid).partial", "s.sqlite"])
        }
    }

    @Test("create leaves a link at the path to the opening, which creates the link's target as before")
    func createThroughLink() async throws {
        try await withTemporaryFolder { folder in
            let link = folder.file("linked.sqlite"), target = folder.file("target.sqlite")
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
            #expect(try await SQLiteDatabase.create(path: link, schemas: [StorageSchema.schema]) == nil)
            let database = try await SQLiteDatabase(path: link)
            _ = try await database.migrate([StorageSchema.schema])
            try await database.close()
            #expect(FileManager.default.fileExists(atPath: target))
        }
    }

    @Test("several processes' worth of creates at once: one creates, the others find its store")
    func concurrentCreates() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("raced.sqlite")
            let created = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await SQLiteDatabase.create(path: path, schemas: [StorageSchema.schema]) != nil } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(created.filter { $0 }.count == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["raced.sqlite"])
            let database = try await SQLiteDatabase(path: path)
            #expect(try await database.recordedSchemaVersions() == ["storage": 1])
            try await database.close()
        }
    }

    @Test("text with a NUL character is stored whole (PostgreSQL refuses such text with an error)")
    func nulInText() async throws {
        let database = try await SQLiteDatabase(path: ":memory:")
        let value = try await database.write { db in
            try await db.executeScript("CREATE TABLE t (x TEXT)")
            try await db.execute("INSERT INTO t VALUES (?)", [.text("before\u{0}after")])
            return try await db.queryScalar(String.self, "SELECT x FROM t")
        }
        #expect(value == "before\u{0}after")
    }

    @Test("a store closed is refused with a closed error")
    func closedStore() async throws {
        let database = try await SQLiteDatabase(path: ":memory:")
        try await database.close()
        do {
            _ = try await database.read { db in try await db.query("SELECT 1") }
            Issue.record("a closed store answered")
        } catch let error as StorageError {
            #expect(error.code == .closed)
        }
    }

    @Test("read transactions cannot write")
    func readsAreReadOnly() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("ro.sqlite"))
            try await database.write { db in try await db.executeScript("CREATE TABLE t (id INTEGER)") }
            await #expect(throws: StorageError.self) {
                try await database.read { db in try await db.execute("INSERT INTO t VALUES (1)") }
            }
        }
    }

    @Test(
        "another process closing the file leaves our write-ahead log and later commits alone",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs the sqlite3 command (apt sqlite3)"))
    func locksSurviveOtherConnections() async throws {
        // Opening a second connection once read the header through a file descriptor of its own;
        // closing it dropped every POSIX lock of the process, so another process closing the file
        // thought it was the last, checkpointed and deleted the log, and later commits were lost.
        try await withTemporaryFolder { folder in
            let path = folder.file("shared.sqlite")
            let database = try await SQLiteDatabase(path: path)
            try await database.write { db in
                try await db.execute("CREATE TABLE t (x INTEGER)")
                try await db.execute("INSERT INTO t VALUES (1)")
            }
            // A read opens a reader connection beside the writer.
            #expect(try await database.read { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM t") } == 1)
            #expect(try Self.sqlite3(path, "SELECT count(*) FROM t") == "1")
            #expect(FileManager.default.fileExists(atPath: path + "-wal"), "another process deleted the log we still use")
            _ = try await database.write { db in try await db.execute("INSERT INTO t VALUES (2)") }
            #expect(try Self.sqlite3(path, "SELECT count(*) FROM t") == "2", "a commit was lost")
            try await database.close()
        }
    }

    /// Runs the sqlite3 command on `path` and returns its trimmed output.
    static func sqlite3(_ path: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, sql]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@Suite("Path text and immutable reads")
struct PathTextAndImmutableReadTests {
    @Test("the folder of a path, one-character names included (Foundation's path methods trap on those)")
    func folders() {
        let cases: [(String, String)] = [
            ("x", "."), ("o", "."), ("a/b.csv", "a"), ("/o", "/"), ("/", "/"), ("a/b/", "a"), ("a//b", "a"),
            ("./x", "."), ("../y", ".."), ("/abs/path/f.sqlite", "/abs/path"), ("é", "."), ("", "."),
        ]
        for (path, folder) in cases { #expect(PathText.folder(of: path) == folder, "\(path)") }
    }

    @Test("a file opened immutable is read as it is, with no side file made; %, ? and # in the path are escaped")
    func immutableOpen() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("odd %3f?#name.sqlite")
            let database = try await SQLiteDatabase(path: path)
            _ = try await database.write { db in try await db.execute("CREATE TABLE t (v INTEGER)") }
            _ = try await database.write { db in try await db.execute("INSERT INTO t VALUES (7)") }
            try await database.close()
            #expect(SQLiteConnection.immutableURI("/a%b?c#d") == "file:/a%25b%3fc%23d?mode=ro&immutable=1")
            var configuration = SQLiteConfiguration(readOnly: true)
            configuration.opensImmutable = true
            let reader = try await SQLiteDatabase(path: path, configuration: configuration)
            let value = try await reader.read { db in try await db.queryScalar(Int.self, "SELECT v FROM t") }
            #expect(value == 7)
            try await reader.close()
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["odd %3f?#name.sqlite"])
        }
    }
}
