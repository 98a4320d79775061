@testable import MLOpsStorage
import Testing

@Suite("Store URLs")
struct StoreLocationTests {
    @Test("accepted forms parse", arguments: [
        ("sqlite:///var/lib/mlops.sqlite", StoreLocation.sqliteFile(path: "/var/lib/mlops.sqlite")),
        ("sqlite:mlops.sqlite", .sqliteFile(path: "mlops.sqlite")),
        ("sqlite:data/run.sqlite", .sqliteFile(path: "data/run.sqlite")),
        ("sqlite::memory:", .sqliteMemory),
        ("postgres://ml:s%40cret@db.internal:6543/mlops", .postgres(PostgresConfiguration(host: "db.internal", port: 6543, username: "ml", password: "s@cret", database: "mlops"))),
        ("postgresql://ml@localhost/mlops?sslmode=require", .postgres(PostgresConfiguration(host: "localhost", username: "ml", database: "mlops", tls: .require))),
        ("postgres://ml:pw@[::1]:5433/mlops", .postgres(PostgresConfiguration(host: "::1", port: 5433, username: "ml", password: "pw", database: "mlops"))),
    ])
    func parses(text: String, expected: StoreLocation) throws {
        #expect(try StoreLocation(parsing: text) == expected)
    }

    @Test("bad URLs list the accepted forms", arguments: [
        "mysql://x@y/z", "sqlite:", "sqlite://relative.sqlite", "postgres://host/db", "postgres://u@h:99999/db",
        "postgres://u@h/", "postgres://u@h:5432", "postgres://u@h/db?sslmode=sometimes", "", "/just/a/path",
    ])
    func refuses(text: String) {
        do {
            _ = try StoreLocation(parsing: text)
            Issue.record("'\(text)' was accepted")
        } catch {
            #expect(error.code == .invalidLocation)
            #expect(error.description.contains(StoreLocation.acceptedForms))
        }
    }

    @Test("descriptions never show the password")
    func redacted() throws {
        let location = try StoreLocation(parsing: "postgres://ml:topsecret@db:5432/mlops")
        #expect(!location.description.contains("topsecret"))
        #expect(location.description == "postgres://ml:***@db:5432/mlops")
    }

    @Test("a SQLite file's artifacts go beside it")
    func artifactsBeside() throws {
        #expect(try StoreLocation(parsing: "sqlite:/data/mlops.sqlite").defaultArtifactsPath == "/data/mlops.artifacts")
        #expect(try StoreLocation(parsing: "sqlite::memory:").defaultArtifactsPath == nil)
    }

    @Test("only plain INSERT … VALUES (?, …) statements are batched into multi-row inserts")
    func multiRowInserts() {
        #expect(MultiRowInsert("INSERT INTO t (a) VALUES (?) ON CONFLICT (a) DO UPDATE SET a = excluded.a") == nil)
        let upsert = MultiRowInsert("INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a) DO NOTHING")
        #expect(upsert?.width == 2)
        #expect(upsert?.statement(rows: 2) == "INSERT INTO t (a, b) VALUES (?, ?), (?, ?) ON CONFLICT (a) DO NOTHING")
        #expect(MultiRowInsert("INSERT INTO t (values_count) VALUES (?)") == nil)  // falls back, safely
        #expect(MultiRowInsert("INSERT INTO t (a) VALUES (?, 'x')") == nil)
        #expect(MultiRowInsert("UPDATE t SET a = ?") == nil)
        #expect(MultiRowInsert("INSERT INTO t (a) SELECT ? FROM u") == nil)
    }

    @Test("scripts split at semicolons outside literals and comments")
    func scripts() {
        #expect(PlaceholderRewriter.statements("CREATE TABLE a (x TEXT DEFAULT ';');; INSERT INTO a VALUES (?);  ") ==
            ["CREATE TABLE a (x TEXT DEFAULT ';')", "INSERT INTO a VALUES (?)"])
    }

    @Test("? placeholders become $n outside literals and comments")
    func placeholders() {
        #expect(PlaceholderRewriter.numbered("SELECT ?, '?', \"a?\" -- ?\n, ? /* ? */ , ?") == "SELECT $1, '?', \"a?\" -- ?\n, $2 /* ? */ , $3")
    }
}
