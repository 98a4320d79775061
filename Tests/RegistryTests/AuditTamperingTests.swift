import Foundation
import Lineage
import MLOpsStorage
import MLOpsTestSupport
@testable import Registry
import TensorCore
import Testing

/// The audit chain names the first bad entry, whatever was done to the stored log.
@Suite("Audit log tampering")
struct AuditTamperingTests {
    /// A registry with a dozen audit entries.
    static func populate(_ registry: any RegistryStore) async throws -> RegistryStoreConformance.World {
        let world = try await RegistryStoreConformance.World.make(registry, riskClass: .low)
        let first = try await world.version()
        let second = try await world.version()
        _ = try await registry.promote(world.model, version: first.version, to: world.production, by: world.promoter, reason: "first", expecting: .unset)
        _ = try await registry.promote(world.model, version: second.version, to: world.production, by: world.promoter, reason: "second", expecting: .any)
        _ = try await registry.rollback(world.model, alias: world.production, by: world.promoter, reason: "regression")
        return world
    }

    enum Tampering: String, CaseIterable, Sendable {
        case edit, delete, insert, reorder
    }

    @Test("on SQLite, an edited, deleted, inserted or reordered entry is named", arguments: Tampering.allCases)
    func sqlite(_ tampering: Tampering) async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("registry.sqlite"))
            let registry = try await SQLRegistryStore(database: database)
            _ = try await Self.populate(registry)
            #expect(try await registry.verifyAudit().isIntact)
            let count = try await registry.auditHead().sequence
            #expect(count >= 12)
            let columns = "at, principal, action, subject, before, after, reason, previous_hash, hash, format, before_digest, after_digest"
            switch tampering {
            case .edit:
                _ = try await database.write { db in try await db.execute("UPDATE registry_audit SET reason = 'nothing to see' WHERE sequence = 5") }
            case .delete:
                _ = try await database.write { db in try await db.execute("DELETE FROM registry_audit WHERE sequence = 5") }
            case .insert:
                // Make room at 5, then copy entry 4 there: the copy cannot link to entry 4.
                _ = try await database.write { db in
                    try await db.execute("UPDATE registry_audit SET sequence = -sequence WHERE sequence >= 5")
                    try await db.execute("UPDATE registry_audit SET sequence = -sequence + 1 WHERE sequence < 0")
                    try await db.execute("INSERT INTO registry_audit (sequence, \(columns)) SELECT 5, \(columns) FROM registry_audit WHERE sequence = 4")
                }
            case .reorder:
                _ = try await database.write { db in
                    try await db.execute("UPDATE registry_audit SET sequence = -1 WHERE sequence = 5")
                    try await db.execute("UPDATE registry_audit SET sequence = 5 WHERE sequence = 6")
                    try await db.execute("UPDATE registry_audit SET sequence = 6 WHERE sequence = -1")
                }
            }
            let verification = try await registry.verifyAudit()
            #expect(verification.firstBadSequence == 5, "\(verification)")
            #expect(verification.entries == 4)
            #expect(verification.problem?.isEmpty == false)
            try await database.close()
        }
    }

    @Test("on SQLite, an entry written in with a sequence below 1 is named too", arguments: [0, -5])
    func sequenceBelowOne(_ sequence: Int) async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("registry.sqlite"))
            let registry = try await SQLRegistryStore(database: database)
            _ = try await Self.populate(registry)
            let columns = "at, principal, action, subject, before, after, reason, previous_hash, hash, format, before_digest, after_digest"
            _ = try await database.write { db in
                try await db.execute("INSERT INTO registry_audit (sequence, \(columns)) SELECT ?, \(columns) FROM registry_audit WHERE sequence = 4", [.integer(Int64(sequence))])
            }
            let verification = try await registry.verifyAudit()
            #expect(verification.firstBadSequence == Int64(sequence), "\(verification)")
            #expect(verification.entries == 0)
            #expect(verification.problem?.contains("below 1") == true, "\(verification)")
            // Listed from the start, it is there to look at.
            #expect(try await registry.auditEntries(after: 0, limit: 3).first?.sequence == Int64(sequence))
            try await database.close()
        }
    }

    @Test("on SQLite, a version's state removed from the log outside a purge is named; one the purge removed verifies, in one part or several")
    func redactionOutsideAPurge() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("registry.sqlite"))
            let registry = try await SQLRegistryStore(database: database)
            let world = try await Self.populate(registry)
            let purged = try await world.version(tags: ["pii": "SECRET"])
            let other = try await world.version(tags: ["pii": "ALSO-SECRET"])
            for _ in 0..<4 { _ = try await world.version() }
            _ = try await registry.purge(world.model, version: purged.version, by: world.admin, reason: "trained on PII")
            let last = try await registry.auditHead().sequence
            for parts in 1...5 {
                #expect(try await registry.verifyAudit(parts: parts, through: last).isIntact, "\(parts) parts")
            }
            // The other version's registration, redacted by hand with a correct digest: every hash
            // still matches, but no purge explains it.
            let row = try #require(try await database.read { db in
                try await db.queryFirst("SELECT sequence, after FROM registry_audit WHERE subject = ? AND action = 'version.register'", [.text("\(world.model)@\(other.version)")])
            })
            let sequence = try row.decode(Int64.self, at: 0)
            let digest = AuditHashing.hexDigest(of: try row.decode(String.self, at: 1))
            _ = try await database.write { db in
                try await db.execute("UPDATE registry_audit SET after = NULL, after_digest = ? WHERE sequence = ?", [.text(digest), .integer(sequence)])
            }
            for parts in 1...5 {
                let verification = try await registry.verifyAudit(parts: parts, through: last)
                #expect(verification.firstBadSequence == sequence, "\(parts) parts: \(verification)")
                #expect(verification.problem?.contains("outside a purge") == true, "\(verification)")
            }
            // A wrong digest, or the entry's format changed, breaks its hash.
            for tampering in ["UPDATE registry_audit SET after_digest = '\(String(repeating: "0", count: 64))' WHERE sequence = \(sequence)",
                              "UPDATE registry_audit SET format = 1 WHERE sequence = \(sequence)",
                              "UPDATE registry_audit SET format = 3 WHERE sequence = \(sequence)"] {
                _ = try await database.write { db in try await db.execute(tampering) }
                let verification = try await registry.verifyAudit()
                #expect(verification.firstBadSequence == sequence, "`\(tampering)`: \(verification)")
                _ = try await database.write { db in
                    try await db.execute("UPDATE registry_audit SET format = 2, after_digest = ? WHERE sequence = ?", [.text(digest), .integer(sequence)])
                }
            }
            try await database.close()
        }
    }

    @Test("after a purge the purged metadata is nowhere in the SQLite file once the store is closed")
    func purgedTextLeavesTheFile() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("registry.sqlite")
            let database = try await SQLiteDatabase(path: path)
            let registry = try await SQLRegistryStore(database: database)
            let world = try await Self.populate(registry)
            // Whatever the library was built with, the store's writer overwrites what it removes;
            // the record is large enough to spill onto overflow pages.
            let secureDelete = try await database.write { db in try await db.queryScalar(Int.self, "PRAGMA secure_delete") }
            #expect(secureDelete == 1)
            let secret = try await world.version(tags: ["pii": "SECRET-7f3a9c", "notes": "SECRET-7f3a9c " + String(repeating: "x", count: 6_000)])
            for _ in 0..<20 { _ = try await world.version() }
            _ = try await registry.purge(world.model, version: secret.version, by: world.admin, reason: "trained on PII")
            try await database.close()
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes.range(of: Data("SECRET-7f3a9c".utf8)) == nil, "the purged tag is still in the file")
            let wal = FileManager.default.contents(atPath: path + "-wal") ?? Data()
            #expect(wal.range(of: Data("SECRET-7f3a9c".utf8)) == nil, "the purged tag is still in the WAL")
        }
    }

    @Test("the newest entries deleted, or the log rewritten, pass the chain alone but not a head anchored elsewhere")
    func anchoredHead() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("registry.sqlite"))
            let registry = try await SQLRegistryStore(database: database)
            _ = try await Self.populate(registry)
            let anchor = try await registry.auditHead()
            #expect(try await registry.verifyAudit(anchoredAt: anchor).isIntact)
            // An older anchor still holds once more entries follow it.
            let older = AuditHead(sequence: anchor.sequence - 3, hash: try await registry.auditEntries(after: anchor.sequence - 4, limit: 1)[0].hash)
            #expect(try await registry.verifyAudit(anchoredAt: older).isIntact)
            // Cut the two newest entries: the chain alone still verifies.
            _ = try await database.write { db in try await db.execute("DELETE FROM registry_audit WHERE sequence > ?", [.integer(anchor.sequence - 2)]) }
            #expect(try await registry.verifyAudit().isIntact)
            let cut = try await registry.verifyAudit(anchoredAt: anchor)
            #expect(cut.firstBadSequence == anchor.sequence && cut.problem?.contains("deleted") == true, "\(cut)")
            // The anchored entry there but with another hash: rewritten.
            let forged = AuditHead(sequence: older.sequence, hash: String(repeating: "0", count: 64))
            let rewritten = try await registry.verifyAudit(anchoredAt: forged)
            #expect(rewritten.firstBadSequence == older.sequence && rewritten.problem?.contains("rewritten") == true, "\(rewritten)")
            try await database.close()
        }
    }

    @Test("a log verified in parts on parallel connections gives exactly one reader's result, whatever was done where")
    func partsAgreeWithOneReader() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("registry.sqlite"))
            let registry = try await SQLRegistryStore(database: database)
            _ = try await Self.populate(registry)
            let count = try await registry.auditHead().sequence
            let columns = "at, principal, action, subject, before, after, reason, previous_hash, hash, format, before_digest, after_digest"
            try await database.write { db in try await db.executeScript("CREATE TABLE audit_backup AS SELECT * FROM registry_audit") }
            let tamperings: [String] = (1...count).flatMap { p -> [String] in
                var statements = [
                    "UPDATE registry_audit SET reason = reason || 'x' WHERE sequence = \(p)",
                    "UPDATE registry_audit SET at = 'noon' WHERE sequence = \(p)",
                    // A blob where the log holds NULL or text: must not hash like a NULL.
                    "UPDATE registry_audit SET before = CASE WHEN before IS NULL THEN X'00' ELSE CAST(before AS BLOB) END WHERE sequence = \(p)",
                    "DELETE FROM registry_audit WHERE sequence = \(p)",
                    "DELETE FROM registry_audit WHERE sequence >= \(p)",
                ]
                if p < count {
                    statements.append("UPDATE registry_audit SET sequence = -1 WHERE sequence = \(p); UPDATE registry_audit SET sequence = \(p) WHERE sequence = \(p + 1); UPDATE registry_audit SET sequence = \(p + 1) WHERE sequence = -1")
                    statements.append("INSERT INTO registry_audit (sequence, \(columns)) SELECT \(count + 1), \(columns) FROM registry_audit WHERE sequence = \(p)")
                }
                return statements
            } + ["SELECT 1"]
            for tampering in tamperings {
                try await database.write { db in try await db.executeScript(tampering) }
                let last = try await registry.auditHead().sequence
                let one = try await registry.verifyAudit(parts: 1, through: last)
                for parts in 2...5 {
                    let split = try await registry.verifyAudit(parts: parts, through: last)
                    #expect(split == one, "\(parts) parts after `\(tampering)`: \(split) vs one reader: \(one)")
                }
                // Cutting the tail off, or appending a copy, leaves a chain that links: anchoring
                // the head elsewhere (`mlops audit head`) is what catches those.
                let truncates = tampering.hasPrefix("DELETE FROM registry_audit WHERE sequence >=") || tampering == "DELETE FROM registry_audit WHERE sequence = \(count)"
                if tampering != "SELECT 1" && !truncates && !tampering.hasPrefix("INSERT") {
                    #expect(!one.isIntact, "`\(tampering)` went unnoticed")
                }
                try await database.write { db in try await db.executeScript("DELETE FROM registry_audit; INSERT INTO registry_audit SELECT * FROM audit_backup") }
            }
            #expect(try await registry.verifyAudit().isIntact)
            try await database.close()
        }
    }

    @Test("in memory, an edited, deleted, inserted or reordered entry is named", arguments: Tampering.allCases)
    func inMemory(_ tampering: Tampering) async throws {
        let registry = InMemoryRegistryStore()
        _ = try await Self.populate(registry)
        registry.replaceAuditEntriesForTesting { entries in
            switch tampering {
            case .edit: entries[4].reason = "nothing to see"
            case .delete: entries.remove(at: 4)
            case .insert:
                var copy = entries[3]
                copy.sequence = 5
                entries.insert(copy, at: 4)
                for index in 5..<entries.count { entries[index].sequence += 1 }
            case .reorder: entries.swapAt(4, 5)
            }
        }
        let verification = try await registry.verifyAudit()
        #expect(verification.firstBadSequence == 5, "\(verification)")
    }

    /// PostgreSQL's test database is shared with the other suites, whose checks verify the whole
    /// log while this runs: the edit and the check that finds it happen inside one transaction
    /// that is rolled back, so no other connection ever sees the edited entry.
    @Test(
        "on PostgreSQL, an edited entry is named (inside a transaction rolled back, unseen by other tests)",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"))
    func postgres() async throws {
        struct RolledBack: Error {}
        try await StoreLocation(parsing: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? "").withDatabase { database in
            let registry = try await SQLRegistryStore(database: database)
            _ = try await Self.populate(registry)
            let head = try await registry.auditHead()
            let original = try await registry.auditEntries(after: head.sequence - 2, limit: 1)[0]
            @Sendable func verify(on connection: any SQLConnection) async throws -> AuditVerification {
                let verifier = try await connection.reduceRows(
                    "SELECT \(SQLRegistryTransaction.auditColumns) FROM registry_audit ORDER BY sequence", [], into: AuditChainVerifier.resuming()
                ) { verifier, row in verifier.check(row: row) }
                return AuditChainVerifier.joined([verifier])
            }
            do {
                try await database.write { connection in
                    #expect(try await verify(on: connection).isIntact)
                    _ = try await connection.execute("UPDATE registry_audit SET principal = 'someone-else' WHERE sequence = ?", [.integer(original.sequence)])
                    let verification = try await verify(on: connection)
                    #expect(verification.firstBadSequence == original.sequence, "\(verification)")
                    throw RolledBack()
                }
            } catch is RolledBack {}
            #expect(try await registry.verifyAudit().isIntact)
        }
    }

    @Test("an entry's hash covers every field and the link to the one before")
    func hashCoversEveryField() async throws {
        let registry = InMemoryRegistryStore()
        _ = try await Self.populate(registry)
        let entry = try await registry.auditEntries(after: 6, limit: 1)[0]
        #expect(entry.computeHash() == entry.hash)
        let edits: [(inout AuditEntry) -> Void] = [
            { $0.sequence += 1 }, { $0.at = $0.at.addingTimeInterval(0.001) }, { $0.principal += "x" }, { $0.action += "x" },
            { $0.subject += "x" }, { $0.before = ($0.before ?? "") + "x" }, { $0.after = nil }, { $0.reason += "x" },
            { $0.previousHash = String(repeating: "f", count: 64) },
        ]
        for edit in edits {
            var changed = entry
            edit(&changed)
            #expect(changed.computeHash() != entry.hash)
        }
    }

    /// The hash format written out the plain way, as another language would: the streamed
    /// computation must give the same bytes (an anchored head must stay checkable).
    static func referenceHash(_ entry: AuditEntry) -> String {
        var bytes = Array("mlops-audit-v1\n".utf8)
        for field in [String(entry.sequence), String(entry.at.millisecondsSince1970), entry.principal, entry.action, entry.subject,
                      entry.before, entry.after, entry.reason, entry.previousHash] {
            if let field {
                bytes += Array("\(field.utf8.count):".utf8) + Array(field.utf8) + [UInt8(ascii: "\n")]
            } else {
                bytes += Array("-\n".utf8)
            }
        }
        return Digest(of: bytes).hex
    }

    /// Format 2 written out the plain way: the state fields through the SHA-256 hex of their
    /// text, or the digest a purge kept, or `-`.
    static func referenceHashFormat2(_ entry: AuditEntry) -> String {
        var bytes = Array("mlops-audit-v2\n".utf8)
        func field(_ text: String?) {
            if let text {
                bytes += Array("\(text.utf8.count):".utf8) + Array(text.utf8) + [UInt8(ascii: "\n")]
            } else {
                bytes += Array("-\n".utf8)
            }
        }
        field(String(entry.sequence))
        field(String(entry.at.millisecondsSince1970))
        field(entry.principal)
        field(entry.action)
        field(entry.subject)
        field(entry.before.map { Digest(of: Array($0.utf8)).hex } ?? entry.beforeDigest)
        field(entry.after.map { Digest(of: Array($0.utf8)).hex } ?? entry.afterDigest)
        field(entry.reason)
        field(entry.previousHash)
        return Digest(of: bytes).hex
    }

    @Test("format 2 hashes the documented bytes too, with state text, kept digests, long fields and negative times")
    func format2HashMatchesTheDocumentedBytes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abc/→é💡 \n:-0123456789")
        func text(_ longest: Int) -> String {
            String((0..<Int.random(in: 0...longest, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
        }
        for round in 0..<400 {
            // Some fields longer than the hashing buffer's first 2,048 bytes.
            let longest = round % 5 == 0 ? 6_000 : 40
            let beforeText = Bool.random(using: &generator) ? nil : text(longest)
            let afterText = Bool.random(using: &generator) ? nil : text(longest)
            let entry = AuditEntry(
                sequence: Int64.random(in: 1...Int64.max, using: &generator),
                at: Date(millisecondsSince1970: Int64.random(in: -10_000_000_000_000...10_000_000_000_000, using: &generator)),
                principal: text(longest), action: "version.register", subject: text(40), before: beforeText, after: afterText,
                reason: text(longest), previousHash: text(64), hash: "", format: 2,
                beforeDigest: beforeText == nil && Bool.random(using: &generator) ? Digest(of: Array(text(10).utf8)).hex : nil,
                afterDigest: afterText == nil && Bool.random(using: &generator) ? Digest(of: Array(text(10).utf8)).hex : nil)
            #expect(entry.computeHash() == Self.referenceHashFormat2(entry), "round \(round)")
            let longFormat1 = AuditEntry(
                sequence: entry.sequence, at: entry.at, principal: entry.principal, action: "alias.move", subject: entry.subject,
                before: beforeText, after: afterText, reason: entry.reason, previousHash: entry.previousHash, hash: "")
            #expect(longFormat1.computeHash() == Self.referenceHash(longFormat1), "round \(round)")
        }
    }

    @Test("the hash is SHA-256 over the documented bytes, for any field values (a pinned example too)")
    func hashMatchesTheDocumentedBytes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abc/→é💡 \n:-0123456789")
        func text() -> String { String((0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }) }
        for _ in 0..<500 {
            let entry = AuditEntry(
                sequence: Int64.random(in: 1...Int64.max, using: &generator),
                at: Date(millisecondsSince1970: Int64.random(in: -10_000_000_000_000...10_000_000_000_000, using: &generator)),
                principal: text(), action: text(), subject: text(), before: Bool.random() ? nil : text(), after: Bool.random() ? nil : text(),
                reason: text(), previousHash: text(), hash: "")
            #expect(entry.computeHash() == Self.referenceHash(entry), "\(entry)")
        }
        let pinned = AuditEntry(
            sequence: 1, at: Date(millisecondsSince1970: 1_790_000_000_000), principal: "root", action: "principal.add", subject: "alice",
            before: nil, after: "{}", reason: "", previousHash: AuditEntry.genesisHash, hash: "")
        #expect(pinned.computeHash() == Self.referenceHash(pinned))
        #expect(pinned.computeHash() == "006632964ddb1feb3a116dbf3badcea6146a13ead9c4c2e533a29e93e13d1ca9", "the same bytes in Python's hashlib")
    }
}
