import Foundation
import Testing

@testable import Registry

@Suite("Decoded-record cache")
struct DecodedRecordCacheTests {
    struct Named: Sendable, Equatable { var text: String }

    @Test("A record is decoded once per distinct text; texts that differ anywhere, even past the hashed bytes or only in Unicode normalization, decode apart")
    func distinctTexts() throws {
        let cache = DecodedRecordCache(capacity: 100)
        var decodes = 0
        func read(_ text: String) -> Named {
            cache.record(Named.self, text: text) { text in
                decodes += 1
                return Named(text: text)
            }
        }
        let long = String(repeating: "a", count: 300)
        #expect(read(long) == Named(text: long))
        #expect(read(long) == Named(text: long))
        #expect(decodes == 1)
        // Same length, same first 128 and last 64 bytes: same fingerprint, different record.
        var middle = Array(long.utf8)
        middle[150] = UInt8(ascii: "b")
        let other = String(decoding: middle, as: UTF8.self)
        #expect(read(other) == Named(text: other))
        #expect(read(long) == Named(text: long))
        #expect(decodes == 3)
        // "é" precomposed and decomposed: equal as Strings, different bytes and records.
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(read(composed).text.utf8.count == composed.utf8.count)
        #expect(read(decomposed).text.utf8.count == decomposed.utf8.count)
        #expect(decodes == 5)
        // In place, from bytes.
        let viaBytes = Array("{\"x\":1}".utf8).withUnsafeBytes { bytes in
            cache.record(Named.self, bytes: bytes) { Named(text: $0) }
        }
        #expect(viaBytes == Named(text: "{\"x\":1}"))
    }

    @Test("The cache starts over when full, and a record of another type under the same text is decoded apart")
    func boundedAndTyped() {
        let cache = DecodedRecordCache(capacity: 4)
        var decodes = 0
        for round in 0..<3 {
            for index in 0..<10 {
                _ = cache.record(Named.self, text: "record \(index)") { text in
                    decodes += 1
                    return Named(text: text)
                }
            }
            #expect(decodes == 10 * (round + 1))
        }
        let number = cache.record(Int.self, text: "record 9") { _ in 9 }
        #expect(number == 9)
    }
}
