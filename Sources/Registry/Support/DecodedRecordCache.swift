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
    private struct Key: Hashable, Sendable {
        var type: ObjectIdentifier
        var text: String

        /// Equal when the same type and the same bytes: `String`'s `==` would find two texts that
        /// differ only in Unicode normalization equal, and the record differs (its digest would).
        static func == (lhs: Key, rhs: Key) -> Bool {
            guard lhs.type == rhs.type, lhs.text.utf8.count == rhs.text.utf8.count else { return false }
            var left = lhs.text, right = rhs.text
            return left.withUTF8 { l in
                right.withUTF8 { r in
                    guard let a = l.baseAddress, let b = r.baseAddress else { return true }   // both empty
                    return memcmp(a, b, l.count) == 0
                }
            }
        }

        /// The type, the length and the first 128 bytes: canonical JSON with sorted keys puts
        /// a record's identifying fields early, and equality compares the whole text anyway.
        func hash(into hasher: inout Hasher) {
            hasher.combine(type)
            var text = text
            text.withUTF8 { bytes in
                hasher.combine(bytes.count)
                hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[..<min(bytes.count, 128)])))
            }
        }
    }

    /// How many records are kept at most.
    let capacity: Int
    private let records = Mutex<[Key: any Sendable]>([:])

    init(capacity: Int = 8_192) {
        self.capacity = capacity
    }

    /// The record `text` decodes to, decoded with `decode` the first time.
    func record<Record: Sendable>(_ type: Record.Type, text: String, decode: (String) throws -> Record) rethrows -> Record {
        let key = Key(type: ObjectIdentifier(type), text: text)
        if let cached = records.withLock({ $0[key] }) as? Record { return cached }
        let decoded = try decode(text)
        records.withLock { records in
            if records.count >= capacity { records.removeAll(keepingCapacity: true) }
            records[key] = decoded
        }
        return decoded
    }
}
