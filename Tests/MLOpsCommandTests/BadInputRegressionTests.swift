import Foundation
import MLOpsTestSupport
import MLOpsCommands
import MLOpsStorage
import Testing

/// Cases a bad-input sweep of every command found (2026-12-06), each run as a user would: the
/// executable in a folder of its own, or in process where nothing depends on the process.
@Suite("bad input found by the command sweep")
struct BadInputRegressionTests {
    @Test("a one-character store or output path works (it crashed in Foundation's path methods)")
    func oneCharacterPaths() async throws {
        try withTemporaryFolder { folder in
            let migrate = try Executables.run("mlops", ["store", "migrate", "--store", "sqlite:x"], in: folder.path)
            #expect(migrate.status == 0, "\(migrate.standardError)")
            for command in [["runs", "list"], ["store", "check"], ["models", "list"], ["audit", "verify"], ["principals", "list"]] {
                let result = try Executables.run("mlops", command + ["--store", "sqlite:x"], in: folder.path)
                #expect(result.status == 0, "\(command): \(result.standardError)")
            }
            try Self.writeDriftFiles(in: folder)
            let drift = try Executables.run("mlops", ["drift", "ref.csv", "cur.csv", "--output", "o", "--format", "json"], in: folder.path)
            #expect(drift.status == 0 || drift.status == 1, "\(drift.standardError)")
            #expect(FileManager.default.fileExists(atPath: folder.file("o")))
        }
    }

    @Test("a result that cannot be written (stdout on /dev/full) is exit 2 with a message, not a trap; devices are refused as inputs; pipes work where a command opens its input twice (second sweep, 2026-12-07)")
    func unwritableOutputDevicesAndPipes() async throws {
        try withTemporaryFolder { folder in
            try Self.writeDriftFiles(in: folder)
            let mlops = "\(Executables.productsFolder)/mlops"
            let full = try Executables.run("/bin/sh", ["-c", "\"$0\" drift ref.csv cur.csv > /dev/full", mlops], in: folder.path)
            #expect(full.status == 2, "\(full.standardError)")
            #expect(full.standardError.contains("not delivered") && !full.standardError.contains("Fatal error"), "\(full.standardError)")
            let help = try Executables.run("/bin/sh", ["-c", "\"$0\" --help > /dev/full", mlops], in: folder.path)
            #expect(help.status == 2, "\(help.standardError)")
            // Only standard error unwritable: the result was delivered, the exit code stands.
            let quiet = try Executables.run("/bin/sh", ["-c", "\"$0\" drift ref.csv nope.csv 2> /dev/full", mlops], in: folder.path)
            #expect(quiet.status == 2)

            for command in [
                ["gpu", "simulate", "--trace", "/dev/zero", "--gpus", "8"], ["gpu", "fragmentation", "--trace", "/dev/zero", "--gpus", "8"],
                ["rollout", "assign", "--units", "/dev/zero", "--salt", "s", "--weights", "a=50,b=50"],
                ["rollout", "assign", "--units", "/dev/null", "--salt", "s", "--weights", "a=50,b=50"],
                ["rollout", "simulate", "--policy", "/dev/null"],
            ] {
                let result = try Executables.run("mlops", command, in: folder.path)
                #expect(result.status == 2 && result.standardError.contains("device"), "\(command): \(result.standardError)")
                #expect(result.standardError.contains("Fix:"), "\(command): \(result.standardError)")
            }

            try "id,ts,y\na,10,1\nb,20,0\n".write(toFile: folder.file("e.csv"), atomically: true, encoding: .utf8)
            try "id,ft,x\na,5,1.5\n".write(toFile: folder.file("f.csv"), atomically: true, encoding: .utf8)
            let join = try Executables.run(
                "/bin/sh",
                ["-c", "mkfifo fe ff && (cat e.csv > fe &) && (cat f.csv > ff &) && \"$0\" features join --events fe --features ff --key id --event-time ts --feature-time ft --ttl 1d --output out.csv", mlops],
                in: folder.path)
            #expect(join.status == 0, "\(join.standardError)")
            #expect(try String(contentsOfFile: folder.file("out.csv"), encoding: .utf8) == "id,ts,y,x\na,10,1,1.5\nb,20,0,\n")

            // Both outputs are checked before the simulation: nothing is written when one cannot be.
            try "job_id,submit_time,duration,gpus\nj1,0,10,1\n".write(toFile: folder.file("t.csv"), atomically: true, encoding: .utf8)
            let simulate = try Executables.run("mlops", ["gpu", "simulate", "--trace", "t.csv", "--gpus", "8", "--schedule-out", "s.csv", "--plot", "nodir/p.svg"], in: folder.path)
            #expect(simulate.status == 2 && simulate.standardError.contains("--plot"), "\(simulate.standardError)")
            #expect(!FileManager.default.fileExists(atPath: folder.file("s.csv")))
        }
    }

