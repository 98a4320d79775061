import Foundation
import TensorCore

/// How the registry turns records into bytes: canonical JSON for what is hashed or signed, and
/// the JSON the SQL store keeps in its record columns.
enum RegistryCoding {
    /// Sorted keys, no whitespace, slashes unescaped, times as whole milliseconds since the
    /// Unix epoch: the same bytes for the same value on every platform and every run (see
    /// ``CanonicalJSONEncoder``, which writes what Foundation's `JSONEncoder` so configured
    /// writes, faster; the tests hold the two to the same bytes).
    static func canonicalJSON(_ value: some Encodable) throws -> [UInt8] {
        try CanonicalJSONEncoder().encode(value)
    }

    /// The canonical JSON as text.
    static func canonicalText(_ value: some Encodable) throws -> String {
        String(decoding: try canonicalJSON(value), as: UTF8.self)
    }

    /// A decoder for what ``canonicalJSON(_:)`` wrote; make one per batch of records.
    static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            return Date(millisecondsSince1970: try container.decode(Int64.self))
        }
        decoder.dataDecodingStrategy = .base64
        return decoder
    }

    /// Reads what ``canonicalJSON(_:)`` wrote.
    static func decode<Value: Decodable>(
        _ type: Value.Type, from text: String, what: String, using decoder: JSONDecoder = makeDecoder()
    ) throws(RegistryError) -> Value {
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw RegistryError(
                .corruptRecord, "The stored \(what) could not be read (\(error))",
                fix: "the record was edited by hand or written by a newer build; restore it from a backup or upgrade.")
        }
    }
}

extension Date {
    /// The instant rounded to the millisecond, as every registry store keeps times.
    var registryRounded: Date { Date(millisecondsSince1970: millisecondsSince1970) }
}

/// A record with its canonical JSON, encoded once for both the store's row and the audit entry
/// that records the change.
struct EncodedRecord<Record: Encodable & Sendable>: Sendable {
    let record: Record
    /// ``RegistryCoding/canonicalText(_:)`` of `record`.
    let text: String

    init(_ record: Record) throws {
        self.record = record
        text = try RegistryCoding.canonicalText(record)
    }

    /// A record read back with the text it was stored as (which the store wrote as its
    /// canonical text).
    init(stored record: Record, text: String) {
        self.record = record
        self.text = text
    }
}
