import Foundation
import MLOpsStorage
import Testing

@Suite("ExplicitNull")
struct ExplicitNullTests {
    struct Row: Codable, Hashable, Sendable {
        var name: String
        @ExplicitNull var score: Double?
        @ExplicitNull var tags: [String]?

        enum CodingKeys: String, CodingKey {
            case name, tags
            case score = "score_value"
        }
    }

    static func json(_ row: Row) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(row), as: UTF8.self)
    }

    @Test("absent values are written as null under their coding keys; present ones as themselves")
    func absentIsNull() throws {
        #expect(try Self.json(Row(name: "a", score: nil, tags: nil)) == #"{"name":"a","score_value":null,"tags":null}"#)
        #expect(try Self.json(Row(name: "a", score: 0.5, tags: ["x"])) == #"{"name":"a","score_value":0.5,"tags":["x"]}"#)
    }

    @Test("NaN and infinities are written as null (JSON cannot hold them), never as an encoding error", arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteIsNull(_ value: Double) throws {
        #expect(try Self.json(Row(name: "a", score: value, tags: nil)) == #"{"name":"a","score_value":null,"tags":null}"#)
    }

    @Test("null and a missing key both decode as absent; a wrong type is a decoding error")
    func decoding() throws {
        let decoder = JSONDecoder()
        #expect(try decoder.decode(Row.self, from: Data(#"{"name":"a","score_value":null}"#.utf8)) == Row(name: "a", score: nil, tags: nil))
        #expect(try decoder.decode(Row.self, from: Data(#"{"name":"a","score_value":2,"tags":[]}"#.utf8)) == Row(name: "a", score: 2, tags: []))
        #expect(throws: DecodingError.self) { try decoder.decode(Row.self, from: Data(#"{"name":"a","score_value":"high"}"#.utf8)) }
    }
}
