import Foundation
import MLOpsStorage
public import TensorCore

/// A CSV or JSON Lines input file (JSON Lines by the extensions `.jsonl`, `.ndjson`, `.json`),
/// read whole or in chunks with some columns' kinds forced; read errors become
/// ``FeatureParityError/Code/fileError`` naming the file.
struct TableInput {
    private enum Reader {
        case csv(CSVReader)
        case jsonLines(JSONLinesReader)
    }

    let path: String
    private let reader: Reader

    /// Whether `path` names a JSON Lines file.
    static func isJSONLines(_ path: String) -> Bool { TableRowEncoder.Format(path: path) == .jsonLines }

    /// Opens `path`, forcing the kinds in `schema` for the columns the file has; `lateKeys` are
    /// JSON Lines keys first seen after the rows the columns are fixed from, which the file has
    /// though its first rows do not say so; in a JSON Lines file, `times` refuse booleans
    /// (``JSONLinesReadOptions/booleanFreeColumns``: `true` is no time, though a number column
    /// would read it as 1).
    init(path: String, schema: [String: ColumnKind], lateKeys: Set<String> = [], times: Set<String> = []) throws(FeatureParityError) {
        self.path = path
        try Self.requireReadable(path)
        do {
            let present = Set(try Self.names(path)).union(lateKeys)
            let forced = schema.filter { present.contains($0.key) }
            let exact = Self.exactText(forced)
            if Self.isJSONLines(path) {
                reader = .jsonLines(try JSONLinesReader(path: path, options: Self.jsonLinesOptions(forced, exact, times)))
            } else {
                reader = .csv(try CSVReader(path: path, options: CSVReadOptions(schema: forced, exactTextColumns: exact)))
            }
        } catch {
            throw Self.failure(path, error)
        }
    }

    /// The columns read as text exactly as written: those forced to categorical. In a user's
    /// file those are the keys (`NA`, Namibia, is an entity, not a missing key); in a partition's
    /// spill file every text column, whose missing values were written as empty fields.
    private static func exactText(_ forced: [String: ColumnKind]) -> Set<String> {
        Set(forced.compactMap { $0.value == .categorical ? $0.key : nil })
    }

    /// The file's column names: a CSV file's header, or the keys of a JSON Lines file's first
    /// rows (a JSON Lines reader learns them from its first chunk).
    private static func names(_ path: String) throws(TableError) -> [String] {
        if isJSONLines(path) {
            let reader = try JSONLinesReader(path: path)
            _ = try reader.nextChunk(maxRows: 1)
            return reader.columnNames
        }
        return try CSVReader(path: path).columnNames
    }

    /// The file's column names (see ``names(_:)``).
    static func columnNames(_ path: String) throws(FeatureParityError) -> [String] {
        try requireReadable(path)
        do { return try names(path) } catch { throw failure(path, error) }
    }

    /// The column names.
    var columnNames: [String] {
        switch reader {
        case .csv(let r): r.columnNames
        case .jsonLines(let r): r.columnNames
        }
    }

    /// The kinds, once the first chunk has fixed them.
    var columnKinds: [ColumnKind]? {
        switch reader {
        case .csv(let r): r.columnKinds
        case .jsonLines(let r): r.columnKinds
        }
    }

    /// The next rows, or nil at the end.
    func nextChunk(maxRows: Int) throws(FeatureParityError) -> FeatureTable? {
        do {
            switch reader {
            case .csv(let r): return try r.nextChunk(maxRows: maxRows)
            case .jsonLines(let r): return try r.nextChunk(maxRows: maxRows)
            }
        } catch {
            throw Self.failure(path, error)
        }
    }

    /// The whole file as one table (a file with no rows gives its columns and no rows).
    /// Refuses what cannot be read as a file of rows: nothing there, a folder, no permission, a
    /// device (`/dev/zero` would be read without end).
    static func requireReadable(_ path: String) throws(FeatureParityError) {
        if let problem = FileReadProblem.at(path) {
            throw FeatureParityError(.fileError, sentence(problem, about: path), location: path, fix: "check the path.")
        }
        // A binary file is refused as `mlops drift` refuses it (QA sweep: parity read one).
        if let problem = FileReadProblem.binaryContent(at: path) {
            throw FeatureParityError(.fileError, sentence(problem, about: path), location: path, fix: "export the data as UTF-8 CSV or JSON Lines.")
        }
    }

    /// A problem written as a sentence after the file's name, which the error shows as its
    /// location: `dir.csv: This is a folder, not a file`, not `dir.csv: dir.csv is …`.
    private static func sentence(_ problem: String, about path: String) -> String {
        if problem.hasPrefix(path + " "), !problem.hasPrefix("there is no file") { return "This" + problem.dropFirst(path.count) }
        return problem.prefix(1).uppercased() + problem.dropFirst()
    }

    /// The JSON Lines options for `forced` kinds, `exact` text and boolean-free `times`.
    private static func jsonLinesOptions(_ forced: [String: ColumnKind], _ exact: Set<String>, _ times: Set<String>) -> JSONLinesReadOptions {
        var options = JSONLinesReadOptions(schema: forced, exactTextColumns: exact)
        options.booleanFreeColumns = times
        return options
    }

    static func readAll(_ path: String, schema: [String: ColumnKind], lateKeys: Set<String> = [], times: Set<String> = []) throws(FeatureParityError) -> FeatureTable {
        try requireReadable(path)
        do {
            let present = Set(try names(path)).union(lateKeys)
            let forced = schema.filter { present.contains($0.key) }
            let exact = exactText(forced)
            if isJSONLines(path) {
                return try JSONLinesReader.readAll(path: path, options: jsonLinesOptions(forced, exact, times)).0
            }
            return try CSVReader.readAll(path: path, options: CSVReadOptions(schema: forced, exactTextColumns: exact)).0
        } catch {
            if !FileManager.default.fileExists(atPath: path) {
                throw FeatureParityError(.fileError, "There is no file at \(path)", location: path, fix: "check the path.")
            }
            throw failure(path, error)
        }
    }

    private static func failure(_ path: String, _ error: TableError) -> FeatureParityError {
        var failure = FeatureParityError(.fileError, "Cannot read \(path): \(error)", location: path, fix: "check the file's format (CSV with a header row, or JSON Lines).")
        if error.code == .invalidValue { failure.mistypedColumn = error.column }
        if error.code == .unknownKey { failure.lateKey = error.column }
        return failure
    }
}

/// Reading the CSV and JSON Lines files the joins and parity reports take.
public enum FeatureFile {
    /// Reads `path` (CSV, or JSON Lines by the extensions `.jsonl`, `.ndjson`, `.json`) whole, with
    /// the `key` column as text and the `times` columns as times (ISO 8601 or epoch seconds),
    /// where the file has them.
    ///
    /// - Throws: ``FeatureParityError/Code/fileError`` naming the file and what is wrong in it.
    public static func read(_ path: String, key: String, times: [String]) throws(FeatureParityError) -> FeatureTable {
        var schema: [String: ColumnKind] = [key: .categorical]
        for time in times { schema[time] = .timestamp }
        return try TableInput.readAll(path, schema: schema)
    }
}
