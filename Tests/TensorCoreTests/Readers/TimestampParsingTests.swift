import Foundation
import Testing

@testable import TensorCore

@Suite("Timestamp parsing")
struct TimestampParsingTests {
    @Test(
        "ISO-8601 dates and date-times parse to the right microseconds",
        arguments: [
            ("1970-01-01", 0),
            ("1970-01-01T00:00:00Z", 0),
            ("2026-11-25", 1_795_564_800_000_000),
            ("2026-11-25T08:30:00Z", 1_795_595_400_000_000),
            ("2026-11-25T08:30Z", 1_795_595_400_000_000),
            ("2026-11-25T08:30", 1_795_595_400_000_000),
            ("2026-11-25 08:30:00", 1_795_595_400_000_000),
            ("2026-11-25T08:30:00.5Z", 1_795_595_400_500_000),
            ("2026-11-25T08:30:00.123456Z", 1_795_595_400_123_456),
            ("2026-11-25T08:30:00.123456789Z", 1_795_595_400_123_456),
            ("2026-11-25T08:30:00+01:00", 1_795_591_800_000_000),
            ("2026-11-25T08:30:00-05:30", 1_795_615_200_000_000),
            ("2026-11-25T08:30:00+0100", 1_795_591_800_000_000),
            ("2026-11-25T08:30:00+01", 1_795_591_800_000_000),
            ("1969-12-31T23:59:59.5Z", -500_000),
            ("2024-02-29T12:00:00Z", 1_709_208_000_000_000),
            ("2000-03-01", 951_868_800_000_000),
            ("1900-01-01", -2_208_988_800_000_000),
            ("0001-01-01", -62_135_596_800_000_000),
        ] as [(String, Int64)])
    func iso8601(_ text: String, _ micros: Int64) {
        #expect(TimestampColumn.microseconds(fromISO8601: text) == micros)
    }

    @Test("ISO-8601 parsing agrees with Foundation's formatter on random instants")
    func agreesWithFoundation() throws {
        var rng = ReaderTestRNG(seed: 11)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        for _ in 0..<500 {
            let seconds = Int64(rng.below(8_000_000_000)) - 2_000_000_000
            let text = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            #expect(TimestampColumn.microseconds(fromISO8601: text) == seconds * 1_000_000, "\(text)")
        }
    }

    @Test(
        "Invalid dates and times are rejected",
        arguments: [
            "", "2026", "2026-11", "2026-13-01", "2026-00-10", "2026-11-31", "2023-02-29", "1900-02-29",
            "2026-11-25T24:00:00", "2026-11-25T08:60", "2026-11-25T08:30:61", "2026-11-25T08:30:00.Z",
            "2026-11-25T08:30:00+25:00", "2026-11-25X08:30", "26-11-25", "2026/11/25", "2026-11-25T08:30:00Zjunk",
        ])
    func rejects(_ text: String) {
        #expect(TimestampColumn.microseconds(fromISO8601: text) == nil)
    }

    @Test("Epoch seconds parse exactly to microseconds")
    func epochSeconds() {
        func parse(_ text: String) -> Int64? {
            var copy = text
            return copy.withUTF8 { u in u.baseAddress.flatMap { TimestampParser.parseEpochSeconds($0, u.count) } }
        }
        #expect(parse("0") == 0)
        #expect(parse("1732523400") == 1_732_523_400_000_000)
        #expect(parse("1732523400.000001") == 1_732_523_400_000_001)
        #expect(parse("-1.25") == -1_250_000)
        #expect(parse("1.7e9") == 1_700_000_000_000_000)
        #expect(parse("abc") == nil)
        #expect(parse("inf") == nil)
    }
}
