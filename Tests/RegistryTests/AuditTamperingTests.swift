import Foundation
import Lineage
import MLOpsStorage
import MLOpsTestSupport
import Registry
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
            let columns = "at, principal, action, subject, before, after, reason, previous_hash, hash"
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

    @Test(
        "on PostgreSQL, an edited entry is named (and restored afterwards)",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"))
    func postgres() async throws {
        try await StoreLocation(parsing: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? "").withDatabase { database in
            let registry = try await SQLRegistryStore(database: database)
            _ = try await Self.populate(registry)
            let head = try await registry.auditHead()
            let original = try await registry.auditEntries(after: head.sequence - 2, limit: 1)[0]
            _ = try await database.write { db in
                try await db.execute("UPDATE registry_audit SET principal = 'someone-else' WHERE sequence = ?", [.integer(original.sequence)])
            }
            let verification = try await registry.verifyAudit()
            _ = try await database.write { db in
                try await db.execute("UPDATE registry_audit SET principal = ? WHERE sequence = ?", [.text(original.principal), .integer(original.sequence)])
            }
            #expect(verification.firstBadSequence == original.sequence, "\(verification)")
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
}
