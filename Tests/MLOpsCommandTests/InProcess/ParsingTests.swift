import Foundation
import MLOpsTestSupport
import MLOpsCommands
import Testing

@Suite("mlops parses and validates in process")
struct ParsingTests {
    @Test("help and version come back as output with exit 0, not a process exit")
    func helpAndVersion() async {
        let help = await mlops("--help")
        #expect(help.exitCode == 0)
        #expect(help.output.contains("USAGE: mlops"))
        let version = await mlops("--version")
        #expect(version.exitCode == 0)
        #expect(!version.output.isEmpty)
    }

    /// Every command that uses a store and prints a result, as a path of subcommands.
    static let storeCommands: [[String]] = [
        ["store", "migrate"], ["store", "check"], ["runs", "list"], ["runs", "search"], ["runs", "show"], ["runs", "diff"],
        ["runs", "import-mlflow"], ["lineage", "ancestors"], ["lineage", "descendants"], ["drift", "baseline", "save"],
        ["drift", "baseline", "list"], ["drift", "check"], ["demo"],
    ]

    @Test("every store command takes --store URL and --format the same way", arguments: storeCommands)
    func sharedOptionGroups(_ command: [String]) async {
        let help = await mlops(command + ["--help"])
        #expect(help.exitCode == 0, "\(help.transcript)")
        #expect(help.output.contains("--store <url>"), "\(command)")
        #expect(help.output.contains("--format <format>"), "\(command)")
    }

    @Test(
        "bad values are refused by the parser with exit 2 and a message that names them",
        arguments: [
            (["store", "check", "--format", "yaml"], "'yaml'"),
            (["store", "check", "--store", "mysql://db/x"], "sqlite:///abs/path.sqlite"),
            (["runs", "show", "not-a-run-id"], "'not-a-run-id'"),
            (["runs", "diff", UUID().uuidString, "42"], "'42'"),
            (["lineage", "ancestors", "sha256:nope"], "'sha256:nope'"),
            (["lineage", "openlineage", "--run", "x"], "'x'"),
            (["drift", "a.csv", "b.csv", "--method", "magic"], "wasserstein"),
            (["drift", "a.csv", "b.csv", "--format", "pdf"], "'html'"),
            (["drift", "a.csv", "b.csv", "--dataset-rule", "share:x"], "'share:x'"),
            (["drift", "a.csv", "b.csv", "--dataset-rule", "share:1.5"], "'share:1.5'"),
            (["drift", "a.csv", "b.csv", "--season-column", "t", "--season", "fortnight"], "'hour_of_week'"),
            (["demo", "--seed", "18446744073709551616"], "'18446744073709551616'"),
            // A negative number is a value, reported by the option's own check, not "missing".
            (["demo", "--seed", "-1"], "'-1'"),
            (["drift", "a.csv", "b.csv", "--min-effect", "-1"], "minimum numeric effect -1.0"),
        ])
    func parserRefuses(_ arguments: [String], _ expected: String) async {
        let result = await mlops(arguments)
        #expect(result.exitCode == 2, "\(result.transcript)")
        #expect(result.error.contains(expected), "\(result.transcript)")
        #expect(result.output.isEmpty)
    }

    @Test(
        "bad combinations are caught by validate() before any work, with exit 2",
        arguments: [
            (["runs", "list", "--limit", "0"], "--limit 0"),
            (["runs", "search", "metrics.auc >> 1"], "character"),
            (["lineage", "openlineage", "--run", "3f2b8c1e-0000-4000-8000-000000000000", "--experiment", "e"], "--run and --experiment"),
            (["drift", "a.csv", "b.csv", "--threshold", "0.2"], "--threshold needs --method"),
            (["drift", "a.csv", "b.csv", "--method", "ks", "--threshold", "1.5"], "significance level"),
            (["drift", "a.csv", "b.csv", "--season", "day_of_week"], "--season needs --season-column"),
            (["drift", "check", "base", "a.csv", "--version", "0"], "--version 0"),
            (["drift", "check", "base", "a.csv", "--method", "mannwhitney"], "mannwhitney"),
            (["runs", "import-mlflow", "/nonexistent/mlflow.db"], "no MLflow database"),
        ])
    func validateRefuses(_ arguments: [String], _ expected: String) async throws {
        // The store named does not exist: validation must fail before anything opens or creates it.
        try await withTemporaryFolder { folder in
            let store = folder.file("untouched.sqlite")
            let takesStore = arguments.first != "drift" || arguments.dropFirst().first == "check"
            let result = await mlops(arguments + (takesStore ? ["--store", "sqlite:\(store)"] : []))
            #expect(result.exitCode == 2, "\(result.transcript)")
            #expect(result.error.contains(expected), "\(result.transcript)")
            #expect(!FileManager.default.fileExists(atPath: store))
        }
    }

    @Test("a refused postgres:// URL never shows its password")
    func passwordHidden() async {
        for url in ["postgres://ann:s3cret-pw@db.example:5432", "postgresql://ann:s3cret-pw@", "--store=postgres://ann:s3cret-pw/x@y"] {
            let arguments = url.hasPrefix("--") ? ["store", "check", url] : ["store", "check", "--store", url]
            let result = await mlops(arguments)
            #expect(result.exitCode == 2, "\(result.transcript)")
            #expect(!result.error.contains("s3cret"), "\(result.transcript)")
            #expect(!result.output.contains("s3cret"))
        }
    }

    @Test("commands running in process at the same time keep their outputs apart")
    func concurrentRuns() async throws {
        try await withTemporaryFolder { folder in
            let results = await withTaskGroup(of: (Int, MLOps.RunResult).self) { group in
                for index in 0..<6 {
                    group.addTask { (index, await mlops("store", "migrate", "--store", "sqlite:\(folder.file("s\(index).sqlite"))", "--format", "json")) }
                }
                var results: [Int: MLOps.RunResult] = [:]
                for await (index, result) in group { results[index] = result }
                return results
            }
            for (index, result) in results {
                #expect(result.exitCode == 0, "\(result.transcript)")
                #expect(result.json["store"] as? String == "sqlite://\(folder.file("s\(index).sqlite"))", "\(result.transcript)")
            }
        }
    }
}
