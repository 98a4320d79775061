import Foundation
import Testing
import TensorCore

@Suite("Table writer")
struct TableWriterTests {
    static func table() throws -> FeatureTable {
        try FeatureTable(columns: [
            ("id", .categorical(CategoricalColumn(["a", "b,c", "say \"hi\"", nil, "line\nbreak"]))),
            ("x", .double(DoubleColumn([1, 0.1, -2.5e-7, nil, 123_456_789.125]))),
            ("when", .timestamp(TimestampColumn(microseconds: [0, 1_764_547_200_123_456, -86_400_000_000, nil, 253_402_300_799_000_000]))),
        ])
    }

    @Test("CSV and JSON Lines written by TableWriter read back to the same table", arguments: ["out.csv", "out.jsonl"])
    func roundTrip(_ name: String) throws {
        let folder = try ReaderTempFolder()
        let path = folder.url.appendingPathComponent(name).path
        let table = try Self.table()
        try TableWriter.write(table, to: path)
        let schema: [String: ColumnKind] = ["id": .categorical, "x": .double, "when": .timestamp]
        let back = name.hasSuffix(".csv")
            ? try CSVReader.readAll(path: path, options: CSVReadOptions(schema: schema)).0
            : try JSONLinesReader.readAll(path: path, options: JSONLinesReadOptions(schema: schema)).0
        #expect(back.columnNames == table.columnNames)
        #expect(Array(try back.categoricalColumn(named: "id")) == Array(try table.categoricalColumn(named: "id")))
        #expect(Array(try back.doubleColumn(named: "x")) == Array(try table.doubleColumn(named: "x")))
        #expect(try back.timestampColumn(named: "when").microsecondRows == (try table.timestampColumn(named: "when")).microsecondRows)
    }

    @Test("times are ISO 8601 in UTC, with microseconds only when they have them")
    func times() throws {
        let folder = try ReaderTempFolder()
        let path = folder.url.appendingPathComponent("t.csv").path
        try TableWriter.write(try FeatureTable(columns: [("t", .timestamp(TimestampColumn(microseconds: [0, 1_764_547_200_000_001, -1])))]), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "t\n1970-01-01T00:00:00Z\n2025-12-01T00:00:00.000001Z\n1969-12-31T23:59:59.999999Z\n")
    }

    @Test("an unwritable path is a typed error")
    func unwritable() throws {
        #expect(throws: TableError.self) { try TableWriter.write(try Self.table(), to: "/no/such/folder/out.csv") }
    }
}
