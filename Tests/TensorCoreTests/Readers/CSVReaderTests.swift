import Foundation
import Testing

@testable import TensorCore

/// A CSV text and the rows it must read as, every column forced to categorical.
struct CSVQuotingCase: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let header: [String]
    let rows: [[String?]]
    var delimiter: Unicode.Scalar = ","
    var missing: Set<String> = CSVReadOptions.defaultMissingMarkers

    var testDescription: String { name }
}

@Suite("CSVReader")
struct CSVReaderTests {
    static let quotingCases: [CSVQuotingCase] = [
        CSVQuotingCase(name: "plain LF", text: "a,b\n1,2\n3,4\n", header: ["a", "b"], rows: [["1", "2"], ["3", "4"]]),
        CSVQuotingCase(name: "CRLF", text: "a,b\r\n1,2\r\n3,4\r\n", header: ["a", "b"], rows: [["1", "2"], ["3", "4"]]),
        CSVQuotingCase(name: "lone CR", text: "a,b\r1,2\r3,4", header: ["a", "b"], rows: [["1", "2"], ["3", "4"]]),
        CSVQuotingCase(name: "no trailing newline", text: "a,b\n1,2\n3,4", header: ["a", "b"], rows: [["1", "2"], ["3", "4"]]),
        CSVQuotingCase(name: "UTF-8 BOM", text: "\u{FEFF}a,b\n1,2\n", header: ["a", "b"], rows: [["1", "2"]]),
        CSVQuotingCase(
            name: "delimiter inside quotes", text: "a,b\n\"x,y\",z\n", header: ["a", "b"], rows: [["x,y", "z"]]),
        CSVQuotingCase(
            name: "embedded quotes", text: "a,b\n\"he said \"\"hi\"\"\",\"\"\"\"\n", header: ["a", "b"],
            rows: [["he said \"hi\"", "\""]]),
        CSVQuotingCase(
            name: "newline inside quotes", text: "a,b\n\"line1\nline2\",x\n\"r\r\nn\",y\n", header: ["a", "b"],
            rows: [["line1\nline2", "x"], ["r\r\nn", "y"]]),
        CSVQuotingCase(
            name: "empty last field is missing", text: "a,b\n1,\n2,\n", header: ["a", "b"], rows: [["1", nil], ["2", nil]]),
        CSVQuotingCase(
            name: "empty last field at end of file", text: "a,b\n1,", header: ["a", "b"], rows: [["1", nil]]),
        CSVQuotingCase(
            name: "empty fields kept as text without missing markers", text: "a,b,c\n,\"\",\n", header: ["a", "b", "c"],
            rows: [["", "", ""]], missing: []),
        CSVQuotingCase(
            name: "quoted header names", text: "\"first, name\",\"x\"\"y\"\nA,B\n", header: ["first, name", "x\"y"],
            rows: [["A", "B"]]),
        CSVQuotingCase(name: "blank lines are skipped", text: "a,b\n\n1,2\n\r\n3,4\n\n", header: ["a", "b"], rows: [["1", "2"], ["3", "4"]]),
        CSVQuotingCase(name: "text after a closing quote", text: "a\n\"ab\"cd\n", header: ["a"], rows: [["abcd"]]),
        CSVQuotingCase(name: "quote inside an unquoted field", text: "a,b\nab\"c,d\n", header: ["a", "b"], rows: [["ab\"c", "d"]]),
        CSVQuotingCase(
            name: "semicolon delimiter", text: "a;b\n1,5;\"x;y\"\n", header: ["a", "b"], rows: [["1,5", "x;y"]], delimiter: ";"),
        CSVQuotingCase(name: "tab delimiter", text: "a\tb\n1\t2\n", header: ["a", "b"], rows: [["1", "2"]], delimiter: "\t"),
        CSVQuotingCase(name: "header only", text: "a,b\n", header: ["a", "b"], rows: []),
        CSVQuotingCase(name: "unicode text", text: "a\nžluťoučký 🐎\n", header: ["a"], rows: [["žluťoučký 🐎"]]),
    ]

    @Test("RFC 4180 quoting, line endings, BOM and empty fields read as expected", arguments: quotingCases)
    func quoting(_ testCase: CSVQuotingCase) throws {
        let folder = try ReaderTempFolder()
        let path = try folder.write(testCase.text)
        var options = CSVReadOptions(delimiter: testCase.delimiter, missingMarkers: testCase.missing)
        options.schema = Dictionary(uniqueKeysWithValues: testCase.header.map { ($0, ColumnKind.categorical) })
        let (table, report) = try CSVReader.readAll(path: path, options: options)
        #expect(table.columnNames == testCase.header)
        #expect(table.textRows == testCase.rows)
        #expect(report.rowsRead == testCase.rows.count)
        #expect(report.rowsSkipped == 0)

        // The same rows, written again behind a 4,090-byte first column and read through
        // 4 KiB blocks, straddle buffer refills (and force the buffer to grow).
        if !testCase.rows.isEmpty {
            let delimiter = String(Character(testCase.delimiter))
            func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            let padding = String(repeating: "p", count: 4_090)
            let header = (["pad"] + testCase.header.map(quoted)).joined(separator: delimiter)
            let lines = table.textRows.map { row in
                ([padding] + row.map { $0.map(quoted) ?? "" }).joined(separator: delimiter)
            }
            let bigPath = try folder.write(([header] + lines).joined(separator: "\r\n"), name: "padded.csv")
            var bigOptions = options
            bigOptions.blockSize = 4_096
            bigOptions.schema["pad"] = .categorical
            let (big, _) = try CSVReader.readAll(path: bigPath, options: bigOptions)
            #expect(big.rowCount == testCase.rows.count)
            #expect(try big.selecting(testCase.header).textRows == testCase.rows)
        }
    }

