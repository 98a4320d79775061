import Foundation
import Testing
import TensorCore

@testable import FeatureParity

/// The stored-values reader's direct path must read exactly what `JSONDecoder` reads, and leave
/// everything else to it.
@Suite("Feature values JSON")
struct FeatureValuesJSONTests {
    static func text(_ random: inout SplitMix64) -> String {
        let pieces = ["a", "Z", "0", " ", "/", "\\", "\"", "\n", "\t", "\u{1}", "é", "日本", "🙂", "_", "-", ":", ",", "{", "}", "null", "1e5"]
        return (0..<Int(random.next() % 8)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
    }

    static func number(_ random: inout SplitMix64) -> Double {
        switch random.next() % 4 {
        case 0:
            let value = Double(bitPattern: random.next())
            return value.isFinite ? value : 0.25
        case 1: return Double(Int64(bitPattern: random.next()) >> Int64(random.next() % 63))
        case 2: return [0.0, -0.0, 1e-7, 1e21, 5e-324, .greatestFiniteMagnitude, -1.5, 0.1][Int(random.next() % 8)]
        default: return Double(Int(random.next() % 2_000_001) - 1_000_000) / 1_000
        }
    }

    @Test("Rows as the store writes them (numbers of every size, text with and without escapes, nulls) read back bit for bit as JSONDecoder reads them")
    func sameAsJSONDecoder() throws {
        var random = SplitMix64(seed: 2026_12_06)
        var direct = 0
        for _ in 0..<3_000 {
            var values: [String: FeatureValue?] = [:]
            for _ in 0..<Int(random.next() % 7) {
                switch random.next() % 3 {
                case 0: values[Self.text(&random)] = .some(.number(Self.number(&random)))
                case 1: values[Self.text(&random)] = .some(.text(Self.text(&random)))
                default: values[Self.text(&random)] = .some(nil)
                }
            }
            let stored = try FeatureValuesJSON.encode(values)
            let reference = try JSONDecoder().decode([String: FeatureValue?].self, from: Data(stored.utf8))
            let read = try FeatureValuesJSON.decode(stored)
            #expect(Self.bits(read) == Self.bits(reference), "\(stored)")
            var copy = stored
            if copy.withUTF8({ FeatureValuesJSON.flatObject($0) }) != nil { direct += 1 }
        }
        // Rows without escapes take the direct path (the text generator puts an escaped
        // character in most rows, which go to JSONDecoder).
        #expect(direct > 300, "only \(direct) of 3,000 rows were read directly")
    }

    @Test("Spacing is allowed; what is not a flat object of numbers, strings and nulls goes to JSONDecoder, which reads it or refuses it")
    func otherShapes() throws {
        let expected: [String: FeatureValue?] = ["a": .number(1.5), "b": FeatureValue?.none, "c": .text("x")]
        #expect(try FeatureValuesJSON.decode(#" { "a" : 1.5 , "b" : null , "c" : "x" } "#) == expected)
        #expect(try FeatureValuesJSON.decode("{}").isEmpty)
        #expect(try FeatureValuesJSON.decode(#"{"a":"x\"y"}"#) == ["a": .text("x\"y")])
        #expect(try FeatureValuesJSON.decode(#"{"a":-0}"#)["a"]??.number?.sign == .minus)
        // Zero written with a large negative exponent is zero, on both paths.
        #expect(try FeatureValuesJSON.decode(#"{"a":0e-400}"#)["a"]??.number == 0)
        for bad in [#"{"a":01}"#, #"{"a":1.}"#, #"{"a":.5}"#, #"{"a":1e}"#, #"{"a":nul}"#, #"{"a":1,}"#, #"{"a":1} x"#, #"{"a":[1]}"#, #"{"a":{"b":1}}"#, "", "[]", #"{"a":NaN}"#, #"{"a":1e400}"#, #"{"a":1e-400}"#, #"{"a":0.000e-400,"b":2.5e-330}"#, #"{"a":1,"a":2}"#, "{\"caf\u{E9}\":1,\"cafe\u{301}\":2}"] {
            let direct = bad.utf8.withContiguousStorageIfAvailable { FeatureValuesJSON.flatObject($0) } ?? nil
            #expect(direct == nil, "the direct path read \(bad)")
            let reference = Result { try JSONDecoder().decode([String: FeatureValue?].self, from: Data(bad.utf8)) }
            let ours = Result { try FeatureValuesJSON.decode(bad) }
            #expect((try? ours.get()) == (try? reference.get()), "\(bad)")
        }
    }

    static func bits(_ values: [String: FeatureValue?]) -> [String: String] {
        values.mapValues { value in
            switch value {
            case .none: "null"
            case .some(.number(let x)): "n\(x.bitPattern)"
            case .some(.text(let text)): "t" + text.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: ".")
            }
        }
    }
}
