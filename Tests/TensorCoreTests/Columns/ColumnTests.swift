import Foundation
import Testing

@testable import TensorCore

@Suite("Columns")
struct ColumnTests {
    @Test("DoubleColumn keeps values, a validity mask and the missing count")
    func doubleColumn() throws {
        var column = DoubleColumn([1.5, nil, .nan, -0.0])
        #expect(column.count == 4)
        #expect(column.nullCount == 1)
        #expect(column.validity == [true, false, true, true])
        #expect(column[0] == 1.5)
        #expect(column[1] == nil)
        #expect(column[2]?.isNaN == true)
        column.append(nil)
        column.append(2)
        #expect(column.nullCount == 2)
        #expect(Array(column).count == 6)

        let explicit = try DoubleColumn(values: [1, 2, 3], valid: [true, false, true])
        #expect(explicit.nullCount == 1)
        #expect(Array(explicit) == [1, nil, 3])
        #expect(throws: TableError.self) { try DoubleColumn(values: [1, 2], valid: [true]) }
        #expect(DoubleColumn(values: [1, 2]).nullCount == 0)

        // Equality ignores the values stored at missing rows and treats NaN as equal to NaN.
        let a = try DoubleColumn(values: [1, 99, .nan], valid: [true, false, true])
        let b = try DoubleColumn(values: [1, -5, .nan], valid: [true, false, true])
        #expect(a == b)
        #expect(DoubleColumn([0.0]) != DoubleColumn([-0.0]))
    }

    @Test("CategoricalColumn dictionary-encodes strings in order of first appearance")
    func categoricalColumn() throws {
        var column = CategoricalColumn(["b", "a", nil, "b", "c", "a", "b"])
        #expect(column.dictionary == ["b", "a", "c"])
        #expect(column.codes == [0, 1, -1, 0, 2, 1, 0])
        #expect(column.count == 7)
        #expect(column.nullCount == 1)
        #expect(column[2] == nil)
        #expect(column[4] == "c")
        #expect(column.code(of: "a") == 1)
        #expect(column.code(of: "zzz") == nil)
        #expect(column.categoryCounts() == ["b": 3, "a": 2, "c": 1])
        column.append("d")
        column.append(nil)
        #expect(column.dictionary.last == "d")
        #expect(column.nullCount == 2)

        let built = try CategoricalColumn(dictionary: ["x", "y"], codes: [1, -1, 0])
        #expect(Array(built) == ["y", nil, "x"])
        #expect(throws: TableError.self) { try CategoricalColumn(dictionary: ["x", "x"], codes: []) }
        #expect(throws: TableError.self) { try CategoricalColumn(dictionary: ["x"], codes: [1]) }
        #expect(throws: TableError.self) { try CategoricalColumn(dictionary: ["x"], codes: [-2]) }

        // Equal values under different dictionaries are equal columns.
        let other = try CategoricalColumn(dictionary: ["y", "x"], codes: [0, -1, 1])
        #expect(other == built)
        #expect(other != CategoricalColumn(["y", "x", "x"]))
    }

    @Test("TimestampColumn stores microseconds with a missing mask")
    func timestampColumn() throws {
        var column = TimestampColumn(microseconds: [0, nil, 1_795_564_800_000_000])
        #expect(column.count == 3)
        #expect(column.nullCount == 1)
        #expect(column.microseconds(at: 2) == 1_795_564_800_000_000)
        #expect(column[2] == Date(timeIntervalSince1970: 1_795_564_800))
        column.append(nil)
        #expect(column.nullCount == 2)
        let explicit = try TimestampColumn(values: [5, 6], valid: [false, true])
        #expect(explicit.microsecondRows == [nil, 6])
        #expect(throws: TableError.self) { try TimestampColumn(values: [1], valid: []) }
    }