    @Test("Random text round-trips through RFC 4180 quoting at any block size", arguments: [64, 100, 4 << 20])
    func randomRoundTrip(blockSize: Int) throws {
        let folder = try ReaderTempFolder()
        var rng = ReaderTestRNG(seed: UInt64(blockSize))
        let alphabet: [String] = ["a", "b", "Z", "0", "7", " ", ",", "\"", "\n", "\r\n", "é", "🐎", ";", "\t"]
        let columns = 4
        var rows = [[String]]()
        for _ in 0..<400 {
            rows.append((0..<columns).map { _ in
                (0..<(1 + rng.below(rng.below(10) == 0 ? 150 : 8))).map { _ in alphabet[rng.below(alphabet.count)] }.joined()
            })
        }
        func encode(_ field: String) -> String {
            let needsQuotes = field.contains(",") || field.contains("\"") || field.contains("\n")
                || field.contains("\r") || field.isEmpty || field.first == " "
            return needsQuotes ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }
        var text = (0..<columns).map { "c\($0)" }.joined(separator: ",")
        for row in rows {
            text += rng.below(2) == 0 ? "\n" : "\r\n"
            text += row.map(encode).joined(separator: ",")
        }
        if rng.below(2) == 0 { text += "\n" }
        let path = try folder.write(text)
        let names = (0..<columns).map { "c\($0)" }
        let options = CSVReadOptions(
            schema: Dictionary(uniqueKeysWithValues: names.map { ($0, ColumnKind.categorical) }),
            missingMarkers: [], blockSize: blockSize)
        let (table, _) = try CSVReader.readAll(path: path, options: options)
        #expect(table.rowCount == rows.count)
        #expect(table.textRows == rows.map { $0.map { Optional($0) } })
        let reader = try CSVReader(path: path, options: options)
        var joined = FeatureTable()
        while let chunk = try reader.nextChunk(maxRows: 37) { joined = try joined.appending(chunk) }
        #expect(joined == table)
    }