    @Test("store check reports a damaged page as a finding (exit 1); a device is no store; a registry change refuses a SQLite file without tables, leaving it unchanged (second sweep)")
    func storeEdges() async throws {
        try withTemporaryFolder { folder in
            #expect(try Executables.run("mlops", ["store", "migrate", "--store", "sqlite:s.sqlite"], in: folder.path).status == 0)
            #expect(try Executables.run("mlops", ["principals", "add", "qa", "--role", "admin", "--store", "sqlite:s.sqlite"], in: folder.path).status == 0)
            let handle = try #require(FileHandle(forUpdatingAtPath: folder.file("s.sqlite")))
            try handle.seek(toOffset: 8192)
            try handle.write(contentsOf: Data(repeating: 0, count: 4096))
            try handle.close()
            let check = try Executables.run("mlops", ["store", "check", "--store", "sqlite:s.sqlite"], in: folder.path)
            #expect(check.status == 1 && check.standardOutput.contains("corrupt"), "\(check.status): \(check.standardOutput) \(check.standardError)")

            // An event log with only its header is said to hold no events (a column's kind was blamed).
            try "timestamp,variant,converted\n".write(toFile: folder.file("h.csv"), atomically: true, encoding: .utf8)
            let empty = try Executables.run("mlops", ["rollout", "analyze", "h.csv", "--metric", "converted", "--control", "a", "--candidate", "b"], in: folder.path)
            #expect(empty.status == 2 && empty.standardError.contains("no events"), "\(empty.standardError)")

            // A first principal that is not an admin is refused before a store is created.
            let notAdmin = try Executables.run("mlops", ["principals", "add", "bob", "--role", "approve", "--store", "sqlite:new.sqlite"], in: folder.path)
            #expect(notAdmin.status == 2 && notAdmin.standardError.contains("admin"), "\(notAdmin.standardError)")
            #expect(!FileManager.default.fileExists(atPath: folder.file("new.sqlite")))

            for device in ["/dev/zero", "/dev/null"] {
                let result = try Executables.run("mlops", ["store", "check", "--store", "sqlite:\(device)"], in: folder.path)
                #expect(result.status == 2 && result.standardError.contains("device"), "\(device): \(result.standardError)")
            }

            // A SQLite database whose only table was dropped: a file of one empty page.
            #expect(try Executables.run("mlops", ["store", "migrate", "--store", "sqlite:t.sqlite"], in: folder.path).status == 0)
            let sqlite = try Executables.run("/bin/sh", ["-c", "command -v sqlite3 >/dev/null && rm t.sqlite && sqlite3 t.sqlite 'CREATE TABLE x(a); DROP TABLE x;'"], in: folder.path)
            if sqlite.status == 0 {
                let before = try Data(contentsOf: URL(fileURLWithPath: folder.file("t.sqlite")))
                try Data("model".utf8).write(to: URL(fileURLWithPath: folder.file("model.bin")))
                let register = try Executables.run("mlops", ["models", "register", "team/m", "--store", "sqlite:t.sqlite", "--principal", "qa", "--artifact-file", "model.bin"], in: folder.path)
                #expect(register.status == 2 && register.standardError.contains("no store"), "\(register.standardError)")
                #expect(try Data(contentsOf: URL(fileURLWithPath: folder.file("t.sqlite"))) == before)
                // Reading it: no advice the command line cannot follow.
                let read = try Executables.run("mlops", ["runs", "list", "--store", "sqlite:t.sqlite"], in: folder.path)
                #expect(read.status == 2 && !read.standardError.contains("migration on") && read.standardError.contains("store migrate"), "\(read.standardError)")
            }
        }
    }

    @Test("mlops help NAME refuses a name that is no command (it printed the top-level help with exit 0); known names still get their help")
    func helpTopics() async throws {
        let unknown = await MLOps.run(arguments: ["help", "nope"])
        #expect(unknown.exitCode == 2 && unknown.error.contains("'nope'") && unknown.error.contains("drift"), "\(unknown.error)")
        let nested = await MLOps.run(arguments: ["help", "models", "nope"])
        #expect(nested.exitCode == 2 && nested.error.contains("`mlops models`"), "\(nested.error)")
        for topic in [["help"], ["help", "drift"], ["help", "drift", "baseline", "save"], ["help", "models", "promote"]] {
            let known = await MLOps.run(arguments: topic)
            #expect(known.exitCode == 0 && known.output.contains("USAGE"), "\(topic): \(known.error)")
        }
    }

    @Test("--output writes through a FIFO or a device and replaces a linked file, leaving the link (it replaced the node)")
    func outputsWriteThroughSpecialFiles() async throws {
        try await withTemporaryFolder { folder in
            try Self.writeDriftFiles(in: folder)
            let (reference, current) = (folder.file("ref.csv"), folder.file("cur.csv"))

            // A FIFO: the report arrives through it, and it is still a FIFO after.
            let fifo = folder.file("report.fifo")
            #expect(mkfifo(fifo, 0o600) == 0)
            let received = Task.detached { Self.readAll(fifo) }
            let piped = await mlops("drift", reference, current, "--output", fifo, "--format", "json")
            // Had the command failed before opening the FIFO, the reader would wait forever.
            let release = open(fifo, O_WRONLY | O_NONBLOCK)
            if release >= 0 { close(release) }
            #expect(piped.exitCode == 0 || piped.exitCode == 1, "\(piped.transcript)")
            #expect(await received.value.contains("\"columns\""))
            #expect(Self.fileType(fifo) == S_IFIFO)

            // /dev/null stays the device.
            let devnull = await mlops("drift", reference, current, "--output", "/dev/null")
            #expect(devnull.exitCode == 0 || devnull.exitCode == 1, "\(devnull.transcript)")
            #expect(Self.fileType("/dev/null") == S_IFCHR)

            // A link to a regular file: the file gets the report, the link stays a link.
            try write("old", to: folder.file("target.json"))
            #expect(symlink("target.json", folder.file("link.json")) == 0)
            let linked = await mlops("drift", reference, current, "--output", folder.file("link.json"), "--format", "json")
            #expect(linked.exitCode == 0 || linked.exitCode == 1, "\(linked.transcript)")
            #expect(Self.fileType(folder.file("link.json"), followLinks: false) == S_IFLNK)
            #expect(try String(contentsOfFile: folder.file("target.json"), encoding: .utf8).contains("\"columns\""))
        }
    }