    @Test("Column reports count, missing count and kind of the wrapped column")
    func columnEnum() {
        let columns: [Column] = [
            .double(DoubleColumn([1, nil])),
            .categorical(CategoricalColumn(["a", nil, nil])),
            .timestamp(TimestampColumn(microseconds: [nil])),
        ]
        #expect(columns.map(\.count) == [2, 3, 1])
        #expect(columns.map(\.nullCount) == [1, 2, 1])
        #expect(columns.map(\.kind) == [.double, .categorical, .timestamp])
        #expect(columns[1].isMissing(at: 1))
        #expect(!columns[1].isMissing(at: 0))
    }

    @Test("Errors read as sentences that say how to fix the problem")
    func errorDescriptions() {
        let error = TableError(
            .invalidValue, line: 12, column: "price", value: "abc", expectedKind: .double, path: "prices.csv",
            detail: "the column was inferred as double from the first 1000 rows")
        #expect(error.description.hasPrefix("Line 12 of prices.csv, column \"price\": \"abc\" is not a double"))
        #expect(error.description.contains("schema"))
        let kind = TableError(.columnKindMismatch, column: "age", expectedKind: .categorical, actualKind: .double)
        #expect(kind.description.contains("a double column, not categorical"))
        let long = TableError(.invalidValue, value: String(repeating: "x", count: 500))
        #expect((long.value?.count ?? 0) <= 120)
        for code in TableError.Code.allCases {
            let text = TableError(code).description
            #expect(text.hasSuffix("."), "\(code)")
            #expect(text.first?.isUppercase == true, "\(code)")
        }
    }
}

@Suite("Date in whole microseconds and milliseconds")
struct DateMicrosecondsTests {
    @Test("microsecond counts survive a trip through Date", arguments: [
        Int64(0), 1, -1, 999_999, 1_795_564_800_123_456, -2_208_988_800_000_001, 4_102_444_799_999_999,
    ])
    func roundTrip(microseconds: Int64) {
        #expect(Date(microsecondsSince1970: microseconds).microsecondsSince1970 == microseconds)
        let milliseconds = microseconds / 1000
        #expect(Date(millisecondsSince1970: milliseconds).millisecondsSince1970 == milliseconds)
    }

    @Test("a time prints to the millisecond it holds, rounded, not truncated as Foundation's style does")
    func iso8601Milliseconds() {
        #expect(Date(millisecondsSince1970: 1_700_000_001_001).iso8601Milliseconds == "2023-11-14T22:13:21.001Z")
        #expect(Date(millisecondsSince1970: 0).iso8601Milliseconds == "1970-01-01T00:00:00.000Z")
        #expect(Date(millisecondsSince1970: -1).iso8601Milliseconds == "1969-12-31T23:59:59.999Z")
        #expect(Date(timeIntervalSince1970: 1.9996).iso8601Milliseconds == "1970-01-01T00:00:02.000Z")
        var generator = SplitMix64(seed: 20261206)
        for _ in 0..<20_000 {
            let milliseconds = Int64.random(in: -5_000_000_000_000...9_000_000_000_000, using: &generator)
            let text = Date(millisecondsSince1970: milliseconds).iso8601Milliseconds
            #expect(TimestampColumn.microseconds(fromISO8601: text) == milliseconds * 1_000, "\(milliseconds): \(text)")
        }
    }

    @Test("a column built from dates reads them back")
    func columnOfDates() {
        let dates = [Date(timeIntervalSince1970: 1_795_564_800.25), nil, Date(timeIntervalSince1970: -1.5)]
        let column = TimestampColumn(dates)
        #expect(column.microsecondRows == [1_795_564_800_250_000, nil, -1_500_000])
        #expect(column[0] == dates[0])
        #expect(column[1] == nil)
    }

    @Test("dates beyond Int64 microseconds clamp instead of trapping")
    func clamps() {
        #expect(Date.distantFuture.addingTimeInterval(1e300).microsecondsSince1970 == .max)
        #expect(Date(timeIntervalSince1970: -1e300).microsecondsSince1970 == .min)
        #expect(Date(timeIntervalSince1970: .nan).microsecondsSince1970 == 0)
    }
}