    @Test("Quoted numbers read as the same numbers as unquoted ones, on the numeric and the mixed fast paths; quotes with more text stay text")
    func quotedNumbers() throws {
        let folder = try ReaderTempFolder()
        var plain = "a,b,c\n", quoted = "a,b,c\n", mixed = "a,b,label\n", mixedQuoted = "a,b,label\n"
        var rng = ReaderTestRNG(seed: 31)
        for i in 0..<5_000 {
            let a = String(format: "%.\(rng.below(17))g", (Double(rng.below(1 << 30)) / Double(1 << 20) - 512) * pow(10, Double(rng.below(20) - 10)))
            let b = String(rng.below(100_000) - 50_000)
            let c = String(format: "%.6e", Double(rng.below(1 << 30)) / 7)
            plain += "\(a),\(b),\(c)\n"
            quoted += "\"\(a)\",\(i % 2 == 0 ? "\"\(b)\"" : b),\"\(c)\"\(i % 3 == 0 ? "\r\n" : "\n")"
            mixed += "\(a),\(b),x\(i % 7)\n"
            mixedQuoted += "\"\(a)\",\"\(b)\",\"x\(i % 7)\"\n"
        }
        for (reference, candidate) in [(plain, quoted), (mixed, mixedQuoted)] {
            let expected = try CSVReader.readAll(path: try folder.write(reference, name: "plain.csv")).0
            let read = try CSVReader.readAll(path: try folder.write(candidate, name: "quoted.csv")).0
            #expect(read.columnKinds == expected.columnKinds)
            for name in ["a", "b"] {
                let x = try read.doubleColumn(named: name), y = try expected.doubleColumn(named: name)
                #expect((0..<x.count).allSatisfy { x[$0]?.bitPattern == y[$0]?.bitPattern }, "\(name)")
            }
        }
        // Text after the closing quote is kept, so such a field is no number.
        let odd = try CSVReader.readAll(path: try folder.write("v\n\"1.5\"x\n\"2\"\n", name: "odd.csv")).0
        #expect(Array(try odd.categoricalColumn(named: "v")) == ["1.5x", "2"])
    }

    @Test("Quoted numeric files read the same with and without the parallel split, even with quoted line breaks, stray and doubled quotes among them")
    func quotedParallelSplit() throws {
        let folder = try ReaderTempFolder()
        var rng = ReaderTestRNG(seed: 41)
        var lines: [String] = ["a,b,c"]
        for i in 0..<90_000 {
            let a = String(format: "%.\(rng.below(17))g", (Double(rng.below(1 << 30)) / Double(1 << 20) - 512))
            var line = "\"\(a)\",\(rng.below(1_000)),\"\(rng.below(100))\""
            // Awkward records here and there: each must come out as the serial reader has it.
            // Quoted line breaks every 97 rows, so some fall where a block is split.
            if i % 97 == 5 { line = "\"8\n9\",1,2" }
            switch i % 9_973 {
            case 17: line = "\"12\n34\",5,6"  // a quoted line break (not a number: a bad row)
            case 29: line = "5\"6,7,8"  // a stray quote in an unquoted field
            case 31: line = "\"1\"\"2\",3,4"  // a doubled quote
            case 37: line = "\"7\"x,8,9"  // text after a closing quote
            default: break
            }
            lines.append(line)
        }
        let path = try folder.write(lines.joined(separator: "\n") + "\n", name: "quoted-big.csv")
        var tables: [FeatureTable] = [], reports: [ReadReport] = []
        var splits = 0
        for parallel in [false, true] {
            let options = CSVReadOptions(schema: ["a": .double, "b": .double, "c": .double], badRowPolicy: .skip, maxRecordedSkipReasons: 100, blockSize: 1 << 20, parallelParsing: parallel)
            let reader = try CSVReader(path: path, options: options)
            let table = try #require(try reader.nextChunk(maxRows: Int.max))
            #expect(try reader.nextChunk(maxRows: Int.max) == nil)
            tables.append(table)
            reports.append(reader.report)
            if parallel { splits = reader.parallelBlockCount }
        }
        // The split really ran (where a second processor exists).
        #expect(ProcessInfo.processInfo.activeProcessorCount < 2 || splits > 0, "no block was split")
        #expect(reports[0].rowsRead == reports[1].rowsRead && reports[0].rowsSkipped == reports[1].rowsSkipped)
        #expect(reports[0].rowsSkipped > 0)
        #expect(reports[0].skipReasons.map(\.line) == reports[1].skipReasons.map(\.line))
        for name in ["a", "b", "c"] {
            let x = try tables[0].doubleColumn(named: name), y = try tables[1].doubleColumn(named: name)
            #expect(x.count == y.count && (0..<x.count).allSatisfy { x[$0]?.bitPattern == y[$0]?.bitPattern }, "\(name)")
        }
    }

    @Test("Empty fields of an all-numeric file are missing on the numeric fast path, split or not, with CRLF, at either end of a record; a lone empty line is skipped; without the empty marker they are bad rows")
    func emptyFieldsOnTheNumericPath() throws {
        let folder = try ReaderTempFolder()
        var rng = ReaderTestRNG(seed: 77)
        var lines = ["a,b,c"]
        var expected: [[Double?]] = [[], [], []]
        for i in 0..<60_000 {
            var fields: [String] = []
            for c in 0..<3 {
                if rng.below(7) == 0 {
                    fields.append("")
                    expected[c].append(nil)
                } else {
                    let value = Double(rng.below(1 << 30)) / Double(1 << 12) - 100_000
                    fields.append(String(format: "%.6f", value))
                    expected[c].append(Double(String(format: "%.6f", value)))
                }
            }
            lines.append(fields.joined(separator: ",") + (i % 5 == 0 ? "\r" : ""))
        }
        let path = try folder.write(lines.joined(separator: "\n") + "\n", name: "holes.csv")
        for parallel in [false, true] {
            let options = CSVReadOptions(schema: ["a": .double, "b": .double, "c": .double], blockSize: 1 << 20, parallelParsing: parallel)
            let reader = try CSVReader(path: path, options: options)
            let table = try #require(try reader.nextChunk(maxRows: Int.max))
            #expect(!parallel || ProcessInfo.processInfo.activeProcessorCount < 2 || reader.parallelBlockCount > 0, "no block was split")
            for (c, name) in ["a", "b", "c"].enumerated() {
                let column = try table.doubleColumn(named: name)
                #expect(column.count == expected[c].count)
                #expect((0..<column.count).allSatisfy { column[$0]?.bitPattern == expected[c][$0]?.bitPattern }, "\(name), parallel \(parallel)")
                #expect((0..<column.count).allSatisfy { column.validity[$0] == (expected[c][$0] != nil) })
            }
        }
        // One column: an empty line is a blank line, skipped, not a missing value.
        let single = try folder.write("x\n1\n\n2\n", name: "single.csv")
        let (lone, _) = try CSVReader.readAll(path: single, options: CSVReadOptions(schema: ["x": .double]))
        #expect(Array(try lone.doubleColumn(named: "x")) == [1, 2])
        // Without "" among the markers an empty field does not fit a number column.
        let strict = try folder.write("x,y\n1,2\n,3\n", name: "strict.csv")
        #expect(throws: TableError.self) {
            _ = try CSVReader.readAll(path: strict, options: CSVReadOptions(schema: ["x": .double, "y": .double], missingMarkers: ["NA"]))
        }
        let skipped = try CSVReader.readAll(path: strict, options: CSVReadOptions(schema: ["x": .double, "y": .double], missingMarkers: ["NA"], badRowPolicy: .skip))
        #expect(Array(try skipped.0.doubleColumn(named: "y")) == [2])
    }

    @Test("Kinds are inferred from the first rows: numbers, timestamps, text, and all-missing")
    func inference() throws {
        let folder = try ReaderTempFolder()
        let text = """
            int,dec,exp,special,when,label,mixed,empty,zip
            1,1.5,1e3,inf,2026-11-25,red,1,,02134
            -2,.25,-2.5E-3,-INF,2026-11-25T08:30:00Z,blue,x,NA,10001
            +3,7.,6.02e23,NaN,2026-11-25 08:30:00.123456+01:00,red,2,,00501
            """
        let path = try folder.write(text)
        let (table, _) = try CSVReader.readAll(path: path, options: CSVReadOptions(schema: ["zip": .categorical]))
        #expect(table.columnKinds == [
            .double, .double, .double, .double, .timestamp, .categorical, .categorical, .categorical, .categorical,
        ])
        #expect(Array(try table.doubleColumn(named: "int")) == [1, -2, 3])
        #expect(Array(try table.doubleColumn(named: "dec")) == [1.5, 0.25, 7])
        #expect(Array(try table.doubleColumn(named: "exp")) == [1000, -0.0025, 6.02e23])
        let special = try table.doubleColumn(named: "special")
        #expect(special[0] == .infinity)
        #expect(special[1] == -.infinity)
        #expect(special[2]?.isNaN == true)
        #expect(special.nullCount == 0, "NaN is a value, not a missing entry")
        let when = try table.timestampColumn(named: "when")
        #expect(when.microsecondRows == [1_795_564_800_000_000, 1_795_595_400_000_000, 1_795_591_800_123_456])
        let label = try table.categoricalColumn(named: "label")
        #expect(label.dictionary == ["red", "blue"])
        #expect(label.codes == [0, 1, 0])
        #expect(Array(try table.categoricalColumn(named: "mixed")) == ["1", "x", "2"])
        let empty = try table.categoricalColumn(named: "empty")
        #expect(empty.nullCount == 3)
        #expect(Array(try table.categoricalColumn(named: "zip")) == ["02134", "10001", "00501"])
    }

    @Test("Integers a Double cannot hold exactly (64-bit ids) make a text column, digit for digit; 2^53 and below stay numbers")
    func inexactIntegers() throws {
        let folder = try ReaderTempFolder()
        let text = """
            id,signed,edge,long,small
            9007199254740993,-9223372036854775807,9007199254740992,123456789012345678901,1
            12,+18446744073709551615,9007199254740994,2,2
            """
        let path = try folder.write(text)
        let (table, _) = try CSVReader.readAll(path: path)
        #expect(table.columnKinds == [.categorical, .categorical, .double, .double, .double])
        #expect(Array(try table.categoricalColumn(named: "id")) == ["9007199254740993", "12"])
        #expect(Array(try table.categoricalColumn(named: "signed")) == ["-9223372036854775807", "+18446744073709551615"])
        // 2^53 and 2^53 + 2 are doubles exactly; 21 digits are beyond a 64-bit integer anyway.
        #expect(Array(try table.doubleColumn(named: "edge")) == [9_007_199_254_740_992, 9_007_199_254_740_994])
        for (text, inexact) in [("9007199254740993", true), ("-9007199254740993", true), ("9007199254740992", false), ("0009007199254740993", true), ("1234567890123456", false), ("18446744073709551615", false), (" 9007199254740993\t", true), ("  ", false)] {
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBufferPointer { KindInference.isInexactInteger($0.baseAddress!, $0.count) } == inexact, "\(text)")
        }
    }

    @Test("columns reads only the named columns, in file order, with the same values; a column left out may hold anything")
    func projection() throws {
        let folder = try ReaderTempFolder()
        var text = "id,user,amount,note\n"
        for i in 0..<20_000 { text += "\(i),user-\(i * 7919 % 20_011),\(Double(i) / 4),\(i % 3 == 0 ? "\"a, \"\"quoted\"\" note\"" : "x")\n" }
        text += "20000,not a user,12.5,1e3\n"
        let path = try folder.write(text)
        let (full, _) = try CSVReader.readAll(path: path)
        let (some, _) = try CSVReader.readAll(path: path, options: CSVReadOptions(blockSize: 4096, columns: ["amount", "id"]))
        #expect(some.columnNames == ["id", "amount"])
        #expect(some.rowCount == full.rowCount)
        #expect(Array(try some.doubleColumn(named: "amount")) == Array(try full.doubleColumn(named: "amount")))
        #expect(Array(try some.doubleColumn(named: "id")) == Array(try full.doubleColumn(named: "id")))
        let (text1, _) = try CSVReader.readAll(path: path, options: CSVReadOptions(schema: ["user": .categorical], columns: ["user"]))
        #expect(Array(try text1.categoricalColumn(named: "user")) == Array(try full.categoricalColumn(named: "user")))
        #expect(throws: TableError.self) { try CSVReader.readAll(path: path, options: CSVReadOptions(columns: ["amount", "missing"])) }
        // A bad row is still a bad row when the field count is wrong, read or not.
        let bad = try folder.write("a,b\n1,2\n3\n")
        #expect(throws: TableError.self) { try CSVReader.readAll(path: bad, options: CSVReadOptions(columns: ["a"])) }
    }

    @Test("A column forced to timestamp accepts epoch seconds and ISO-8601 text")
    func epochSeconds() throws {
        let folder = try ReaderTempFolder()
        let path = try folder.write("t\n0\n1732523400\n-1.5\n1732523400.123456789\n2026-11-25\n")
        let (table, _) = try CSVReader.readAll(path: path, options: CSVReadOptions(schema: ["t": .timestamp]))
        #expect(try table.timestampColumn(named: "t").microsecondRows == [
            0, 1_732_523_400_000_000, -1_500_000, 1_732_523_400_123_456, 1_795_564_800_000_000,
        ])
    }

    @Test("Missing markers: pandas' defaults (empty, NA, N/A, null, NULL, None, n/a, <NA>, #N/A, …), NaN spellings missing in text and time columns, and a custom set")
    func missingMarkers() throws {
        let folder = try ReaderTempFolder()
        let path = try folder.write("x,s\n1,a\n,\nNA,NA\nN/A,N/A\nnull,null\nNULL,NULL\nnan,NaN\n-999,b\n")
        let (table, _) = try CSVReader.readAll(path: path)
        let x = try table.doubleColumn(named: "x")
        #expect(x.validity == [true, false, false, false, false, false, true, true])
        #expect(x.nullCount == 5)
        #expect(x[6]?.isNaN == true)
        #expect(Array(try table.categoricalColumn(named: "s")) == ["a", nil, nil, nil, nil, nil, nil, "b"])

        // Every other token of pandas' `read_csv` defaults is missing too, in a number column (which
        // stays a number column, as in pandas), a text column and a time column; `-nan` and `-NaN`
        // are missing in text. A value that only contains a token is kept.
        let tokens = ["None", "n/a", "<NA>", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "1.#IND", "-1.#QNAN", "1.#QNAN"]
        var text = "x,s,t\n1.5,a,2026-01-01T00:00:00Z\n"
        for token in tokens { text += "\(token),\(token),\(token)\n" }
        text += "2.5,-nan,NaN\n3.5,None of them,-NaN\n"
        let pandasPath = try folder.write(text, name: "pandas.csv")
        for parallel in [false, true] {
            let (t, _) = try CSVReader.readAll(path: pandasPath, options: CSVReadOptions(parallelParsing: parallel))
            #expect(t.columnKinds == [.double, .categorical, .timestamp])
            #expect(Array(try t.doubleColumn(named: "x")) == [1.5] + tokens.map { _ in nil } + [2.5, 3.5])
            #expect(Array(try t.categoricalColumn(named: "s")) == ["a"] + tokens.map { _ in nil } + [nil, "None of them"])
            #expect(try t.timestampColumn(named: "t").nullCount == tokens.count + 2)
        }

        let custom = CSVReadOptions(missingMarkers: ["-999", "?"])
        let path2 = try folder.write("x\n1\n-999\n?\n2.5\n", name: "custom.csv")
        let (t2, _) = try CSVReader.readAll(path: path2, options: custom)
        let x2 = try t2.doubleColumn(named: "x")
        #expect(Array(x2) == [1, nil, nil, 2.5])
    }

    @Test("An exact-text column keeps NA, null and N/A as text; only an empty field is missing there; the schema may not force it to another kind")
    func exactTextColumns() throws {
        let folder = try ReaderTempFolder()
        let path = try folder.write("country,x,note\nNA,1,NA\n,NA,null\nnull,2,x\nN/A,3,\n")
        for parallel in [false, true] {
            let options = CSVReadOptions(parallelParsing: parallel, exactTextColumns: ["country"])
            let (table, _) = try CSVReader.readAll(path: path, options: options)
            #expect(table.columnKinds == [.categorical, .double, .categorical])
            #expect(Array(try table.categoricalColumn(named: "country")) == ["NA", nil, "null", "N/A"])
            #expect(Array(try table.doubleColumn(named: "x")) == [1, nil, 2, 3])
            #expect(Array(try table.categoricalColumn(named: "note")) == [nil, nil, "x", nil])
            let reader = try CSVReader(path: path, options: options)
            let first = try #require(try reader.nextChunk(maxRows: 3))
            #expect(Array(try first.categoricalColumn(named: "country")) == ["NA", nil, "null"])
        }
        // A digits-only exact-text column stays text too (zip codes with leading zeros).
        let zips = try folder.write("zip\n01234\nNA\n", name: "zips.csv")
        let (z, _) = try CSVReader.readAll(path: zips, options: CSVReadOptions(exactTextColumns: ["zip"]))
        #expect(Array(try z.categoricalColumn(named: "zip")) == ["01234", "NA"])
        do {
            _ = try CSVReader.readAll(path: path, options: CSVReadOptions(schema: ["country": .double], exactTextColumns: ["country"]))
            Issue.record("a schema forcing an exact-text column to double was accepted")
        } catch {
            #expect(error.code == .invalidOption)
            #expect(error.column == "country")
        }
    }

    @Test(
        "A value that does not fit names its physical line, column and value",
        arguments: [1, 1_000])
    func lineNumbers(inferenceRows: Int) throws {
        let folder = try ReaderTempFolder()
        // Line 1 header; line 2 a record whose quoted field spans lines 2-4; blank line 5;
        // line 6 fine; line 7 holds the bad value.
        let text = "id,note,price\n1,\"multi\nline\nnote\",2.5\n\n2,plain,3.5\n3,oops,abc\n4,x,5\n"
        let path = try folder.write(text)
        var options = CSVReadOptions(inferenceRowCount: inferenceRows)
        if inferenceRows > 2 { options.schema = ["price": .double] }
        do {
            _ = try CSVReader.readAll(path: path, options: options)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidValue)
            #expect(error.line == 7)
            #expect(error.column == "price")
            #expect(error.value == "abc")
            #expect(error.expectedKind == .double)
            #expect(error.description.contains("Line 7"))
            #expect(error.description.contains("badRowPolicy: .skip"))
        }
    }

    @Test("Rows with the wrong number of fields fail with their line, or are skipped and counted")
    func fieldCounts() throws {
        let folder = try ReaderTempFolder()
        let text = "a,b,c\n1,2,3\n4,5\n6,7,8,9\n\"x\ny\",1,2\n10,11,12\n"
        let path = try folder.write(text)
        do {
            _ = try CSVReader.readAll(path: path, options: CSVReadOptions(schema: ["a": .categorical]))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .fieldCountMismatch)
            #expect(error.line == 3)
        }
        let (table, report) = try CSVReader.readAll(
            path: path, options: CSVReadOptions(schema: ["a": .categorical], badRowPolicy: .skip))
        #expect(table.textRows == [["1", "2.0", "3.0"], ["x\ny", "1.0", "2.0"], ["10", "11.0", "12.0"]])
        #expect(report.rowsRead == 3)
        #expect(report.rowsSkipped == 2)
        #expect(report.skipReasons.map(\.line) == [3, 4])
        #expect(report.skipReasons.map(\.code) == [.fieldCountMismatch, .fieldCountMismatch])
    }

    @Test("The skip policy drops bad rows, counts them all and keeps the first few reasons")
    func skipPolicy() throws {
        let folder = try ReaderTempFolder()
        var lines = ["x,y"]
        var expected = [Double]()
        for i in 0..<100 {
            if i % 7 == 3 {
                lines.append("bad\(i),\(i)")
            } else {
                lines.append("\(i),\(i)")
                expected.append(Double(i))
            }
        }
        let path = try folder.write(lines.joined(separator: "\n"))
        let options = CSVReadOptions(
            schema: ["x": .double], badRowPolicy: .skip, maxRecordedSkipReasons: 3)
        let (table, report) = try CSVReader.readAll(path: path, options: options)
        #expect(Array(try table.doubleColumn(named: "x")).compactMap { $0 } == expected)
        #expect(report.rowsSkipped == 14)
        #expect(report.rowsRead == 86)
        #expect(report.skipReasons.count == 3)
        #expect(report.skipReasons.map(\.line) == [5, 12, 19])
        #expect(report.skipReasons.first?.value == "bad3")
        #expect(table.rowCount == 86)
        // Categorical dictionaries hold no strings from skipped rows.
        let path2 = try folder.write("s,n\nkeep,1\ndrop,x\nkeep2,2\n", name: "rollback.csv")
        let (t2, r2) = try CSVReader.readAll(
            path: path2, options: CSVReadOptions(schema: ["n": .double], badRowPolicy: .skip))
        #expect(try t2.categoricalColumn(named: "s").dictionary == ["keep", "keep2"])
        #expect(r2.rowsSkipped == 1)
    }

    @Test("An unterminated quote is a malformed record on the line where it opens")
    func unterminatedQuote() throws {
        let folder = try ReaderTempFolder()
        let path = try folder.write("a,b\n1,2\n3,\"open\n4,5\n")
        do {
            _ = try CSVReader.readAll(path: path, options: CSVReadOptions(schema: ["a": .categorical]))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .malformedRecord)
            #expect(error.line == 3)
        }
        let (table, report) = try CSVReader.readAll(
            path: path, options: CSVReadOptions(schema: ["a": .categorical], badRowPolicy: .skip))
        #expect(table.rowCount == 1)
        #expect(report.rowsSkipped == 1)
    }

    @Test("Reading 10k rows in chunks of 777 gives the same table as reading all at once")
    func chunkedEqualsReadAll() throws {
        let folder = try ReaderTempFolder()
        var rng = ReaderTestRNG(seed: 2_026)
        var lines = ["id,value,label,note,when"]
        for i in 0..<10_000 {
            let value = rng.below(10) == 0 ? "" : "\(Double(Int(rng.next() % 2_000_001)) / 1_000 - 1_000)"
            let label = ["alpha", "beta", "gamma", "", "delta \(rng.below(50))"][rng.below(5)]
            let note = rng.below(20) == 0 ? "\"multi\nline, \"\"quoted\"\"\"" : "n\(rng.below(1_000))"
            let seconds = 1_700_000_000 + i * 37
            let when = rng.below(15) == 0 ? "" : "\(seconds)"
            lines.append("\(i),\(value),\(label),\(note),\(when)")
        }
        let path = try folder.write(lines.joined(separator: "\n") + "\n")
        for blockSize in [4_096, 4 << 20] {
            let options = CSVReadOptions(schema: ["when": .timestamp], blockSize: blockSize)
            let (whole, wholeReport) = try CSVReader.readAll(path: path, options: options)
            #expect(whole.rowCount == 10_000)
            #expect(wholeReport.rowsRead == 10_000)
            #expect(whole.columnKinds == [.double, .double, .categorical, .categorical, .timestamp])

            let reader = try CSVReader(path: path, options: options)
            var joined = FeatureTable()
            var sizes = [Int]()
            while let chunk = try reader.nextChunk(maxRows: 777) {
                #expect(chunk.columnNames == whole.columnNames)
                #expect(chunk.columnKinds == whole.columnKinds)
                sizes.append(chunk.rowCount)
                joined = try joined.appending(chunk)
            }
            #expect(try reader.nextChunk(maxRows: 777) == nil)
            #expect(sizes.count == 13)
            #expect(sizes.dropLast().allSatisfy { $0 == 777 })
            #expect(sizes.last == 10_000 - 12 * 777)
            #expect(joined == whole)
            #expect(try joined.categoricalColumn(named: "label").dictionary == whole.categoricalColumn(named: "label").dictionary)
            #expect(reader.report.rowsRead == 10_000)
        }
    }

    @Test(
        "Splitting blocks between two threads changes nothing: rows, bad-row lines, skips, chunks",
        arguments: [BadRowPolicy.fail, .skip])
    func parallelParsing(policy: BadRowPolicy) throws {
        let folder = try ReaderTempFolder()
        var rng = ReaderTestRNG(seed: 31)
        var lines = ["a,b,c,d,e"]
        var badLines = [Int]()
        for i in 0..<40_000 {
            if i == 25_000 || i == 31_000 {
                badLines.append(lines.count + 1)
                lines.append("1,2,oops,4,5")
            } else if i == 33_000 {
                badLines.append(lines.count + 1)
                lines.append("1,2,3")
            } else if i % 5_000 == 17 {
                lines.append("")
            } else {
                let fields = (0..<5).map { _ in rng.below(8) == 0 ? "" : "\(Double(rng.below(2_000_000)) / 1_000 - 1_000)" }
                lines.append(fields.joined(separator: ","))
            }
        }
        let path = try folder.write(lines.joined(separator: "\r\n") + "\r\n")
        let parallel = CSVReadOptions(badRowPolicy: policy, parallelParsing: true)
        let sequential = CSVReadOptions(badRowPolicy: policy, parallelParsing: false)
        if policy == .fail {
            for options in [parallel, sequential] {
                do {
                    _ = try CSVReader.readAll(path: path, options: options)
                    Issue.record("expected an error")
                } catch {
                    #expect(error.code == .invalidValue)
                    #expect(error.line == badLines[0])
                    #expect(error.column == "c")
                }
            }
            return
        }
        let (a, reportA) = try CSVReader.readAll(path: path, options: parallel)
        let (b, reportB) = try CSVReader.readAll(path: path, options: sequential)
        #expect(a == b)
        #expect(a.rowCount == 40_000 - 3 - 8)
        #expect(reportA == reportB)
        #expect(reportA.skipReasons.map(\.line) == badLines)
        for maxRows in [9_999, 30_000] {
            let reader = try CSVReader(path: path, options: parallel)
            var joined = FeatureTable()
            while let chunk = try reader.nextChunk(maxRows: maxRows) {
                #expect(chunk.rowCount <= maxRows)
                joined = try joined.appending(chunk)
            }
            #expect(joined == a)
            #expect(reader.report == reportA)
            if maxRows == 30_000 { #expect(reader.parallelBlockCount > 0) }
        }

        // Longer rows first and shorter rows after make the reader underestimate how many
        // records a block holds (by less than half), so the worker parses more rows than the
        // chunk takes; the surplus must be parsed again for the next chunk.
        var skewed = ["x,y"]
        for i in 0..<301_000 {
            skewed.append(i < 1_000 ? "12.5,6" : "\(i % 10),\(i % 7)")
        }
        let skewedPath = try folder.write(skewed.joined(separator: "\n"), name: "skewed.csv")
        let (whole, _) = try CSVReader.readAll(path: skewedPath, options: sequential)
        let reader = try CSVReader(path: skewedPath, options: parallel)
        var joined = FeatureTable()
        var sizes = [Int]()
        while let chunk = try reader.nextChunk(maxRows: 150_000) {
            sizes.append(chunk.rowCount)
            joined = try joined.appending(chunk)
        }
        #expect(sizes == [150_000, 150_000, 1_000])
        #expect(joined == whole)
        #expect(reader.parallelBlockCount > 0)
    }

    @Test("Numbers in a CSV file read bit-identical to Double(String)", arguments: [64, 4 << 20])
    func numbersBitIdenticalThroughReader(blockSize: Int) throws {
        let folder = try ReaderTempFolder()
        var rng = ReaderTestRNG(seed: 77)
        var rows = [[String]]()
        for _ in 0..<2_000 {
            rows.append((0..<3).map { _ in DecimalParserTests.randomDecimal(&rng) })
        }
        let text = "a,b,c\n" + rows.map { $0.joined(separator: ",") }.joined(separator: "\n")
        let path = try folder.write(text)
        let options = CSVReadOptions(schema: ["a": .double, "b": .double, "c": .double], blockSize: blockSize)
        let (table, _) = try CSVReader.readAll(path: path, options: options)
        #expect(table.rowCount == rows.count)
        for (c, name) in ["a", "b", "c"].enumerated() {
            let column = try table.doubleColumn(named: name)
            for (r, row) in rows.enumerated() {
                #expect(column[r]?.bitPattern == Double(row[c])?.bitPattern, "\(row[c])")
            }
        }
    }

    @Test("Headers: names, empty names, duplicates, no header row, and an empty file")
    func headers() throws {
        let folder = try ReaderTempFolder()
        let unnamed = try folder.write(",x,\n1,2,3\n", name: "unnamed.csv")
        #expect(try CSVReader(path: unnamed).columnNames == ["column1", "x", "column3"])

        let duplicate = try folder.write("a,b,a\n1,2,3\n", name: "dup.csv")
        do {
            _ = try CSVReader(path: duplicate)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .duplicateColumnName)
            #expect(error.column == "a")
            #expect(error.line == 1)
        }

        let headerless = try folder.write("1,x\n2,y\n", name: "noheader.csv")
        let (t1, _) = try CSVReader.readAll(path: headerless, options: CSVReadOptions(hasHeaderRow: false))
        #expect(t1.columnNames == ["column1", "column2"])
        #expect(t1.rowCount == 2)
        let (t2, _) = try CSVReader.readAll(
            path: headerless, options: CSVReadOptions(hasHeaderRow: false, columnNames: ["n", "s"]))
        #expect(t2.columnNames == ["n", "s"])
        #expect(Array(try t2.doubleColumn(named: "n")) == [1, 2])

        let renamed = try folder.write("a,b\n1,2\n", name: "renamed.csv")
        let (t3, _) = try CSVReader.readAll(path: renamed, options: CSVReadOptions(columnNames: ["x", "y"]))
        #expect(t3.columnNames == ["x", "y"])

        let empty = try folder.write("", name: "empty.csv")
        do {
            _ = try CSVReader(path: empty)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .missingHeader)
        }

        let headerOnly = try folder.write("a,b\n", name: "headeronly.csv")
        let (t4, r4) = try CSVReader.readAll(path: headerOnly, options: CSVReadOptions(schema: ["a": .double]))
        #expect(t4.columnNames == ["a", "b"])
        #expect(t4.columnKinds == [.double, .categorical])
        #expect(t4.rowCount == 0)
        #expect(r4.rowsRead == 0)
        #expect(try CSVReader(path: headerOnly).nextChunk(maxRows: 10) == nil)
    }

    @Test("Bad options and unreadable files are reported as TableError")
    func badOptions() throws {
        let folder = try ReaderTempFolder()
        let path = try folder.write("a\n1\n")
        let cases: [(CSVReadOptions, TableError.Code)] = [
            (CSVReadOptions(delimiter: "\""), .invalidOption),
            (CSVReadOptions(delimiter: "é"), .invalidOption),
            (CSVReadOptions(schema: ["nope": .double]), .invalidOption),
            (CSVReadOptions(columnNames: ["a", "b"]), .invalidOption),
            (CSVReadOptions(inferenceRowCount: 0), .invalidOption),
        ]
        for (options, code) in cases {
            do {
                _ = try CSVReader(path: path, options: options)
                Issue.record("expected \(code)")
            } catch {
                #expect(error.code == code)
            }
        }
        do {
            _ = try CSVReader(path: folder.url.appendingPathComponent("missing.csv").path)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .fileUnreadable)
            #expect(error.description.contains("missing.csv"))
        }
        do {
            _ = try CSVReader(path: folder.url.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .fileUnreadable)
        }
        do {
            _ = try CSVReader(path: path).nextChunk(maxRows: 0)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidOption)
        }
    }

    @Test("After a failure the reader throws the same error again")
    func stickyFailure() throws {
        let folder = try ReaderTempFolder()
        let path = try folder.write("x\n1\n2\nbad\n3\n")
        let reader = try CSVReader(path: path, options: CSVReadOptions(schema: ["x": .double]))
        let first = try reader.nextChunk(maxRows: 2)
        #expect(first?.rowCount == 2)
        #expect(throws: TableError.self) { try reader.nextChunk(maxRows: 2) }
        do {
            _ = try reader.nextChunk(maxRows: 2)
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 4)
        }
    }
}

