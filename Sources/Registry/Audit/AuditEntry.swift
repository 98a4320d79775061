public import Foundation
public import MLOpsStorage
internal import Crypto
import TensorCore

/// One mutation of the registry, as the hash-chained audit log keeps it: who did what to which
/// subject, when, the state before and after, and why. Each entry commits to the one before it
/// (``previousHash``), so an edited, deleted, inserted or reordered entry breaks the chain.
///
/// An entry that holds a version's metadata (`version.register`, `version.card`) is written in
/// ``format`` 2: its hash covers the SHA-256 of ``before`` and ``after`` rather than their text.
/// Purging the version removes that text (a model card or tag may name what must vanish) and
/// keeps the digests (``beforeDigest``, ``afterDigest``), so the chain still verifies and still
/// proves who registered what, when; a text removed without a later `version.purge` of the same
/// subject is reported by the verifier.
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

    /// The subject of an entry about one version (`fraud/scorer@3`): what the registry writes and
    /// what readers of the log (migrations, `store check`) match.
    package static func versionSubject(_ model: ModelName, _ version: Int) -> String {
        "\(model)@\(version)"
    }
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
    /// How the hash covers ``before`` and ``after``: 1 hashes their text, 2 the SHA-256 of their
    /// text (an entry whose text a purge may remove).
    public var format: Int
    /// The SHA-256 (hex) of the ``before`` text a purge removed (format 2); nil while it is there.
    @ExplicitNull public var beforeDigest: String?
    /// The SHA-256 (hex) of the ``after`` text a purge removed (format 2); nil while it is there.
    @ExplicitNull public var afterDigest: String?

    /// Whether a purge removed this entry's state, keeping only its digests.
    public var isRedacted: Bool { format == 2 && ((before == nil && beforeDigest != nil) || (after == nil && afterDigest != nil)) }

    /// The actions whose entries are written in format 2: the version's own metadata, which a
    /// purge removes.
    static let redactableActions: Set<String> = ["version.register", "version.card"]
    /// The action that may remove an earlier entry's state (of the same subject).
    static let purgeAction = "version.purge"

    enum CodingKeys: String, CodingKey {
        case sequence, at, principal, action, subject, before, after, reason, hash, format
        case previousHash = "previous_hash", beforeDigest = "before_digest", afterDigest = "after_digest"
    }

    /// The hash the first entry links to.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Creates an entry and computes its hash, in format 2 for the actions a purge may redact.
    init(sequence: Int64, at: Date, principal: String, action: String, subject: String, before: String?, after: String?, reason: String, previousHash: String) {
        self.init(
            sequence: sequence, at: at.registryRounded, principal: principal, action: action, subject: subject, before: before, after: after,
            reason: reason, previousHash: previousHash, hash: "", format: Self.redactableActions.contains(action) ? 2 : 1)
        hash = computeHash()
    }

    /// Creates an entry from stored fields, hash included, as read back (not checked).
    public init(
        sequence: Int64, at: Date, principal: String, action: String, subject: String, before: String?, after: String?,
        reason: String, previousHash: String, hash: String, format: Int = 1, beforeDigest: String? = nil, afterDigest: String? = nil
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
        self.format = format
        self.beforeDigest = beforeDigest
        self.afterDigest = afterDigest
    }

    /// Reads an entry; one written before formats existed (no `format` key) is format 1.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            sequence: try container.decode(Int64.self, forKey: .sequence), at: try container.decode(Date.self, forKey: .at),
            principal: try container.decode(String.self, forKey: .principal), action: try container.decode(String.self, forKey: .action),
            subject: try container.decode(String.self, forKey: .subject), before: try container.decodeIfPresent(String.self, forKey: .before),
            after: try container.decodeIfPresent(String.self, forKey: .after), reason: try container.decode(String.self, forKey: .reason),
            previousHash: try container.decode(String.self, forKey: .previousHash), hash: try container.decode(String.self, forKey: .hash),
            format: try container.decodeIfPresent(Int.self, forKey: .format) ?? 1,
            beforeDigest: try container.decodeIfPresent(String.self, forKey: .beforeDigest),
            afterDigest: try container.decodeIfPresent(String.self, forKey: .afterDigest))
    }

    /// The entry with its state removed, as a purge leaves it: the text of ``before`` and
    /// ``after`` replaced by its SHA-256 (format 2 only; other entries are returned as they are).
    func redacted() -> AuditEntry {
        guard format == 2 else { return self }
        var entry = self
        if let text = before {
            entry.beforeDigest = AuditHashing.hexDigest(of: text)
            entry.before = nil
        }
        if let text = after {
            entry.afterDigest = AuditHashing.hexDigest(of: text)
            entry.after = nil
        }
        return entry
    }

    /// SHA-256 (hex) over a versioned header and every field but the hash, each written as its
    /// UTF-8 byte count, a colon and its bytes (an absent before/after is `-`), so no two
    /// different entries share their bytes.
    public func computeHash() -> String {
        var hex = [UInt8](repeating: 0, count: 64)
        AuditHashing.digest(of: self).hexDigits(into: &hex)
        return String(decoding: hex, as: UTF8.self)
    }

    /// Whether ``hash`` is the hash of the entry's fields (``computeHash()`` without making strings).
    var hashMatches: Bool {
        AuditHashing.digest(of: self).matchesHex(hash)
    }
}

