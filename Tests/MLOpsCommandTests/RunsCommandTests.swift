import Foundation
import MLOpsTestSupport
import Testing

@Suite("mlops runs and mlops lineage")
struct RunsCommandTests {
    /// Runs `body` with a store holding the demo's two recorded runs, in a folder removed after.
    static func withDemoStore<Result>(_ body: (TemporaryFolder, String) throws -> Result) throws -> Result {
        try withTemporaryFolder { folder in
            let store = "sqlite:\(folder.file("demo.sqlite"))"
            let demo = try Executables.run("mlops", ["demo", "--output", folder.path, "--store", store])
            #expect(demo.status == 0, "\(demo.standardError)")
            return try body(folder, store)
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    @Test("list, search, show and diff the demo's runs")
    func runs() throws {
        try Self.withDemoStore { folder, store in
            let list = try Executables.run("mlops", ["runs", "list", "--store", store, "--format", "json"])
            #expect(list.status == 0, "\(list.standardError)")
            let runs = try Self.json(list.standardOutput)["runs"] as? [[String: Any]] ?? []
            #expect(runs.count == 2)
            let ids = runs.compactMap { $0["id"] as? String }

            let search = try Executables.run("mlops", ["runs", "search", "metrics.auc > 0.5 and params.model = 'logistic'", "--order-by", "metrics.auc desc", "--store", store, "--format", "json"])
            #expect(search.status == 0, "\(search.standardError)")
            #expect((try Self.json(search.standardOutput)["runs"] as? [[String: Any]])?.count == 2)

            let show = try Executables.run("mlops", ["runs", "show", ids[0], "--store", store])
            #expect(show.status == 0)
            #expect(show.standardOutput.contains("reproducible:"))
            #expect(show.standardOutput.contains("input  training-data"))
            // Parameters in JSON are plain values, their recorded types beside them.
            let shown = try Executables.run("mlops", ["runs", "show", ids[0], "--store", store, "--format", "json"])
            #expect(shown.status == 0)
            let run = try Self.json(shown.standardOutput)["run"] as? [String: Any]
            let parameters = try #require(run?["parameters"] as? [String: Any])
            #expect(parameters["epochs"] as? Int == 60, "\(parameters)")
            #expect(parameters["learning_rate"] as? Double == 0.5)
            #expect(parameters["model"] as? String == "logistic")
            let types = run?["parameter_types"] as? [String: String]
            #expect(types?["epochs"] == "int" && types?["learning_rate"] == "double" && types?["model"] == "string")

            let diff = try Executables.run("mlops", ["runs", "diff", ids[1], ids[0], "--store", store, "--format", "json"])
            #expect(diff.status == 0)
            let differences = try Self.json(diff.standardOutput)["differences"] as? [[String: Any]]
            #expect(differences?.first?["category"] as? String == "data")
        }
    }

    @Test("a filter with a syntax error is exit 2 with a caret under the character")
    func badFilter() throws {
        try Self.withDemoStore { folder, store in
            let result = try Executables.run("mlops", ["runs", "search", "metrics.auc >> 0.5", "--store", store])
            #expect(result.status == 2)
            #expect(result.standardError.contains("character 14"))
            #expect(result.standardError.contains("^"))
            let unknown = try Executables.run("mlops", ["runs", "show", "not-a-run-id", "--store", store])
            #expect(unknown.status == 2)
            let missing = try Executables.run("mlops", ["runs", "show", UUID().uuidString, "--store", store])
            #expect(missing.status == 2)
            #expect(missing.standardError.contains("No run"))
        }
    }

    @Test("ancestors, descendants and OpenLineage export of the demo's lineage")
    func lineage() throws {
        try Self.withDemoStore { folder, store in
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file("summary.json")))) as? [String: Any]
            let chapters = summary?["chapters"] as? [[String: Any]] ?? []
            let facts = chapters.first { $0["slug"] as? String == "lineage" }?["facts"] as? [[String: String]] ?? []
            let model = try #require(facts.first { $0["label"] == "model digest" }?["value"])
            let ancestors = try Executables.run("mlops", ["lineage", "ancestors", model, "--store", store, "--format", "json"])
            #expect(ancestors.status == 0, "\(ancestors.standardError)")
            let graph = try Self.json(ancestors.standardOutput)
            let kinds = (graph["artifacts"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }.sorted()
            #expect(kinds == ["dataset", "feature_set", "model"])
            // The text form lists each run with exactly the edges the JSON gives it.
            let text = try Executables.run("mlops", ["lineage", "ancestors", model, "--store", store])
            #expect(text.status == 0, "\(text.standardError)")
            let edgeLines = text.standardOutput.split(separator: "\n").filter { $0.hasPrefix("    read ") || $0.hasPrefix("    wrote ") }
            #expect(edgeLines.count == (graph["edges"] as? [Any])?.count, "\(text.standardOutput)")
            #expect(edgeLines.contains { $0.contains("(model, sha256:") }, "\(text.standardOutput)")
            let events = try Executables.run("mlops", ["lineage", "openlineage", "--json-lines", "--store", store])
            #expect(events.status == 0)
            #expect(events.standardOutput.split(separator: "\n").count == 4)
            let bad = try Executables.run("mlops", ["lineage", "descendants", "sha256:nope", "--store", store])
            #expect(bad.status == 2)
            // A well-formed digest no run recorded is refused too, not an empty graph (QA sweep).
            for direction in ["ancestors", "descendants"] {
                let unknown = try Executables.run("mlops", ["lineage", direction, "sha256:" + String(repeating: "0", count: 64), "--store", store])
                #expect(unknown.status == 2 && unknown.standardError.contains("no run recorded"), "\(unknown.standardError)")
            }
        }
    }