@Suite("Typing text columns by all their values")
struct TypingTextColumnsTests {
    @Test("a column blank in its first rows reads as text; typed by all its values it is numbers or times, as pandas reads it")
    func lateValues() throws {
        let folder = try ReaderTempFolder()
        var text = "id,sparse,when,mixed,big,words\n"
        for row in 0..<1_200 {
            let late = row >= 1_000
            text += "\(row),\(late ? "\(Double(row) / 4)" : ""),\(late ? "2026-12-0\(row % 9 + 1)T00:00:00Z" : ""),"
            text += "\(late ? (row % 2 == 0 ? "1.5" : "x") : "NA"),\(late && row == 1_100 ? "9007199254740993" : ""),\(late ? "w\(row % 3)" : "")\n"
        }
        let path = try folder.write(text, name: "sparse.csv")
        let (table, _) = try CSVReader.readAll(path: path)
        #expect(table.columnKinds == [.double, .categorical, .categorical, .categorical, .categorical, .categorical])
        let candidates = table.textColumnsMissingInFirst(1_000)
        #expect(candidates == ["sparse", "when", "mixed", "big", "words"])
        let typed = table.typingTextColumns(candidates + ["id", "absent"])
        #expect(typed.columnKinds == [.double, .double, .timestamp, .categorical, .categorical, .categorical])
        let sparse = try typed.doubleColumn(named: "sparse")
        #expect(sparse.nullCount == 1_000)
        #expect(Array(sparse)[1_000...].map { $0 ?? -1 } == (1_000..<1_200).map { Double($0) / 4 })
        let when = try typed.timestampColumn(named: "when").microsecondRows
        #expect(when[1_000] == 1_796_169_600_000_000)  // 2026-12-02T00:00:00Z
        #expect(when.prefix(1_000).allSatisfy { $0 == nil })
        // An integer a Double would round keeps the column text, digit for digit.
        #expect(Array(try typed.categoricalColumn(named: "big"))[1_100] == "9007199254740993")
        // Nothing to type: the same table.
        #expect(table.typingTextColumns(["mixed"]) == table)
        #expect(table.textColumnsMissingInFirst(1_000).contains("id") == false)
    }

