import Foundation
import MLOpsTestSupport
import Synchronization
import Testing

/// Several processes on one store at once, as services that start together after a deploy:
/// they create it, migrate it, log runs into it, import into it and read it, all at the same
/// moment. Nothing may be lost, duplicated or refused.
@Suite("Several processes on one store", .serialized)
struct MultiProcessTests {
    @Test("create, migrate, log, import and read one SQLite file from 12 processes at once")
    func sqliteFile() async throws {
        try await withTemporaryFolder { folder in
            try await Self.exercise(store: "sqlite://\(folder.file("shared.sqlite"))", folder: folder.path, freshStore: true)
        }
    }

    @Test(
        "create, migrate, log, import and read one PostgreSQL database from 12 processes at once",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"))
    func postgres() async throws {
        try await withTemporaryFolder { folder in
            let url = ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? ""
            // The test database is shared: another test may have created the Lineage tables and
            // runs already. Only a database without them is treated as fresh (its readers wait).
            let check = try Executables.run("mlops", ["store", "check", "--store", url, "--format", "json"])
            let schemas = (try? Self.json(check.standardOutput)["schemas"] as? [[String: Any]]) ?? []
            let lineage = schemas.first { $0["module"] as? String == "lineage" }?["status"] as? String
            try await Self.exercise(store: url, folder: folder.path, freshStore: lineage == nil || lineage == "missing")
        }
    }

    @Test("4 demos at once on one SQLite file and on one new PostgreSQL database: all finish, each registers the runs it recorded, the audit chain holds")
    func demosAtOnce() async throws {
        try await withTemporaryFolder { folder in
            try await Self.demos(store: "sqlite://\(folder.file("demos.sqlite"))", folder: folder)
            guard ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil else { return }
            // A database of its own: the demo bootstraps only a registry that holds nothing.
            let base = PostgresStoreRefusalTests.baseURL
            let (address, query) = base.firstIndex(of: "?").map { (String(base[..<$0]), String(base[$0...])) } ?? (base, "")
            let name = "mlops_demos_\(UUID().uuidString.prefix(8).lowercased())"
            try PostgresStoreRefusalTests.psql(base, "CREATE DATABASE \(name)")
            defer { PostgresStoreRefusalTests.dropDatabase(name) }
            let slash = address.lastIndex(of: "/") ?? address.endIndex
            try await Self.demos(store: String(address[..<slash]) + "/" + name + query, folder: folder)
        }
    }

    /// Runs 4 demos at once on `store`, each into a folder of its own, and checks that each
    /// registered as `fraud/scorer` versions exactly the two runs its own Lineage chapter recorded.
    static func demos(store: String, folder: TemporaryFolder) async throws {
        let tag = String(UUID().uuidString.prefix(8)).lowercased()
        let outputs = (0..<4).map { folder.file("demo-\(tag)-\($0)") }
        let results = try await Executables.runConcurrently(outputs.map { ("mlops", ["demo", "--store", store, "--output", $0]) })
        for result in results { #expect(result.status == 0, "\(store): \(result.standardError)") }
        var recorded: [String] = []
        for output in outputs {
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + "/summary.json"))) as? [String: Any]
            let chapters = summary?["chapters"] as? [[String: Any]] ?? []
            let facts = chapters.first { $0["slug"] as? String == "lineage" }?["facts"] as? [[String: String]] ?? []
            recorded += facts.filter { $0["label"] == "first run" || $0["label"] == "second run" }.compactMap { $0["value"] }
        }
        #expect(recorded.count == 8 && Set(recorded).count == 8, "\(recorded)")
        let shown = try Executables.run("mlops", ["models", "show", "fraud/scorer", "--store", store, "--format", "json"])
        let versions = try Self.json(shown.standardOutput)["versions"] as? [[String: Any]] ?? []
        #expect(versions.compactMap { $0["run_id"] as? String }.sorted() == recorded.sorted())
        let verified = try Executables.run("mlops", ["audit", "verify", "--store", store])
        #expect(verified.status == 0, "\(verified.standardOutput)\(verified.standardError)")
    }

    @Test("6 processes rolling back one alias of one SQLite file while another writer holds the lock: one goes back one step, the others conflict")
    func rollbacksOnSQLite() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("registry.sqlite")
            let store = "sqlite://\(path)"
            var setup = [["principals", "add", "admin", "--role", "admin"], ["principals", "add", "ci", "--role", "register", "--role", "promote", "--principal", "admin"]]
            for version in 1...3 {
                let file = folder.file("model-\(version).bin")
                try Data("weights \(version)".utf8).write(to: URL(fileURLWithPath: file))
                setup.append(["models", "register", "race/scorer", "--risk-class", "low", "--artifact-file", file, "--principal", "ci"])
                setup.append(["models", "promote", "race/scorer", "--version", String(version), "--alias", "production", "--principal", "ci"])
            }
            for arguments in setup {
                let result = try Executables.run("mlops", arguments + ["--store", store])
                #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.standardError)")
            }
            // Another writer holds the lock while the rollbacks start: each must still expect the
            // holder it saw when it started (3), not the one it finds after the wait. (Six seconds:
            // long enough for six processes to start on two busy cores.)
            try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "the sqlite3 program holds the lock (apt-get install sqlite3)")
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            holder.arguments = ["sqlite3", path, "BEGIN IMMEDIATE;", ".system sleep 6", "COMMIT;"]
            try holder.run()
            try await Task.sleep(for: .milliseconds(300))
            let rollbacks = (0..<6).map { _ in
                (name: "mlops", arguments: ["models", "rollback", "race/scorer", "--alias", "production", "--reason", "race", "--principal", "ci", "--store", store])
            }
            let results = try await Executables.runConcurrently(rollbacks)
            holder.waitUntilExit()
            #expect(holder.terminationStatus == 0, "sqlite3 did not hold the lock")
            let winners = results.filter { $0.status == 0 }
            #expect(winners.count == 1, "\(winners.count) rollbacks won: \(results.map(\.standardError))")
            for result in results where result.status != 0 {
                #expect(result.status == 1 && result.standardError.contains("now points at version 2"), "\(result.status): \(result.standardError)")
            }
            let shown = try Executables.run("mlops", ["models", "show", "race/scorer", "--store", store, "--format", "json"])
            let aliases = try Self.json(shown.standardOutput)["aliases"] as? [[String: Any]] ?? []
            #expect(aliases.first?["version"] as? Int == 2, "\(aliases)")
            #expect(try Executables.run("mlops", ["audit", "verify", "--store", store]).status == 0)
        }
    }

    @Test("8 processes promoting different versions to one alias of one SQLite file: one wins, the others get a conflict")
    func promotionsOnSQLite() async throws {
        try await withTemporaryFolder { folder in
            try await Self.promotionRace(store: "sqlite://\(folder.file("registry.sqlite"))", folder: folder)
        }
    }

    @Test(
        "8 processes promoting different versions to one alias on PostgreSQL: one wins, the others get a conflict",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"))
    func promotionsOnPostgres() async throws {
        try await withTemporaryFolder { folder in
            try await Self.promotionRace(store: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? "", folder: folder)
        }
    }

    /// Registers a model with 8 versions, then starts 8 `mlops models promote` processes at once,
    /// each expecting the alias unset.
    static func promotionRace(store: String, folder: TemporaryFolder) async throws {
        let tag = String(UUID().uuidString.prefix(8)).lowercased()
        let (admin, ci) = ("admin-\(tag)", "ci-\(tag)")
        let existing = try Executables.run("mlops", ["principals", "list", "--store", store, "--format", "json"])
        let existingAdmin = (try? Self.json(existing.standardOutput)["principals"] as? [[String: Any]])?
            .first { ($0["roles"] as? [String])?.contains("admin") == true }?["id"] as? String
        var setup = [["principals", "add", admin, "--role", "admin"] + (existingAdmin.map { ["--principal", $0] } ?? [])]
        setup.append(["principals", "add", ci, "--role", "register", "--role", "promote", "--principal", admin])
        let model = "race-\(tag)/scorer"
        for version in 1...8 {
            let file = folder.file("model-\(version).bin")
            try Data("weights \(version) \(tag)".utf8).write(to: URL(fileURLWithPath: file))
            setup.append([
                "models", "register", model, "--risk-class", "low", "--artifact-file", file, "--artifacts", folder.file("artifacts"),
                "--principal", ci,
            ])
        }
        for arguments in setup {
            let result = try Executables.run("mlops", arguments + ["--store", store])
            #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.standardError)")
        }
        let alias = "production-\(tag)"
        let promotions = (1...8).map { version in
            (name: "mlops", arguments: ["models", "promote", model, "--version", String(version), "--alias", alias, "--expect-current", "none", "--principal", ci, "--store", store])
        }
        let results = try await Executables.runConcurrently(promotions)
        let winners = results.filter { $0.status == 0 }
        #expect(winners.count == 1, "\(winners.count) promotions won")
        for result in results where result.status != 0 {
            #expect(result.status == 1, "a losing promotion exited \(result.status): \(result.standardError)")
            #expect(result.standardError.contains("now points at version"), "\(result.standardError)")
        }
        let verify = try Executables.run("mlops", ["audit", "verify", "--store", store])
        #expect(verify.status == 0, "\(verify.standardOutput) \(verify.standardError)")
        let shown = try Executables.run("mlops", ["models", "show", model, "--store", store, "--format", "json"])
        let aliases = try Self.json(shown.standardOutput)["aliases"] as? [[String: Any]] ?? []
        #expect(aliases.count == 1 && aliases.first?["revision"] as? Int == 1, "\(aliases)")
    }

    @Test("6 processes registering, and 4 importing, versions of one new model on one SQLite file: all land, the model is created once")
    func newModelRaceOnSQLite() async throws {
        try await withTemporaryFolder { folder in
            try await Self.newModelRace(store: "sqlite://\(folder.file("registry.sqlite"))", folder: folder)
        }
    }

    @Test(
        "6 processes registering, and 4 importing, versions of one new model on PostgreSQL: all land, the model is created once",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"))
    func newModelRaceOnPostgres() async throws {
        try await withTemporaryFolder { folder in
            try await Self.newModelRace(store: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? "", folder: folder)
        }
    }

    /// Starts 6 `mlops models register` processes at once, each with its own artifact, for a model
    /// no store holds yet; then 4 `mlops models import` processes of one bundle for another new
    /// model. Each process either creates its model together with the first version or, having
    /// lost that race, adds the next version: every one exits 0, one says it created the model,
    /// and the versions are 1 to N, each once.
    static func newModelRace(store: String, folder: TemporaryFolder) async throws {
        let tag = String(UUID().uuidString.prefix(8)).lowercased()
        let (admin, ci) = ("admin-\(tag)", "ci-\(tag)")
        let existing = try Executables.run("mlops", ["principals", "list", "--store", store, "--format", "json"])
        let existingAdmin = (try? Self.json(existing.standardOutput)["principals"] as? [[String: Any]])?
            .first { ($0["roles"] as? [String])?.contains("admin") == true }?["id"] as? String
        for arguments in [
            ["principals", "add", admin, "--role", "admin"] + (existingAdmin.map { ["--principal", $0] } ?? []),
            ["principals", "add", ci, "--role", "register", "--principal", admin],
        ] {
            let result = try Executables.run("mlops", arguments + ["--store", store])
            #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.standardError)")
        }
        let artifacts = folder.file("artifacts")
        /// `fields` finds in one process's JSON whether it created the model, and its version.
        func checkVersions(of model: String, _ results: [Executables.Result], fields: ([String: Any]) -> (created: Bool, version: Int?)) throws {
            var created = 0
            var numbers: [Int] = []
            for result in results {
                #expect(result.status == 0, "\(model): \(result.standardError)")
                let (madeIt, version) = fields(try Self.json(result.standardOutput))
                if madeIt { created += 1 }
                numbers += version.map { [$0] } ?? []
            }
            #expect(created == 1, "\(model): \(created) processes created the model")
            #expect(numbers.sorted() == Array(1...results.count), "\(model): versions \(numbers.sorted())")
            let shown = try Executables.run("mlops", ["models", "show", model, "--store", store, "--format", "json"])
            let versions = try Self.json(shown.standardOutput)["versions"] as? [[String: Any]] ?? []
            #expect(versions.compactMap { $0["version"] as? Int } == Array(1...results.count), "\(shown.standardOutput)")
        }

        let registered = "new-\(tag)/scorer"
        var registrations: [(name: String, arguments: [String])] = []
        for index in 1...6 {
            let file = folder.file("weights-\(index).bin")
            try Data("weights \(index) \(tag)".utf8).write(to: URL(fileURLWithPath: file))
            registrations.append((
                "mlops",
                ["models", "register", registered, "--risk-class", "low", "--artifact-file", file, "--artifacts", artifacts,
                 "--principal", ci, "--store", store, "--format", "json"]))
        }
        try checkVersions(of: registered, try await Executables.runConcurrently(registrations)) {
            ($0["model_created"] as? Bool == true, ($0["version"] as? [String: Any])?["version"] as? Int)
        }

        // A bundle of a model the store does not hold yet, made in a store of its own.
        let source = "sqlite://\(folder.file("source-\(tag).sqlite"))"
        let imported = "moved-\(tag)/scorer"
        let bundle = folder.file("moved-\(tag).mlbundle")
        let weights = folder.file("moved.bin")
        try Data("moved \(tag)".utf8).write(to: URL(fileURLWithPath: weights))
        for arguments in [
            ["principals", "add", "root", "--role", "admin", "--role", "register"],
            ["models", "register", imported, "--artifact-file", weights, "--principal", "root"],
            ["models", "export", imported, "--version", "1", "--output", bundle],
        ] {
            let result = try Executables.run("mlops", arguments + ["--store", source])
            #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.standardError)")
        }
        let imports = (1...4).map { _ in
            (name: "mlops", arguments: ["models", "import", bundle, "--principal", ci, "--artifacts", artifacts, "--store", store, "--format", "json"])
        }
        try checkVersions(of: imported, try await Executables.runConcurrently(imports)) {
            let report = $0["imported"] as? [String: Any] ?? [:]
            return (report["model_registered"] as? Bool == true, report["version"] as? Int)
        }
        let verify = try Executables.run("mlops", ["audit", "verify", "--store", store])
        #expect(verify.status == 0, "\(verify.standardOutput) \(verify.standardError)")
    }

    /// One wave of 12 processes on `store`, then a count of what they left.
    static func exercise(store: String, folder: String, freshStore: Bool) async throws {
        let experiment = "multi-process-\(UUID().uuidString.prefix(8))"
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("LineageTests/Fixtures/mlflow.sqlite").path
        var commands: [(name: String, arguments: [String])] = []
        for _ in 0..<3 { commands.append(("mlops", ["store", "migrate", "--store", store])) }
        for _ in 0..<3 { commands.append(("train-and-trace", [folder, "--store", store, "--experiment", experiment])) }
        for _ in 0..<3 { commands.append(("mlops", ["runs", "import-mlflow", fixture, "--store", store, "--format", "json"])) }
        // Readers may start before the store has its tables: on a fresh store, they run after.
        // (They list one experiment: a shared PostgreSQL test database may hold many other runs.)
        let readers: [(name: String, arguments: [String])] = (0..<3).map { _ in
            ("mlops", ["runs", "list", "--store", store, "--experiment", experiment, "--format", "json", "--limit", "10000"])
        }
        if !freshStore { commands += readers }

        let results = try await Executables.runConcurrently(commands)
        for (command, result) in zip(commands, results) {
            #expect(result.status == 0, "\(command.name) \(command.arguments.joined(separator: " ")) exited \(result.status): \(result.standardError)")
        }

        // Every importer saw all five MLflow runs, and together they imported each once.
        var imported = 0
        for (command, result) in zip(commands, results) where command.arguments.starts(with: ["runs", "import-mlflow"]) {
            let report = try Self.json(result.standardOutput)
            let mine = report["imported"] as? Int ?? -1
            let present = report["already_present"] as? Int ?? -1
            #expect(mine + present == 5, "an importer reported \(result.standardOutput)")
            imported += mine
        }
        if freshStore { #expect(imported == 5) } else { #expect(imported <= 5) }

        if freshStore {
            for result in try await Executables.runConcurrently(readers) {
                #expect(result.status == 0, "a reader failed: \(result.standardError)")
            }
        }

        // The three training runs are there once each, with all their metric points.
        let listing = try Executables.run("mlops", ["runs", "list", "--store", store, "--experiment", experiment, "--format", "json", "--limit", "10000"])
        #expect(listing.status == 0, "\(listing.standardError)")
        let runs = try Self.runs(listing.standardOutput)
        #expect(runs.count == 3, "expected 3 runs of \(experiment), found \(runs.count)")
        for run in runs {
            let id = run["id"] as? String ?? ""
            let shown = try Executables.run("mlops", ["runs", "show", id, "--store", store, "--format", "json"])
            #expect(shown.status == 0, "\(shown.standardError)")
            #expect(shown.standardOutput.contains("\"mse\""), "run \(id) lost its metrics: \(shown.standardOutput.prefix(300))")
            #expect(run["status"] as? String == "finished")
        }
        // On the fresh store, every run (the MLflow ones too) exists once: 3 trained + 5 imported.
        // (Only a private SQLite file can be counted whole: tests running beside this one may add
        // runs to a shared PostgreSQL database even when it started fresh.)
        if freshStore && store.hasPrefix("sqlite") {
            let all = try Executables.run("mlops", ["runs", "list", "--store", store, "--format", "json", "--limit", "10000"])
            let ids = try Self.runs(all.standardOutput).compactMap { $0["id"] as? String }
            #expect(Set(ids).count == ids.count, "a run is listed twice")
            #expect(ids.count == 8, "expected 3 trained and 5 imported runs, found \(ids.count)")
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    /// The runs of a `runs list --format json` answer.
    static func runs(_ text: String) throws -> [[String: Any]] {
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        if let object = value as? [String: Any], let runs = object["runs"] as? [[String: Any]] { return runs }
        return value as? [[String: Any]] ?? []
    }
}

extension Executables {
    /// Starts every command at once and waits for all of them, suspending (not blocking) the
    /// calling task: each process is waited for on a dispatch thread of its own.
    static func runConcurrently(_ commands: [(name: String, arguments: [String])]) async throws -> [Result] {
        let group = DispatchGroup()
        let results = ResultSlots(count: commands.count)
        for (index, command) in commands.enumerated() {
            group.enter()
            DispatchQueue.global().async {
                results.set(index, Swift.Result { try Executables.run(command.name, command.arguments) })
                group.leave()
            }
        }
        await withCheckedContinuation { continuation in
            group.notify(queue: .global()) { continuation.resume() }
        }
        return try results.values()
    }
}

/// The results of concurrently started commands, one slot each.
private final class ResultSlots: Sendable {
    private let slots: Mutex<[Swift.Result<Executables.Result, any Error>?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func set(_ index: Int, _ result: Swift.Result<Executables.Result, any Error>) {
        slots.withLock { $0[index] = result }
    }

    func values() throws -> [Executables.Result] {
        try slots.withLock { slots in
            try slots.map { slot in
                guard let slot else { throw CocoaError(.featureUnsupported) }
                return try slot.get()
            }
        }
    }
}
