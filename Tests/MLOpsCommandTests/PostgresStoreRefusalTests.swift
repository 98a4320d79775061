import Foundation
import MLOpsTestSupport
import Testing

/// The refusals a SQLite file gets before anything is written, on PostgreSQL too: another tool's
/// database is never written, and a registry change in a database that holds nothing creates
/// nothing. Each test makes databases of its own (`.ci/start-postgres` lets the test role create
/// them) and drops them afterwards.
@Suite(
    "PostgreSQL stores that are not swift-mlops stores",
    .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"))
struct PostgresStoreRefusalTests {
    static let baseURL = ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? ""

    /// Runs `sql` with psql on the database `url` names, and returns its output (one value per line).
    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let result = try Executables.run("/usr/bin/env", ["psql", url, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql])
        guard result.status == 0 else {
            throw CommandError(description: "psql \(sql) failed (\(result.status)): \(result.standardError)")
        }
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct CommandError: Error, CustomStringConvertible { let description: String }

    /// Runs `body` with the URL of a new, empty database (made with `options`, such as a
    /// collation), dropped afterwards.
    static func withScratchDatabase(options: String = "", _ body: (String) throws -> Void) throws {
        // The URL's query (sslmode, …) stays; only the database name changes.
        let (address, query) = baseURL.firstIndex(of: "?").map { (String(baseURL[..<$0]), String(baseURL[$0...])) } ?? (baseURL, "")
        guard let slash = address.lastIndex(of: "/") else { throw CommandError(description: "MLOPS_TEST_POSTGRES_URL has no database") }
        let name = "mlops_scratch_\(UUID().uuidString.prefix(8).lowercased())"
        try psql(baseURL, "CREATE DATABASE \(name) \(options)")
        defer { dropDatabase(name) }
        try body(String(address[..<slash]) + "/" + name + query)
    }

    /// Drops a test's database, ending its sessions. An autovacuum worker that the server starts
    /// on a freshly written database runs as the server's own role, which the test role may not
    /// terminate ("must be a member of the role whose process is being terminated"): the drop is
    /// tried again while it finishes, for up to ten seconds.
    static func dropDatabase(_ name: String) {
        var lastError: (any Error)?
        for _ in 0..<20 {
            do {
                try psql(baseURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
                return
            } catch {
                lastError = error
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        Issue.record("the database \(name) was left: \(lastError.map { "\($0)" } ?? "")")
    }

    static func tables(_ url: String) throws -> [String] {
        try psql(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1")
            .split(separator: "\n").map(String.init)
    }

    @Test("lists come in Swift's order whatever the database's collation (ICU en-US sets a_b before a-b)")
    func listsIgnoreTheCollation() throws {
        try Self.withScratchDatabase(options: "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'") { url in
            try withTemporaryFolder { folder in
                func mlops(_ arguments: [String]) throws -> Executables.Result {
                    let result = try Executables.run("mlops", arguments + ["--store", url])
                    #expect(result.status == 0, "\(arguments): \(result.standardError)")
                    return result
                }
                _ = try mlops(["principals", "add", "root", "--role", "admin"])
                _ = try mlops(["principals", "add", "ci", "--role", "register", "--principal", "root"])
                let names = ["fraud/a_b", "fraud/a-b", "fraud/a.b"]
                for (index, name) in names.enumerated() {
                    let artifact = folder.file("model-\(index).json")
                    try Data("{\"weights\": [\(index)]}".utf8).write(to: URL(fileURLWithPath: artifact))
                    _ = try mlops(["models", "register", name, "--artifact-file", artifact, "--principal", "ci", "--artifacts", folder.file("artifacts")])
                }
                #expect(try Self.psql(url, "SELECT name FROM registry_models ORDER BY name").split(separator: "\n") == ["fraud/a_b", "fraud/a-b", "fraud/a.b"],
                        "the database orders by its collation")
                let listed = try mlops(["models", "list", "--format", "json"])
                let models = (try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [String: Any])?["models"] as? [[String: Any]]
                #expect(models?.compactMap { ($0["model"] as? [String: Any])?["name"] as? String } == names.sorted(), "\(listed.standardOutput)")
                // Drift baselines too.
                let data = folder.file("data.csv")
                try Data("x\n1\n2\n3\n".utf8).write(to: URL(fileURLWithPath: data))
                for name in ["b_x", "b-x", "b.x"] { _ = try mlops(["drift", "baseline", "save", name, data]) }
                let baselines = try mlops(["drift", "baseline", "list", "--format", "json"])
                let saved = (try JSONSerialization.jsonObject(with: Data(baselines.standardOutput.utf8)) as? [String: Any])?["baselines"] as? [[String: Any]]
                #expect(saved?.compactMap { $0["name"] as? String } == ["b-x", "b.x", "b_x"], "\(baselines.standardOutput)")
            }
        }
    }

    @Test("another tool's database is refused by every writing command, exit 2, nothing written")
    func foreignDatabase() throws {
        try Self.withScratchDatabase { url in
            try Self.psql(url, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'a')")
            try withTemporaryFolder { folder in
                let data = folder.file("data.csv")
                try Data("x\n1\n2\n3\n".utf8).write(to: URL(fileURLWithPath: data))
                let commands: [[String]] = [
                    ["store", "migrate"],
                    ["principals", "add", "root", "--role", "admin"],
                    ["drift", "baseline", "save", "b", data],
                    ["demo", "--output", folder.file("demo")],
                ]
                for command in commands {
                    let result = try Executables.run("mlops", command + ["--store", url])
                    #expect(result.status == 2, "\(command): \(result.standardError)")
                    #expect(result.standardError.contains("tables of its own"), "\(command): \(result.standardError)")
                    #expect(!result.standardError.contains(":mlops@"), "the password is never shown")
                }
                #expect(try Self.tables(url) == ["customers"])
                #expect(try Self.psql(url, "SELECT count(*) FROM customers") == "1")
            }
        }
    }

    @Test("a registry change in an empty database is refused before anything is created, as in a SQLite file; the first admin creates it")
    func emptyDatabase() throws {
        try Self.withScratchDatabase { url in
            try withTemporaryFolder { folder in
                let model = folder.file("model.bin")
                try Data("weights".utf8).write(to: URL(fileURLWithPath: model))
                let changes: [[String]] = [
                    ["models", "register", "fraud/scorer", "--artifact-file", model, "--artifacts", folder.file("artifacts"), "--principal", "ci"],
                    ["policies", "set", "--alias", "prod", "--principal", "root"],
                    ["principals", "add", "ci", "--role", "register"],
                ]
                for command in changes {
                    let result = try Executables.run("mlops", command + ["--store", url])
                    #expect(result.status == 2, "\(command): \(result.standardError)")
                    #expect(result.standardError.contains("nothing was created"), "\(command): \(result.standardError)")
                    #expect(result.standardError.contains("--role admin"), "\(command): \(result.standardError)")
                    #expect(try Self.tables(url).isEmpty, "\(command) created tables")
                }
                let admin = try Executables.run("mlops", ["principals", "add", "root", "--role", "admin", "--store", url])
                #expect(admin.status == 0, "\(admin.standardError)")
                #expect(try Self.tables(url).contains("registry_principals"))
            }
        }
    }
}
