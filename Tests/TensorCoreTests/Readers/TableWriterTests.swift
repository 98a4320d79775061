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

    @Test("numbers are written so they read back bit for bit: integers as digits, negative zero as -0.0")
    func numbers() throws {
        let folder = try ReaderTempFolder()
        let values: [Double] = [0, -0.0, 1, -3, 0.1, 1e15, 123456789012345, -2.5e-308, 5e-324, 1.7976931348623157e308]
        for name in ["n.csv", "n.jsonl"] {
            let path = folder.url.appendingPathComponent(name).path
            try TableWriter.write(try FeatureTable(columns: [("x", .double(DoubleColumn(values: values)))]), to: path)
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst(name.hasSuffix(".csv") ? 1 : 0)
            let texts = lines.map { line in
                name.hasSuffix(".csv") ? String(line) : String(line.dropFirst(#"{"x":"#.count).dropLast())
            }
            #expect(texts.prefix(4) == ["0", "-0.0", "1", "-3"], "\(name)")
            #expect(texts.compactMap(Double.init).map(\.bitPattern) == values.map(\.bitPattern), "\(name): \(texts)")
        }
    }

    @Test("NaN is null in JSON Lines and NaN in CSV, as pandas writes and reads them; infinities keep their sign")
    func nonFinite() throws {
        let folder = try ReaderTempFolder()
        let table = try FeatureTable(columns: [("x", .double(DoubleColumn([.nan, .infinity, -.infinity, nil, 1.5])))])
        let csv = folder.url.appendingPathComponent("n.csv").path, jsonl = folder.url.appendingPathComponent("n.jsonl").path
        try TableWriter.write(table, to: csv)
        try TableWriter.write(table, to: jsonl)
        #expect(try String(contentsOfFile: csv, encoding: .utf8) == "x\nNaN\ninf\n-inf\n\n1.5\n")
        #expect(try String(contentsOfFile: jsonl, encoding: .utf8) == #"""
            {"x":null}
            {"x":"Infinity"}
            {"x":"-Infinity"}
            {"x":null}
            {"x":1.5}

            """#)
        // Read back, the JSON Lines column is still numbers.
        let back = try JSONLinesReader.readAll(path: jsonl).0
        #expect(back.columnKinds == [.double])
    }

    @Test("an unwritable path is a typed error")
    func unwritable() throws {
        #expect(throws: TableError.self) { try TableWriter.write(try Self.table(), to: "/no/such/folder/out.csv") }
    }
}

@Suite("Where an output file's bytes go")
struct OutputDestinationTests {
    @Test("nothing there, a regular file, a folder: replaced; a link to a file: that file; a device, a FIFO, a link to one: written through")
    func destinations() throws {
        let folder = NSTemporaryDirectory() + "mlops-destination-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let resolvedFolder = try #require(realpath(folder, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        })
        #expect(OutputDestination("\(folder)/missing") == .replace("\(folder)/missing"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: "\(folder)/file"))
        #expect(OutputDestination("\(folder)/file") == .replace("\(folder)/file"))
        #expect(OutputDestination(folder) == .replace(folder))
        #expect(symlink("file", "\(folder)/link") == 0)
        #expect(OutputDestination("\(folder)/link") == .replace("\(resolvedFolder)/file"))
        #expect(symlink("gone", "\(folder)/dangling") == 0)
        #expect(OutputDestination("\(folder)/dangling") == .replace("\(folder)/dangling"))
        #expect(mkfifo("\(folder)/fifo", 0o600) == 0)
        #expect(OutputDestination("\(folder)/fifo") == .writeThrough("\(folder)/fifo"))
        #expect(OutputDestination("/dev/null") == .writeThrough("/dev/null"))
        #expect(symlink("/dev/null", "\(folder)/null") == 0)
        #expect(OutputDestination("\(folder)/null") == .writeThrough("\(folder)/null"))
        // The process's own open files are appended to (a shell's >> keeps what was there).
        #expect(OutputDestination("/dev/stdout") == .append("/dev/stdout"))
        #expect(OutputDestination("/proc/self/fd/2") == .append("/proc/self/fd/2"))
        #expect(symlink("/proc/self/fd/1", "\(folder)/out") == 0)
        #expect(OutputDestination("\(folder)/out") == .append("\(folder)/out"))
    }

    @Test("BufferedFileWriter replaces a linked file and keeps the link; writes into /dev/null without replacing it")
    func writerFollowsTheDestination() throws {
        let folder = NSTemporaryDirectory() + "mlops-writer-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("old".utf8).write(to: URL(fileURLWithPath: "\(folder)/target"))
        #expect(symlink("target", "\(folder)/link") == 0)
        let writer = try BufferedFileWriter(path: "\(folder)/link")
        try writer.append(Array("new".utf8))
        try writer.finish()
        #expect(try String(contentsOfFile: "\(folder)/target", encoding: .utf8) == "new")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/link") == "target")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["link", "target"])

        let null = try BufferedFileWriter(path: "/dev/null")
        try null.append(Array("discarded".utf8))
        try null.finish()
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    }

    @Test("BufferedFileWriter keeps the mode of the file it replaces (a 0600 file stays 0600); a new file gets 0644 less the umask")
    func writerKeepsTheMode() throws {
        let folder = NSTemporaryDirectory() + "mlops-writer-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func mode(_ path: String) -> mode_t {
            var info = stat()
            return stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
        }
        try Data("secret".utf8).write(to: URL(fileURLWithPath: "\(folder)/private.csv"))
        #expect(chmod("\(folder)/private.csv", 0o600) == 0)
        let replacing = try BufferedFileWriter(path: "\(folder)/private.csv")
        try replacing.append(Array("new".utf8))
        try replacing.finish()
        #expect(mode("\(folder)/private.csv") == 0o600)
        #expect(try String(contentsOfFile: "\(folder)/private.csv", encoding: .utf8) == "new")
        let fresh = try BufferedFileWriter(path: "\(folder)/fresh.csv")
        try fresh.append(Array("x".utf8))
        try fresh.finish()
        // The umask read from /proc (setting it to read it would race with other tests).
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("Umask:") }
        let mask = line.flatMap { mode_t($0.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8) } ?? 0o022
        #expect(mode("\(folder)/fresh.csv") == 0o644 & ~mask)
    }
}
