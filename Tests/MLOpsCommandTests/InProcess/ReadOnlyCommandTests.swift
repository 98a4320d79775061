import Foundation
import MLOpsTestSupport
import MLOpsCommands
import Testing

@Suite("reading commands never write the store")
struct ReadOnlyCommandTests {
    /// Every reading command, given a store path.
    static func readingCommands(_ store: String, input: String) -> [[String]] {
        let id = "3f2b8c1e-0000-4000-8000-000000000000"
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        return [
            ["runs", "list"], ["runs", "search", "metrics.auc > 0"], ["runs", "show", id], ["runs", "diff", id, id],
            ["lineage", "ancestors", digest], ["lineage", "descendants", digest], ["lineage", "openlineage"],
            ["drift", "baseline", "list"], ["drift", "check", "base", input], ["store", "check"],
            ["models", "list"], ["models", "show", "team/model"], ["models", "show", "team/model", "--version", "1"],
            ["principals", "list"], ["policies", "list"], ["audit", "verify"], ["audit", "head"], ["audit", "list"],
        ].map { $0 + ["--store", "sqlite:\(store)"] }
    }

    @Test("a reading command on a missing SQLite file is exit 2 and creates nothing")
    func missingStoreIsNotCreated() async throws {
        try await withTemporaryFolder { folder in
            let store = folder.file("typo.sqlite")
            try write("a\n1\n", to: folder.file("data.csv"))
            for command in Self.readingCommands(store, input: folder.file("data.csv")) {
                let result = await mlops(command)
                #expect(result.exitCode == 2, "\(command): \(result.transcript)")
                #expect(result.error.contains("there is no store"), "\(command): \(result.transcript)")
                #expect(!FileManager.default.fileExists(atPath: store), "\(command) created the store")
                #expect(!FileManager.default.fileExists(atPath: folder.file("typo.artifacts")), "\(command) created the artifact folder")
            }
        }
    }

    @Test("reading commands leave a WAL store's folder as they found it: the file byte for byte, no -wal or -shm left beside it")
    func walStoreLeavesNoSideFiles() async throws {
        try await withTemporaryFolder { folder in
            let store = folder.file("wal.sqlite")
            let migrate = await mlops("store", "migrate", "--store", "sqlite:\(store)")
            #expect(migrate.exitCode == 0, "\(migrate.transcript)")
            let bytes = contents(store)
            #expect(bytes.count > 100 && bytes[18] == 2, "the store is in WAL mode")
            #expect(!FileManager.default.fileExists(atPath: store + "-wal") && !FileManager.default.fileExists(atPath: store + "-shm"))
            try write("a\n1\n2\n", to: folder.file("data.csv"))
            let listing = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            for command in Self.readingCommands(store, input: folder.file("data.csv")) {
                _ = await mlops(command)
                #expect(contents(store) == bytes, "\(command) changed the store file")
                #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == listing, "\(command) left files beside the store")
            }
        }
    }

    @Test("reading commands leave a rollback-journal store byte for byte as it was: no WAL switch, no migration")
    func foreignJournalModeIsKept() async throws {
        try await withTemporaryFolder { folder in
            let store = folder.file("legacy.sqlite")
            let migrate = await mlops("store", "migrate", "--store", "sqlite:\(store)")
            #expect(migrate.exitCode == 0, "\(migrate.transcript)")
            // Turn the closed, checkpointed WAL file into a rollback-journal one, as a store made by
            // another tool would be: header bytes 18 and 19 are the write and read format versions
            // (2 for WAL, 1 for a rollback journal).
            var bytes = contents(store)
            #expect(bytes.count > 100)
            #expect(!FileManager.default.fileExists(atPath: store + "-wal"))
            bytes[18] = 1
            bytes[19] = 1
            try bytes.write(to: URL(fileURLWithPath: store))
            try write("a\n1\n2\n", to: folder.file("data.csv"))
            for command in Self.readingCommands(store, input: folder.file("data.csv")) {
                _ = await mlops(command)
                #expect(contents(store) == bytes, "\(command) changed the store file")
                #expect(!FileManager.default.fileExists(atPath: store + "-wal"), "\(command) switched the store to WAL")
            }
            #expect(!FileManager.default.fileExists(atPath: folder.file("legacy.artifacts")), "store check created the artifact folder")
            let check = await mlops("store", "check", "--store", "sqlite:\(store)", "--format", "json")
            #expect(check.exitCode == 0, "\(check.transcript)")
        }
    }