/// The audit hash's input, built in one reusable buffer and hashed with one SHA-256 call:
/// verifying a million entries a second leaves no room for an array and a string per field.
struct AuditHashing {
    /// The entry's bytes so far are `storage[..<length]`. The array is kept at its full size and
    /// written through one pointer per field: growing it with `append(contentsOf:)` three or
    /// four times a field cost about 10% of a chain check.
    private var storage = [UInt8](repeating: 0, count: 2048)
    private var length = 0

    init() {}

    /// The formats this build writes and reads.
    static let formats = 1...2

    static func digest(of entry: AuditEntry) -> SHA256Digest {
        var hashing = AuditHashing()
        var texts = (entry.principal, entry.action, entry.subject, entry.reason, entry.previousHash)
        hashing.start(sequence: entry.sequence, at: entry.at.millisecondsSince1970, format: entry.format)
        texts.0.withUTF8 { hashing.append(UnsafeRawBufferPointer($0)) }
        texts.1.withUTF8 { hashing.append(UnsafeRawBufferPointer($0)) }
        texts.2.withUTF8 { hashing.append(UnsafeRawBufferPointer($0)) }
        if entry.format == 2 {
            hashing.appendState(text: entry.before, digest: entry.beforeDigest)
            hashing.appendState(text: entry.after, digest: entry.afterDigest)
        } else {
            hashing.append(optional: entry.before)
            hashing.append(optional: entry.after)
        }
        texts.3.withUTF8 { hashing.append(UnsafeRawBufferPointer($0)) }
        texts.4.withUTF8 { hashing.append(UnsafeRawBufferPointer($0)) }
        return hashing.finish()
    }

