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
        "Numbers inside a long buffer (the fast path a CSV reader takes) parse bit-identical to Double(String): printf shapes from %.6g to %.17g, %e with exponents to ±40, and fixed decimals",
        arguments: [4, 5, 6] as [UInt64])
    func fastPathInBuffer(seed: UInt64) throws {
        var rng = ReaderTestRNG(seed: seed)
        var texts: [String] = []
        for index in 0..<6_000 {
            let magnitude = pow(10, Double(rng.below(12)) - 6)
            let value = (Double(rng.below(1 << 30)) / Double(1 << 30) - 0.5) * 2 * magnitude
            switch index % 5 {
            case 4: texts.append(String(format: "%.\(rng.below(15))\(["e", "E"][rng.below(2)])", value * pow(10, Double(rng.below(60) - 30))))
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

    @Test("Eisel–Lemire gives Double(String)'s value for 16–19-digit mantissas at every exponent, and declines rarely", arguments: [7, 8] as [UInt64])
    func eiselLemire(seed: UInt64) {
        var rng = ReaderTestRNG(seed: seed)
        var declined = 0, checked = 0
        for index in 0..<60_000 {
            let mantissa: UInt64
            let exponent: Int
            switch index % 3 {
            case 0:
                // A random double printed with 16 to 19 significant digits.
                let bits = UInt64(rng.below(1 << 30)) << 34 | UInt64(rng.below(1 << 30)) << 4 | UInt64(rng.below(16))
                let value = abs(Double(bitPattern: bits & 0x7FEF_FFFF_FFFF_FFFF))
                guard value.isFinite, value > 0 else { continue }
                let text = String(format: "%.\(15 + rng.below(4))e", value)
                let parts = text.split(separator: "e")
                guard parts.count == 2, let m = UInt64(parts[0].replacingOccurrences(of: ".", with: "")), let e = Int(parts[1]) else { continue }
                mantissa = m
                exponent = e - (parts[0].count - 2)
            case 1:
                // Random 19-digit mantissas across the whole table.
                mantissa = UInt64(rng.digits(19).drop { $0 == "0" }) ?? 1
                exponent = rng.below(700) - 350
            default:
                // Near the ends: subnormals and overflow.
                mantissa = UInt64(rng.digits(1 + rng.below(19)).drop { $0 == "0" }) ?? 7
                exponent = [-345, -340, -330, -325, -324, -310, -308, 290, 300, 305, 308, 309][rng.below(12)] + rng.below(5)
            }
            guard let expected = Double("\(mantissa)e\(exponent)") else {
                Issue.record("Double(String) rejected \(mantissa)e\(exponent)")
                continue
            }
            for signBit in [0, 1 << 63] as [UInt64] {
                if let value = DecimalParser.eiselLemire(mantissa, exponent, signBit) {
                    #expect(value.bitPattern == (expected.bitPattern | signBit), "\(mantissa)e\(exponent)")
                    checked += 1
                } else if expected.isNormal && exponent >= -348 && exponent <= 347 {
                    declined += 1
                }
                // The whole parser agrees too, whichever path it takes.
                let text = (signBit == 0 ? "" : "-") + "\(mantissa)e\(exponent)"
                #expect(DecimalParser.parse(text)?.bitPattern == (expected.bitPattern | signBit), "\(text)")
            }
        }
        #expect(checked > 80_000)
        // Subnormal and overflowing results and exponents past the table are declined by design;
        // among normal results only rare ones (ties, results that round up to the smallest
        // normal; about 0.15% here, most from the cases drawn near the ends) may be.
        #expect(declined < checked / 200, "declined \(declined) normal results of \(declined + checked)")
    }

    @Test(
        "Edge cases match Double(String)",
        arguments: [
            "0", "-0", "0.0", "-0.0", "00012", "1.", ".5", "+1.5", "9007199254740992", "9007199254740993",
            "123456789012345678901234567890", "1e22", "1e23", "1.7976931348623157e308", "1.7976931348623159e308",
            "1e400", "-1e400", "4.9406564584124654e-324", "2.2250738585072011e-308", "2.4703282292062327e-324",
            "1e-400", "0.1", "0.3", "2.5", "1234e25", "0.000000000000000000000000000001", "7e-23", "123456.789e-5",
            // Ties and near-ties with 17 to 19 digits (Eisel–Lemire must decline or get them right).
            "9007199254740993", "9007199254740995", "9007199254740993.0", "1.00000000000000011102230246251565404236316680908203125",
            "2.2250738585072012e-308", "2.2250738585072014e-308", "1.7976931348623157e308", "4.4501477170144023e-308",
            "123456789012345678", "1234567890123456789", "9999999999999999999", "0.1000000000000000055511151231257827",
            "7.2057594037927933e16", "3.4028236692093846346e38",
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
