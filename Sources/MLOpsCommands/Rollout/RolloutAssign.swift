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
            Exit codes: 0 assigned, 2 bad input (weights that do not sum to 100, an empty unit key, an unreadable file).
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
            data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure.usage("error: cannot read the units file: \(FileReadProblem.describe(path, error)).")
        }
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
            throw CommandFailure.usage("error: cannot read the units file \(path): \(error)")
        }
        let units = try table.categoricalColumn(named: "unit")
        if let row = units.codes.firstIndex(of: -1) {
            throw CommandFailure.usage("error: \(path): data row \(row + 1): the unit key is empty, so no sticky assignment can be made. Fix: give every row a unit id.")
        }
        return units.codes.map { units.dictionary[Int($0)] }
    }
}