    /// The SHA-256 of `text`'s UTF-8 bytes in lowercase hexadecimal.
    static func hexDigest(of text: String) -> String {
        var text = text
        var hex = [UInt8](repeating: 0, count: 64)
        text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)).hexDigits(into: &hex) }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Starts an entry: the header of its format, then the sequence and the time in milliseconds.
    mutating func start(sequence: Int64, at milliseconds: Int64, format: Int = 1) {
        length = 0
        // Literals, not a static table: a global's lazy initializer is checked on every access,
        // and this runs once per entry of a million-entry log.
        let header: StaticString = format == 2 ? "mlops-audit-v2\n" : "mlops-audit-v1\n"
        write(reserving: header.utf8CodeUnitCount) { output in
            UnsafeMutableRawBufferPointer(rebasing: output[..<header.utf8CodeUnitCount])
                .copyMemory(from: UnsafeRawBufferPointer(start: header.utf8Start, count: header.utf8CodeUnitCount))
            return header.utf8CodeUnitCount
        }
        append(number: sequence)
        append(number: milliseconds)
    }

    /// Runs `body` on the free space after the bytes so far, at least `count` bytes of it, and
    /// keeps the number of bytes it says it wrote.
    private mutating func write(reserving count: Int, _ body: (UnsafeMutableRawBufferPointer) -> Int) {
        if length + count > storage.count {
            storage.append(contentsOf: repeatElement(0, count: Swift.max(storage.count, length + count - storage.count)))
        }
        let start = length
        length += storage.withUnsafeMutableBytes { body(UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
    }

    /// A format-2 state field: the SHA-256 (hex) of its text while the text is there, else the
    /// digest a purge kept, else `-` for a field that never held anything.
    mutating func appendState(text: UnsafeRawBufferPointer?, digest: UnsafeRawBufferPointer?) {
        if let text {
            var hex: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &hex) { output in
                SHA256.hash(data: text).hexDigits(into: output)
                append(UnsafeRawBufferPointer(output))
            }
        } else {
            append(digest)
        }
    }

    private mutating func appendState(text: String?, digest: String?) {
        switch (text, digest) {
        case (var text?, _): text.withUTF8 { appendState(text: UnsafeRawBufferPointer($0), digest: nil) }
        case (nil, var digest?): digest.withUTF8 { appendState(text: nil, digest: UnsafeRawBufferPointer($0)) }
        case (nil, nil): append(nil)
        }
    }

    /// A text field: its UTF-8 byte count, a colon, the bytes and a newline; nil is `-` and a newline.
    mutating func append(_ bytes: UnsafeRawBufferPointer?) {
        guard let bytes else {
            write(reserving: 2) { output in
                output[0] = UInt8(ascii: "-")
                output[1] = UInt8(ascii: "\n")
                return 2
            }
            return
        }
        write(reserving: bytes.count + 22) { output in
            var at = Self.writeDigits(of: UInt64(bytes.count), into: output)
            output[at] = UInt8(ascii: ":")
            at += 1
            if !bytes.isEmpty {
                UnsafeMutableRawBufferPointer(rebasing: output[at..<(at + bytes.count)]).copyMemory(from: bytes)
            }
            at += bytes.count
            output[at] = UInt8(ascii: "\n")
            return at + 1
        }
    }

    private mutating func append(optional text: String?) {
        guard var text else { return append(nil) }
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// An integer field: its decimal text, framed like any text field.
    private mutating func append(number value: Int64) {
        write(reserving: 44) { output in
            let digits = Self.decimalDigits(value.magnitude) + (value < 0 ? 1 : 0)
            var at = Self.writeDigits(of: UInt64(digits), into: output)
            output[at] = UInt8(ascii: ":")
            at += 1
            if value < 0 {
                output[at] = UInt8(ascii: "-")
                at += 1
            }
            at += Self.writeDigits(of: value.magnitude, into: UnsafeMutableRawBufferPointer(rebasing: output[at...]))
            output[at] = UInt8(ascii: "\n")
            return at + 1
        }
    }

    private static func decimalDigits(_ value: UInt64) -> Int {
        var count = 1, rest = value
        while rest >= 10 { rest /= 10; count += 1 }
        return count
    }

    /// Writes `value`'s decimal digits (at most 20) at the start of `output`; returns how many.
    private static func writeDigits(of value: UInt64, into output: UnsafeMutableRawBufferPointer) -> Int {
        let count = decimalDigits(value)
        var rest = value
        var at = count
        repeat {
            at -= 1
            output[at] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        } while rest > 0
        return count
    }

    /// The SHA-256 of the entry built so far.
    func finish() -> SHA256Digest {
        let length = length
        return storage.withUnsafeBytes { SHA256.hash(data: UnsafeRawBufferPointer(rebasing: $0[..<length])) }
    }
}

extension SHA256Digest {
    /// The lowercase hexadecimal digit of a nibble (0–15), computed rather than looked up in a
    /// global table (whose lazy initializer would be checked on every use).
    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble &+ (nibble < 10 ? 0x30 : 0x57)
    }

    func hexDigits(into output: inout [UInt8]) {
        output.withUnsafeMutableBytes { hexDigits(into: $0) }
    }

    /// Writes the 64 lowercase hexadecimal digits into the first 64 bytes of `output`.
    ///
    /// Reads the digest through `withUnsafeBytes`: iterating it (`for byte in digest`) makes an
    /// array of its 32 bytes first, an allocation per call that was 5% of a chain check.
    func hexDigits(into output: UnsafeMutableRawBufferPointer) {
        withUnsafeBytes { bytes in
            for index in 0..<32 {
                output[2 &* index] = Self.hexDigit(bytes[index] >> 4)
                output[2 &* index &+ 1] = Self.hexDigit(bytes[index] & 0x0f)
            }
        }
    }

    /// Whether `hex` is this digest in lowercase hexadecimal.
    func matchesHex(_ hex: String) -> Bool {
        var hex = hex
        return hex.withUTF8 { matchesHex(UnsafeRawBufferPointer($0)) }
    }

    /// Whether the bytes `text` are this digest in lowercase hexadecimal (every digit compared,
    /// differences gathered without a branch per byte).
    func matchesHex(_ text: UnsafeRawBufferPointer) -> Bool {
        guard text.count == 64 else { return false }
        return withUnsafeBytes { bytes in
            var difference: UInt8 = 0
            for index in 0..<32 {
                difference |= text[2 &* index] ^ Self.hexDigit(bytes[index] >> 4)
                difference |= text[2 &* index &+ 1] ^ Self.hexDigit(bytes[index] & 0x0f)
            }
            return difference == 0
        }
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
///
/// Entries come as records (``check(_:)``) or as rows read in place from the audit table
/// (``check(row:)``: the hash is computed from the row's bytes, nothing is allocated per entry).
struct AuditChainVerifier: Sendable {
    private(set) var checked: Int64 = 0
    /// The last checked entry's hash, as its 64 hexadecimal characters.
    private var previousHash = Array(AuditEntry.genesisHash.utf8)
    private(set) var failure: (sequence: Int64, problem: String)?
    private var hashing = AuditHashing()
    /// Whether this verifier checks a later part of the log: its first row's sequence and link
    /// are taken as they come, and ``joined(_:)`` checks them against the part before.
    private var resumes = false
    /// Rows given to ``check(row:)``.
    private(set) var rowsRead = 0
    /// A resuming verifier's first row: its sequence and the hash it links to.
    private(set) var firstRow: (sequence: Int64, previousHash: [UInt8])?
    /// Subjects with an entry whose state was removed and no purge of them read since, with
    /// the first such entry: a purge must follow, or the text was deleted behind the log's back.
    private(set) var unexplainedRedactions: [String: Int64] = [:]
    /// Subjects purged in the entries read (so an earlier part's redactions are explained).
    private(set) var purgedSubjects: Set<String> = []

    init() {}

    /// Notes a checked entry's redaction or purge (rare: nothing is allocated for other entries).
    private mutating func account(sequence: Int64, subject: @autoclosure () -> String, redacted: Bool, purge: Bool) {
        guard redacted || purge else { return }
        let subject = subject()
        if purge {
            purgedSubjects.insert(subject)
            unexplainedRedactions[subject] = nil
        } else if unexplainedRedactions[subject] == nil {
            unexplainedRedactions[subject] = sequence
        }
    }

    /// A verifier for a part of the log that does not start at entry 1 (see ``joined(_:)``).
    static func resuming() -> AuditChainVerifier {
        var verifier = AuditChainVerifier()
        verifier.resumes = true
        return verifier
    }

    /// Checks the next entry; returns false once the chain is broken (stop reading then).
    mutating func check(_ entry: AuditEntry) -> Bool {
        guard failure == nil else { return false }
        guard AuditHashing.formats.contains(entry.format) else {
            failure = (entry.sequence, "entry \(entry.sequence) has format \(entry.format), which this build does not know (the audit table was edited, or a newer build wrote it)")
            return false
        }
        var previous = entry.previousHash
        var hash = entry.hash
        let linked = previous.withUTF8 { Self.equal(UnsafeRawBufferPointer($0), previousHash) }
        let passed = record(sequence: entry.sequence, linked: linked, hashMatches: linked && entry.hashMatches)
        if passed {
            hash.withUTF8 { keep(hash: UnsafeRawBufferPointer($0)) }
            account(sequence: entry.sequence, subject: entry.subject, redacted: entry.format == 2 && entry.isRedacted, purge: entry.action == AuditEntry.purgeAction)
        }
        return passed
    }

    /// Checks the next row of `SELECT sequence, at, principal, action, subject, before, after,
    /// reason, previous_hash, hash, format, before_digest, after_digest FROM registry_audit ORDER
    /// BY sequence`.
    mutating func check(row: borrowing SQLRowView) -> Bool {
        guard failure == nil else { return false }
        rowsRead += 1
        guard let sequence = row.integer(at: 0) else {
            failure = (checked + 1, "entry \(checked + 1) has no sequence (the audit table was edited)")
            return false
        }
        if resumes && firstRow == nil {
            let linkedTo = row.withText(at: 8) { Array($0 ?? UnsafeRawBufferPointer(start: nil, count: 0)) }
            firstRow = (sequence, linkedTo)
            checked = sequence - 1
            previousHash = linkedTo
        }
        guard let at = row.integer(at: 1) else {
            failure = (sequence, "entry \(sequence) has no time (the audit table was edited)")
            return false
        }
        let format = row.integer(at: 10) ?? 0
        guard format == 1 || format == 2 else {  // AuditHashing.formats, without a global per row
            failure = (sequence, "entry \(sequence) has format \(row.isNull(at: 10) ? "NULL" : String(format)), which this build does not know (the audit table was edited, or a newer build wrote it)")
            return false
        }
        // Each column is read once, hashed as it is read; what else it decides (the link, the
        // action) is decided then too.
        hashing.start(sequence: sequence, at: at, format: Int(format))
        var purge = false
        for column in 2...4 {
            row.withText(at: column) { bytes in
                hashing.append(bytes)
                if column == 3, let bytes { purge = bytes.elementsEqual("version.purge".utf8) }  // AuditEntry.purgeAction
            }
        }
        // `before` and `after` are text or NULL: a value of another type (a blob written into
        // the file) would hash like a NULL. (Elsewhere such a value hashes as `-`, which no text
        // field hashes as, so the hash check catches it.)
        var notText = false
        var redacted = false
        for column in 5...6 {
            row.withText(at: column) { textBytes in
                if textBytes == nil && !row.isNull(at: column) { notText = true }
                if format == 2 {
                    // The state through its digest: the text's while it is there, else the one a
                    // purge kept (columns 11 and 12).
                    row.withText(at: column + 6) { digestBytes in
                        if textBytes == nil && digestBytes != nil { redacted = true }
                        hashing.appendState(text: textBytes, digest: digestBytes)
                    }
                } else {
                    hashing.append(textBytes)
                }
            }
        }
        if notText {
            failure = (sequence, "entry \(sequence) has a field that is not text (the audit table was edited)")
            return false
        }
        row.withText(at: 7) { hashing.append($0) }
        var linked = false
        row.withText(at: 8) { bytes in
            linked = bytes.map { Self.equal($0, previousHash) } ?? false
            hashing.append(bytes)
        }
        let digest = hashing.finish()
        var passed = false
        row.withText(at: 9) { bytes in
            passed = record(sequence: sequence, linked: linked, hashMatches: linked && (bytes.map { digest.matchesHex($0) } ?? false))
            if passed { keep(hash: bytes ?? UnsafeRawBufferPointer(start: nil, count: 0)) }
        }
        if passed {
            account(sequence: sequence, subject: row.withText(at: 4) { String(decoding: $0 ?? UnsafeRawBufferPointer(start: nil, count: 0), as: UTF8.self) },
                    redacted: redacted, purge: purge)
        }
        return passed
    }

    /// Remembers a checked entry's hash for the next link, reusing the buffer.
    private mutating func keep(hash: UnsafeRawBufferPointer) {
        previousHash.removeAll(keepingCapacity: true)
        previousHash.append(contentsOf: hash)
    }

    private static func equal(_ bytes: UnsafeRawBufferPointer, _ other: [UInt8]) -> Bool {
        sameBytes(bytes, other)
    }

    /// Records the outcome of checking entry `sequence`.
    private mutating func record(sequence: Int64, linked: Bool, hashMatches: Bool) -> Bool {
        guard failure == nil else { return false }
        let expected = checked + 1
        if sequence < 1 {
            failure = (sequence, "entry \(sequence) has a sequence below 1, which the log never writes (an entry was inserted)")
            return false
        }
        if sequence != expected {
            failure = (expected, sequence > expected
                ? "entry \(expected) is missing (the next entry is \(sequence))"
                : "entry \(sequence) appears out of order where entry \(expected) belongs")
            return false
        }
        if !linked {
            failure = (sequence, "entry \(sequence) does not link to the entry before it (an entry was removed, inserted or reordered)")
            return false
        }
        if !hashMatches {
            failure = (sequence, "entry \(sequence) was changed after it was written (its hash does not match its fields)")
            return false
        }
        checked += 1
        return true
    }

    /// The result of verifying consecutive parts of the log, each read by a ``resuming()``
    /// verifier, the same as one verifier reading them all: each part's first row must
    /// follow the part before (its sequence next, its link that part's last hash), and the first
    /// failure in log order is the one reported.
    static func joined(_ parts: [AuditChainVerifier]) -> AuditVerification {
        var whole = AuditChainVerifier()
        for part in parts {
            guard let first = part.firstRow else {
                // No row checked: an empty part, or one whose first row could not be read at all.
                if part.failure != nil { return part.result() }
                continue
            }
            let linked = equal(first.previousHash, whole.previousHash)
            guard whole.record(sequence: first.sequence, linked: linked, hashMatches: true) else { return whole.result() }
            guard part.failure == nil else { return part.result() }
            whole.checked = part.checked
            whole.previousHash = part.previousHash
            // A purge in this part explains the earlier parts' redactions of its subject.
            for subject in part.purgedSubjects { whole.unexplainedRedactions[subject] = nil }
            whole.unexplainedRedactions.merge(part.unexplainedRedactions) { Swift.min($0, $1) }
        }
        return whole.result()
    }

    private static func equal(_ bytes: [UInt8], _ other: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { equal($0, other) }
    }

    /// Says, in a result's problem, that an entry's state went without a purge.
    static let unexplainedRedaction = "the text was deleted outside a purge"

    /// The result after the last entry. A chain that links and hashes throughout still fails at
    /// the first entry whose state was removed with no purge of its subject after it.
    func result() -> AuditVerification {
        if failure == nil, let (subject, sequence) = unexplainedRedactions.min(by: { $0.value < $1.value }) {
            return AuditVerification(
                entries: sequence - 1, head: AuditHead(sequence: checked, hash: String(decoding: previousHash, as: UTF8.self)),
                firstBadSequence: sequence,
                problem: "entry \(sequence)'s state was removed, but no purge of \(subject) follows it (\(Self.unexplainedRedaction))")
        }
        return AuditVerification(
            entries: checked, head: AuditHead(sequence: checked, hash: String(decoding: previousHash, as: UTF8.self)),
            firstBadSequence: failure?.sequence, problem: failure?.problem)
    }
}