    @Test("--columns with no name is a plain usage error, not an internal type's description")
    func emptyColumnsMessage() async throws {
        try await withTemporaryFolder { folder in
            try Self.writeDriftFiles(in: folder)
            for columns in [",", " "] {
                let result = await mlops("drift", folder.file("ref.csv"), folder.file("cur.csv"), "--columns", columns)
                #expect(result.exitCode == 2)
                #expect(result.error.contains("names no column"), "\(result.transcript)")
                #expect(!result.error.contains("CommandFailure"), "\(result.transcript)")
            }
        }
    }

    @Test("a baseline of values near ±1.8e308 is saved and read back (its mean overflowed and the saved profile could not be read)")
    func hugeValuesBaseline() async throws {
        try await withTemporaryFolder { folder in
            let store = "sqlite:\(folder.file("s.sqlite"))"
            try write("a\n" + Array(repeating: "1e308\n-1e308\n", count: 50).joined(), to: folder.file("big.csv"))
            let saved = await mlops("drift", "baseline", "save", "big", folder.file("big.csv"), "--store", store)
            #expect(saved.exitCode == 0, "\(saved.transcript)")
            let checked = await mlops("drift", "check", "big", folder.file("big.csv"), "--store", store)
            #expect(checked.exitCode == 0, "\(checked.transcript)")
        }
    }

    @Test("principals list --format json is the same bytes every run: roles sorted")
    func principalsJSONIsStable() async throws {
        try await withTemporaryFolder { folder in
            let store = "sqlite:\(folder.file("p.sqlite"))"
            _ = await mlops("principals", "add", "root", "--role", "admin", "--store", store)
            let added = await mlops("principals", "add", "ci", "--role", "register", "--role", "promote", "--role", "approve", "--principal", "root", "--store", store)
            #expect(added.exitCode == 0, "\(added.transcript)")
            // The Set's order changes between processes; two in-process reads would agree anyway.
            var outputs = Set<String>()
            for _ in 0..<3 {
                outputs.insert(try Executables.run("mlops", ["principals", "list", "--store", store, "--format", "json"]).standardOutput)
            }
            #expect(outputs.count == 1)
            let listed = try JSONSerialization.jsonObject(with: Data((outputs.first ?? "").utf8)) as? [String: Any]
            let principals = listed?["principals"] as? [[String: Any]] ?? []
            #expect(principals.first { $0["id"] as? String == "ci" }?["roles"] as? [String] == ["approve", "promote", "register"], "\(outputs)")
        }
    }

    @Test("a misspelt risk class is registered with a warning but cannot be promoted where policies govern other classes; its own policy then applies")
    func riskClassWithoutPolicy() async throws {
        try await withTemporaryFolder { folder in
            let store = try await RegistryCommandTests.governedStore(folder)
            try write("{}", to: folder.file("m.json"))
            let typo = await mlops("models", "register", "fraud/typo", "--risk-class", "hgih", "--artifact-file", folder.file("m.json"), "--principal", "ci", "--store", store)
            #expect(typo.exitCode == 0, "\(typo.transcript)")
            #expect(typo.error.contains("warning: risk class 'hgih'"), "\(typo.transcript)")
            // production has a policy for high only; the typo must not make the model free of rules.
            let refused = await mlops("models", "promote", "fraud/typo", "--version", "1", "--alias", "production", "--principal", "ci", "--store", store)
            #expect(refused.exitCode == 1, "\(refused.transcript)")
            #expect(refused.error.contains("risk_class_policy"), "\(refused.transcript)")
            // An alias without any policy stays free, as for every class.
            let staging = await mlops("models", "promote", "fraud/typo", "--version", "1", "--alias", "staging", "--principal", "ci", "--store", store)
            #expect(staging.exitCode == 0, "\(staging.transcript)")
            // A built-in class without a policy of its own is free at production, as before.
            let low = await mlops("models", "register", "fraud/low", "--risk-class", "low", "--artifact-file", folder.file("m.json"), "--principal", "ci", "--store", store)
            #expect(low.exitCode == 0 && !low.error.contains("warning"), "\(low.transcript)")
            let lowPromoted = await mlops("models", "promote", "fraud/low", "--version", "1", "--alias", "production", "--principal", "ci", "--store", store)
            #expect(lowPromoted.exitCode == 0, "\(lowPromoted.transcript)")

            // An organisation's own class with a policy: that policy applies.
            let policy = await mlops("policies", "set", "--alias", "production", "--risk-class", "regulated", "--approvals", "2", "--principal", "root", "--store", store)
            #expect(policy.exitCode == 0, "\(policy.transcript)")
            let own = await mlops("models", "register", "fraud/own", "--risk-class", "regulated", "--artifact-file", folder.file("m.json"), "--principal", "ci", "--store", store)
            #expect(own.exitCode == 0 && !own.error.contains("warning"), "\(own.transcript)")
            let promote = await mlops("models", "promote", "fraud/own", "--version", "1", "--alias", "production", "--principal", "ci", "--store", store)
            #expect(promote.exitCode == 1, "\(promote.transcript)")
            #expect(promote.error.contains("approvals") && !promote.error.contains("risk_class_policy"), "\(promote.transcript)")
        }
    }

