import Foundation
import Testing

@testable import TensorCore

@Suite("DecimalParser")
struct DecimalParserTests {
    /// A random decimal string of one of several shapes: integers, decimals, exponents, many
    /// digits, leading zeros, subnormal and overflowing magnitudes.
    static func randomDecimal(_ rng: inout ReaderTestRNG) -> String {
        let sign = ["", "", "-", "+"][rng.below(4)]
        let body: String
        switch rng.below(8) {
        case 0:
            body = rng.digits(1 + rng.below(20))
        case 1:
            body = rng.digits(1 + rng.below(10)) + "." + rng.digits(1 + rng.below(12))
        case 2:
            body = "." + rng.digits(1 + rng.below(17))
        case 3:
            body = rng.digits(1 + rng.below(17)) + ["e", "E"][rng.below(2)] + ["", "-", "+"][rng.below(3)]
                + String(rng.below(330))
        case 4:
            body = rng.digits(1 + rng.below(12)) + "." + rng.digits(rng.below(14)) + "e-" + String(rng.below(30))
        case 5:
            body = "0." + String(repeating: "0", count: rng.below(25)) + rng.digits(1 + rng.below(17))
        case 6:
            body = rng.digits(16 + rng.below(10)) + "." + rng.digits(rng.below(10))
        default:
            // Near-halfway cases: 17 significant digits ending in 5.
            body = rng.digits(1 + rng.below(3)) + "." + rng.digits(13 + rng.below(3)) + "5" + "e" + String(rng.below(40) - 20)
        }
        return sign + body
    }

    @Test("Random decimal strings parse bit-identical to Double(String)", arguments: [1, 2, 3] as [UInt64])
    func bitIdentical(seed: UInt64) {
        var rng = ReaderTestRNG(seed: seed)
        var checked = 0
        for _ in 0..<4_000 {
            let text = Self.randomDecimal(&rng)
            guard let expected = Double(text) else {
                Issue.record("Double(String) rejected \(text)")
                continue
            }
            let parsed = DecimalParser.parse(text)
            #expect(parsed?.bitPattern == expected.bitPattern, "\(text)")
            checked += 1
        }
        #expect(checked == 4_000)
    }

    @Test(
        "Numbers inside a long buffer (the fast path a CSV reader takes) parse bit-identical to Double(String): printf shapes from %.6g to %.17g and fixed decimals",
        arguments: [4, 5, 6] as [UInt64])
    func fastPathInBuffer(seed: UInt64) throws {
        var rng = ReaderTestRNG(seed: seed)
        var texts: [String] = []
        for index in 0..<6_000 {
            let magnitude = pow(10, Double(rng.below(12)) - 6)
            let value = (Double(rng.below(1 << 30)) / Double(1 << 30) - 0.5) * 2 * magnitude
            switch index % 4 {
            case 0: texts.append(String(format: "%.\(6 + rng.below(12))g", value))
            case 1: texts.append(String(format: "%.\(1 + rng.below(15))f", value))
            case 2: texts.append(Self.randomDecimal(&rng))
            default: texts.append(rng.digits(1 + rng.below(7)) + "." + rng.digits(1 + rng.below(16)))
            }
        }
        // One comma-separated buffer with slack at the end, as a reader's block has.
        let bytes = Array((texts.joined(separator: ",") + ",").utf8) + [UInt8](repeating: 0x20, count: 32)
        let end = bytes.count - 32
        try bytes.withUnsafeBufferPointer { buffer in
            let base = try #require(buffer.baseAddress)
            var start = 0
            for text in texts {
                let expected = try #require(Double(text))
                let (value, next) = try #require(DecimalParser.scan(base, start, end))
                #expect(value.bitPattern == expected.bitPattern, "\(text)")
                #expect(next == start + text.utf8.count, "\(text)")
                start = next + 1
            }
        }
    }

    @Test(
        "Edge cases match Double(String)",
        arguments: [
            "0", "-0", "0.0", "-0.0", "00012", "1.", ".5", "+1.5", "9007199254740992", "9007199254740993",
            "123456789012345678901234567890", "1e22", "1e23", "1.7976931348623157e308", "1.7976931348623159e308",
            "1e400", "-1e400", "4.9406564584124654e-324", "2.2250738585072011e-308", "2.4703282292062327e-324",
            "1e-400", "0.1", "0.3", "2.5", "1234e25", "0.000000000000000000000000000001", "7e-23", "123456.789e-5",
        ])
    func edgeCases(_ text: String) throws {
        let expected = try #require(Double(text))
        let parsed = try #require(DecimalParser.parse(text))
        #expect(parsed.bitPattern == expected.bitPattern)
    }

    @Test("Special values and blanks are accepted; other text is rejected")
    func specialsAndRejects() {
        #expect(DecimalParser.parse("inf") == .infinity)
        #expect(DecimalParser.parse("-Infinity") == -.infinity)
        #expect(DecimalParser.parse("+INF") == .infinity)
        #expect(DecimalParser.parse("NaN")?.isNaN == true)
        #expect(DecimalParser.parse("nan")?.isNaN == true)
        #expect(DecimalParser.parse("  42 ") == 42)
        #expect(DecimalParser.parse("\t-1.5") == -1.5)
        for bad in ["", " ", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "0x10", "1,5", "abc", "1 2", "--1", "infinit", "nana"] {
            #expect(DecimalParser.parse(bad) == nil, "\(bad)")
        }
    }
}
