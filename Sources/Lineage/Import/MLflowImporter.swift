import Foundation
import MLOpsStorage
import TensorCore

/// Brings the history of an MLflow tracking database (SQLite) into a ``LineageStore``: experiments,
/// runs, parameters, metric series and tags, so a team keeps its past runs when it moves.
///
/// The MLflow file is opened read-only and never changed. Deleted runs are skipped. Runs already in
/// the store (same id) are skipped, so an import can be run again after new MLflow runs; each run
/// is written in one transaction, so an interrupted import never leaves a partial run behind.
/// Several importers (in several processes) may import the same file into one store at once: the
/// store's conflict handling decides, so each run is written once and counted by the others as
/// ``Report/alreadyPresent``.
///
/// MLflow's run ids (32 hex digits) become the same UUIDs with dashes. `mlflow.parentRunId` tags
/// become parent links (and stay as tags), whether or not the parent is imported first. Parameter
/// texts that print back unchanged as integers, decimals or `true`/`false` become typed values;
/// every other text, Python's `True` and `False` included, is kept verbatim as a string. Metrics
/// MLflow marked NaN stay NaN.
public struct MLflowImporter: Sendable {
    /// What an import did.
    public struct Report: Sendable, Hashable, Codable {
        /// Runs written to the store.
        public var imported: Int = 0
        /// Runs the store already had.
        public var alreadyPresent: Int = 0
        /// Runs MLflow had deleted.
        public var skippedDeleted: Int = 0
        /// Metric points written.
        public var metricPoints: Int = 0
        /// Experiments seen.
        public var experiments: [String] = []
    }

    /// The MLflow SQLite file.
    public let path: String

    /// An importer for the MLflow tracking database at `path` (the file of a `sqlite:///…` tracking URI).
    public init(path: String) {
        self.path = path
    }

