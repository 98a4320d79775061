import CSQLite
import Foundation
import MLOpsStorage

/// Every case the harness knows, by name.
enum BenchmarkCases {
    static let all: [String: @Sendable (Arguments) async throws -> Measurement] = named.merging(
        TensorCases.formats.map { ("csv-read-format-\($0)", TensorCases.readFormat($0)) }
            + DriftWholeProcessCases.methods.map { ("drift-whole-\($0)", DriftWholeProcessCases.method($0)) },
        uniquingKeysWith: { first, _ in first })

    private static let named: [String: @Sendable (Arguments) async throws -> Measurement] = [
        "sqlite-insert-mlops": StorageCases.sqliteInsertThroughStorage,
        "sqlite-insert-raw-c": StorageCases.sqliteInsertRawC,
        "sqlite-read-empty-10k": StorageCases.emptyReads,
        "sqlite-read-empty-brief-10k": StorageCases.emptyBriefReads,
        "artifact-put": StorageCases.artifactPut,
        "artifact-get": StorageCases.artifactGet,
        "tensor-summary-10M": TensorCases.summary,
        "tensor-sum-10M": TensorCases.sum,
        "tensor-sort-10M": TensorCases.sort,
        "matmul-f64-1024": TensorCases.matmulDouble,
        "matmul-f32-1024": TensorCases.matmulFloat,
        "kll-update-10M": TensorCases.kllUpdate,
        "csv-read-1M-x20": TensorCases.readCSV,
        "drift-ks-1M": DriftCases.kolmogorovSmirnov,
        "drift-wasserstein-1M": DriftCases.wasserstein,
        "drift-psi-chisquare-1M": DriftCases.psiChiSquare,
        "drift-report-50x100k": DriftCases.fullReport,
        "drift-profile-ingest-5M-cells": DriftCases.profileIngest,
        "drift-profile-record-5M-cells": DriftCases.profileRecord,
        "lineage-log-calls": LineageCases.logCalls,
        "lineage-metric-points": LineageCases.metricPoints,
        "pg-lineage-metric-points-1M": PostgresLineageCases.metricPoints,
        "lineage-search-100k": LineageCases.search,
        "lineage-ancestors-1M-edges": LineageCases.ancestors,
        "registry-register-alias-1k": RegistryCases.registerAndAlias,
        "registry-search-tag-10k": RegistryCases.searchByTag,
        "registry-resolve-100k": RegistryCases.resolveCached,
        "registry-verify-chain-1M": RegistryCases.verifyChain,
        "gpu-decisions-10k-pending": GPUCases.decisions,
        "gpu-replay-philly-fifo": GPUCases.replayFIFO,
        "gpu-replay-philly-sjf": GPUCases.replaySJF,
        "rollout-route-10M": RolloutCases.route,
        "rollout-route-handle-10M": RolloutCases.routeThroughHandle,
        "rollout-record-outcome-10M": RolloutCases.recordOutcome,
        "rollout-analyze-10M": RolloutCases.analyze,
        "features-join-1M-10M": FeatureCases.inMemory,
        "features-join-whole-1M-5M": FeatureCases.wholeProcess,
        "features-online-read-10k": FeatureCases.onlineReads,
    ]
}

/// MLOpsStorage against the raw sqlite3 C API, and the artifact store on a 1 GiB file.
enum StorageCases {
    static let rowCount = 100_000
    static let createTable = "CREATE TABLE bench (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value REAL NOT NULL)"
    static let insert = "INSERT INTO bench (id, name, value) VALUES (?, ?, ?)"

    static func freshPath(_ arguments: Arguments) -> String {
        let path = "\(arguments.dataFolder)/bench-\(UUID().uuidString).sqlite"
        return path
    }

    static func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// 10,000 empty read transactions (`SQLDatabase.read` with a body that runs one `SELECT 1`):
    /// what a read costs before it reads anything (leasing a connection, moving to its thread,
    /// BEGIN and COMMIT, coming back). Items are transactions.
    @Sendable static func emptyReads(_ arguments: Arguments) async throws -> Measurement {
        try await emptyReads(arguments, expecting: .unbounded)
    }

    /// The same reads marked brief: run on the caller's thread, so the difference from
    /// `sqlite-read-empty-10k` is the hop to the connection's thread and back.
    @Sendable static func emptyBriefReads(_ arguments: Arguments) async throws -> Measurement {
        try await emptyReads(arguments, expecting: .brief)
    }