    @Test("a store a killed writer left with a hot journal: store check says so (exit 1) and changes nothing; a writer rolls it back")
    func interruptedWriteIsReported() async throws {
        try await withTemporaryFolder { folder in
            let store = folder.file("killed.sqlite")
            let migrate = await mlops("store", "migrate", "--store", "sqlite:\(store)")
            #expect(migrate.exitCode == 0, "\(migrate.transcript)")
            // A rollback-journal store (as before the first switch to WAL) whose writer died
            // mid-transaction: a journal beside it that begins with SQLite's journal magic.
            var bytes = contents(store)
            bytes[18] = 1
            bytes[19] = 1
            try bytes.write(to: URL(fileURLWithPath: store))
            var journal = [UInt8](repeating: 0, count: 512)
            journal.replaceSubrange(0..<8, with: [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7])
            try Data(journal).write(to: URL(fileURLWithPath: store + "-journal"))

            for format in ["text", "json"] {
                let check = await mlops("store", "check", "--store", "sqlite:\(store)", "--format", format)
                #expect(check.exitCode == 1, "\(check.transcript)")
                #expect(check.transcript.contains("interrupted"), "\(check.transcript)")
                #expect(check.transcript.contains("mlops store migrate"), "\(check.transcript)")
                #expect(contents(store) == bytes, "store check changed the store file")
                #expect(FileManager.default.fileExists(atPath: store + "-journal"), "store check removed the journal")
            }
            let list = await mlops("runs", "list", "--store", "sqlite:\(store)")
            #expect(list.exitCode == 2, "\(list.transcript)")
            #expect(list.error.contains("interrupted"), "\(list.transcript)")

            let repair = await mlops("store", "migrate", "--store", "sqlite:\(store)")
            #expect(repair.exitCode == 0, "\(repair.transcript)")
            let after = await mlops("store", "check", "--store", "sqlite:\(store)")
            #expect(after.exitCode == 0, "\(after.transcript)")
        }
    }

    @Test("store check reads the artifact folder without creating its missing folders or cleaning it")
    func storeCheckLeavesArtifactsAlone() async throws {
        try await withTemporaryFolder { folder in
            let output = folder.file("demo")
            let demo = await mlops("demo", "--output", output)
            #expect(demo.exitCode == 0, "\(demo.transcript)")
            let artifacts = "\(output)/mlops.artifacts"
            // A layout folder gone missing, and an old temporary file left by a killed writer.
            try FileManager.default.removeItem(atPath: "\(artifacts)/tombstones")
            let leftover = "\(artifacts)/tmp/put-left-by-a-kill"
            try write("half an artifact", to: leftover)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7 * 86_400)], ofItemAtPath: leftover)
            let check = await mlops("store", "check", "--store", "sqlite:\(output)/mlops.sqlite", "--verify-artifacts", "--format", "json")
            #expect(check.exitCode == 0 || check.exitCode == 1, "\(check.transcript)")
            #expect((check.json["artifacts"] as? [String: Any])?["verified"] as? Int ?? 0 > 0, "\(check.transcript)")
            #expect(!FileManager.default.fileExists(atPath: "\(artifacts)/tombstones"), "store check recreated a folder")
            #expect(FileManager.default.fileExists(atPath: leftover), "store check removed a file")
        }
    }

    @Test(
        "on PostgreSQL, store commands open and close the store through its lifecycle: exit 0 and a clean standard error",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run"))
    func postgresLifecycle() async throws {
        let url = ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? ""
        for command in [["store", "migrate"], ["store", "check"], ["runs", "list", "--limit", "1"], ["drift", "baseline", "list"]] {
            let result = await mlops(command + ["--store", url])
            #expect(result.exitCode == 0, "\(command): \(result.transcript)")
            #expect(result.error.isEmpty, "\(command): \(result.transcript)")
        }
    }
}
