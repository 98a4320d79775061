#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import MLOpsStorage
import TensorCore

/// Reads a CSV or JSON Lines file (by extension: .jsonl, .ndjson and .json are JSON Lines,
/// anything else CSV) into a table; an unreadable file is a usage error naming it.
enum TableFile {
    /// Reads two files, side by side on two threads when both are regular files and the machine
    /// has more than one processor; otherwise one after the other, stopping at the first that
    /// fails (a pipe or device such as `/dev/stdin` is never read alongside another). A missing
    /// file is reported before either is read; errors are those of ``read(_:only:)``, the first
    /// file's first.
    ///
    /// One file alone splits its blocks between two threads, but the second thread waits while a
    /// block is read from the file and its rows are appended; two files side by side keep both
    /// processors busy from start to end (two 100k × 50 files: `mlops drift` 0.34 → 0.30 s).
    /// Each reader still splits its blocks when the other processor falls idle, so a file much
    /// larger than the other is not left to one thread.
    static func readPair(_ first: String, _ second: String, only: [String]? = nil) throws -> (FeatureTable, FeatureTable) {
        let paths = [first, second]
        for path in paths { try requireFile(path) }
        func isRegularFile(_ path: String) -> Bool {
            var status = stat()   // stat follows symbolic links
            return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
        }
        // A minimum chunk of 2 keeps both reads in one range: in order, on this thread.
        let sideBySide = paths.allSatisfy(isRegularFile)
        let results = ParallelFor.map(count: 2, minimumChunk: sideBySide ? 1 : 2) { range in
            var results: [Result<FeatureTable, any Error>] = []
            for index in range {
                let result = Result { try read(paths[index], only: only) }
                results.append(result)
                if case .failure = result { break }
            }
            return results
        }.joined()
        let tables = try results.map { try $0.get() }
        return (tables[0], tables[1])
    }

    /// Throws the usage error for a regular file whose first 8 KiB hold a NUL byte: a binary file
    /// (a database, an archive, UTF-16 text), which CSV would read as a header of garbage and
    /// compare as if it were data. Pipes and devices are not peeked at (that would consume them).
    static func refuseBinary(_ path: String) throws {
        if let problem = FileReadProblem.binaryContent(at: path) {
            throw CommandFailure.usage("error: \(problem). Fix: export the data as UTF-8 CSV or JSON Lines.")
        }
    }

    /// Throws the usage error for a path with no file behind it.
    private static func requireFile(_ path: String) throws {
        if let problem = FileReadProblem.at(path) {
            throw CommandFailure.usage("error: \(problem). Fix: name a CSV or JSON Lines file that exists.")
        }
    }

    /// Every column name of the file at `path` that was read as `table`: a CSV file's header
    /// (the table may hold only the columns asked for), else the table's own names.
    static func header(of path: String, read table: FeatureTable) -> [String] {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".json") { return table.columnNames }
        return (try? CSVReader(path: path).columnNames) ?? table.columnNames
    }

    /// Reads `path`; with `only`, a CSV file's other columns are scanned past, not parsed (names
    /// the file lacks are left for the caller to report; when it has none of them, every column
    /// is read).
    ///
    /// A column whose kind was inferred from the first rows and that holds a value of another
    /// kind further down (numbers, then `oops` at row 1,102) is read again as text, as pandas
    /// reads such a column as `object`: the comparison then reports it per column (a type
    /// change, with the values that are not numbers) instead of the whole command failing.
    ///
    /// A JSON Lines key first seen after the rows the columns were fixed from (an optional
    /// field that appears late) is read again as a column of its own, typed by its values, as
    /// pandas reads such a file; it was a failed read.
    static func read(_ path: String, only: [String]? = nil) throws -> FeatureTable {
        try requireFile(path)
        try refuseBinary(path)
        // Both read as text; only the late keys are typed by their values afterwards.
        var asText: Set<String> = [], lateKeys: Set<String> = []
        while true {
            do {
                return try readOnce(path, only: only, text: asText.union(lateKeys), keepAsText: asText)
            } catch let error as TableError where error.code == .invalidValue || error.code == .unknownKey {
                guard let column = error.column, !asText.contains(column), !lateKeys.contains(column) else {
                    throw CommandFailure.usage("error: cannot read \(path): \(error)")
                }
                if error.code == .unknownKey { lateKeys.insert(column) } else { asText.insert(column) }
            } catch {
                throw CommandFailure.usage("error: cannot read \(path): \(error)")
            }
        }
    }

    /// One read of `path` with the columns named in `text` read as text; those in `keepAsText`
    /// are not typed afterwards (``typedByAllRows(_:keepingAsText:)``).
    private static func readOnce(_ path: String, only: [String]?, text: Set<String>, keepAsText: Set<String>) throws -> FeatureTable {
        let lowered = path.lowercased()
        let schema = Dictionary(uniqueKeysWithValues: text.map { ($0, ColumnKind.categorical) })
        if lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".json") {
            let table = typedByAllRows(try JSONLinesReader.readAll(path: path, options: JSONLinesReadOptions(schema: schema)).0, keepingAsText: keepAsText)
            // Narrowed as a CSV file is, so that row-level checks (duplicate rows) see the
            // same columns whichever format the data came in.
            if let only {
                let present = table.columnNames.filter(Set(only).contains)
                if !present.isEmpty { return try table.selecting(present) }
            }
            return table
        }
        if let only {
            let wanted = Set(only)
            let present = try CSVReader(path: path).columnNames.filter { wanted.contains($0) }
            if !present.isEmpty {
                let forced = schema.filter { present.contains($0.key) }
                return typedByAllRows(try CSVReader.readAll(path: path, options: CSVReadOptions(schema: forced, columns: present)).0, keepingAsText: keepAsText)
            }
        }
        return typedByAllRows(try CSVReader.readAll(path: path, options: CSVReadOptions(schema: schema)).0, keepingAsText: keepAsText)
    }

    /// A table with each column that had no value in the rows its kind was inferred from typed
    /// by all of its values, as pandas types a column (blanks or nulls for 1,000 rows and then
    /// numbers are a number column). The columns in `keepingAsText` (read again as text because
    /// a later value was not of their first rows' kind) stay text.
    private static func typedByAllRows(_ table: FeatureTable, keepingAsText: Set<String>) -> FeatureTable {
        let candidates = table.textColumnsMissingInFirst(CSVReadOptions().inferenceRowCount).filter { !keepingAsText.contains($0) }
        return candidates.isEmpty ? table : table.typingTextColumns(candidates)
    }
}