    @Test("an anchor at entry 0 must be the empty log's head; --expect-current 0 is a usage error")
    func impossibleHeads() async throws {
        try await withTemporaryFolder { folder in
            let store = try await RegistryCommandTests.governedStore(folder)
            let forged = await mlops("audit", "verify", "--anchor", "0 " + String(repeating: "f", count: 64), "--store", store)
            #expect(forged.exitCode == 2, "\(forged.transcript)")
            let empty = await mlops("audit", "verify", "--anchor", "0 " + String(repeating: "0", count: 64), "--store", store)
            #expect(empty.exitCode == 0, "\(empty.transcript)")
            for command in ["promote", "rollback"] {
                var arguments = ["models", command, "fraud/scorer", "--alias", "production", "--expect-current", "0", "--principal", "root", "--reason", "x", "--store", store]
                if command == "promote" { arguments += ["--version", "1"] }
                let result = await mlops(arguments)
                #expect(result.exitCode == 2, "\(command): \(result.transcript)")
            }
        }
    }

    @Test("the demo refuses a store whose registry it did not bootstrap, before writing to it")
    func demoRefusesForeignRegistry() async throws {
        try await withTemporaryFolder { folder in
            let store = try await RegistryCommandTests.governedStore(folder)
            let before = await mlops("audit", "head", "--store", store)
            let demo = await mlops("demo", "--output", folder.file("demo"), "--store", store)
            #expect(demo.exitCode == 2, "\(demo.transcript)")
            #expect(demo.error.contains("demo-admin"), "\(demo.transcript)")
            let after = await mlops("audit", "head", "--store", store)
            #expect(after.output == before.output)
            let runs = await mlops("runs", "list", "--store", store, "--format", "json")
            #expect(!runs.output.contains("fraud-demo"), "\(runs.output)")
        }
    }

    @Test("a purge pointed at an empty folder is refused and purges nothing")
    func purgeNeedsTheArtifactFolder() async throws {
        try await withTemporaryFolder { folder in
            let store = try await RegistryCommandTests.governedStore(folder)
            try FileManager.default.createDirectory(atPath: folder.file("wrong"), withIntermediateDirectories: false)
            let purge = await mlops("models", "purge", "fraud/scorer", "--version", "1", "--reason", "gdpr", "--principal", "root", "--artifacts", folder.file("wrong"), "--store", store)
            #expect(purge.exitCode == 2, "\(purge.transcript)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("wrong")).isEmpty)
            let show = await mlops("models", "show", "fraud/scorer", "--version", "1", "--store", store, "--format", "json")
            #expect(!show.output.contains("\"purged\""), "\(show.output)")
        }
    }

    /// Reading as a second user needs root and setpriv (util-linux): CI and this machine have both.
    static let canReadAsAnotherUser = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")

