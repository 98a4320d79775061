import Foundation
import TensorCore

/// Reads a CSV or JSON Lines file (by extension: .jsonl, .ndjson and .json are JSON Lines,
/// anything else CSV) into a table; an unreadable file is a usage error naming it.
enum TableFile {
    static func read(_ path: String) throws -> FeatureTable {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure.usage("error: no file at \(path)")
        }
        let lowered = path.lowercased()
        do {
            if lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".json") {
                return try JSONLinesReader.readAll(path: path).0
            }
            return try CSVReader.readAll(path: path).0
        } catch {
            throw CommandFailure.usage("error: cannot read \(path): \(error)")
        }
    }
}
