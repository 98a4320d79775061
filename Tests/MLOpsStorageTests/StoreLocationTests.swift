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
        // SQLite's URI options are not read: the text after '?' would become part of a file name.
        "sqlite:x.sqlite?mode=ro", "sqlite:///tmp/x.sqlite?cache=shared",
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

    /// A URL, and the texts (the password as typed and decoded) that nothing may show.
    struct SecretCase: Sendable, CustomTestStringConvertible {
        let url: String
        let secrets: [String]
        /// The password the URL must parse to; `nil` when the URL must be refused.
        let password: String?

        var testDescription: String { StoreURLText.redacted(url) }
    }

    static let secretCases: [SecretCase] = [
        // Options that libpq takes used to be refused with the whole URL in the message.
        SecretCase(url: "postgres://ml:hunter2secret@db:5432/mlops?connect_timeout=5", secrets: ["hunter2secret"], password: "hunter2secret"),
        SecretCase(url: "postgres://ml:hunter2secret@db:5432/mlops?connect_timeout=soon", secrets: ["hunter2secret"], password: nil),
        SecretCase(url: "postgres://ml:hunter2secret@db/mlops?sslmode=sometimes", secrets: ["hunter2secret"], password: nil),
        SecretCase(url: "postgres://ml:hunter2secret@db/mlops?password=otherpass1", secrets: ["hunter2secret", "otherpass1"], password: nil),
        // Reserved characters as they are in the password.
        SecretCase(url: "postgres://ml:pa/ss-word1@db:5432/mlops", secrets: ["pa/ss-word1", "ss-word1"], password: "pa/ss-word1"),
        SecretCase(url: "postgres://ml:pa?ss-word2@db:5432/mlops", secrets: ["pa?ss-word2", "ss-word2"], password: "pa?ss-word2"),
        SecretCase(url: "postgres://ml:pa#ss-word3@db:5432/mlops", secrets: ["pa#ss-word3", "ss-word3"], password: "pa#ss-word3"),
        SecretCase(url: "postgres://ml:pa@ss-word4@db:5432/mlops", secrets: ["pa@ss-word4", "ss-word4"], password: "pa@ss-word4"),
        SecretCase(url: "postgres://ml:pa:ss-word5@db:5432/mlops", secrets: ["pa:ss-word5", "ss-word5"], password: "pa:ss-word5"),
        SecretCase(url: "postgres://ml:p/a?s#s@w:ord6@db:5432/mlops?sslmode=require", secrets: ["p/a?s#s@w:ord6", "s@w:ord6"], password: "p/a?s#s@w:ord6"),
        SecretCase(url: "postgres://ml:p/a?s#s@w:ord7@db:5432/mlops?sslmode=bogus", secrets: ["p/a?s#s@w:ord7", "s@w:ord7"], password: nil),
        SecretCase(url: "postgres://ml:pa/ss-word8@db:notaport/mlops", secrets: ["pa/ss-word8", "ss-word8"], password: nil),
        // Percent-encoded: neither the encoded nor the decoded form may show.
        SecretCase(url: "postgres://ml:s%2Fcr%3Ft%40x9@db:5432/mlops?connect_timeout=3", secrets: ["s%2Fcr%3Ft%40x9", "s/cr?t@x9"], password: "s/cr?t@x9"),
        SecretCase(url: "postgres://ml:s%2Fcr%3Ft%40x0@db:5432/mlops?unknown=1", secrets: ["s%2Fcr%3Ft%40x0", "s/cr?t@x0"], password: nil),
        // Broken URLs around a password.
        SecretCase(url: "postgres://ml:secretpw11", secrets: ["secretpw11"], password: nil),
        SecretCase(url: "postgres://ml:secretpw12@", secrets: ["secretpw12"], password: nil),
        SecretCase(url: "postgres://ml:secretpw13@db", secrets: ["secretpw13"], password: nil),
        SecretCase(url: "postgres://ml:secretpw14/mlops", secrets: ["secretpw14"], password: nil),
        SecretCase(url: "postgresql://ml:secretpw15@[::1]:99999/mlops", secrets: ["secretpw15"], password: nil),
        SecretCase(url: "postgres://ml:secretpw16@db/mlops#fragment", secrets: ["secretpw16"], password: nil),
        SecretCase(url: "postgres://:secretpw17@db/mlops", secrets: ["secretpw17"], password: nil),
        SecretCase(url: "mysql://ml:secretpw18@db/mlops", secrets: ["secretpw18"], password: nil),
        SecretCase(url: "postgres://ml:secretpw19@db/mlops?application_name=me@laptop", secrets: ["secretpw19"], password: "secretpw19"),
    ]

    @Test("no error, description, reflection or dump shows a postgres:// password", arguments: secretCases)
    func passwordsStayHidden(_ example: SecretCase) throws {
        var shown: [String] = []
        do {
            let location = try StoreLocation(parsing: example.url)
            guard case .postgres(let configuration) = location else {
                Issue.record("\(StoreURLText.redacted(example.url)) did not parse as PostgreSQL")
                return
            }
            #expect(example.password != nil, "a URL that should be refused was accepted: \(location)")
            #expect(configuration.password == example.password)
            var dumped = ""
            dump(location, to: &dumped)
            shown += [location.description, String(reflecting: location), String(describing: configuration),
                      String(reflecting: configuration), configuration.redactedURL, dumped, "\(Mirror(reflecting: configuration).children.map { "\($0.value)" })"]
        } catch {
            #expect(example.password == nil, "a valid URL was refused: \(error)")
            #expect(error.code == .invalidLocation)
            var dumped = ""
            dump(error, to: &dumped)
            shown += [error.description, error.message, error.fix ?? "", String(reflecting: error), dumped]
        }
        for text in shown {
            for secret in example.secrets {
                #expect(!text.contains(secret), "'\(text)' shows the password")
            }
        }
    }

    @Test("a password that leaks into an error's text is scrubbed; the store's location and short passwords stay")
    func scrubbing() {
        let location = "postgres://ml:***@db:5432/mlops"
        let error = StorageError(
            .connectionFailed, "Cannot connect to \(location): the server answered 'hunter2secret' and 'hunter2%2Fx'",
            location: location, fix: "never hunter2secret")
        let scrubbed = error.removingSecret("hunter2secret")
        #expect(!scrubbed.description.contains("hunter2secret"))
        #expect(scrubbed.message.hasPrefix("Cannot connect to \(location):"))
        #expect(error.removingSecret("hunter2/x").message.contains("'***'"))
        // "mlops" is both a short password and a word of the message: left alone.
        #expect(error.removingSecret("mlops") == error)
    }

    @Test("libpq's connect_timeout and application_name options are read")
    func postgresOptions() throws {
        let location = try StoreLocation(parsing: "postgres://ml:pw@db/mlops?connect_timeout=7&application_name=fraud%20scorer&sslmode=prefer")
        guard case .postgres(let configuration) = location else {
            Issue.record("not a PostgreSQL location")
            return
        }
        #expect(configuration.connectTimeout == .seconds(7))
        #expect(configuration.applicationName == "fraud scorer")
        #expect(configuration.tls == .prefer)
        #expect(location.description == "postgres://ml:***@db:5432/mlops?sslmode=prefer&connect_timeout=7&application_name=fraud%20scorer")
        // The description parses back to the same place (password aside).
        guard case .postgres(let reparsed) = try StoreLocation(parsing: location.description) else { return }
        #expect(reparsed.connectTimeout == .seconds(7) && reparsed.applicationName == "fraud scorer" && reparsed.host == "db")
    }

    @Test("an unknown option is refused with the options that are accepted", arguments: ["keepalives=1", "connect_timeout=0", "connect_timeout", "application_name="])
    func unknownOptions(option: String) {
        do {
            _ = try StoreLocation(parsing: "postgres://ml:pw@db/mlops?\(option)")
            Issue.record("'\(option)' was accepted")
        } catch {
            #expect(error.code == .invalidLocation)
            let named = ["sslmode", "connect_timeout", "application_name"].allSatisfy { error.description.contains($0) }
            #expect(named || error.description.contains("connect_timeout must") || error.description.contains("application_name must"))
        }
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

    @Test("only plain inserts, or ones skipping conflicts, of plain identifiers go through COPY")
    func copyInserts() {
        let plain = CopyInsert("INSERT INTO lineage_metrics (run_key, key_id, step) VALUES (?, ?, ?)")
        #expect(plain?.table == "lineage_metrics" && plain?.columns == ["run_key", "key_id", "step"] && plain?.conflictClause == "")
        #expect(CopyInsert("insert into t (a) values (?) ON CONFLICT DO NOTHING")?.conflictClause == "ON CONFLICT DO NOTHING")
        #expect(CopyInsert("INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a, b) DO NOTHING;")?.conflictClause == "ON CONFLICT (a, b) DO NOTHING")
        let refused = [
            "INSERT INTO t (a) VALUES (?) ON CONFLICT (a) DO UPDATE SET a = excluded.a",
            "INSERT INTO t (a) VALUES (?) RETURNING a",
            "INSERT INTO t (a, b) VALUES (?, 'x')",
            "INSERT INTO t (a, b) VALUES (?)",
            "INSERT INTO \"T\" (a) VALUES (?)",
            "INSERT INTO t (\"A\") VALUES (?)",
            "INSERT INTO t SELECT ?",
            "INSERT INTO t (a) VALUES (?) ON CONFLICT (a) DO NOTHING WHERE a > 0",
            "UPDATE t SET a = ?",
        ]
        for sql in refused { #expect(CopyInsert(sql) == nil, "\(sql)") }
    }

    @Test("COPY text escapes what would end a field or a row, and writes NULL, numbers and bytes as PostgreSQL reads them")
    func copyText() {
        let bytes = CopyInsert.text(of: [[.null, .integer(-42), .real(.nan), .real(-.infinity), .real(0.1), .text("a\tb\nc\\d\re"), .blob([0x00, 0xAB])]])
        #expect(String(decoding: bytes, as: UTF8.self) == "\\N\t-42\tNaN\t-Infinity\t0.1\ta\\tb\\nc\\\\d\\re\t\\\\x00ab\n")
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
