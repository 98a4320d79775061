import MLOpsStorage
import ArgumentParser
import Foundation
import Rollout
import TensorCore

/// `mlops rollout assign`: the variant each unit gets, exactly as the library routes it.
struct RolloutAssign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Assign unit keys to variants with the library's salted hash and buckets; CSV unit,variant on standard output.",
        discussion: """
            Reads one unit key per line, or a CSV file whose header has a `unit` column (--units - reads \
            standard input). The bucket of a key is the high 64 bits of fmix64(FNV-1a-64(salt, 0xFF, key)) \
            × 10,000; the weights give the variants consecutive bucket ranges in the order written \
            (see Documentation/Rollout.md), so a service using the Rollout library with the same salt and \
            weights assigns every unit the same way.
            Exit codes: 0 assigned, 2 bad input (weights that do not sum to 100, an empty unit key, an unreadable file, binary input).
            """)

    @Option(help: ArgumentHelp("The unit keys: one per line, or a CSV with a unit column; - for standard input.", valueName: "file"))
    var units: String

    @Option(help: "The salt of the hash: the same salt keeps every unit where it was.")
    var salt: String

    @Option(help: ArgumentHelp("The split in percent, such as control=95,candidate=5 (up to two decimals, summing to 100).", valueName: "weights"))
    var weights: String

    func run() async throws {
        let router = try Router(salt: salt, weights: try TrafficWeights(parsing: weights))
        let keys = try Self.readUnits(units)
        var output = "unit,variant\n"
        output.reserveCapacity(keys.count * 24)
        let names = router.variants.map(TableWriter.csvField)
        for key in keys {
            output += TableWriter.csvField(key)
            output += ","
            output += names[router.variantIndex(for: key)]
            output += "\n"
            if output.utf8.count > 1 << 20 {
                Terminal.write(Data(output.utf8))
                output = ""
            }
        }
        Terminal.write(Data(output.utf8))
    }

    /// The unit keys of `path`: a CSV's `unit` column when the first line names one, else every line.
    static func readUnits(_ path: String) throws -> [String] {
        let data: Data
        do {
            data = path == "-" ? try readStandardInput() : try FileIO.readAll(path)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure.usage("error: cannot read the units file: \(FileReadProblem.describe(path, error)). Fix: give a file with one unit id per line (or a CSV with a unit column), or - to read standard input.")
        }
        try refuseBinary(data, path: path)
        // Split on the bytes, not on `Character`s: a String holds "\r\n" as one Character, which
        // `split(separator: "\n")` would never split at.
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map { bytes in
            Substring(String(decoding: bytes.last == 0x0D ? bytes.dropLast() : bytes, as: UTF8.self))
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        // A byte-order mark is not part of the first key or header.
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = first.dropFirst() }
        guard let first = lines.first else { return [] }
        // A first line whose comma-separated names include `unit` is a CSV header: the file is
        // read by TensorCore's CSV reader (quoting, line breaks inside quotes), the unit column only.
        let names = first.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
        if names.contains("unit"), names.count > 1 || first == "unit" {
            return try readUnitColumn(data, path: path)
        }
        for (number, line) in lines.enumerated() where line.isEmpty {
            throw CommandFailure.usage("error: \(path):\(number + 1): the unit key is empty, so no sticky assignment can be made. Fix: remove the blank line or give its unit id.")
        }
        return lines.map(String.init)
    }

    /// The longest line standard input may send before its end: unit keys are short, and a
    /// source with no line breaks at all (`< /dev/zero`, a binary file) is refused once it has
    /// sent this much instead of being read until memory runs out.
    static let longestStandardInputLine = 1 << 20

    /// Standard input to its end, refusing a NUL byte or a line longer than
    /// ``longestStandardInputLine`` as soon as it arrives.
    static func readStandardInput() throws -> Data {
        var data = Data()
        var lineLength = 0
        while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 16), !chunk.isEmpty {
            data.append(chunk)
            try refuseBinary(data, path: "-", from: data.count - chunk.count)
            if let lastBreak = chunk.lastIndex(of: 0x0A) {
                lineLength = chunk.endIndex - lastBreak - 1
            } else {
                lineLength += chunk.count
            }
            if lineLength > longestStandardInputLine {
                let line = data.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
                throw CommandFailure.usage("error: standard input, line \(line): more than \(longestStandardInputLine) bytes without a line break, which no unit key needs. Fix: give one unit key per line, or a CSV file with a unit column.")
            }
        }
        return data
    }

    /// Refuses units input holding a NUL byte at or after offset `start` (binary data, not unit
    /// keys), naming its line.
    static func refuseBinary(_ data: Data, path: String, from start: Int = 0) throws {
        let tail = data[(data.startIndex + start)...]
        guard let nul = tail.firstIndex(of: 0) else { return }
        let line = data[..<nul].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
        let name = path == "-" ? "standard input" : path
        throw CommandFailure.usage("error: \(name), line \(line): a NUL byte, so this is not a text file of unit keys. Fix: give one unit key per line, or a CSV file with a unit column.")
    }

    /// The `unit` column of a CSV file (standard input is copied to a temporary file first).
    static func readUnitColumn(_ data: Data, path: String) throws -> [String] {
        var file = path
        var temporary: String?
        if path == "-" {
            let copy = NSTemporaryDirectory() + "mlops-units-\(UUID().uuidString).csv"
            do { try data.write(to: URL(fileURLWithPath: copy)) } catch { throw CommandFailure.usage("error: cannot buffer standard input: \(error.localizedDescription)") }
            (file, temporary) = (copy, copy)
        }
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        let table: FeatureTable
        do {
            // Only an empty field is missing: a unit named NA or null is a unit.
            let options = CSVReadOptions(schema: ["unit": .categorical], missingMarkers: [""], columns: ["unit"])
            table = try CSVReader.readAll(path: file, options: options).0
        } catch {
            // Standard input was read from a temporary copy: the message names the input, not the copy.
            var text = "\(error)"
            if let temporary { text = text.replacingOccurrences(of: temporary, with: "standard input") }
            throw CommandFailure.usage("error: cannot read the units \(path == "-" ? "from standard input" : "file \(path)"): \(text)")
        }
        let units = try table.categoricalColumn(named: "unit")
        if let row = units.codes.firstIndex(of: -1) {
            throw CommandFailure.usage("error: \(path): data row \(row + 1): the unit key is empty, so no sticky assignment can be made. Fix: give every row a unit id.")
        }
        return units.codes.map { units.dictionary[Int($0)] }
    }
}