    static func emptyReads(_ arguments: Arguments, expecting duration: SQLTransactionDuration) async throws -> Measurement {
        let path = freshPath(arguments)
        let database = try await SQLiteDatabase(path: path)
        let reads = 10_000
        let measurement = try await Measurement.repeated(arguments.repetitions, items: reads) {
            for _ in 0..<reads {
                let one = try await database.read(expecting: duration) { try await $0.queryScalar(Int.self, "SELECT 1") }
                guard one == 1 else { throw BenchmarkFailure("SELECT 1 gave \(one)") }
            }
        }
        try await database.close()
        removeDatabase(path)
        return measurement
    }

    /// 100,000 rows in one transaction through `SQLDatabase.write` and `executeBatch`,
    /// building the argument arrays inside the timed region as a caller would.
    @Sendable static func sqliteInsertThroughStorage(_ arguments: Arguments) async throws -> Measurement {
        var path = ""
        var database: SQLiteDatabase?
        return try await Measurement.repeated(arguments.repetitions, items: rowCount, prepare: {
            if let database { try await database.close() }
            removeDatabase(path)
            path = freshPath(arguments)
            let opened = try await SQLiteDatabase(path: path)
            try await opened.write { db in try await db.executeScript(createTable) }
            database = opened
        }) {
            guard let database else { return }
            try await database.write { db in
                var rows: [[SQLValue]] = []
                rows.reserveCapacity(rowCount)
                for index in 0..<rowCount {
                    rows.append([.integer(Int64(index)), .text("name-\(index % 1000)"), .real(Double(index) * 0.5)])
                }
                try await db.executeBatch(insert, rows)
            }
        }
    }

    /// The same rows through sqlite3_prepare / bind / step / reset, with the same pragmas.
    @Sendable static func sqliteInsertRawC(_ arguments: Arguments) async throws -> Measurement {
        var path = ""
        var handle: OpaquePointer?
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        return try await Measurement.repeated(arguments.repetitions, items: rowCount, prepare: {
            sqlite3_close(handle)
            removeDatabase(path)
            path = freshPath(arguments)
            guard sqlite3_open(path, &handle) == SQLITE_OK else { throw BenchmarkFailure("cannot open \(path)") }
            sqlite3_exec(handle, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; \(createTable)", nil, nil, nil)
        }) {
            var statement: OpaquePointer?
            sqlite3_exec(handle, "BEGIN IMMEDIATE", nil, nil, nil)
            sqlite3_prepare_v2(handle, insert, -1, &statement, nil)
            for index in 0..<rowCount {
                sqlite3_bind_int64(statement, 1, Int64(index))
                sqlite3_bind_text(statement, 2, "name-\(index % 1000)", -1, transient)
                sqlite3_bind_double(statement, 3, Double(index) * 0.5)
                guard sqlite3_step(statement) == SQLITE_DONE else { throw BenchmarkFailure("insert failed") }
                sqlite3_reset(statement)
            }
            sqlite3_finalize(statement)
            sqlite3_exec(handle, "COMMIT", nil, nil, nil)
        }
    }

    static func artifactFile(_ arguments: Arguments) throws -> String {
        let path = "\(arguments.dataFolder)/artifact-1GiB.bin"
        guard FileManager.default.fileExists(atPath: path) else {
            throw BenchmarkFailure("\(path) is missing; Benchmarks/run generates it")
        }
        return path
    }

    /// Put of the 1 GiB file with zlib level 1 at rest: hash, compress, write, fsync, rename.
    @Sendable static func artifactPut(_ arguments: Arguments) async throws -> Measurement {
        let source = try artifactFile(arguments)
        let root = "\(arguments.dataFolder)/artifacts-put"
        let size = Int((try FileManager.default.attributesOfItem(atPath: source)[.size] as? NSNumber)?.intValue ?? 0)
        return try await Measurement.repeated(arguments.repetitions, items: size, prepare: {
            try? FileManager.default.removeItem(atPath: root)
        }) {
            let store = try FileSystemArtifactStore(root: root, compression: .fast)
            _ = try await store.put(contentsOf: source)
        }
    }

    /// Get of the same artifact to a file: read, decompress, hash, write, verified before it appears.
    @Sendable static func artifactGet(_ arguments: Arguments) async throws -> Measurement {
        let source = try artifactFile(arguments)
        let root = "\(arguments.dataFolder)/artifacts-get"
        let destination = "\(arguments.dataFolder)/artifact-get.out"
        try? FileManager.default.removeItem(atPath: root)
        let store = try FileSystemArtifactStore(root: root, compression: .fast)
        let digest = try await store.put(contentsOf: source).digest
        let size = Int((try FileManager.default.attributesOfItem(atPath: source)[.size] as? NSNumber)?.intValue ?? 0)
        return try await Measurement.repeated(arguments.repetitions, items: size, prepare: {
            try? FileManager.default.removeItem(atPath: destination)
        }) {
            try await store.export(digest, to: destination)
        }
    }
}
