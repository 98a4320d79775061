public import Foundation
public import MLOpsStorage
import TensorCore

/// One mutation of the registry, as the hash-chained audit log keeps it: who did what to which
/// subject, when, the state before and after, and why. Each entry commits to the one before it
/// (``previousHash``), so an edited, deleted, inserted or reordered entry breaks the chain.
public struct AuditEntry: Sendable, Hashable, Codable {
    /// The position in the log, from 1, without gaps.
    public var sequence: Int64
    /// When it happened (kept to the millisecond).
    public var at: Date
    /// Who did it.
    public var principal: String
    /// What was done (`model.register`, `alias.promote`, `version.purge`, …).
    public var action: String
    /// What it was done to (`fraud/scorer@3`, `fraud/scorer#production`, `principal:alice`).
    public var subject: String
    /// The relevant state before, as canonical JSON (nil when there was none).
    @ExplicitNull public var before: String?
    /// The relevant state after, as canonical JSON (nil when there is none).
    @ExplicitNull public var after: String?
    /// Why (the caller's words; may be empty for routine registrations).
    public var reason: String
    /// The hash of the entry before (64 zeros for the first).
    public var previousHash: String
    /// This entry's hash: SHA-256 over its fields and ``previousHash`` (see ``computeHash()``).
    public var hash: String

    enum CodingKeys: String, CodingKey {
        case sequence, at, principal, action, subject, before, after, reason, hash
        case previousHash = "previous_hash"
    }

    /// The hash the first entry links to.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Creates an entry and computes its hash.
    init(sequence: Int64, at: Date, principal: String, action: String, subject: String, before: String?, after: String?, reason: String, previousHash: String) {
        self.init(
            sequence: sequence, at: at.registryRounded, principal: principal, action: action, subject: subject, before: before, after: after,
            reason: reason, previousHash: previousHash, hash: "")
        hash = computeHash()
    }

    /// Creates an entry from stored fields, hash included, as read back (not checked).
    public init(
        sequence: Int64, at: Date, principal: String, action: String, subject: String, before: String?, after: String?,
        reason: String, previousHash: String, hash: String
    ) {
        self.sequence = sequence
        self.at = at
        self.principal = principal
        self.action = action
        self.subject = subject
        self.before = before
        self.after = after
        self.reason = reason
        self.previousHash = previousHash
        self.hash = hash
    }

    /// SHA-256 (hex) over a versioned header and every field but the hash, each written as its
    /// UTF-8 byte count, a colon and its bytes (an absent before/after is `-`), so no two
    /// different entries share their bytes.
    public func computeHash() -> String {
        var bytes = Array("mlops-audit-v1\n".utf8)
        func field(_ text: String?) {
            guard let text else {
                bytes.append(UInt8(ascii: "-"))
                bytes.append(UInt8(ascii: "\n"))
                return
            }
            let utf8 = Array(text.utf8)
            bytes += Array(String(utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes += utf8
            bytes.append(UInt8(ascii: "\n"))
        }
        field(String(sequence))
        field(String(at.millisecondsSince1970))
        field(principal)
        field(action)
        field(subject)
        field(before)
        field(after)
        field(reason)
        field(previousHash)
        return Digest(of: bytes).hex
    }
}

/// The end of the audit log: the entry count and the last hash, to anchor in another system (a
/// ticket, a transparency log, a signed message). A later ``AuditVerification`` whose chain
/// passes through this head proves nothing before it was changed.
public struct AuditHead: Sendable, Hashable, Codable {
    /// The last entry's sequence (0 for an empty log).
    public var sequence: Int64
    /// The last entry's hash (``AuditEntry/genesisHash`` for an empty log).
    public var hash: String

    /// Creates a head.
    public init(sequence: Int64, hash: String) {
        self.sequence = sequence
        self.hash = hash
    }
}

/// What verifying the audit chain found.
public struct AuditVerification: Sendable, Hashable, Codable {
    /// Entries checked.
    public var entries: Int64
    /// The head of the chain as verified.
    public var head: AuditHead
    /// The first entry that breaks the chain (nil when it is intact).
    @ExplicitNull public var firstBadSequence: Int64?
    /// What is wrong with it.
    @ExplicitNull public var problem: String?

    enum CodingKeys: String, CodingKey {
        case entries, head, problem
        case firstBadSequence = "first_bad_sequence"
    }

    /// Whether every entry checked out.
    public var isIntact: Bool { firstBadSequence == nil }

    /// Creates a result.
    public init(entries: Int64, head: AuditHead, firstBadSequence: Int64?, problem: String?) {
        self.entries = entries
        self.head = head
        self.firstBadSequence = firstBadSequence
        self.problem = problem
    }
}

/// Checks audit entries in order, one at a time, so a million entries need no more memory than one.
struct AuditChainVerifier {
    private(set) var checked: Int64 = 0
    private(set) var previousHash = AuditEntry.genesisHash
    private(set) var failure: (sequence: Int64, problem: String)?

    /// Checks the next entry; returns false once the chain is broken (stop reading then).
    mutating func check(_ entry: AuditEntry) -> Bool {
        guard failure == nil else { return false }
        let expected = checked + 1
        if entry.sequence != expected {
            failure = (expected, entry.sequence > expected
                ? "entry \(expected) is missing (the next entry is \(entry.sequence))"
                : "entry \(entry.sequence) appears out of order where entry \(expected) belongs")
            return false
        }
        if entry.previousHash != previousHash {
            failure = (entry.sequence, "entry \(entry.sequence) does not link to the entry before it (an entry was removed, inserted or reordered)")
            return false
        }
        if entry.computeHash() != entry.hash {
            failure = (entry.sequence, "entry \(entry.sequence) was changed after it was written (its hash does not match its fields)")
            return false
        }
        checked += 1
        previousHash = entry.hash
        return true
    }

    /// The result after the last entry.
    func result() -> AuditVerification {
        AuditVerification(
            entries: checked, head: AuditHead(sequence: checked, hash: previousHash),
            firstBadSequence: failure?.sequence, problem: failure?.problem)
    }
}
