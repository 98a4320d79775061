import Foundation
import Lineage
import MLOpsStorage
import MLOpsTestSupport
import Testing

@Suite("A run in JSON")
struct RunCodingTests {
    static let parameters: [String: ParameterValue] = [
        "epochs": .int(60), "whole_double": .double(60), "lr": .double(0.5), "nan": .double(.nan),
        "inf": .double(-.infinity), "shuffle": .bool(true), "model": .string("gbt"), "text_nan": .string("NaN"),
        "text_number": .string("60"), "big": .int(Int64.max), "negative_zero": .double(-0.0),
    ]

    static func run(_ parameters: [String: ParameterValue] = parameters) -> Run {
        Run(
            id: RunID(), experiment: "e", name: "r", status: .finished, startTime: .ms(1_000), endTime: nil,
            parentRunID: RunID(), parameters: parameters)
    }

    /// The encoders a run meets: the command line's (snake case, NaN as text) and a plain one.
    static func encoders() -> [JSONEncoder] {
        let plain = JSONEncoder()
        plain.outputFormatting = .sortedKeys
        let commandLine = JSONEncoder()
        commandLine.outputFormatting = .sortedKeys
        commandLine.keyEncodingStrategy = .convertToSnakeCase
        commandLine.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return [plain, commandLine]
    }

    static func decoder(snakeCase: Bool) -> JSONDecoder {
        let decoder = JSONDecoder()
        if snakeCase { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        // Set as a reader of the command line's JSON would: "NaN" text must stay text.
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }

    @Test("parameters are plain values with their types beside them, and read back with those types")
    func roundTrip() throws {
        let run = Self.run()
        for (index, encoder) in Self.encoders().enumerated() {
            let data = try encoder.encode(run)
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let values = try #require(object["parameters"] as? [String: Any])
            #expect(values["epochs"] as? Int == 60)
            #expect(values["lr"] as? Double == 0.5)
            #expect(values["shuffle"] as? Bool == true)
            #expect(values["model"] as? String == "gbt")
            #expect(values["nan"] as? String == "NaN")
            #expect(values["inf"] as? String == "-Infinity")
            #expect(values["text_number"] as? String == "60")
            let typesKey = index == 0 ? "parameterTypes" : "parameter_types"
            let types = try #require(object[typesKey] as? [String: String])
            #expect(types == Self.parameters.mapValues(\.typeName))
            #expect(object.keys.contains(index == 0 ? "endTime" : "end_time"), "a nil end time is written as null")

            let back = try Self.decoder(snakeCase: index == 1).decode(Run.self, from: data)
            #expect(back == run)
            #expect(back.parentRunID == run.parentRunID, "parent_run_id reads back under convertFromSnakeCase too")
            #expect(back.parameters["negative_zero"].map { if case .double(let v) = $0 { v == 0 && v.sign == .minus } else { false } } == true)
            #expect(back.parameters["whole_double"]?.typeName == "double")
            #expect(back.parameters["text_nan"] == .string("NaN"))
            #expect(back.parameters["nan"].map { if case .double(let v) = $0 { v.isNaN } else { false } } == true)
        }
    }

    @Test("JSON without types is read by its values; earlier builds' {\"int\": {\"_0\": 60}} by the type it names")
    func olderShapes() throws {
        let id = RunID()
        let untyped = #"{"id":"\#(id)","experiment":"e","name":"r","status":"finished","startTime":1000,"endTime":null,"owner":null,"parentRunID":null,"tags":{},"parameters":{"a":60,"b":0.25,"c":true,"d":"x"},"latestMetrics":{},"environment":null,"edges":[]}"#
        let legacy = #"{"id":"\#(id)","experiment":"e","name":"r","status":"finished","startTime":1000,"tags":{},"parameters":{"a":{"int":{"_0":60}},"b":{"double":{"_0":60}},"c":{"bool":{"_0":false}},"d":{"string":{"_0":"NaN"}},"e":{"double":{"_0":"NaN"}}},"latestMetrics":{},"edges":[]}"#
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        let first = try decoder.decode(Run.self, from: Data(untyped.utf8))
        #expect(first.parameters == ["a": .int(60), "b": .double(0.25), "c": .bool(true), "d": .string("x")])
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let second = try decoder.decode(Run.self, from: Data(legacy.utf8))
        #expect(second.parameters == ["a": .int(60), "b": .double(60), "c": .bool(false), "d": .string("NaN"), "e": .double(.nan)])
        #expect(second.endTime == nil && second.owner == nil && second.environment == nil)
    }

    @Test("a value that its type cannot hold, or an unknown type, is a decoding error")
    func mismatchedTypes() throws {
        let id = RunID()
        func decode(_ parameters: String, _ types: String) throws -> Run {
            let text = #"{"id":"\#(id)","experiment":"e","name":"r","status":"finished","startTime":0,"tags":{},"parameters":\#(parameters),"parameterTypes":\#(types),"latestMetrics":{},"edges":[]}"#
            return try JSONDecoder().decode(Run.self, from: Data(text.utf8))
        }
        #expect(throws: DecodingError.self) { try decode(#"{"a":0.5}"#, #"{"a":"int"}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"a":"x"}"#, #"{"a":"double"}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"a":1}"#, #"{"a":"bool"}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"a":1}"#, #"{"a":"complex"}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"a":{"float":{"_0":1}}}"#, "{}") }
        #expect(try decode(#"{"a":1}"#, #"{"a":"double"}"#).parameters["a"] == .double(1))
    }
}
