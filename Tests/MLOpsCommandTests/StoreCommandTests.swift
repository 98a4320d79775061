import Foundation
import MLOpsTestSupport
import Testing

@Suite("mlops store")
struct StoreCommandTests {
    @Test("migrate creates a store, check finds it healthy, both in JSON")
    func migrateThenCheck() throws {
        try withTemporaryFolder { folder in
            let store = "sqlite:\(folder.file("s.sqlite"))"
            let migrate = try Executables.run("mlops", ["store", "migrate", "--store", store, "--format", "json"])
            #expect(migrate.status == 0, "\(migrate.standardError)")
            let report = try JSONSerialization.jsonObject(with: Data(migrate.standardOutput.utf8)) as? [String: Any]
            #expect(report?["changed"] as? Bool == true)
            let again = try Executables.run("mlops", ["store", "migrate", "--store", store, "--format", "json"])
            #expect((try JSONSerialization.jsonObject(with: Data(again.standardOutput.utf8)) as? [String: Any])?["changed"] as? Bool == false)
            let check = try Executables.run("mlops", ["store", "check", "--store", store, "--format", "json"])
            #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
            let result = try JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Any]
            #expect(result?["ok"] as? Bool == true)
            // Every key is there: no artifact folder yet is a null, not a gap; the empty audit log verifies.
            #expect(Set(result?.keys.map { $0 } ?? []) == ["store", "ok", "schemas", "integrity_problems", "audit", "artifacts", "problems"])
            #expect(result?["artifacts"] is NSNull, "\(check.standardOutput)")
            #expect((result?["audit"] as? [String: Any])?["entries"] as? Int == 0, "\(check.standardOutput)")
        }
    }

    @Test("the first writing command makes the whole store at once: every module current, no draft left beside it")
    func firstWriteMakesWholeStore() throws {
        try withTemporaryFolder { folder in
            try "x\n1\n2\n3\n".write(toFile: folder.file("ref.csv"), atomically: true, encoding: .utf8)
            let store = "sqlite:\(folder.file("new.sqlite"))"
            let saved = try Executables.run("mlops", ["drift", "baseline", "save", "b", folder.file("ref.csv"), "--store", store])
            #expect(saved.status == 0, "\(saved.standardError)")
            let check = try Executables.run("mlops", ["store", "check", "--store", store, "--format", "json"])
            #expect(check.status == 0, "\(check.standardOutput)")
            let result = try JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Any]
            let statuses = (result?["schemas"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
            #expect(!statuses.isEmpty && statuses.allSatisfy { $0 == "current" }, "\(statuses)")
            let drafts = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".partial") || $0.contains(".partial-") }
            #expect(drafts.isEmpty, "\(drafts)")
            // `store migrate` of a store it creates reports the creation's steps.
            let migrate = try Executables.run("mlops", ["store", "migrate", "--store", "sqlite:\(folder.file("other.sqlite"))", "--format", "json"])
            #expect((try JSONSerialization.jsonObject(with: Data(migrate.standardOutput.utf8)) as? [String: Any])?["changed"] as? Bool == true)
        }
    }

    @Test("a bad store URL is exit 2 with the accepted forms")
    func badURL() throws {
        let result = try Executables.run("mlops", ["store", "check", "--store", "mysql://db/x"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("sqlite:///abs/path.sqlite"))
    }

    @Test("a file that is not a store is exit 2 and is left unchanged")
    func garbageStore() throws {
        try withTemporaryFolder { folder in
            let path = folder.file("notes.sqlite")
            try Data("my notes, not a database\n".utf8).write(to: URL(fileURLWithPath: path))
            let result = try Executables.run("mlops", ["store", "migrate", "--store", "sqlite:\(path)"])
            #expect(result.status == 2)
            #expect(result.standardError.contains("is not a SQLite database"))
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "my notes, not a database\n")
        }
    }

    @Test("check of a missing store is exit 2 and creates nothing")
    func missingStore() throws {
        try withTemporaryFolder { folder in
            let result = try Executables.run("mlops", ["store", "check", "--store", "sqlite:\(folder.file("none.sqlite"))"])
            #expect(result.status == 2)
            #expect(result.standardError.contains("mlops store migrate"))
            #expect(!FileManager.default.fileExists(atPath: folder.file("none.sqlite")))
        }
    }

    @Test("a damaged artifact makes check --verify-artifacts exit 1 naming it")
    func corruptArtifact() throws {
        try withTemporaryFolder { folder in
            let store = "sqlite:\(folder.file("d.sqlite"))"
            let demo = try Executables.run("mlops", ["demo", "--output", folder.path, "--store", store])
            #expect(demo.status == 0, "\(demo.standardError)")
            let objects = folder.file("d.artifacts/objects")
            let shard = try #require(try FileManager.default.contentsOfDirectory(atPath: objects).first)
            let name = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(objects)/\(shard)").first)
            let path = "\(objects)/\(shard)/\(name)"
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count / 2] ^= 0xFF
            try bytes.write(to: URL(fileURLWithPath: path))
            let check = try Executables.run("mlops", ["store", "check", "--store", store, "--verify-artifacts", "--format", "json"])
            #expect(check.status == 1)
            #expect(check.standardOutput.contains(String(name.prefix(64))))
        }
    }

    @Test("four processes migrating one fresh file at once all succeed")
    func concurrentProcesses() throws {
        try withTemporaryFolder { folder in
            let store = "sqlite:\(folder.file("race.sqlite"))"
            let results = try (0..<4).map { _ -> Process in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "\(Executables.productsFolder)/mlops")
                process.arguments = ["store", "migrate", "--store", store, "--format", "json"]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                return process
            }.map { process -> Int32 in
                process.waitUntilExit()
                return process.terminationStatus
            }
            #expect(results == [0, 0, 0, 0])
            let check = try Executables.run("mlops", ["store", "check", "--store", store])
            #expect(check.status == 0, "\(check.standardOutput)")
        }
    }

    @Test("unknown subcommands are exit 2 with usage")
    func badUsage() throws {
        let result = try Executables.run("mlops", ["store", "frobnicate"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("Usage"))
    }
}

