import Foundation
import Testing

@testable import TensorCore

@Suite("JSONLinesReader")
struct JSONLinesReaderTests {
    @Test("Numbers, strings, booleans, null and absent keys read into typed columns")
    func basics() throws {
        let folder = try ReaderTempFolder()
        let text = """
            {"id": 1, "score": 0.5, "ok": true, "label": "red", "when": "2026-11-25T08:30:00Z"}
            {"id": 2, "score": null, "ok": false, "label": "blue", "when": "2026-11-25"}

            {"label": "red", "id": 3, "ok": true, "score": -1.5e2}
            {"id": 4, "score": "7.25", "ok": null, "label": null, "when": null}\r
            """
        let path = try folder.write(text, name: "rows.jsonl")
        let (table, report) = try JSONLinesReader.readAll(path: path)
        #expect(report.rowsRead == 4)
        #expect(table.columnNames == ["id", "score", "ok", "label", "when"])
        #expect(table.columnKinds == [.double, .double, .double, .categorical, .timestamp])
        #expect(Array(try table.doubleColumn(named: "id")) == [1, 2, 3, 4])
        #expect(Array(try table.doubleColumn(named: "score")) == [0.5, nil, -150, 7.25])
        #expect(Array(try table.doubleColumn(named: "ok")) == [1, 0, 1, nil])
        #expect(Array(try table.categoricalColumn(named: "label")) == ["red", "blue", "red", nil])
        #expect(try table.timestampColumn(named: "when").microsecondRows == [
            1_795_595_400_000_000, 1_795_564_800_000_000, nil, nil,
        ])
    }

    @Test("Bare NaN, Infinity and -Infinity (what Python's json.dumps writes) read as pandas and DuckDB read them")
    func pythonNonFiniteLiterals() throws {
        let folder = try ReaderTempFolder()
        let text = """
            {"x": NaN, "y": Infinity, "label": "red", "when": "2026-11-25T08:30:00Z"}
            {"x": 1.5, "y": -Infinity, "label": NaN, "when": NaN}
            {"x": -2, "y": 3, "label": "blue", "when": "2026-11-26T08:30:00Z"}
            """
        let path = try folder.write(text, name: "python.jsonl")
        let (table, _) = try JSONLinesReader.readAll(path: path)
        // A NaN leaves a column of times or text what its other values make it, and is missing there.
        #expect(table.columnKinds == [.double, .double, .categorical, .timestamp])
        let x = try table.doubleColumn(named: "x")
        #expect(x.values[0].isNaN && Array(x.values[1...]) == [1.5, -2])
        #expect(Array(try table.doubleColumn(named: "y")) == [.infinity, -.infinity, 3])
        #expect(Array(try table.categoricalColumn(named: "label")) == ["red", nil, "blue"])
        #expect(try table.timestampColumn(named: "when").microsecondRows == [1_795_595_400_000_000, nil, 1_795_681_800_000_000])
        // Read in chunks after the inference rows, the same.
        let (late, _) = try JSONLinesReader.readAll(path: path, options: JSONLinesReadOptions(inferenceRowCount: 1))
        #expect(Array(try late.doubleColumn(named: "y")) == [.infinity, -.infinity, 3])
        #expect(late.columnKinds == [.double, .double, .categorical, .timestamp])
        #expect(Array(try late.doubleColumn(named: "x").values[1...]) == [1.5, -2])
        #expect(Array(try late.categoricalColumn(named: "label")) == ["red", nil, "blue"])
    }

    @Test("A JSON number a Double cannot hold exactly (a 64-bit id) makes a text column that keeps its digits; smaller ones stay numbers")
    func inexactIntegers() throws {
        let folder = try ReaderTempFolder()
        let text = """
            {"request_id": 9007199254740993, "count": 9007199254740992}
            {"request_id": 12, "count": 3}
            """
        let path = try folder.write(text, name: "ids.jsonl")
        let (table, _) = try JSONLinesReader.readAll(path: path)
        #expect(table.columnKinds == [.categorical, .double])
        #expect(Array(try table.categoricalColumn(named: "request_id")) == ["9007199254740993", "12"])
        #expect(Array(try table.doubleColumn(named: "count")) == [9_007_199_254_740_992, 3])
    }

    @Test("short string keys and values stay apart: a forced text column of short ids keeps its name, read whole or in chunks")
    func shortKeysAndValues() throws {
        let folder = try ReaderTempFolder()
        let text = """
            {"id":"e1","ts":"100","label":"0"}
            {"id":null,"ts":"2023-12-01T10:14:03+05:30","label":"1"}
            {"id":"e2","ts":"101","label":"id"}
            """
        let path = try folder.write(text, name: "short.jsonl")
        let options = JSONLinesReadOptions(schema: ["id": .categorical])
        let (whole, _) = try JSONLinesReader.readAll(path: path, options: options)
        #expect(whole.columnNames == ["id", "ts", "label"])
        #expect(Array(try whole.categoricalColumn(named: "id")) == ["e1", nil, "e2"])
        let reader = try JSONLinesReader(path: path, options: options)
        let chunk = try #require(try reader.nextChunk(maxRows: 2))
        #expect(chunk.columnNames == ["id", "ts", "label"])
    }

    @Test("In a text column strings such as \"NA\" and \"null\" are text (as pandas' read_json keeps them); in a number column they are missing; null, an absent key and the empty string are missing")
    func stringMarkers() throws {
        let folder = try ReaderTempFolder()
        let text = """
            {"region": "NA", "code": "N/A", "x": 1, "n": 1.5}
            {"region": "null", "code": "", "x": null, "n": "NA"}
            {"region": null, "x": 2, "n": 3}
            {"region": "NULL", "code": "NA", "x": "", "n": "null"}
            """
        let path = try folder.write(text, name: "markers.jsonl")
        for options in [JSONLinesReadOptions(), JSONLinesReadOptions(exactTextColumns: ["code"])] {
            let (table, _) = try JSONLinesReader.readAll(path: path, options: options)
            #expect(table.columnKinds == [.categorical, .categorical, .double, .double])
            #expect(Array(try table.categoricalColumn(named: "region")) == ["NA", "null", nil, "NULL"])
            #expect(Array(try table.categoricalColumn(named: "code")) == ["N/A", nil, nil, "NA"])
            #expect(Array(try table.doubleColumn(named: "x")) == [1, nil, 2, nil])
            // A number column that marks missing values with "NA" stays a number column.
            #expect(Array(try table.doubleColumn(named: "n")) == [1.5, nil, 3, nil])
        }
        // An exact-text key that looks like numbers stays text.
        let numbers = try folder.write("{\"id\": \"007\"}\n{\"id\": \"NA\"}\n", name: "ids.jsonl")
        let (ids, _) = try JSONLinesReader.readAll(path: numbers, options: JSONLinesReadOptions(exactTextColumns: ["id"]))
        #expect(Array(try ids.categoricalColumn(named: "id")) == ["007", "NA"])
    }

    @Test("String escapes, unicode and surrogate pairs are decoded")
    func escapes() throws {
        let folder = try ReaderTempFolder()
        let text = #"""
            {"s": "a\"b\\c\/d\n\t\u00e9\ud83d\ude00 done", "k\u0041": "plain"}
            {"s": "\ud800 lone", "kA": "x"}
            """#
        let path = try folder.write(text, name: "escapes.jsonl")
        let (table, _) = try JSONLinesReader.readAll(path: path)
        #expect(table.columnNames == ["s", "kA"])
        #expect(Array(try table.categoricalColumn(named: "s")) == ["a\"b\\c/d\n\té😀 done", "\u{FFFD} lone"])
    }

    @Test(
        "Nested values, malformed lines and unknown keys name their line",
        arguments: [
            ("{\"a\": 1}\n{\"a\": {\"b\": 2}}\n", TableError.Code.nestedValue, 2, "a"),
            ("{\"a\": 1}\n\n{\"a\": [1, 2]}\n", .nestedValue, 3, "a"),
            ("{\"a\": 1}\n{\"a\": 1,}\n", .malformedRecord, 2, nil),
            ("{\"a\": 1}\n[1]\n", .malformedRecord, 2, nil),
            ("{\"a\": 1}\n{\"a\": 01}\n", .malformedRecord, 2, "a"),
            ("{\"a\": 1}\n{\"a\": \"x}\n", .malformedRecord, 2, nil),
            ("{\"a\": 1}\n{\"a\": 1} trailing\n", .malformedRecord, 2, nil),
            ("{\"a\": 1}\n{\"a\": tru}\n", .malformedRecord, 2, "a"),
            ("{\"a\": 1}\n{\"a\": nan}\n", .malformedRecord, 2, "a"),
            ("{\"a\": 1}\n{\"a\": Inf}\n", .malformedRecord, 2, "a"),
            ("{\"a\": 1}\n{\"a\": -Inf}\n", .malformedRecord, 2, "a"),
            ("{\"a\": 1}\n{\"a\": NaNa}\n", .malformedRecord, 2, nil),
            ("{\"a\": 1}\n{\"a\": +Infinity}\n", .malformedRecord, 2, "a"),
            ("{\"a\": 1}\n{\"a\": 2, \"b\": 3}\n", .unknownKey, 2, "b"),
            ("{\"a\": 1}\n{\"a\": \"text\"}\n", .invalidValue, 2, "a"),
        ] as [(String, TableError.Code, Int, String?)])
    func badLines(_ text: String, _ code: TableError.Code, _ line: Int, _ key: String?) throws {
        let folder = try ReaderTempFolder()
        let path = try folder.write(text, name: "bad.jsonl")
        do {
            _ = try JSONLinesReader.readAll(path: path, options: JSONLinesReadOptions(inferenceRowCount: 1))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == code)
            #expect(error.line == line)
            #expect(error.column == key)
        }
        let (table, report) = try JSONLinesReader.readAll(
            path: path, options: JSONLinesReadOptions(inferenceRowCount: 1, badRowPolicy: .skip))
        #expect(table.rowCount == 1)
        #expect(report.rowsSkipped == 1)
        #expect(report.skipReasons.first?.code == code)
    }

    @Test("Kinds: a schema override, numbers kept as text, and epoch seconds")
    func kinds() throws {
        let folder = try ReaderTempFolder()
        let text = """
            {"zip": "02134", "code": 7, "t": 1732523400, "flag": true}
            {"zip": "10001", "code": "x7", "t": "2026-11-25", "flag": "yes"}
            """
        let path = try folder.write(text, name: "kinds.jsonl")
        let (table, _) = try JSONLinesReader.readAll(
            path: path, options: JSONLinesReadOptions(schema: ["zip": .categorical, "t": .timestamp, "extra": .double]))
        #expect(table.columnNames == ["zip", "code", "t", "flag", "extra"])
        #expect(Array(try table.categoricalColumn(named: "zip")) == ["02134", "10001"])
        #expect(Array(try table.categoricalColumn(named: "code")) == ["7", "x7"])
        #expect(try table.timestampColumn(named: "t").microsecondRows == [1_732_523_400_000_000, 1_795_564_800_000_000])
        #expect(Array(try table.categoricalColumn(named: "flag")) == ["true", "yes"])
        #expect(try table.doubleColumn(named: "extra").nullCount == 2)
    }

    @Test("Reading 10k rows in chunks of 777 gives the same table as reading all at once")
    func chunkedEqualsReadAll() throws {
        let folder = try ReaderTempFolder()
        var rng = ReaderTestRNG(seed: 5)
        var lines = [String]()
        for i in 0..<10_000 {
            var fields = ["\"id\": \(i)"]
            if rng.below(10) != 0 { fields.append("\"x\": \(Double(rng.below(100_000)) / 100)") }
            fields.append("\"c\": \"cat\(rng.below(30))\\n\"")
            if rng.below(3) == 0 { fields.append("\"b\": \(rng.below(2) == 0)") }
            lines.append("{" + fields.shuffled().joined(separator: ", ") + "}")
        }
        let path = try folder.write(lines.joined(separator: "\n"), name: "big.jsonl")
        for blockSize in [64, 4_096, 4 << 20] {
            let options = JSONLinesReadOptions(schema: ["b": .double], blockSize: blockSize)
            let (whole, _) = try JSONLinesReader.readAll(path: path, options: options)
            #expect(whole.rowCount == 10_000)
            let reader = try JSONLinesReader(path: path, options: options)
            var joined = FeatureTable()
            var chunks = 0
            while let chunk = try reader.nextChunk(maxRows: 777) {
                chunks += 1
                joined = try joined.appending(chunk)
            }
            #expect(chunks == 13)
            #expect(joined == whole)
            #expect(reader.report.rowsRead == 10_000)
            #expect(Array(try whole.doubleColumn(named: "id")) == (0..<10_000).map { Double($0) })
        }
    }

    @Test("JSON numbers read bit-identical to Double(String)")
    func numbers() throws {
        let folder = try ReaderTempFolder()
        var rng = ReaderTestRNG(seed: 99)
        var texts = [String]()
        for _ in 0..<2_000 {
            // JSON's grammar: no '+', no leading '.', no leading zeros.
            var text = DecimalParserTests.randomDecimal(&rng)
            if text.hasPrefix("+") { text.removeFirst() }
            let negative = text.hasPrefix("-")
            if negative { text.removeFirst() }
            if text.hasPrefix(".") { text = "0" + text }
            while text.count > 1, text.hasPrefix("0"), text.dropFirst().first?.isNumber == true { text.removeFirst() }
            if text.hasSuffix(".") { text += "0" }
            text = text.replacingOccurrences(of: ".e", with: ".0e").replacingOccurrences(of: ".E", with: ".0E")
            texts.append((negative ? "-" : "") + text)
        }
        let path = try folder.write(texts.map { "{\"v\": \($0)}" }.joined(separator: "\n"), name: "numbers.jsonl")
        // Declared: some random integers are beyond 2^53, which inference keeps as text.
        let (table, _) = try JSONLinesReader.readAll(path: path, options: JSONLinesReadOptions(schema: ["v": .double]))
        let column = try table.doubleColumn(named: "v")
        #expect(column.count == texts.count)
        for (i, text) in texts.enumerated() {
            #expect(column[i]?.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
    }
}
