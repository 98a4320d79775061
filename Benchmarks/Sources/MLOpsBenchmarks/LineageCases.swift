import Foundation
import Lineage
import MLOpsStorage

/// Lineage's logging, search and provenance, on SQLite files under the data folder.
enum LineageCases {
    static func freshStore(_ arguments: Arguments) async throws -> (SQLLineageStore, any SQLDatabase, String) {
        let path = "\(arguments.dataFolder)/lineage-\(UUID().uuidString).sqlite"
        let database = try await SQLiteDatabase(path: path)
        return (try await SQLLineageStore(database: database), database, path)
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// 1,000,000 individual `RunRecorder.log` calls, buffered, including the final flush to SQLite.
    @Sendable static func logCalls(_ arguments: Arguments) async throws -> Measurement {
        let calls = 1_000_000
        var state: (SQLLineageStore, any SQLDatabase, String)?
        var recorder: RunRecorder?
        return try await Measurement.repeated(arguments.repetitions, items: calls, prepare: {
            if let (_, database, path) = state { try await database.close(); remove(path) }
            state = try await freshStore(arguments)
            if let (store, _, _) = state {
                recorder = try await RunRecorder.start(store: store, experiment: "bench", name: "calls", flushInterval: .seconds(3600))
            }
        }) {
            guard let recorder else { return }
            for step in 0..<calls { try await recorder.log("loss", Double(step) * 1e-6, step: Int64(step)) }
            try await recorder.finish()
        }
    }

    /// 1,000,000 metric points through `logMetrics` in batches of 10,000 (one transaction each).
    @Sendable static func metricPoints(_ arguments: Arguments) async throws -> Measurement {
        let total = 1_000_000, batch = 10_000
        var state: (SQLLineageStore, any SQLDatabase, String)?
        var runID: RunID?
        return try await Measurement.repeated(arguments.repetitions, items: total, prepare: {
            if let (_, database, path) = state { try await database.close(); remove(path) }
            state = try await freshStore(arguments)
            runID = try await state?.0.startRun(RunStart(experiment: "bench", name: "points", startTime: Date(timeIntervalSince1970: 0))).id
        }) {
            guard let (store, _, _) = state, let runID else { return }
            var start = 0
            while start < total {
                let points = (start..<(start + batch)).map { MetricPoint(key: "loss", value: Double($0), step: Int64($0), timestamp: Date(timeIntervalSince1970: Double($0) / 1000)) }
                try await store.logMetrics(points, to: runID)
                start += batch
            }
        }
    }

    /// Writes `runs` runs straight into the lineage tables (setup only; the API is measured elsewhere).
    static func populateRuns(_ database: any SQLDatabase, runs: Int) async throws {
        try await database.write { db in
            try await db.execute("INSERT INTO lineage_experiments (name, created_at) VALUES ('bench', 0)")
            var runRows: [[SQLValue]] = [], paramRows: [[SQLValue]] = [], metricRows: [[SQLValue]] = []
            for index in 0..<runs {
                let key = Int64(index + 1)
                runRows.append([.integer(key), .text(UUID().uuidString.lowercased()), .text("run-\(index)"), .text("finished"), .integer(Int64(index))])
                paramRows.append([.integer(key), .text("model"), .text("string"), .text(["gbt", "rf", "lr", "nn"][index % 4]), .null])
                paramRows.append([.integer(key), .text("depth"), .text("int"), .text("\(index % 12)"), .real(Double(index % 12))])
                metricRows.append([.integer(key), .text("auc"), .integer(0), .integer(0), .real(0.5 + 0.5 * Double((index * 7919) % 10_000) / 10_000)])
            }
            try await db.executeBatch("INSERT INTO lineage_runs (run_key, id, experiment_key, name, status, start_time) VALUES (?, ?, 1, ?, ?, ?)", runRows)
            try await db.executeBatch("INSERT INTO lineage_params (run_key, key, value_type, value_text, value_number) VALUES (?, ?, ?, ?, ?)", paramRows)
            try await db.executeBatch("INSERT INTO lineage_latest_metrics (run_key, key, step, timestamp, value) VALUES (?, ?, ?, ?, ?)", metricRows)
        }
    }

    /// Search over 100,000 runs: `metrics.auc > 0.99 and params.model = 'gbt'`, first page of 100.
    @Sendable static func search(_ arguments: Arguments) async throws -> Measurement {
        let (store, database, path) = try await freshStore(arguments)
        defer { remove(path) }
        try await populateRuns(database, runs: 100_000)
        let query = try RunQuery(filter: "metrics.auc > 0.99 and params.model = 'gbt'", limit: 100)
        var found = 0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 1) {
            found = try await store.searchRuns(query).runs.count
        }
        guard found > 0 else { throw BenchmarkFailure("the search found nothing") }
        try await database.close()
        return measurement
    }