@Suite("mlops store check on partly used stores")
struct StoreCheckModulesTests {
    @Test("a store that never used a module is healthy; one whose module is behind is not")
    func unusedModuleIsNotAProblem() throws {
        try withTemporaryFolder { folder in
            let path = folder.file("lineage-only.sqlite")
            // A lineage-only store, as train-and-trace makes: no drift baselines were ever saved.
            let train = try Executables.run("train-and-trace", [folder.path, "--store", "sqlite://\(path)"])
            #expect(train.status == 0, "\(train.standardError)")
            let healthy = try Executables.run("mlops", ["store", "check", "--store", "sqlite://\(path)", "--format", "json"])
            #expect(healthy.status == 0, "\(healthy.standardOutput)")
            #expect(healthy.standardOutput.contains("\"missing\""))
            // Pretend the lineage module is one version behind: that is a problem (exit 1).
            let lowered = Process()
            lowered.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            lowered.arguments = ["sqlite3", path, "DELETE FROM mlops_schema_migrations WHERE module = 'lineage' AND version = (SELECT max(version) FROM mlops_schema_migrations WHERE module = 'lineage')"]
            try lowered.run()
            lowered.waitUntilExit()
            guard lowered.terminationStatus == 0 else { return }  // no sqlite3 program: the first half stands
            let behind = try Executables.run("mlops", ["store", "check", "--store", "sqlite://\(path)"])
            #expect(behind.status == 1, "\(behind.standardOutput)")
            #expect(behind.standardOutput.contains("behind"))
        }
    }
}

