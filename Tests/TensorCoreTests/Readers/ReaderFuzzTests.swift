import Foundation
import PropertyBased
import Testing
@testable import TensorCore

/// The readers take files as they come: whatever the bytes, a read ends with a table or a
/// ``TableError``, never a crash. The inputs are random sequences of the tokens that matter to
/// each format (delimiters, quotes, line ends, numbers, dates, brackets) plus bytes that are not
/// UTF-8, so the generator reaches the parsers' edge cases far more often than random bytes do.
@Suite("Reader fuzzing")
struct ReaderFuzzTests {
    static let csvTokens: [[UInt8]] = [
        ",", ",", "\"", "\"\"", "\n", "\n", "\r\n", "\r", "a", "b", "x y", "1", "-2.5", "1e308", "1e999", "nan", "NA",
        "", " ", "\t", ";", "2026-11-25", "2026-02-30", "2026-11-25T08:30:00.123456789+05:30", "9999999999999999999999",
        "true", "\u{0}", "é", "\u{1F600}",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80]]

    static let jsonTokens: [[UInt8]] = [
        "{", "}", "[", "]", ":", ",", "\"", "\"k\"", "\"v\"", "\\", "\\u00e9", "\\ud800", "\\n", "1", "-0.5", "1e400", "-",
        "null", "true", "false", "nul", "\n", "\n", "\r\n", " ", "{\"a\": 1}", "{\"a\": \"x\"}", "{\"b\": [1, 2]}",
        "2026-11-25T08:30:00Z", "\u{0}", "\u{1F600}",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xF0, 0x9F]]

    /// Writes `bytes` to a fresh file and reads it with `read`, which must return or throw a
    /// `TableError` (a crash fails the whole test run).
    static func survives(_ bytes: [UInt8], suffix: String, _ read: (String) throws(TableError) -> Void) {
        let path = NSTemporaryDirectory() + "mlops-fuzz-\(UUID().uuidString).\(suffix)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            Issue.record("could not write \(path)")
            return
        }
        do {
            try read(path)
        } catch {
            #expect(!error.description.isEmpty)
        }
    }

    @Test("any CSV bytes give a table or a TableError, with every bad-row policy and both parsers")
    func csv() async {
        await propertyCheck(count: 300, input: Gen.element(of: Self.csvTokens).array(of: 0...400)) { tokens in
            let bytes = tokens.compactMap { $0 }.flatMap { $0 }
            for policy in [BadRowPolicy.fail, .skip] {
                for parallel in [false, true] {
                    var options = CSVReadOptions(badRowPolicy: policy)
                    options.parallelParsing = parallel
                    options.blockSize = 64
                    Self.survives(bytes, suffix: "csv") { path throws(TableError) in
                        let (table, report) = try CSVReader.readAll(path: path, options: options)
                        #expect(table.rowCount >= 0 && report.rowsRead >= 0)
                    }
                }
            }
        }
    }

    @Test("CSV read in small chunks agrees with one read of the whole file")
    func csvChunks() async {
        await propertyCheck(count: 150, input: Gen.element(of: Self.csvTokens).array(of: 0...300)) { tokens in
            let bytes = tokens.compactMap { $0 }.flatMap { $0 }
            Self.survives(bytes, suffix: "csv") { path throws(TableError) in
                let options = CSVReadOptions(badRowPolicy: .skip)
                let (whole, _) = try CSVReader.readAll(path: path, options: options)
                let reader = try CSVReader(path: path, options: options)
                var rows = 0
                while let chunk = try reader.nextChunk(maxRows: 3) { rows += chunk.rowCount }
                #expect(rows == whole.rowCount)
            }
        }
    }

    @Test("any JSON Lines bytes give a table or a TableError")
    func jsonLines() async {
        await propertyCheck(count: 300, input: Gen.element(of: Self.jsonTokens).array(of: 0...300)) { tokens in
            let bytes = tokens.compactMap { $0 }.flatMap { $0 }
            for policy in [BadRowPolicy.fail, .skip] {
                var options = JSONLinesReadOptions()
                options.badRowPolicy = policy
                Self.survives(bytes, suffix: "jsonl") { path throws(TableError) in
                    let (table, _) = try JSONLinesReader.readAll(path: path, options: options)
                    #expect(table.rowCount >= 0)
                }
            }
        }
    }

    @Test("ISO-8601 timestamps of any shape parse or are refused, never trap")
    func timestamps() async {
        let pieces = ["2026", "-", "11", "25", "T", " ", ":", "08", "30", ".", "123456789", "Z", "+", "05", "99", "0000", "9999", "x"]
        await propertyCheck(count: 2_000, input: Gen.element(of: pieces).array(of: 0...14)) { parts in
            let text = parts.compactMap { $0 }.joined()
            if let microseconds = TimestampColumn.microseconds(fromISO8601: text) {
                #expect(microseconds > Int64.min)
            }
        }
    }
}