    @Test("text that reads as missing (None, NaN in a JSON Lines text column) is missing once typed, never a 1970 time (review)")
    func missingTextIsMissingOnceTyped() throws {
        let table = try FeatureTable(columns: [
            ("when", .categorical(CategoricalColumn(["None", nil, "2026-12-02T00:00:00Z", "NaN"]))),
            ("x", .categorical(CategoricalColumn(["n/a", "1.5", "NaN", nil]))),
        ])
        let typed = table.typingTextColumns(["when", "x"])
        #expect(typed.columnKinds == [.timestamp, .double])
        #expect(try typed.timestampColumn(named: "when").microsecondRows == [nil, nil, 1_796_169_600_000_000, nil])
        let x = try typed.doubleColumn(named: "x")
        #expect(x.validity == [false, true, true, false])  // "NaN" in a number column is a NaN value, as CSV reads it
        #expect(x[1] == 1.5 && x[2]?.isNaN == true)
    }

    @Test("markers are matched exactly at every length, one to past eight bytes, with and without the NaN spellings")
    func markerTable() {
        let markers = MissingMarkersProbe(["", "a", "ab", "abc", "abcd", "abcde", "abcdefgh", "abcdefghi", "#N/A N/A"])
        for text in ["", "a", "ab", "abc", "abcd", "abcde", "abcdefgh", "abcdefghi", "#N/A N/A"] { #expect(markers.matches(text), "\(text)") }
        for text in ["b", "ba", "abd", "abce", "abcdf", "abcdefgi", "abcdefghj", "bbcdefgh", "abcdefg", "#N/A N/B"] { #expect(!markers.matches(text), "\(text)") }
        #expect(!markers.matchesInText("NaN"))  // a custom set: no NaN rule
        let defaults = MissingMarkersProbe(CSVReadOptions.defaultMissingMarkers)
        for text in ["NaN", "nan", "-NaN", "-nan", "None", "<NA>", "#N/A N/A", "-1.#QNAN", ""] { #expect(defaults.matchesInText(text), "\(text)") }
        for text in ["NAN", "+nan", "nan ", "Non", "none"] { #expect(!defaults.matchesInText(text), "\(text)") }
        #expect(!defaults.matches("NaN"))  // in a number column NaN is a number
    }
}

/// ``MissingMarkers`` tested on Swift strings.
private struct MissingMarkersProbe {
    let markers: MissingMarkers
    init(_ set: Set<String>) { markers = MissingMarkers(set) }

    private func test(_ text: String, _ body: (UnsafePointer<UInt8>, Int) -> Bool) -> Bool {
        // Copied into a buffer of exactly its length, so a read past the text would be seen by
        // the address sanitizer rather than land on the string's spare capacity.
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, text.utf8.count))
        defer { bytes.deallocate() }
        for (i, byte) in text.utf8.enumerated() { bytes[i] = byte }
        return body(bytes, text.utf8.count)
    }

    func matches(_ text: String) -> Bool { test(text) { markers.matches($0, $1) } }
    func matchesInText(_ text: String) -> Bool { test(text) { markers.matchesInText($0, $1) } }
}