@Suite("mlops store check on foreign databases")
struct StoreCheckForeignTests {
    @Test("a SQLite database with tables but none of swift-mlops' schemas is a problem (exit 1)")
    func foreignDatabase() throws {
        try withTemporaryFolder { folder in
            let path = folder.file("other.sqlite")
            let make = Process()
            make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            make.arguments = ["sqlite3", path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)"]
            try make.run()
            make.waitUntilExit()
            guard make.terminationStatus == 0 else { return }  // no sqlite3 program here
            let check = try Executables.run("mlops", ["store", "check", "--store", "sqlite://\(path)"])
            #expect(check.status == 1, "\(check.standardOutput)")
            #expect(check.standardOutput.contains("none of swift-mlops' schemas"))
            // Commands that write refuse it, and leave every byte as it was (no tables, no WAL switch).
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            for arguments in [["store", "migrate"], ["principals", "add", "root", "--role", "admin"]] {
                let refused = try Executables.run("mlops", arguments + ["--store", "sqlite://\(path)"])
                #expect(refused.status == 2, "\(arguments): \(refused.standardError)")
                #expect(refused.standardError.contains("not a swift-mlops store"), "\(refused.standardError)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        }
    }
}

@Suite("mlops store check on interrupted artifact work")
struct StoreCheckTemporaryFilesTests {
    @Test("an artifact folder a killed process left without its marker is an empty store, not a problem; a foreign folder is one")
    func unfinishedArtifactFolder() throws {
        try withTemporaryFolder { folder in
            let train = try Executables.run("train-and-trace", [folder.path])
            #expect(train.status == 0, "\(train.standardError)")
            let store = "sqlite://\(folder.file("lineage.sqlite"))"
            // What a kill between making the folder and renaming its marker into place leaves.
            let unfinished = folder.file("unfinished.artifacts")
            try FileManager.default.createDirectory(atPath: unfinished, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: "\(unfinished)/.mlops-artifact-store.creating-1", contents: Data("swift".utf8)))
            let check = try Executables.run("mlops", ["store", "check", "--store", store, "--artifacts", unfinished, "--verify-artifacts", "--format", "json"])
            #expect(check.status == 0, "\(check.standardOutput)")
            #expect(check.standardOutput.contains("\"count\" : 0"))

            let foreign = folder.file("photos")
            try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: "\(foreign)/cat.jpg", contents: Data("jpg".utf8)))
            let refused = try Executables.run("mlops", ["store", "check", "--store", store, "--artifacts", foreign])
            #expect(refused.status == 1, "\(refused.standardOutput)")
            #expect(refused.standardOutput.contains("not a swift-mlops artifact store"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: foreign) == ["cat.jpg"])
        }
    }

    @Test("a temporary file left by a killed put is reported; a stale one is a problem (exit 1)")
    func temporaryFiles() throws {
        try withTemporaryFolder { folder in
            let train = try Executables.run("train-and-trace", [folder.path])
            #expect(train.status == 0, "\(train.standardError)")
            let store = "sqlite://\(folder.file("lineage.sqlite"))"
            let artifacts = folder.file("lineage.artifacts")
            let leftover = "\(artifacts)/tmp/put-killed.partial"
            #expect(FileManager.default.createFile(atPath: leftover, contents: Data(repeating: 7, count: 100)))

            let fresh = try Executables.run("mlops", ["store", "check", "--store", store, "--artifacts", artifacts, "--format", "json"])
            #expect(fresh.status == 0, "a fresh temporary file may be a put in progress: \(fresh.standardOutput)")
            #expect(fresh.standardOutput.contains("\"temporary_files\" : 1"))

            // Two days old: left by a process that died.
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * 86_400)], ofItemAtPath: leftover)
            let stale = try Executables.run("mlops", ["store", "check", "--store", store, "--artifacts", artifacts])
            #expect(stale.status == 1, "\(stale.standardOutput)")
            #expect(stale.standardOutput.contains("stale temporary file"))
            #expect(FileManager.default.fileExists(atPath: leftover), "check must not remove anything")
        }
    }
}
