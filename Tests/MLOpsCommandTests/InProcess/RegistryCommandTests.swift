import Foundation
import MLOpsTestSupport
import MLOpsCommands
import MLOpsStorage
import Testing

/// `mlops models`, `principals`, `keys`, `policies` and `audit`, run in process.
@Suite("registry commands")
struct RegistryCommandTests {
    /// A store with an admin (root), two approvers with keys (alice, bob), a registrar and
    /// promoter (ci), and a high-risk model with one version.
    static func governedStore(_ folder: TemporaryFolder) async throws -> String {
        let store = "sqlite:\(folder.file("registry.sqlite"))"
        func run(_ arguments: String...) async throws {
            let result = await mlops(arguments + ["--store", store])
            #expect(result.exitCode == 0, "\(arguments.joined(separator: " ")): \(result.transcript)")
        }
        try await run("principals", "add", "root", "--role", "admin")
        for approver in ["alice", "bob"] {
            let generated = await mlops("keys", "generate", approver, "--output", folder.file("\(approver).key"))
            #expect(generated.exitCode == 0, "\(generated.transcript)")
            try await run("principals", "add", approver, "--role", "approve", "--public-key-from", folder.file("\(approver).key"), "--principal", "root")
        }
        try await run("principals", "add", "ci", "--role", "register", "--role", "promote", "--principal", "root")
        try write("{\"weights\": [1, 2]}", to: folder.file("model-1.json"))
        try await run(
            "models", "register", "fraud/scorer", "--risk-class", "high", "--artifact-file", folder.file("model-1.json"),
            "--metric", "f1=0.80", "--metric", "auc=0.95", "--principal", "ci")
        try await run(
            "policies", "set", "--alias", "production", "--risk-class", "high", "--min", "auc=0.9", "--margin", "f1=0.01",
            "--approvals", "2", "--principal", "root", "--reason", "two approvers")
        return store
    }

    @Test("a governed promotion: refused (exit 1, every rule) until two signed approvals, then done; rollback; the audit chain verifies")
    func governedPromotion() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            let refused = await mlops("models", "promote", "fraud/scorer", "--version", "1", "--alias", "production", "--principal", "ci", "--store", store)
            #expect(refused.exitCode == 1, "\(refused.transcript)")
            #expect(refused.error.contains("approvals: 0 of 2"), "\(refused.transcript)")
            for approver in ["alice", "bob"] {
                let approved = await mlops(
                    "models", "approve", "fraud/scorer", "--version", "1", "--alias", "production", "--key", folder.file("\(approver).key"),
                    "--principal", approver, "--store", store)
                #expect(approved.exitCode == 0, "\(approved.transcript)")
            }
            let promoted = await mlops("models", "promote", "fraud/scorer", "--version", "1", "--alias", "production", "--principal", "ci", "--reason", "first", "--store", store, "--format", "json")
            #expect(promoted.exitCode == 0, "\(promoted.transcript)")
            #expect(promoted.output.contains("\"version\" : 1"), "\(promoted.output)")