    /// Ancestors of one model in a graph of 1,000,000 edges: 50,000 pipelines of five runs
    /// (ingest → clean → features → train → evaluate), each run reading and writing artifacts.
    @Sendable static func ancestors(_ arguments: Arguments) async throws -> Measurement {
        let (store, database, path) = try await freshStore(arguments)
        defer { remove(path) }
        let pipelines = 50_000
        let target: Digest? = try await database.write { db in
            var target: Digest?
            try await db.execute("INSERT INTO lineage_experiments (name, created_at) VALUES ('bench', 0)")
            var runs: [[SQLValue]] = [], artifacts: [[SQLValue]] = [], edges: [[SQLValue]] = []
            var runKey: Int64 = 0
            func artifact(_ name: String, _ kind: String) -> String {
                let digest = Digest(of: Array(name.utf8)).hex
                artifacts.append([.text(digest), .text(kind), .text(name)])
                return digest
            }
            let shared = artifact("shared-config", "code")
            for pipeline in 0..<pipelines {
                var previous = [artifact("raw-\(pipeline)", "dataset"), artifact("labels-\(pipeline)", "dataset")]
                for stage in 0..<5 {
                    runKey += 1
                    runs.append([.integer(runKey), .text(UUID().uuidString.lowercased()), .text("stage-\(stage)")])
                    let outputs = [artifact("p\(pipeline)-s\(stage)-a", stage == 3 ? "model" : "dataset"), artifact("p\(pipeline)-s\(stage)-b", "evaluation")]
                    for input in previous { edges.append([.integer(runKey), .text(input), .text("input"), .text("in")]) }
                    for output in outputs { edges.append([.integer(runKey), .text(output), .text("output"), .text("out")]) }
                    if stage == 0 { edges.append([.integer(runKey), .text(shared), .text("input"), .text("config")]) }
                    previous = outputs
                    if pipeline == pipelines / 2 && stage == 3 { target = try Digest(parsing: outputs[0]) }
                }
            }
            try await db.executeBatch("INSERT INTO lineage_runs (run_key, id, experiment_key, name, status, start_time) VALUES (?, ?, 1, ?, 'finished', 0)", runs)
            try await db.executeBatch("INSERT INTO lineage_artifacts (digest, kind, name) VALUES (?, ?, ?)", artifacts)
            try await db.executeBatch("INSERT INTO lineage_edges (run_key, digest, direction, role) VALUES (?, ?, ?, ?)", edges)
            let count = try await db.queryScalar(Int.self, "SELECT count(*) FROM lineage_edges")
            guard count >= 1_000_000 else { throw BenchmarkFailure("only \(count) edges") }
            return target
        }
        guard let target else { throw BenchmarkFailure("no target model") }
        var reached = 0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 1) {
            reached = try await store.ancestors(of: target).runs.count
        }
        guard reached == 4 else { throw BenchmarkFailure("expected 4 ancestor runs, got \(reached)") }
        try await database.close()
        return measurement
    }
}

/// Lineage's metric path on PostgreSQL (issue #14: never measured before). Needs a server:
/// `MLOPS_BENCH_POSTGRES_URL` (or `MLOPS_TEST_POSTGRES_URL`, as `.ci/start-postgres` prints).
enum PostgresLineageCases {
    static func url() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["MLOPS_BENCH_POSTGRES_URL"] ?? environment["MLOPS_TEST_POSTGRES_URL"] else {
            throw BenchmarkFailure("set MLOPS_BENCH_POSTGRES_URL (eval \"$(bash .ci/start-postgres)\" starts one)")
        }
        return url
    }

    /// 1,000,000 metric points through `SQLLineageStore.logMetrics` in batches of 10,000, each
    /// batch one transaction, on PostgreSQL; every repetition writes to a new run.
    @Sendable static func metricPoints(_ arguments: Arguments) async throws -> Measurement {
        let total = 1_000_000, batch = 10_000
        return try await StoreLocation(parsing: try url()).withDatabase { database in
            let store = try await SQLLineageStore(database: database)
            var runID: RunID?
            return try await Measurement.repeated(arguments.repetitions, items: total, prepare: {
                runID = try await store.startRun(RunStart(experiment: "bench-pg", name: "points", startTime: Date(timeIntervalSince1970: 0))).id
            }) {
                guard let runID else { return }
                var start = 0
                while start < total {
                    let points = (start..<(start + batch)).map { MetricPoint(key: "loss", value: Double($0), step: Int64($0), timestamp: Date(timeIntervalSince1970: Double($0) / 1000)) }
                    try await store.logMetrics(points, to: runID)
                    start += batch
                }
            }
        }
    }
}