    /// Imports every active run into `store`.
    ///
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidArgument``) when the file is not an
    ///   MLflow tracking database; storage errors when it cannot be read.
    public func importRuns(into store: any LineageStore) async throws -> Report {
        try await withSource { try await importRuns(from: $0, into: store) }
    }

    /// Checks, reading it only, that the file is an MLflow tracking database and that every row
    /// an import would read can be read (each active run's id, times, parameters, tags and
    /// metric points): call it before opening (or creating) the store to import into, so a wrong
    /// or damaged file changes nothing there. It reads the runs once, as the import does.
    ///
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidArgument``) naming the file, and
    ///   for a row that cannot be read, its run and table.
    public func checkSource() async throws {
        _ = try await withSource { try await importRuns(from: $0, into: nil) }
    }

    /// Runs `body` on the MLflow file, opened read-only and checked to hold MLflow's tables,
    /// and closes it whether `body` returns or throws.
    private func withSource<Value>(_ body: (SQLiteDatabase) async throws -> Value) async throws -> Value {
        let database = try await openSource()
        do {
            try await requireTables(in: database)
            let result = try await body(database)
            try await database.close()
            return result
        } catch {
            try? await database.close()
            throw error
        }
    }

    /// The MLflow file, opened read-only; a missing file or one that is not SQLite is named as
    /// the MLflow input (not as a store).
    private func openSource() async throws -> SQLiteDatabase {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LineageError(.invalidArgument, "There is no MLflow database at \(path)", fix: "pass the file of the sqlite:/// tracking URI MLflow used.")
        }
        do {
            let database = try await SQLiteDatabase(path: path, configuration: SQLiteConfiguration(readOnly: true))
            // A file that is not SQLite is found when its schema is first read.
            _ = try await database.read { db in try await db.query("SELECT name FROM sqlite_master LIMIT 1") }
            return database
        } catch let error as StorageError {
            throw LineageError(
                .invalidArgument, "\(path) cannot be read as an MLflow tracking database (\(error.message))",
                fix: "pass the file of the sqlite:/// tracking URI MLflow used.")
        }
    }

    /// Refuses a SQLite file without MLflow's tables.
    private func requireTables(in mlflow: any SQLDatabase) async throws {
        let tables = try await mlflow.read { db in
            try await db.query("SELECT name FROM sqlite_master WHERE type = 'table'").map { try $0.decode(String.self, at: 0) }
        }
        for table in ["experiments", "runs", "params", "metrics", "tags"] where !tables.contains(table) {
            throw LineageError(.invalidArgument, "\(path) is not an MLflow tracking database (it has no '\(table)' table)", fix: "pass the file of the sqlite:/// tracking URI MLflow used.")
        }
    }

    private struct MLflowRun {
        let uuid: String
        let name: String
        let experiment: String
        let owner: String?
        let status: String
        let start: Int64
        let end: Int64?
        let deleted: Bool
    }

    /// Reads every active run of `mlflow` and writes it to `store`; with no store, only reads
    /// (the check of ``checkSource()``).
    private func importRuns(from mlflow: any SQLDatabase, into store: (any LineageStore)?) async throws -> Report {
        let runs = try await readable(run: nil, table: "runs") { try await mlflow.read { db in
            try await db.query(
                """
                SELECT r.run_uuid, r.name, e.name AS experiment, r.user_id, r.status, r.start_time, r.end_time, r.lifecycle_stage
                FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id ORDER BY r.start_time, r.run_uuid
                """
            ).map { row in
                MLflowRun(
                    uuid: try row.decode(String.self, "run_uuid"), name: try row.decode(String?.self, "name") ?? "",
                    experiment: try row.decode(String.self, "experiment"), owner: try row.decode(String?.self, "user_id"),
                    status: try row.decode(String?.self, "status") ?? "RUNNING", start: try row.decode(Int64?.self, "start_time") ?? 0,
                    end: try row.decode(Int64?.self, "end_time"), deleted: try row.decode(String?.self, "lifecycle_stage") == "deleted")
            }
        } }
        var report = Report()
        report.experiments = Array(Set(runs.map(\.experiment))).sorted()
        for run in runs {
            if run.deleted {
                report.skippedDeleted += 1
                continue
            }
            let id = try Self.runID(fromMLflow: run.uuid)
            // A quick skip for runs imported before; the insert below decides for runs that
            // another importer writes meanwhile.
            if let store, try await Self.isPresent(id, in: store) {
                report.alreadyPresent += 1
                continue
            }
            let (parameters, tags, points) = try await mlflow.read { db in
                let parameters = try await readable(run: run.uuid, table: "params") {
                    try await db.query("SELECT key, value FROM params WHERE run_uuid = ?", [.text(run.uuid)])
                        .map { (try $0.decode(String.self, "key"), Self.typed(try $0.decode(String.self, "value"))) }
                }
                let tags = try await readable(run: run.uuid, table: "tags") {
                    try await db.query("SELECT key, value FROM tags WHERE run_uuid = ?", [.text(run.uuid)])
                        .map { (try $0.decode(String.self, "key"), try $0.decode(String?.self, "value") ?? "") }
                }
                let points = try await readable(run: run.uuid, table: "metrics") {
                    try await db.query("SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? ORDER BY step, timestamp, value", [.text(run.uuid)])
                        .map { row in
                            MetricPoint(
                                key: try row.decode(String.self, "key"),
                                value: (try row.decode(Int?.self, "is_nan") ?? 0) != 0 ? .nan : try row.decode(Double.self, "value"),
                                step: try row.decode(Int64?.self, "step") ?? 0,
                                timestamp: Date(millisecondsSince1970: try row.decode(Int64?.self, "timestamp") ?? 0))
                        }
                }
                return (parameters, tags, points)
            }
            let tagMap = Dictionary(tags, uniquingKeysWith: { _, last in last })
            // The link is kept even when the parent comes later (or from another importer).
            let parent = tagMap["mlflow.parentRunId"].flatMap { try? Self.runID(fromMLflow: $0) }
            let status: RunStatus = switch run.status {
            case "FINISHED": .finished
            case "FAILED": .failed
            case "KILLED": .killed
            default: .running
            }
            guard let store else { continue }
            // One transaction per run: an interrupted import leaves whole runs or none, and a
            // re-run imports exactly the runs that are missing.
            let written = try await store.importRun(
                Run(
                    id: id, experiment: run.experiment, name: run.name.isEmpty ? run.uuid : run.name, status: status,
                    startTime: Date(millisecondsSince1970: run.start),
                    endTime: status.isTerminal ? Date(millisecondsSince1970: run.end ?? run.start) : nil, owner: run.owner,
                    parentRunID: parent, tags: tagMap, parameters: Dictionary(parameters, uniquingKeysWith: { first, _ in first })),
                metrics: points)
            if written {
                report.metricPoints += points.count
                report.imported += 1
            } else {
                report.alreadyPresent += 1
            }
        }
        return report
    }

    /// Runs `read`, naming the file, the run and the table when a row cannot be read (a value
    /// MLflow itself would not have written there: a null or a text where it keeps numbers).
    private func readable<Value>(run: String?, table: String, _ read: () async throws -> Value) async throws -> Value {
        do {
            return try await read()
        } catch let error as StorageError where error.code == .decodingFailed {
            let place = run.map { "its \(table) table (run \($0))" } ?? "its \(table) table"
            throw LineageError(
                .invalidArgument, "\(path) cannot be imported: a row in \(place) holds what MLflow does not write there (\(error.message))",
                fix: "repair or delete that row in the MLflow database, then import again (runs imported already are skipped).")
        }
    }

    /// Whether the store has the run; only "not found" means no, any other error is thrown.
    static func isPresent(_ id: RunID, in store: any LineageStore) async throws -> Bool {
        do {
            _ = try await store.run(id)
            return true
        } catch let error as LineageError where error.code == .notFound {
            return false
        }
    }

    /// `601b6a21b8574dd6ad3f2f7cbe453b13` → `601b6a21-b857-4dd6-ad3f-2f7cbe453b13`.
    static func runID(fromMLflow uuid: String) throws -> RunID {
        // RunID takes MLflow's 32 hexadecimal digits as they are.
        guard let id = try? RunID(uuid.replacingOccurrences(of: "-", with: "")) else {
            throw LineageError(.corruptRecord, "MLflow run id '\(uuid)' is not 32 hexadecimal digits", fix: "check the MLflow database.")
        }
        return id
    }

    /// MLflow keeps parameters as text; numbers and booleans get their type back, only when the
    /// typed value prints back as the same text, so nothing MLflow kept is changed: "007", "1.50",
    /// "1e-5" and Python's "True" stay strings, verbatim.
    static func typed(_ text: String) -> ParameterValue {
        let candidate: ParameterValue
        if let integer = Int64(text) {
            candidate = .int(integer)
        } else if let number = Double(text), number.isFinite {
            candidate = .double(number)
        } else if text == "true" || text == "false" {
            candidate = .bool(text == "true")
        } else {
            return .string(text)
        }
        return candidate.description == text ? candidate : .string(text)
    }
}
