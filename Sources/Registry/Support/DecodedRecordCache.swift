import Foundation
import Synchronization

/// The records a SQL registry store has decoded, by their stored text: reading the same record
/// again (a version found by every search, the principal of every call) costs a dictionary
/// look-up instead of a JSON decode.
///
/// The key is the record's whole text, so a changed record (a new status, a new card) is a new
/// key and is decoded afresh; nothing can be served stale. Bounded: when it holds
/// ``capacity`` records it starts over.
final class DecodedRecordCache: Sendable {
    /// Where a record's text is filed: its type and a hash of its length, first 128 and last 64
    /// bytes (canonical JSON with sorted keys puts a record's identifying fields early). Two
    /// texts that share a fingerprint share a slot: the later one replaces the earlier, and a
    /// look-up always compares the whole text, so a shared slot costs a decode, never a wrong
    /// answer.
    private struct Fingerprint: Hashable, Sendable {
        var type: ObjectIdentifier
        var hash: Int

        init(type: ObjectIdentifier, bytes: UnsafeRawBufferPointer) {
            self.type = type
            hash = Int(truncatingIfNeeded: Self.mix(bytes))
        }

        /// A quick 64-bit mix of the length, the first 128 and the last 64 bytes, eight bytes
        /// at a time (the dictionary hashes the result again with its own seeded hasher; this
        /// only has to spread records apart, and the whole text is compared anyway).
        static func mix(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
            var h = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
            func take(_ offset: Int) {
                let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 31
            }
            let count = bytes.count
            var offset = 0
            while offset + 8 <= min(count, 128) {
                take(offset)
                offset += 8
            }
            var tail = max(offset, count - 64)
            while tail + 8 <= count {
                take(tail)
                tail += 8
            }
            // The last few bytes, when the length is not a multiple of eight.
            var last: UInt64 = 0
            for index in (count - count % 8)..<count { last = (last << 8) | UInt64(bytes[index]) }
            h = (h ^ last) &* 0x94D0_49BB_1331_11EB
            return h ^ (h >> 29)
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(type)
            hasher.combine(hash)
        }
    }

    /// A decoded record, boxed so a look-up is a class cast and one copy of the record rather
    /// than a copy out of an existential.
    private final class Box<Record: Sendable>: Sendable {
        let record: Record
        init(_ record: Record) { self.record = record }
    }

    /// A decoded record and the exact bytes it was decoded from.
    private struct Entry: Sendable {
        var bytes: [UInt8]
        var box: any AnyObject & Sendable

        /// Whether `bytes` are exactly the bytes this entry was decoded from (byte for byte:
        /// `String`'s `==` would find two texts that differ only in Unicode normalization equal,
        /// and the record differs; its digest would).
        func matches(_ other: UnsafeRawBufferPointer) -> Bool {
            sameBytes(other, bytes)
        }
    }

    /// How many records are kept at most.
    let capacity: Int
    private let entries = Mutex<[Fingerprint: Entry]>([:])

    init(capacity: Int = 8_192) {
        self.capacity = capacity
    }

    /// The record `text` decodes to, decoded with `decode` the first time.
    func record<Record: Sendable>(_ type: Record.Type, text: String, decode: (String) throws -> Record) rethrows -> Record {
        var text = text
        return try text.withUTF8 { try record(type, bytes: UnsafeRawBufferPointer($0), decode: decode) }
    }

    /// Files `record` under `text`, the canonical text it was just stored as, so reading it back
    /// costs no decode. Only for records that decoding `text` gives back exactly (times already
    /// rounded to the millisecond, as the registry's rules round them; finite numbers).
    func remember<Record: Sendable>(_ record: Record, text: String) {
        var text = text
        text.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            file(record, bytes: bytes, under: Fingerprint(type: ObjectIdentifier(Record.self), bytes: bytes))
        }
    }

    /// Keeps `record` under `fingerprint` with a copy of its bytes, starting over when full.
    private func file<Record: Sendable>(_ record: Record, bytes: UnsafeRawBufferPointer, under fingerprint: Fingerprint) {
        let entry = Entry(bytes: Array(bytes), box: Box(record))
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[fingerprint] = entry
        }
    }

    /// The record the UTF-8 `bytes` decode to, decoded with `decode` the first time. Reads the
    /// bytes in place: a record seen before costs a hash and a comparison, no copy.
    func record<Record: Sendable>(_ type: Record.Type, bytes: UnsafeRawBufferPointer, decode: (String) throws -> Record) rethrows -> Record {
        let fingerprint = Fingerprint(type: ObjectIdentifier(type), bytes: bytes)
        let cached: Box<Record>? = entries.withLock { entries in
            guard let entry = entries[fingerprint], entry.matches(bytes) else { return nil }
            return entry.box as? Box<Record>
        }
        if let cached { return cached.record }
        let decoded = try decode(String(decoding: bytes, as: UTF8.self))
        file(decoded, bytes: bytes, under: fingerprint)
        return decoded
    }
}