    @Test(
        "a user without write access to the store's folder can still read it (SQLite could not make its -shm file)",
        .enabled(if: canReadAsAnotherUser))
    func readOnlyFolder() async throws {
        try await withTemporaryFolder { folder in
            let store = try await RegistryCommandTests.governedStore(folder)
            let locked = folder.file("locked")
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
            let path = store.dropFirst("sqlite:".count)
            try FileManager.default.copyItem(atPath: String(path), toPath: "\(locked)/r.sqlite")
            #expect(chmod("\(locked)/r.sqlite", 0o444) == 0 && chmod(locked, 0o555) == 0 && chmod(folder.path, 0o755) == 0)
            func listAsNobody() throws -> (status: Int32, output: String, error: String) {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
                process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "\(Executables.productsFolder)/mlops", "models", "list", "--store", "sqlite://\(locked)/r.sqlite"]
                let output = Pipe(), error = Pipe()
                process.standardOutput = output
                process.standardError = error
                try process.run()
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                return (process.terminationStatus, text, message)
            }
            let listed = try listAsNobody()
            #expect(listed.status == 0, "\(listed.error)")
            #expect(listed.output.contains("fraud/scorer"), "\(listed.output)\(listed.error)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: locked) == ["r.sqlite"])
            // Empty side files (a writer's leftovers that hold nothing) do not stop the read;
            // they gave "attempt to write a readonly database" or "holds commits".
            for suffix in ["-journal", "-wal"] {
                #expect(FileManager.default.createFile(atPath: "\(locked)/r.sqlite\(suffix)", contents: Data()))
                let beside = try listAsNobody()
                #expect(beside.status == 0 && beside.output.contains("fraud/scorer"), "empty \(suffix): \(beside.error)")
                try FileManager.default.removeItem(atPath: "\(locked)/r.sqlite\(suffix)")
            }
        }
    }

    @Test("text output shows control characters escaped: a stored description cannot drive the terminal")
    func controlCharactersAreShownEscaped() async throws {
        try await withTemporaryFolder { folder in
            let store = try await RegistryCommandTests.governedStore(folder)
            let registered = await mlops(
                "models", "register", "fraud/esc", "--description", "x\u{1B}[2Jy\u{07}", "--owner", "o\u{1B}]0;title\u{07}",
                "--principal", "ci", "--store", store)
            #expect(registered.exitCode == 0, "\(registered.transcript)")
            let shown = await mlops("models", "show", "fraud/esc", "--store", store)
            #expect(shown.exitCode == 0, "\(shown.transcript)")
            #expect(!shown.output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(shown.output)")
            #expect(shown.output.contains("x\\u{1B}[2Jy\\u{7}"), "\(shown.output)")
            // JSON keeps the exact text (escaped by JSON itself).
            let json = await mlops("models", "show", "fraud/esc", "--store", store, "--format", "json")
            #expect(json.output.contains("x\\u001b[2Jy\\u0007"), "\(json.output)")
        }
    }

    @Test("a bad CSV row's message gives command-line advice, not Swift API options")
    func commandLineAdviceForBadRows() async throws {
        try await withTemporaryFolder { folder in
            try Self.writeDriftFiles(in: folder)
            try write("a,b\n1,2\n3\n", to: folder.file("short.csv"))
            for file in ["short.csv"] {
                let result = await mlops("drift", folder.file("ref.csv"), folder.file(file))
                #expect(result.exitCode == 2, "\(result.transcript)")
                #expect(result.error.contains("Line "), "\(result.transcript)")
                for api in ["badRowPolicy", "hasHeaderRow", "inferenceRowCount", "schema:"] {
                    #expect(!result.error.contains(api), "\(file): \(result.transcript)")
                }
            }
            // A text value after the rows the column's kind is inferred from: the column is read
            // again as text and reported (see DriftCommandTests), not a failed read.
            try write("a,b\n" + String(repeating: "1,2\n", count: 20_000) + "x,3\n", to: folder.file("text.csv"))
            let late = await mlops("drift", folder.file("ref.csv"), folder.file("text.csv"))
            #expect(late.exitCode != 2, "\(late.transcript)")
        }
    }

    @Test("import-mlflow of a file that is not MLflow's creates no store and names the file, not --store")
    func importMLflowChecksTheFileFirst() async throws {
        try await withTemporaryFolder { folder in
            try write("not a database at all, just text long enough to be a header", to: folder.file("garbage.db"))
            let store = folder.file("new.sqlite")
            let result = await mlops("runs", "import-mlflow", folder.file("garbage.db"), "--store", "sqlite:\(store)")
            #expect(result.exitCode == 2, "\(result.transcript)")
            #expect(result.error.contains("garbage.db"), "\(result.transcript)")
            #expect(!result.error.contains("--store"), "\(result.transcript)")
            #expect(!FileManager.default.fileExists(atPath: store))
        }
    }

    @Test("tags under mlops. are reserved for what mlops writes (a bundle's provenance)")
    func reservedTags() async throws {
        try await withTemporaryFolder { folder in
            let store = try await RegistryCommandTests.governedStore(folder)
            try write("{}", to: folder.file("m.json"))
            let forged = await mlops("models", "register", "fraud/scorer", "--artifact-file", folder.file("m.json"), "--tag", "mlops.bundle.source=forged", "--principal", "ci", "--store", store)
            #expect(forged.exitCode == 2, "\(forged.transcript)")
            #expect(forged.error.contains("reserved"), "\(forged.transcript)")
        }
    }

    @Test("a registry change refused in an empty file leaves it empty (it used to become a full store)")
    func emptyStoreFileStaysEmpty() async throws {
        try await withTemporaryFolder { folder in
            let store = folder.file("z.sqlite")
            try write("", to: store)
            let register = await mlops("models", "register", "team/model", "--principal", "nobody", "--store", "sqlite:\(store)")
            #expect(register.exitCode == 2, "\(register.transcript)")
            let policy = await mlops("policies", "set", "--alias", "production", "--approvals", "1", "--principal", "nobody", "--store", "sqlite:\(store)")
            #expect(policy.exitCode == 2, "\(policy.transcript)")
            #expect(try FileManager.default.attributesOfItem(atPath: store)[.size] as? Int == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["z.sqlite"])
        }
    }

    @Test("a device given as an input file is refused at once (/dev/zero was read without end)")
    func deviceInputsAreRefused() async throws {
        try await withTemporaryFolder { folder in
            try Self.writeDriftFiles(in: folder)
            let drift = await mlops("drift", "/dev/zero", folder.file("cur.csv"))
            #expect(drift.exitCode == 2, "\(drift.transcript)")
            #expect(drift.error.contains("/dev/zero is a device"), "\(drift.transcript)")
        }
    }

    @Test("the first principal adds itself: an acting principal that does not exist is refused, not written to the audit log")
    func bootstrapNamesNoGhost() async throws {
        try await withTemporaryFolder { folder in
            let store = "sqlite:\(folder.file("b.sqlite"))"
            let ghost = await mlops("principals", "add", "first", "--role", "admin", "--principal", "ghost", "--store", store)
            #expect(ghost.exitCode == 2, "\(ghost.transcript)")
            #expect(ghost.error.contains("ghost"), "\(ghost.transcript)")
            let first = await mlops("principals", "add", "first", "--role", "admin", "--store", store)
            #expect(first.exitCode == 0, "\(first.transcript)")
            let log = await mlops("audit", "list", "--store", store, "--format", "json")
            #expect(!log.output.contains("ghost"), "\(log.output)")
        }
    }

    @Test("JSON output stays valid JSON with DEL and C1 characters in stored text (text output escapes C0 only)")
    func jsonWithDelAndC1() async throws {
        try await withTemporaryFolder { folder in
            let store = try await RegistryCommandTests.governedStore(folder)
            let registered = await mlops("models", "register", "fraud/c1", "--description", "a\u{7F}b\u{9B}c", "--principal", "ci", "--store", store)
            #expect(registered.exitCode == 0, "\(registered.transcript)")
            for command in [["models", "list"], ["models", "show", "fraud/c1"], ["audit", "list"]] {
                let result = await mlops(command + ["--store", store, "--format", "json"])
                #expect(result.exitCode == 0, "\(command): \(result.transcript)")
                #expect((try? JSONSerialization.jsonObject(with: Data(result.output.utf8))) != nil, "\(command): not JSON: \(result.output)")
            }
        }
    }

    @Test("--artifact-file /dev/zero is refused before anything is stored (it filled the disk)")
    func deviceArtifactFile() async throws {
        try await withTemporaryFolder { folder in
            let store = try await RegistryCommandTests.governedStore(folder)
            let result = await mlops("models", "register", "fraud/zero", "--artifact-file", "/dev/zero", "--principal", "ci", "--store", store)
            #expect(result.exitCode == 2, "\(result.transcript)")
            #expect(result.error.contains("device"), "\(result.transcript)")
        }
    }

    @Test("--output /dev/stdout appends to a redirected file instead of replacing it")
    func stdoutRedirectedToAFile() async throws {
        try withTemporaryFolder { folder in
            try Self.writeDriftFiles(in: folder)
            try write("kept line\n", to: folder.file("app.txt"))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "'\(Executables.productsFolder)/mlops' drift ref.csv cur.csv --format json --output /dev/stdout >> app.txt"]
            process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0 || process.terminationStatus == 1)
            let text = try String(contentsOfFile: folder.file("app.txt"), encoding: .utf8)
            #expect(text.hasPrefix("kept line\n{"), "\(text.prefix(200))")
        }
    }

    @Test("a report is not written as the store's journal or over a link to a folder")
    func outputsThatWouldBreakSomething() async throws {
        try await withTemporaryFolder { folder in
            try Self.writeDriftFiles(in: folder)
            let store = folder.file("s.sqlite")
            let saved = await mlops("drift", "baseline", "save", "b", folder.file("ref.csv"), "--store", "sqlite:\(store)")
            #expect(saved.exitCode == 0, "\(saved.transcript)")
            for suffix in ["-journal", "-wal"] {
                let check = await mlops("drift", "check", "b", folder.file("cur.csv"), "--store", "sqlite:\(store)", "--output", store + suffix)
                #expect(check.exitCode == 2, "\(check.transcript)")
                #expect(!FileManager.default.fileExists(atPath: store + "-journal"))
            }
            try FileManager.default.createDirectory(atPath: folder.file("dir"), withIntermediateDirectories: false)
            #expect(symlink("dir", folder.file("dirlink")) == 0)
            let linked = await mlops("drift", folder.file("ref.csv"), folder.file("cur.csv"), "--output", folder.file("dirlink"))
            #expect(linked.exitCode == 2, "\(linked.transcript)")
            #expect(Self.fileType(folder.file("dirlink"), followLinks: false) == S_IFLNK)
        }
    }

    @Test("the demo refuses a foreign registry without migrating its store")
    func demoRefusalChangesNothing() async throws {
        try await withTemporaryFolder { folder in
            let store = try await RegistryCommandTests.governedStore(folder)
            // The schemas the store records, before and after: a refused demo migrates nothing.
            let before = await mlops("store", "check", "--store", store, "--format", "json")
            let demo = await mlops("demo", "--output", folder.file("demo"), "--store", store)
            #expect(demo.exitCode == 2, "\(demo.transcript)")
            let after = await mlops("store", "check", "--store", store, "--format", "json")
            #expect(after.output == before.output)
        }
    }

    @Test("a purge naming another artifact store than the version's is refused before anything changes (it purged the record and left the bytes)")
    func purgeNeedsTheFolderWithTheBytes() async throws {
        try await withTemporaryFolder { folder in
            let store = try await RegistryCommandTests.governedStore(folder)
            // Another valid artifact store: it holds an artifact, not this version's.
            let other = try FileSystemArtifactStore(root: folder.file("other.artifacts"))
            _ = try await other.put(Array("other bytes".utf8))
            let refused = await mlops(
                "models", "purge", "fraud/scorer", "--version", "1", "--reason", "gdpr", "--principal", "root",
                "--artifacts", folder.file("other.artifacts"), "--store", store)
            #expect(refused.exitCode == 2, "\(refused.transcript)")
            #expect(refused.error.contains("does not hold the artifact of fraud/scorer version 1"), "\(refused.transcript)")
            let show = await mlops("models", "show", "fraud/scorer", "--version", "1", "--store", store, "--format", "json")
            #expect(show.exitCode == 0 && !show.output.contains("\"purged\""), "\(show.output)")
            // The folder that holds the bytes, named explicitly, purges both.
            let purged = await mlops(
                "models", "purge", "fraud/scorer", "--version", "1", "--reason", "gdpr", "--principal", "root",
                "--artifacts", folder.file("registry.artifacts"), "--store", store, "--format", "json")
            #expect(purged.exitCode == 0, "\(purged.transcript)")
            #expect(purged.output.contains("\"artifact_bytes_removed\" : true"), "\(purged.output)")
        }
    }

    @Test("rollout assign refuses binary or endless unbroken standard input instead of reading it until memory runs out")
    func assignRefusesBinaryInput() async throws {
        try withTemporaryFolder { folder in
            let mlops = "\(Executables.productsFolder)/mlops"
            let arguments = "rollout assign --units - --salt s --weights a=50,b=50"
            let zeros = try Executables.run("/bin/sh", ["-c", "\(mlops) \(arguments) < /dev/zero"])
            #expect(zeros.status == 2, "\(zeros.standardError)")
            #expect(zeros.standardError.contains("standard input, line 1: a NUL byte"), "\(zeros.standardError)")
            // No NUL, no line break: refused after 1 MiB (`yes` without its line breaks).
            let unbroken = try Executables.run("/bin/sh", ["-c", "yes x | tr -d '\\n' | \(mlops) \(arguments)"])
            #expect(unbroken.status == 2, "\(unbroken.standardError)")
            #expect(unbroken.standardError.contains("without a line break"), "\(unbroken.standardError)")
            // A file with a NUL names its line; ordinary input still works.
            try write("u1\nu2\nu\u{0}3\n", to: folder.file("units.txt"))
            let file = try Executables.run("mlops", ["rollout", "assign", "--units", folder.file("units.txt"), "--salt", "s", "--weights", "a=50,b=50"])
            #expect(file.status == 2 && file.standardError.contains("line 3: a NUL byte"), "\(file.standardError)")
            let fine = try Executables.run("/bin/sh", ["-c", "printf 'u1\\nu2\\n' | \(mlops) \(arguments)"])
            // A CSV read from standard input goes through a temporary copy, which errors do not name.
            let csv = try Executables.run("/bin/sh", ["-c", "printf 'unit,x\\n\"a,1\\n' | \(mlops) \(arguments)"])
            #expect(csv.status == 2 && csv.standardError.contains("of standard input") && !csv.standardError.contains("mlops-units-"), "\(csv.standardError)")
            #expect(fine.status == 0 && fine.standardOutput.hasPrefix("unit,variant\nu1,"), "\(fine.standardError)")
        }
    }

    @Test("store check lists a module this build does not know, without calling it a problem (it was left out)")
    func storeCheckNamesUnknownModules() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("s.sqlite")
            let migrated = await mlops("store", "migrate", "--store", "sqlite:\(path)")
            #expect(migrated.exitCode == 0, "\(migrated.transcript)")
            let database = try await SQLiteDatabase(path: path)
            let future = SQLSchema(module: "future_product", migrations: [
                SQLMigration(version: 1, name: "create", script: { _ in "CREATE TABLE future_things (id INTEGER PRIMARY KEY)" })
            ])
            _ = try await database.migrate([future])
            try await database.close()
            let check = await mlops("store", "check", "--store", "sqlite:\(path)", "--format", "json")
            #expect(check.exitCode == 0, "\(check.transcript)")
            #expect(check.output.contains("\"module\" : \"future_product\""), "\(check.output)")
            #expect(check.output.contains("\"status\" : \"unknown\""), "\(check.output)")
        }
    }

    @Test("the demo checks a named store before it makes its output folder (a wrong one left the folder and its marker)")
    func demoChecksTheStoreFirst() async throws {
        try await withTemporaryFolder { folder in
            try write("not a database, just text", to: folder.file("text.sqlite"))
            try write("", to: folder.file("plain-file"))
            let cases = [
                "sqlite:\(folder.file("missing/folder/s.sqlite"))",
                "sqlite:\(folder.file("plain-file"))/s.sqlite",
                "sqlite:\(folder.path)",
                "sqlite:\(folder.file("text.sqlite"))",
            ]
            for (index, store) in cases.enumerated() {
                let output = folder.file("demo-\(index)")
                let demo = await mlops("demo", "--output", output, "--store", store)
                #expect(demo.exitCode == 2, "\(store): \(demo.transcript)")
                #expect(!FileManager.default.fileExists(atPath: output), "\(store) left \(output)")
            }
            #expect(!FileManager.default.fileExists(atPath: folder.file("missing")))
        }
    }

    @Test("import-mlflow checks every row before it creates the store, and names the table and run of a bad one (it created the store and spoke of casts in queries)")
    func importMLflowChecksRowsFirst() async throws {
        try await withTemporaryFolder { folder in
            let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("LineageTests/Fixtures/mlflow.sqlite").path
            let damaged = folder.file("damaged.db")
            try FileManager.default.copyItem(atPath: fixture, toPath: damaged)
            let database = try await SQLiteDatabase(path: damaged)
            _ = try await database.write { db in
                try await db.execute("UPDATE metrics SET value = 'oops' WHERE rowid = (SELECT max(rowid) FROM metrics)")
            }
            try await database.close()
            let store = folder.file("new.sqlite")
            let result = await mlops("runs", "import-mlflow", damaged, "--store", "sqlite:\(store)")
            #expect(result.exitCode == 2, "\(result.transcript)")
            #expect(result.error.contains("a row in its metrics table (run "), "\(result.transcript)")
            #expect(!result.error.contains("cast it in the query"), "\(result.transcript)")
            #expect(!FileManager.default.fileExists(atPath: store), "the refused import created \(store)")
        }
    }

    @Test("drift --columns naming a column neither file has is a usage error naming the files' columns (it was reported as a column the current data has)")
    func driftColumnsTypo() async throws {
        try await withTemporaryFolder { folder in
            try Self.writeDriftFiles(in: folder)
            let result = await mlops("drift", folder.file("ref.csv"), folder.file("cur.csv"), "--columns", "a,nonexistent")
            #expect(result.exitCode == 2, "\(result.transcript)")
            #expect(result.error.contains("--columns names 'nonexistent', which neither file has (their columns: a, b)"), "\(result.transcript)")
            #expect(!result.output.contains("the current data has this column"), "\(result.transcript)")
        }
    }

    @Test("JSON files of the wrong shape and unwritable outputs are described in JSON's and the user's words, not Swift type names")
    func messagesWithoutSwiftTypeNames() async throws {
        try await withTemporaryFolder { folder in
            try write("[1, 2]", to: folder.file("array.json"))
            try write("timestamp,unit,variant,m\n2024-01-01T00:00:00Z,u1,a,1\n", to: folder.file("events.csv"))
            let policy = await mlops("rollout", "analyze", folder.file("events.csv"), "--control", "a", "--candidate", "b", "--metric", "m", "--policy", folder.file("array.json"))
            #expect(policy.exitCode == 2 && policy.error.contains("the top level is not an object"), "\(policy.transcript)")
            try write(#"{"nodes": "x"}"#, to: folder.file("cluster.json"))
            try write("submit_time,duration_s,gpus,team\n0,10,1,a\n", to: folder.file("trace.csv"))
            let cluster = await mlops("gpu", "simulate", "--trace", folder.file("trace.csv"), "--cluster", folder.file("cluster.json"))
            #expect(cluster.exitCode == 2 && cluster.error.contains("'nodes' is not a list"), "\(cluster.transcript)")
            try write("id,ts,x\n1,2024-01-01T00:00:00Z,1\n", to: folder.file("events2.csv"))
            try write("id,ts,f\n1,2023-12-31T00:00:00Z,5\n", to: folder.file("features.csv"))
            let full = await mlops(
                "features", "join", "--events", folder.file("events2.csv"), "--features", folder.file("features.csv"), "--key", "id",
                "--event-time", "ts", "--feature-time", "ts", "--ttl", "2d", "--output", "/dev/full")
            #expect(full.exitCode == 2 && full.error.contains("No space left on device"), "\(full.transcript)")
            for result in [policy, cluster, full] {
                for name in ["Dictionary<", "Array<", "TableError error", "fileUnwritable", "Expected to decode"] {
                    #expect(!result.error.contains(name), "\(result.transcript)")
                }
            }
        }
    }

    @Test("configuration files can come through a pipe (a shell's <(…)), as a file can; they were refused with 'You don't have permission'")
    func configurationThroughAPipe() async throws {
        try await withTemporaryFolder { folder in
            var events = "timestamp,unit,variant,m\n"
            for i in 0..<400 { events += "2024-01-01T00:00:00Z,u\(i),\(i % 2 == 0 ? "a" : "b"),\(i % 3)\n" }
            try write(events, to: folder.file("events.csv"))
            let fifo = folder.file("policy.fifo")
            #expect(mkfifo(fifo, 0o600) == 0)
            // The writer is a process of its own: a task blocked in open(2) would hold one of the
            // few threads the tests share.
            let writer = Process()
            writer.executableURL = URL(fileURLWithPath: "/bin/sh")
            writer.arguments = ["-c", #"printf '{"alpha": 0.01}' > "$0""#, fifo]
            try writer.run()
            let analyzed = await mlops(
                "rollout", "analyze", folder.file("events.csv"), "--control", "a", "--candidate", "b", "--metric", "m", "--kind", "mean",
                "--policy", fifo, "--format", "json")
            writer.waitUntilExit()
            #expect(analyzed.exitCode == 0 || analyzed.exitCode == 1, "\(analyzed.transcript)")
            #expect(analyzed.output.contains("\"alpha\" : 0.01"), "\(analyzed.transcript)")
        }
    }

    @Test("gpu simulate refuses one file for both --schedule-out and --plot (the plot replaced the schedule)")
    func simulateOutputsDiffer() async throws {
        try await withTemporaryFolder { folder in
            try write("submit_time,duration_s,gpus,team\n0,10,1,a\n", to: folder.file("trace.csv"))
            let same = folder.file("out.txt")
            let result = await mlops("gpu", "simulate", "--trace", folder.file("trace.csv"), "--gpus", "8", "--schedule-out", same, "--plot", same)
            #expect(result.exitCode == 2 && result.error.contains("both name"), "\(result.transcript)")
            #expect(!FileManager.default.fileExists(atPath: same))
        }
    }

    @Test("an import refused for its principal makes no artifact folder (it made an empty one)")
    func refusedImportMakesNoFolder() async throws {
        try await withTemporaryFolder { folder in
            let store = try await RegistryCommandTests.governedStore(folder)
            let exported = await mlops("models", "export", "fraud/scorer", "--version", "1", "--output", folder.file("v1.bundle"), "--store", store)
            #expect(exported.exitCode == 0, "\(exported.transcript)")
            for principal in ["nobody", "alice"] {
                let refused = await mlops(
                    "models", "import", folder.file("v1.bundle"), "--principal", principal, "--artifacts", folder.file("z.artifacts"), "--store", store)
                #expect(refused.exitCode == 2, "\(principal): \(refused.transcript)")
                #expect(!FileManager.default.fileExists(atPath: folder.file("z.artifacts")), "\(principal)")
            }
            let imported = await mlops("models", "import", folder.file("v1.bundle"), "--principal", "ci", "--artifacts", folder.file("z.artifacts"), "--store", store)
            #expect(imported.exitCode == 0, "\(imported.transcript)")
        }
    }

    // MARK: Helpers

    /// Two small CSV files, `ref.csv` and `cur.csv`, in `folder`.
    static func writeDriftFiles(in folder: TemporaryFolder) throws {
        var reference = "a,b\n", current = "a,b\n"
        for i in 0..<200 {
            reference += "\(Double(i) / 10),\(i % 7)\n"
            current += "\(Double(i) / 10 + 3),\(i % 5)\n"
        }
        try write(reference, to: folder.file("ref.csv"))
        try write(current, to: folder.file("cur.csv"))
    }

    /// Everything read from `path` until its end (a FIFO: until the writer closes it).
    static func readAll(_ path: String) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return "" }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The type bits of what is at `path` (`S_IFIFO`, `S_IFCHR`, `S_IFLNK`…), 0 when nothing is.
    static func fileType(_ path: String, followLinks: Bool = true) -> mode_t {
        var info = stat()
        let found = followLinks ? stat(path, &info) : lstat(path, &info)
        return found == 0 ? info.st_mode & S_IFMT : 0
    }
}