            // A weaker challenger breaks three rules; all three are listed.
            try write("{\"weights\": [1, 3]}", to: folder.file("model-2.json"))
            _ = await mlops("models", "register", "fraud/scorer", "--artifact-file", folder.file("model-2.json"), "--metric", "f1=0.805", "--metric", "auc=0.85", "--principal", "ci", "--store", store)
            let weak = await mlops("models", "promote", "fraud/scorer", "--version", "2", "--alias", "production", "--principal", "ci", "--store", store)
            #expect(weak.exitCode == 1)
            for rule in ["metric_minimum", "margin_over_holder", "approvals"] { #expect(weak.error.contains(rule), "\(weak.transcript)") }

            // Version 3 passes with its approvals; then it is rolled back to version 1.
            try write("{\"weights\": [2, 3]}", to: folder.file("model-3.json"))
            _ = await mlops("models", "register", "fraud/scorer", "--artifact-file", folder.file("model-3.json"), "--metric", "f1=0.85", "--metric", "auc=0.96", "--principal", "ci", "--store", store)
            for approver in ["alice", "bob"] {
                _ = await mlops("models", "approve", "fraud/scorer", "--version", "3", "--alias", "production", "--key", folder.file("\(approver).key"), "--principal", approver, "--store", store)
            }
            #expect(await mlops("models", "promote", "fraud/scorer", "--version", "3", "--alias", "production", "--principal", "ci", "--store", store).exitCode == 0)
            let rolledBack = await mlops("models", "rollback", "fraud/scorer", "--alias", "production", "--principal", "ci", "--reason", "latency", "--store", store)
            #expect(rolledBack.exitCode == 0, "\(rolledBack.transcript)")
            #expect(rolledBack.output.contains("version 3 → version 1"), "\(rolledBack.output)")

            let verified = await mlops("audit", "verify", "--store", store, "--format", "json")
            #expect(verified.exitCode == 0, "\(verified.transcript)")
            #expect(verified.output.contains("\"first_bad_sequence\" : null"), "\(verified.output)")
            let head = await mlops("audit", "head", "--store", store)
            #expect(head.exitCode == 0 && head.output.split(separator: " ").count == 2, "\(head.transcript)")
            let shown = await mlops("models", "show", "fraud/scorer", "--store", store, "--format", "json")
            #expect(shown.exitCode == 0 && shown.output.contains("\"versions\""), "\(shown.transcript)")
        }
    }

    @Test("a principal without the role is exit 2 naming the role; nothing changes")
    func missingRole() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            let head = await mlops("audit", "head", "--store", store)
            let denied = await mlops("models", "promote", "fraud/scorer", "--version", "1", "--alias", "staging", "--principal", "alice", "--store", store)
            #expect(denied.exitCode == 2)
            #expect(denied.error.contains("promote role"), "\(denied.transcript)")
            let unknown = await mlops("policies", "set", "--alias", "staging", "--principal", "mallory", "--store", store)
            #expect(unknown.exitCode == 2)
            #expect(unknown.error.contains("mallory") && unknown.error.contains("admin"), "\(unknown.transcript)")
            // A refused registration stores no artifact bytes.
            try write("{\"weights\": [9]}", to: folder.file("model-9.json"))
            let stored = try FileManager.default.subpathsOfDirectory(atPath: folder.file("registry.artifacts")).sorted()
            let refused = await mlops("models", "register", "fraud/scorer", "--artifact-file", folder.file("model-9.json"), "--principal", "alice", "--store", store)
            #expect(refused.exitCode == 2 && refused.error.contains("register role"), "\(refused.transcript)")
            #expect(try FileManager.default.subpathsOfDirectory(atPath: folder.file("registry.artifacts")).sorted() == stored, "a refused registration stored the artifact")
            #expect(await mlops("audit", "head", "--store", store).output == head.output, "a refused command was logged")
        }
    }

    @Test("a forged approval (another principal's key) is exit 2 and recorded nowhere")
    func forgedApproval() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            let forged = await mlops(
                "models", "approve", "fraud/scorer", "--version", "1", "--alias", "production", "--key", folder.file("alice.key"),
                "--principal", "bob", "--store", store)
            #expect(forged.exitCode == 2)
            #expect(forged.error.contains("does not verify"), "\(forged.transcript)")
            let shown = await mlops("models", "show", "fraud/scorer", "--version", "1", "--store", store, "--format", "json")
            #expect(shown.output.contains("\"approvals\" : [\n\n  ]") || shown.output.contains("\"approvals\" : []"), "\(shown.output)")
        }
    }

    @Test("models export and import move a version between stores; a bundle with one changed byte is exit 2 and writes nothing")
    func exportAndImport() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            for approver in ["alice", "bob"] {
                _ = await mlops("models", "approve", "fraud/scorer", "--version", "1", "--alias", "production", "--key", folder.file("\(approver).key"), "--principal", approver, "--store", store)
            }
            let bundle = folder.file("scorer-v1.mlbundle")
            let exported = await mlops("models", "export", "fraud/scorer", "--version", "1", "--output", bundle, "--store", store, "--format", "json")
            #expect(exported.exitCode == 0, "\(exported.transcript)")
            #expect(exported.output.contains("\"approvals\" : 2"), "\(exported.output)")
            let again = await mlops("models", "export", "fraud/scorer", "--version", "1", "--output", bundle, "--store", store)
            #expect(again.exitCode == 2 && again.error.contains("never written over"), "\(again.transcript)")

            // Another store: its own admin and registrar.
            let target = "sqlite:\(folder.file("target.sqlite"))"
            #expect(await mlops("principals", "add", "ops", "--role", "admin", "--store", target).exitCode == 0)
            #expect(await mlops("principals", "add", "deployer", "--role", "register", "--principal", "ops", "--store", target).exitCode == 0)
            let head = await mlops("audit", "head", "--store", target)

            // One changed byte anywhere: exit 2, nothing written (not even the artifact folder).
            let original = Array(try Data(contentsOf: URL(fileURLWithPath: bundle)))
            for position in [0, 1, original.count / 3, original.count / 2, original.count - 33, original.count - 1] {
                var bytes = original
                bytes[position] ^= 0x20
                let damaged = folder.file("damaged-\(position).mlbundle")
                try Data(bytes).write(to: URL(fileURLWithPath: damaged))
                let refused = await mlops("models", "import", damaged, "--principal", "deployer", "--store", target)
                #expect(refused.exitCode == 2, "byte \(position): \(refused.transcript)")
                #expect(refused.error.contains("bundle"), "byte \(position): \(refused.transcript)")
            }
            #expect(await mlops("audit", "head", "--store", target).output == head.output, "a refused import was logged")
            #expect(!FileManager.default.fileExists(atPath: folder.file("target.artifacts")), "a refused import wrote artifact bytes")
            let denied = await mlops("models", "import", bundle, "--principal", "ops", "--store", target)
            #expect(denied.exitCode == 2 && denied.error.contains("register role"), "\(denied.transcript)")

            let imported = await mlops("models", "import", bundle, "--principal", "deployer", "--store", target, "--format", "json")
            #expect(imported.exitCode == 0, "\(imported.transcript)")
            #expect(imported.output.contains("\"model_registered\" : true") && imported.output.contains("\"approvals_verified\" : 2"), "\(imported.output)")
            let shown = await mlops("models", "show", "fraud/scorer", "--version", "1", "--store", target, "--format", "json")
            #expect(shown.output.contains("mlops.bundle.source") && shown.output.contains("\"auc\" : 0.95"), "\(shown.output)")
            #expect(await mlops("audit", "verify", "--store", target).exitCode == 0)
        }
    }

    @Test("in a migrated registry without principals, a change names the first-admin step, not an admin that cannot exist")
    func noPrincipalsYet() async throws {
        try await withTemporaryFolder { folder in
            let store = "sqlite:\(folder.file("empty.sqlite"))"
            #expect(await mlops("store", "migrate", "--store", store).exitCode == 0)
            let result = await mlops("policies", "set", "--alias", "prod", "--principal", "ci", "--store", store)
            #expect(result.exitCode == 2, "\(result.transcript)")
            #expect(result.error.contains("no principals yet") && result.error.contains("--role admin"), "\(result.transcript)")
        }
    }

    @Test("keys generate writes a 0600 file and never overwrites one")
    func keyFiles() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("carol.key")
            let first = await mlops("keys", "generate", "carol", "--output", path, "--format", "json")
            #expect(first.exitCode == 0, "\(first.transcript)")
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let original = contents(path)
            let again = await mlops("keys", "generate", "carol", "--output", path)
            #expect(again.exitCode == 2)
            #expect(contents(path) == original, "the key file was overwritten")
            #expect(first.output.contains("public_key"))
            // The key was written beside its path and linked there complete: nothing else is left.
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["carol.key"])
            // A link to a missing file is something there too, said as such (QA sweep).
            try FileManager.default.createSymbolicLink(atPath: folder.file("dangling.key"), withDestinationPath: folder.file("nowhere.key"))
            let dangling = await mlops("keys", "generate", "dave", "--output", folder.file("dangling.key"))
            #expect(dangling.exitCode == 2 && dangling.error.contains("A link to a missing file exists"), "\(dangling.transcript)")
            #expect(!FileManager.default.fileExists(atPath: folder.file("nowhere.key")))
        }
    }

    @Test("audit verify --anchor catches the newest entries deleted, which the chain alone cannot")
    func anchoredVerify() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            let head = await mlops("audit", "head", "--store", store)
            #expect(head.exitCode == 0)
            let anchor = head.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(await mlops("audit", "verify", "--store", store, "--anchor", anchor).exitCode == 0)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            process.arguments = [folder.file("registry.sqlite"), "DELETE FROM registry_audit WHERE sequence = (SELECT max(sequence) FROM registry_audit)"]
            try process.run()
            process.waitUntilExit()
            #expect(await mlops("audit", "verify", "--store", store).exitCode == 0, "a shorter chain is still a valid chain")
            let anchored = await mlops("audit", "verify", "--store", store, "--anchor", anchor)
            #expect(anchored.exitCode == 1 && anchored.output.contains("deleted"), "\(anchored.transcript)")
            #expect(await mlops("audit", "verify", "--store", store, "--anchor", "12 xyz").exitCode == 2)
        }
    }

    @Test("purge refuses an artifact folder that is not there before it changes anything")
    func purgeChecksTheFolderFirst() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            let refused = await mlops(
                "models", "purge", "fraud/scorer", "--version", "1", "--reason", "pii", "--principal", "root", "--store", store,
                "--artifacts", folder.file("no-such-folder"))
            #expect(refused.exitCode == 2, "\(refused.transcript)")
            #expect(!FileManager.default.fileExists(atPath: folder.file("no-such-folder")))
            let shown = await mlops("models", "show", "fraud/scorer", "--store", store, "--format", "json")
            #expect(shown.exitCode == 0 && !shown.output.contains("purged"), "\(shown.output)")
            // A purge the registry refuses (no version 9) leaves an empty folder empty.
            try FileManager.default.createDirectory(atPath: folder.file("empty"), withIntermediateDirectories: false)
            let unknown = await mlops(
                "models", "purge", "fraud/scorer", "--version", "9", "--reason", "pii", "--principal", "root", "--store", store,
                "--artifacts", folder.file("empty"))
            #expect(unknown.exitCode == 2, "\(unknown.transcript)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("empty")).isEmpty)
        }
    }

    @Test("a purge takes the version's metadata out of the audit trail and the store file; who registered it stays, and the chain verifies")
    func purgeRedactsTheTrail() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            try write("{\"weights\": [7]}", to: folder.file("model-2.json"))
            let registered = await mlops(
                "models", "register", "fraud/scorer", "--artifact-file", folder.file("model-2.json"), "--tag", "pii=SECRET-TAG-91",
                "--source", "s3://SECRET-BUCKET-91/model", "--metric", "auc=0.97", "--principal", "ci", "--store", store)
            #expect(registered.exitCode == 0, "\(registered.transcript)")
            let before = await mlops("audit", "list", "--store", store, "--format", "json")
            #expect(before.output.contains("SECRET-TAG-91"))
            let purged = await mlops("models", "purge", "fraud/scorer", "--version", "2", "--reason", "gdpr", "--principal", "root", "--store", store)
            #expect(purged.exitCode == 0, "\(purged.transcript)")
            let after = await mlops("audit", "list", "--store", store, "--format", "json")
            #expect(after.exitCode == 0)
            #expect(!after.output.contains("SECRET-TAG-91") && !after.output.contains("SECRET-BUCKET-91"), "\(after.output)")
            let entries = (try JSONSerialization.jsonObject(with: Data(after.output.utf8)) as? [String: Any])?["entries"] as? [[String: Any]] ?? []
            let registration = entries.first { $0["action"] as? String == "version.register" && $0["subject"] as? String == "fraud/scorer@2" }
            #expect(registration?["principal"] as? String == "ci" && registration?["after"] is NSNull, "\(String(describing: registration))")
            #expect((registration?["after_digest"] as? String)?.count == 64)
            let verified = await mlops("audit", "verify", "--store", store)
            #expect(verified.exitCode == 0, "\(verified.transcript)")
            let file = FileManager.default.contents(atPath: folder.file("registry.sqlite")) ?? Data()
            #expect(!file.isEmpty && file.range(of: Data("SECRET-TAG-91".utf8)) == nil, "the purged tag is still in the store file")
        }
    }

    @Test("a purge stopped before it removed the bytes is named by store check, and running it again finishes it")
    func interruptedPurgeIsFinished() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            try write("{\"weights\": [3]}", to: folder.file("model-2.json"))
            let registered = await mlops("models", "register", "fraud/scorer", "--artifact-file", folder.file("model-2.json"), "--principal", "ci", "--store", store)
            #expect(registered.exitCode == 0, "\(registered.transcript)")
            // As a kill between the record and the bytes leaves it: the record purged, the bytes
            // still in the store's artifact folder (the folder as it was before a whole purge,
            // put back after it).
            let artifacts = folder.file("registry.artifacts")
            try FileManager.default.copyItem(atPath: artifacts, toPath: folder.file("artifacts-before"))
            let purged = await mlops("models", "purge", "fraud/scorer", "--version", "2", "--reason", "gdpr", "--principal", "root", "--store", store)
            #expect(purged.exitCode == 0, "\(purged.transcript)")
            try FileManager.default.removeItem(atPath: artifacts)
            try FileManager.default.moveItem(atPath: folder.file("artifacts-before"), toPath: artifacts)
            let checked = await mlops("store", "check", "--store", store)
            #expect(checked.exitCode == 1, "\(checked.transcript)")
            #expect(checked.output.contains("fraud/scorer version 2 is purged, but its artifact"), "\(checked.transcript)")
            // Someone without the admin role cannot finish it.
            let denied = await mlops("models", "purge", "fraud/scorer", "--version", "2", "--reason", "gdpr", "--principal", "ci", "--store", store)
            #expect(denied.exitCode == 2 && denied.error.contains("admin"), "\(denied.transcript)")
            let finished = await mlops("models", "purge", "fraud/scorer", "--version", "2", "--reason", "gdpr", "--principal", "root", "--store", store, "--format", "json")
            #expect(finished.exitCode == 0, "\(finished.transcript)")
            #expect(finished.output.contains("\"artifact_bytes_removed\" : true"), "\(finished.output)")
            #expect(await mlops("store", "check", "--store", store, "--verify-artifacts").exitCode == 0)
            // Nothing left to finish: purged already, as before.
            let again = await mlops("models", "purge", "fraud/scorer", "--version", "2", "--reason", "gdpr", "--principal", "root", "--store", store)
            #expect(again.exitCode == 2 && again.error.contains("purged already"), "\(again.transcript)")
        }
    }

    @Test("--artifact-digest of purged bytes is refused: their tombstone is not the bytes; the file brings them back")
    func purgedDigestIsNotHeld() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            try write("{\"weights\": [4]}", to: folder.file("model-2.json"))
            let registered = await mlops(
                "models", "register", "fraud/scorer", "--artifact-file", folder.file("model-2.json"), "--principal", "ci", "--store", store, "--format", "json")
            #expect(registered.exitCode == 0, "\(registered.transcript)")
            let digest = try #require(registered.output.firstMatch(of: /"artifact_digest" : "(sha256:[0-9a-f]{64})"/).map { String($0.1) })
            let purged = await mlops("models", "purge", "fraud/scorer", "--version", "2", "--reason", "gdpr", "--principal", "root", "--store", store)
            #expect(purged.exitCode == 0 && purged.output.contains("artifact bytes removed"), "\(purged.transcript)")
            let refused = await mlops("models", "register", "fraud/scorer", "--artifact-digest", digest, "--principal", "ci", "--store", store)
            #expect(refused.exitCode == 2 && refused.error.contains("holds no artifact"), "\(refused.transcript)")
            let again = await mlops("models", "register", "fraud/scorer", "--artifact-file", folder.file("model-2.json"), "--principal", "ci", "--store", store)
            #expect(again.exitCode == 0, "\(again.transcript)")
            #expect(await mlops("store", "check", "--store", store, "--verify-artifacts").exitCode == 0)
        }
    }

    @Test("audit verify is exit 1 naming the first bad entry when the chain is broken")
    func brokenChain() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            process.arguments = [folder.file("registry.sqlite"), "UPDATE registry_audit SET principal = 'someone' WHERE sequence = 3"]
            try process.run()
            process.waitUntilExit()
            let verified = await mlops("audit", "verify", "--store", store)
            #expect(verified.exitCode == 1)
            #expect(verified.output.contains("entry 3"), "\(verified.transcript)")
            // store check verifies the chain too, and says so in both formats.
            let checked = await mlops("store", "check", "--store", store)
            #expect(checked.exitCode == 1, "\(checked.transcript)")
            #expect(checked.output.contains("audit chain BROKEN at entry 3"), "\(checked.transcript)")
            let json = await mlops("store", "check", "--store", store, "--format", "json")
            #expect(json.exitCode == 1)
            let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
            let audit = object?["audit"] as? [String: Any]
            #expect(audit?["first_bad_sequence"] as? Int == 3, "\(json.transcript)")
            #expect((object?["problems"] as? [String])?.contains { $0.contains("audit chain is broken at entry 3") } == true, "\(json.transcript)")
        }
    }

    @Test("store check verifies an intact registry's audit chain and counts its entries")
    func storeCheckCountsTheChain() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            let head = await mlops("audit", "head", "--store", store, "--format", "json")
            let sequence = (try JSONSerialization.jsonObject(with: Data(head.output.utf8)) as? [String: Any])?["sequence"] as? Int
            let json = await mlops("store", "check", "--store", store, "--format", "json")
            #expect(json.exitCode == 0, "\(json.transcript)")
            let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
            let audit = object?["audit"] as? [String: Any]
            #expect(sequence != nil && audit?["entries"] as? Int == sequence, "\(json.transcript) vs \(head.transcript)")
            #expect(audit?["first_bad_sequence"] is NSNull, "\(json.transcript)")
            let text = await mlops("store", "check", "--store", store)
            #expect(text.output.contains("audit chain intact: \(sequence ?? -1) entries"), "\(text.transcript)")
        }
    }

    @Test("a registry change on a missing SQLite file is exit 2 and creates nothing: only the first principal starts a store")
    func changeOnMissingStore() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("typo.sqlite")
            let store = "sqlite:\(path)"
            let generated = await mlops("keys", "generate", "alice", "--output", folder.file("alice.key"))
            #expect(generated.exitCode == 0, "\(generated.transcript)")
            try write("{\"weights\": [1]}", to: folder.file("model.json"))
            let digest = "sha256:" + String(repeating: "0", count: 64)
            let changes: [[String]] = [
                ["models", "register", "fraud/scorer", "--principal", "ci"],
                ["models", "register", "fraud/scorer", "--artifact-digest", digest, "--principal", "ci"],
                ["models", "register", "fraud/scorer", "--artifact-file", folder.file("model.json"), "--principal", "ci"],
                ["models", "approve", "fraud/scorer", "--version", "1", "--alias", "production", "--key", folder.file("alice.key"), "--principal", "alice"],
                ["models", "promote", "fraud/scorer", "--version", "1", "--alias", "production", "--principal", "ci"],
                ["models", "rollback", "fraud/scorer", "--alias", "production", "--principal", "ci", "--reason", "r"],
                ["models", "quarantine", "fraud/scorer", "--version", "1", "--principal", "root", "--reason", "r"],
                ["models", "purge", "fraud/scorer", "--version", "1", "--principal", "root", "--reason", "r"],
                ["models", "import", folder.file("model.json"), "--principal", "ci"],
                ["policies", "set", "--alias", "production", "--approvals", "1", "--principal", "root", "--reason", "r"],
            ]
            for command in changes {
                let result = await mlops(command + ["--store", store])
                #expect(result.exitCode == 2, "\(command): \(result.transcript)")
                // (A file that is no bundle, or a digest the artifact folder lacks, is refused for
                // that before the store is looked at.)
                if command[1] != "import" && !command.contains("--artifact-digest") {
                    #expect(result.error.contains("there is no store") && result.error.contains("principals add"), "\(command): \(result.transcript)")
                }
                #expect(!FileManager.default.fileExists(atPath: path), "\(command) created the store")
                #expect(!FileManager.default.fileExists(atPath: folder.file("typo.artifacts")), "\(command) created the artifact folder")
            }
            // A first principal the registry refuses creates nothing either (QA sweep): an acting
            // principal that cannot exist yet, a malformed ID, a key that is not Ed25519.
            let refusedFirsts: [[String]] = [
                ["principals", "add", "root", "--role", "admin", "--principal", "ghost"],
                ["principals", "add", "not an id!", "--role", "admin"],
                ["principals", "add", "root", "--role", "admin", "--public-key", "AAAA"],
            ]
            for command in refusedFirsts {
                let result = await mlops(command + ["--store", store])
                #expect(result.exitCode == 2, "\(command): \(result.transcript)")
                #expect(!FileManager.default.fileExists(atPath: path), "\(command) created the store")
            }
            // The first principal is what creates a registry.
            let first = await mlops("principals", "add", "root", "--role", "admin", "--store", store)
            #expect(first.exitCode == 0, "\(first.transcript)")
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }

    @Test("an empty key file and a file that is no bundle are refused naming the file")
    func badFilesAreNamed() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            try write("", to: folder.file("empty.key"))
            try write("", to: folder.file("empty.mlbundle"))
            let approve = await mlops(
                "models", "approve", "fraud/scorer", "--version", "1", "--alias", "production", "--key", folder.file("empty.key"), "--principal", "alice", "--store", store)
            #expect(approve.exitCode == 2 && approve.error.contains(folder.file("empty.key")), "\(approve.transcript)")
            let add = await mlops("principals", "add", "carol", "--role", "approve", "--public-key-from", folder.file("empty.key"), "--principal", "root", "--store", store)
            #expect(add.exitCode == 2 && add.error.contains(folder.file("empty.key")), "\(add.transcript)")
            let imported = await mlops("models", "import", folder.file("empty.mlbundle"), "--principal", "ci", "--store", store)
            #expect(imported.exitCode == 2 && imported.error.contains(folder.file("empty.mlbundle")), "\(imported.transcript)")
        }
    }

    @Test("quarantine names the versions registered earlier on the same bytes, which stay ready")
    func quarantineNamesSiblings() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            let twin = await mlops("models", "register", "fraud/scorer", "--artifact-file", folder.file("model-1.json"), "--principal", "ci", "--store", store)
            #expect(twin.exitCode == 0, "\(twin.transcript)")
            let held = await mlops(
                "models", "quarantine", "fraud/scorer", "--version", "1", "--reason", "bias found", "--principal", "root", "--store", store, "--format", "json")
            #expect(held.exitCode == 0, "\(held.transcript)")
            #expect(held.error.contains("1 other version of the same artifact is still ready: fraud/scorer version 2"), "\(held.transcript)")
            #expect(held.output.contains("\"quarantined\""), "standard output keeps the version's JSON alone: \(held.output)")
            let show = await mlops("models", "show", "fraud/scorer", "--version", "2", "--store", store, "--format", "json")
            #expect(show.exitCode == 0 && show.output.contains("\"ready\""), "\(show.transcript)")
            // Registered before the quarantine: a decision of its own, not a problem of the store.
            let check = await mlops("store", "check", "--store", store)
            #expect(check.exitCode == 0, "\(check.transcript)")
        }
    }

    @Test("store check names a ready version registered on bytes a quarantine already held back (what earlier builds let through)")
    func storeCheckFindsReadyVersionsOnHeldBytes() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            try write("{\"weights\": [9]}", to: folder.file("model-2.json"))
            let other = await mlops("models", "register", "fraud/scorer", "--artifact-file", folder.file("model-2.json"), "--principal", "ci", "--store", store)
            #expect(other.exitCode == 0, "\(other.transcript)")
            let held = await mlops("models", "quarantine", "fraud/scorer", "--version", "1", "--reason", "bias found", "--principal", "root", "--store", store)
            #expect(held.exitCode == 0, "\(held.transcript)")
            let clean = await mlops("store", "check", "--store", store)
            #expect(clean.exitCode == 0, "\(clean.transcript)")
            // Version 3, registered after the quarantine, made to point at version 1's bytes, as a
            // build without the registration's refusal could leave it.
            try write("{\"weights\": [8]}", to: folder.file("model-3.json"))
            let late = await mlops("models", "register", "fraud/scorer", "--artifact-file", folder.file("model-3.json"), "--principal", "ci", "--store", store)
            #expect(late.exitCode == 0, "\(late.transcript)")
            let database = try await SQLiteDatabase(path: folder.file("registry.sqlite"))
            _ = try await database.write { connection in
                try await connection.execute("""
                    UPDATE registry_versions
                    SET record = replace(record, artifact_digest, (SELECT artifact_digest FROM registry_versions WHERE version = 1)),
                        artifact_digest = (SELECT artifact_digest FROM registry_versions WHERE version = 1)
                    WHERE version = 3
                    """)
            }
            try await database.close()
            let check = await mlops("store", "check", "--store", store, "--format", "json")
            #expect(check.exitCode == 1, "\(check.transcript)")
            #expect(check.output.contains("fraud/scorer version 3 is ready, but its artifact"), "\(check.output)")
            #expect(check.output.contains("fraud/scorer version 1 had been quarantined"), "\(check.output)")
            #expect(!check.output.contains("version 2 is ready"), "version 2 uses other bytes: \(check.output)")
            // Quarantining it too, as the problem advises, leaves a clean store.
            let fixed = await mlops("models", "quarantine", "fraud/scorer", "--version", "3", "--reason", "same bytes", "--principal", "root", "--store", store)
            #expect(fixed.exitCode == 0, "\(fixed.transcript)")
            let after = await mlops("store", "check", "--store", store)
            #expect(after.exitCode == 0, "\(after.transcript)")
        }
    }

    @Test("a quarantined version cannot leave in a bundle, and its bytes cannot be registered again")
    func quarantineHoldsTheBytes() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            let held = await mlops("models", "quarantine", "fraud/scorer", "--version", "1", "--reason", "bias found", "--principal", "root", "--store", store)
            #expect(held.exitCode == 0 && !held.error.contains("still ready"), "\(held.transcript)")
            let export = await mlops("models", "export", "fraud/scorer", "--version", "1", "--output", folder.file("v1.mlbundle"), "--store", store)
            #expect(export.exitCode == 2 && export.error.contains("quarantined"), "\(export.transcript)")
            #expect(!FileManager.default.fileExists(atPath: folder.file("v1.mlbundle")))
            let again = await mlops("models", "register", "fraud/scorer", "--artifact-file", folder.file("model-1.json"), "--principal", "ci", "--store", store)
            #expect(again.exitCode == 2 && again.error.contains("quarantined as version 1"), "\(again.transcript)")
            // Purged, the bytes stay held back, and a refused registration does not put them back
            // in the artifact folder (QA kill sweep: it stored them and removed their tombstone).
            let purged = await mlops("models", "purge", "fraud/scorer", "--version", "1", "--reason", "cleanup", "--principal", "root", "--store", store)
            #expect(purged.exitCode == 0, "\(purged.transcript)")
            let refused = await mlops("models", "register", "fraud/scorer", "--artifact-file", folder.file("model-1.json"), "--principal", "ci", "--store", store)
            #expect(refused.exitCode == 2 && refused.error.contains("was quarantined as version 1 of 'fraud/scorer', purged since"), "\(refused.transcript)")
            let objects = folder.file("registry.artifacts/objects")
            let left = (try? FileManager.default.subpathsOfDirectory(atPath: objects))?.filter { $0.contains("/") } ?? []
            #expect(left.isEmpty, "purged bytes are back: \(left)")
            let check = await mlops("store", "check", "--verify-artifacts", "--store", store)
            #expect(check.exitCode == 0, "\(check.transcript)")
        }
    }

    @Test("store check --verify-artifacts names a version whose bytes were deleted outside mlops, and a missing folder")
    func lostArtifactBytes() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            #expect(await mlops("store", "check", "--verify-artifacts", "--store", store).exitCode == 0)
            let objects = folder.file("registry.artifacts/objects")
            for sub in try FileManager.default.contentsOfDirectory(atPath: objects) {
                try FileManager.default.removeItem(atPath: "\(objects)/\(sub)")
            }
            let lost = await mlops("store", "check", "--verify-artifacts", "--store", store)
            #expect(lost.exitCode == 1, "\(lost.transcript)")
            #expect(lost.output.contains("fraud/scorer version 1 points at the artifact"), "\(lost.transcript)")
            // Without the flag, only what the folder holds is looked at, as documented.
            #expect(await mlops("store", "check", "--store", store).exitCode == 0)
            try FileManager.default.removeItem(atPath: folder.file("registry.artifacts"))
            let gone = await mlops("store", "check", "--verify-artifacts", "--store", store)
            #expect(gone.exitCode == 1 && gone.output.contains("cannot be verified"), "\(gone.transcript)")
        }
    }

    @Test("a model card or signature with a key written twice, an unknown key, or a field no model has is exit 2 naming it")
    func duplicateKeysInCardAndSignature() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            let head = await mlops("audit", "head", "--store", store)
            try Data("weights".utf8).write(to: URL(fileURLWithPath: folder.file("model.bin")))
            try Data(#"{"intended_use": "a", "owners": ["x"], "intended_use": "b"}"#.utf8).write(to: URL(fileURLWithPath: folder.file("card.json")))
            try Data(#"{"inputs": [{"name": "amount", "type": "double", "type": "string"}], "outputs": []}"#.utf8).write(to: URL(fileURLWithPath: folder.file("sig.json")))
            for (flag, file, key) in [("--card", "card.json", "intended_use"), ("--signature", "sig.json", "inputs[0].type")] {
                let result = await mlops("models", "register", "fraud/scorer", "--principal", "ci", "--artifact-file", folder.file("model.bin"), flag, folder.file(file), "--store", store)
                #expect(result.exitCode == 2, "\(result.transcript)")
                #expect(result.error.contains("has the key \(key) twice"), "\(result.error)")
            }
            // Unknown keys, and signatures no model has: a blank or repeated name, an unknown
            // type, a negative dimension (QA sweep).
            let refusals: [(String, String, String)] = [
                ("--card", #"{"intended_use": "a", "owners": ["x"], "intended_us": "b"}"#, "intended_us, which a model card does not define"),
                ("--card", #"{"intended_use": "a", "evaluation_slices": [{"name": "all", "metric": {}}]}"#, "evaluation_slices[0].metric"),
                ("--signature", #"{"inputs": [{"name": "a", "type": "double", "nullable": true}], "outputs": []}"#, "inputs[0].nullable"),
                ("--signature", #"{"inputs": [{"name": " ", "type": "double"}], "outputs": []}"#, "has no name"),
                ("--signature", #"{"inputs": [{"name": "a", "type": "double"}, {"name": "a", "type": "long"}], "outputs": []}"#, "names the input 'a' twice"),
                ("--signature", #"{"inputs": [{"name": "a", "type": "wat"}], "outputs": []}"#, "'wat', which is not a known type"),
                ("--signature", #"{"inputs": [{"name": "a", "type": "tensor<float32>", "shape": [-1, -5]}], "outputs": []}"#, "a dimension of -5"),
            ]
            for (flag, json, message) in refusals {
                try Data(json.utf8).write(to: URL(fileURLWithPath: folder.file("file.json")))
                let result = await mlops("models", "register", "fraud/scorer", "--principal", "ci", "--artifact-file", folder.file("model.bin"), flag, folder.file("file.json"), "--store", store)
                #expect(result.exitCode == 2 && result.error.contains(message), "\(json): \(result.transcript)")
            }
            #expect(await mlops("audit", "head", "--store", store).output == head.output)
            try Data(#"{"inputs": [{"name": "x", "type": "tensor<float32>", "shape": [-1, 28, 28]}], "outputs": [{"name": "p", "type": "double"}]}"#.utf8).write(to: URL(fileURLWithPath: folder.file("good.json")))
            let good = await mlops("models", "register", "fraud/scorer", "--principal", "ci", "--artifact-file", folder.file("model.bin"), "--signature", folder.file("good.json"), "--store", store)
            #expect(good.exitCode == 0, "\(good.transcript)")
        }
    }

    @Test("bad input is exit 2 with the reason", arguments: [
        ["models", "register", "Fraud/Scorer", "--principal", "ci"],
        ["models", "register", "fraud", "--principal", "ci"],
        ["models", "register", "fraud/scorer", "--principal", "ci", "--metric", "f1"],
        ["models", "register", "fraud/scorer", "--principal", "ci", "--metric", "f1=nan", "--artifact-digest", "sha256:" + String(repeating: "0", count: 64)],
        ["models", "register", "fraud/scorer", "--principal", "ci", "--run", "not-a-uuid", "--artifact-digest", "sha256:00"],
        ["models", "promote", "fraud/scorer", "--version", "1", "--alias", "latest", "--principal", "ci"],
        ["models", "promote", "fraud/unknown", "--version", "1", "--alias", "production", "--principal", "ci"],
        ["models", "promote", "fraud/scorer", "--version", "9", "--alias", "production", "--principal", "ci"],
        ["models", "rollback", "fraud/scorer", "--alias", "production", "--principal", "ci", "--reason", "none yet"],
        ["models", "approve", "fraud/scorer", "--version", "1", "--alias", "production", "--key", "/nonexistent.key", "--principal", "alice"],
        ["principals", "add", "eve", "--principal", "root"],
        ["principals", "add", "eve", "--role", "wizard", "--principal", "root"],
        ["principals", "add", "eve", "--role", "approve", "--public-key", "AAAA", "--principal", "root"],
        // Extra padding after a 32-byte key's base64 (QA sweep), a risk class past 64 characters.
        ["principals", "add", "eve", "--role", "approve", "--public-key", String(repeating: "A", count: 43) + "==", "--principal", "root"],
        ["models", "register", "fraud/other", "--risk-class", String(repeating: "x", count: 65), "--principal", "ci"],
        ["policies", "set", "--alias", "production", "--min", "auc", "--principal", "root"],
        ["policies", "set", "--alias", "production", "--min", "auc=0.9", "--max", "auc=0.1", "--principal", "root"],
        // A blank metric name, a hexadecimal value and a margin past any real rule (QA sweep).
        ["policies", "set", "--alias", "production", "--min", " =0.5", "--principal", "root"],
        ["policies", "set", "--alias", "production", "--min", "auc=0x1p-1", "--principal", "root"],
        ["policies", "set", "--alias", "production", "--margin", "auc=1e308", "--principal", "root"],
        ["models", "register", "fraud/scorer", "--principal", "ci", "--metric", "auc=0x10", "--artifact-digest", "sha256:" + String(repeating: "0", count: 64)],
        ["models", "register", "fraud/scorer", "--principal", "ci", "--run", "00000000-0000-4000-8000-000000000000", "--artifact-digest", "sha256:" + String(repeating: "0", count: 64)],
        ["models", "purge", "fraud/scorer", "--version", "1", "--reason", "r", "--principal", "root", "--artifacts", "/nonexistent/artifacts"],
        ["audit", "verify", "--anchor", "1"],
        ["audit", "list", "--limit", "0"],
        ["models", "import", "/nonexistent.mlbundle", "--principal", "ci"],
        ["models", "export", "fraud/scorer", "--version", "9", "--output", "/tmp/never-written.mlbundle"],
        ["models", "export", "fraud/scorer", "--version", "1"],
        ["models", "promote", "fraud/scorer", "--version", "1", "--principal", "ci"],
        ["models", "promote", "fraud/scorer", "--version", "-1", "--alias", "production", "--principal", "ci"],
        ["models", "show", "fraud/scorer", "--version"],
    ])
    func badInput(_ arguments: [String]) async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.governedStore(folder)
            let head = await mlops("audit", "head", "--store", store)
            let result = await mlops(arguments + ["--store", store])
            #expect(result.exitCode == 2, "\(arguments): \(result.transcript)")
            #expect(!result.error.isEmpty, "\(arguments) said nothing")
            #expect(await mlops("audit", "head", "--store", store).output == head.output, "\(arguments) changed the audit log")
        }
    }
}