    @Test("import-mlflow brings a real MLflow database in, and a second import adds nothing")
    func importMLflow() throws {
        try withTemporaryFolder { folder in
            let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("LineageTests/Fixtures/mlflow.sqlite").path
            let store = "sqlite:\(folder.file("imported.sqlite"))"
            let first = try Executables.run("mlops", ["runs", "import-mlflow", fixture, "--store", store, "--format", "json"])
            #expect(first.status == 0, "\(first.standardError)")
            #expect(try Self.json(first.standardOutput)["imported"] as? Int == 5)
            let second = try Executables.run("mlops", ["runs", "import-mlflow", fixture, "--store", store, "--format", "json"])
            #expect(try Self.json(second.standardOutput)["already_present"] as? Int == 5)
            let missing = try Executables.run("mlops", ["runs", "import-mlflow", folder.file("nope.db"), "--store", store])
            #expect(missing.status == 2)
        }
    }

    @Test("reading commands change nothing: a store without lineage tables is exit 2 with the migrate hint")
    func readsDoNotMigrate() throws {
        try withTemporaryFolder { folder in
            let path = folder.file("other.sqlite")
            // A SQLite file of another tool, made without mlops.
            let made = try Executables.run("store-tour", [folder.path])
            #expect(made.status == 0)
            let tour = folder.file("tour.sqlite")
            let before = try Data(contentsOf: URL(fileURLWithPath: tour))
            let result = try Executables.run("mlops", ["runs", "list", "--store", "sqlite:\(tour)"])
            #expect(result.status == 2)
            #expect(result.standardError.contains("mlops store migrate"))
            let versions = try Executables.run("mlops", ["store", "check", "--store", "sqlite:\(tour)", "--format", "json"])
            // A store that never used the lineage module is healthy: "missing" is reported, not a problem.
            #expect(versions.status == 0, "\(versions.standardOutput)")
            #expect(versions.standardOutput.contains("\"status\" : \"missing\""))
            // The database file is byte for byte as it was (a read-only WAL reader may leave SQLite's
            // own -wal/-shm files for the next writer to clean).
            #expect(try Data(contentsOf: URL(fileURLWithPath: tour)) == before)
            _ = path
        }
    }
}
