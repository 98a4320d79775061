import Foundation
import TensorCore

/// Reads a CSV or JSON Lines file (by extension: .jsonl, .ndjson and .json are JSON Lines,
/// anything else CSV) into a table; an unreadable file is a usage error naming it.
enum TableFile {
    /// Reads `path`; with `only`, a CSV file's other columns are scanned past, not parsed (names
    /// the file lacks are left for the caller to report; when it has none of them, every column
    /// is read).
    static func read(_ path: String, only: [String]? = nil) throws -> FeatureTable {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure.usage("error: no file at \(path)")
        }
        let lowered = path.lowercased()
        do {
            if lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".json") {
                return try JSONLinesReader.readAll(path: path).0
            }
            if let only {
                let wanted = Set(only)
                let present = try CSVReader(path: path).columnNames.filter { wanted.contains($0) }
                if !present.isEmpty { return try CSVReader.readAll(path: path, options: CSVReadOptions(columns: present)).0 }
            }
            return try CSVReader.readAll(path: path).0
        } catch {
            throw CommandFailure.usage("error: cannot read \(path): \(error)")
        }
    }
}
