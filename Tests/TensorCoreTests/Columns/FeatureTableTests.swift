import Foundation
import Testing

@testable import TensorCore

@Suite("FeatureTable")
struct FeatureTableTests {
    static func sample() throws -> FeatureTable {
        try FeatureTable(columns: [
            ("age", .double(DoubleColumn([31, nil, 45, 18]))),
            ("country", .categorical(CategoricalColumn(["DE", "FR", nil, "DE"]))),
            ("seen", .timestamp(TimestampColumn(microseconds: [0, 1, 2, nil]))),
        ])
    }

    @Test("A table keeps its columns in order and finds them by name")
    func basics() throws {
        let table = try Self.sample()
        #expect(table.columnNames == ["age", "country", "seen"])
        #expect(table.rowCount == 4)
        #expect(table.columnCount == 3)
        #expect(table.columnKinds == [.double, .categorical, .timestamp])
        #expect(table.column(named: "age")?.kind == .double)
        #expect(table.column(named: "nope") == nil)
        #expect(try table.doubleColumn(named: "age").nullCount == 1)
        #expect(try table.categoricalColumn(named: "country").dictionary == ["DE", "FR"])
        #expect(try table.timestampColumn(named: "seen").microseconds(at: 1) == 1)
        #expect(FeatureTable().rowCount == 0)
    }

    @Test("Typed accessors name the column and its actual kind")
    func typedAccessorErrors() throws {
        let table = try Self.sample()
        do {
            _ = try table.doubleColumn(named: "country")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .columnKindMismatch)
            #expect(error.column == "country")
            #expect(error.actualKind == .categorical)
            #expect(error.expectedKind == .double)
        }
        do {
            _ = try table.timestampColumn(named: "agee")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .columnNotFound)
            #expect(error.column == "agee")
        }
    }

    @Test("Creating a table checks lengths and names")
    func initErrors() {
        do {
            _ = try FeatureTable(columns: [("a", .double(DoubleColumn([1]))), ("b", .double(DoubleColumn([1, 2])))])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .columnLengthMismatch)
            #expect(error.column == "b")
        }
        do {
            _ = try FeatureTable(columns: [("a", .double(DoubleColumn([1]))), ("a", .double(DoubleColumn([2])))])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .duplicateColumnName)
        }
    }

    @Test("Selecting columns keeps their order and shares storage")
    func selecting() throws {
        let table = try Self.sample()
        let picked = try table.selecting(["seen", "age"])
        #expect(picked.columnNames == ["seen", "age"])
        #expect(picked.rowCount == 4)
        #expect(try picked.doubleColumn(named: "age") == table.doubleColumn(named: "age"))
        #expect(throws: TableError.self) { try table.selecting(["age", "age"]) }
        #expect(throws: TableError.self) { try table.selecting(["ghost"]) }
    }

    @Test("Filtering by mask and by indices")
    func filtering() throws {
        let table = try Self.sample()
        let masked = try table.filtering(rows: [true, false, true, false])
        #expect(masked.rowCount == 2)
        #expect(Array(try masked.doubleColumn(named: "age")) == [31, 45])
        #expect(Array(try masked.categoricalColumn(named: "country")) == ["DE", nil])
        #expect(try masked.categoricalColumn(named: "country").dictionary == ["DE", "FR"])
        #expect(try masked.categoricalColumn(named: "country").categoryCounts() == ["DE": 1, "FR": 0])

        let picked = try table.filtering(rows: [3, 0, 3])
        #expect(picked.rowCount == 3)
        #expect(Array(try picked.doubleColumn(named: "age")) == [18, 31, 18])
        #expect(try picked.timestampColumn(named: "seen").microsecondRows == [nil, 0, nil])
        #expect(try picked.timestampColumn(named: "seen").nullCount == 2)

        #expect(throws: TableError.self) { try table.filtering(rows: [true]) }
        #expect(throws: TableError.self) { try table.filtering(rows: [4]) }
        #expect(throws: TableError.self) { try table.filtering(rows: [-1]) }
        #expect(try table.filtering(rows: [Int]()).rowCount == 0)
    }

    @Test("Appending joins rows and merges categorical dictionaries")
    func appending() throws {
        let first = try Self.sample()
        let second = try FeatureTable(columns: [
            ("age", .double(DoubleColumn([50]))),
            ("country", .categorical(CategoricalColumn(["US"]))),
            ("seen", .timestamp(TimestampColumn(microseconds: [9]))),
        ])
        let joined = try first.appending(second)
        #expect(joined.rowCount == 5)
        let country = try joined.categoricalColumn(named: "country")
        #expect(country.dictionary == ["DE", "FR", "US"])
        #expect(Array(country) == ["DE", "FR", nil, "DE", "US"])
        #expect(country.nullCount == 1)
        #expect(try FeatureTable().appending(first) == first)
        #expect(try first.appending(FeatureTable()) == first)

        let renamed = try FeatureTable(columns: [
            ("age", .double(DoubleColumn([50]))),
            ("nation", .categorical(CategoricalColumn(["US"]))),
            ("seen", .timestamp(TimestampColumn(microseconds: [9]))),
        ])
        do {
            _ = try first.appending(renamed)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .schemaMismatch)
            #expect(error.column == "country")
        }
        let retyped = try FeatureTable(columns: [
            ("age", .categorical(CategoricalColumn(["50"]))),
            ("country", .categorical(CategoricalColumn(["US"]))),
            ("seen", .timestamp(TimestampColumn(microseconds: [9]))),
        ])
        #expect(throws: TableError.self) { try first.appending(retyped) }
    }
}
