import CAllocationCounter
import Foundation
import MLOpsStorage
import Registry
import TensorCore

/// The registry on SQLite files under the data folder, next to MLflow's registry on SQLite.
enum RegistryCases {
    /// A fresh SQLite registry with a principal that may do everything and the model `bench/model`.
    static func freshRegistry(_ arguments: Arguments) async throws -> (SQLRegistryStore, any SQLDatabase, String, ModelName) {
        let path = "\(arguments.dataFolder)/registry-\(UUID().uuidString).sqlite"
        // MLOPS_BENCH_SQLITE_UNGATHERED=1 measures SQLite's default VFS (each log frame written
        // as two calls) against the default, which gathers a transaction's frames into one write.
        let ungathered = ProcessInfo.processInfo.environment["MLOPS_BENCH_SQLITE_UNGATHERED"] == "1"
        let database = try await SQLiteDatabase(path: path, configuration: SQLiteConfiguration(gathersLogWrites: !ungathered))
        let registry = try await SQLRegistryStore(database: database)
        _ = try await registry.addPrincipal(PrincipalRegistration(id: "ci", roles: [.admin, .register, .promote]), by: nil)
        let model = try ModelName("bench/model")
        _ = try await registry.registerModel(ModelRegistration(name: model, riskClass: .low), by: "ci")
        return (registry, database, path, model)
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    static func digest(_ index: Int) -> Digest { Digest(of: Array("model-\(index)".utf8)) }

    /// 1,000 times: register a version, then point `production` at it (two write transactions,
    /// each with its audit entry), as MLflow's `create_model_version` + `set_registered_model_alias`.
    /// Each repetition starts on a fresh file with one untimed pair on another model, as the MLflow
    /// side does (`Benchmarks/baselines/registry.py`).
    @Sendable static func registerAndAlias(_ arguments: Arguments) async throws -> Measurement {
        let pairs = 1_000
        var state: (SQLRegistryStore, any SQLDatabase, String, ModelName)?
        // Heap allocations of the whole process (SQLite's and the checkpointer's included) while
        // the last repetition ran: a figure that does not move with the machine's noise.
        var allocations: UInt64 = 0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: pairs, prepare: {
            if let (_, database, path, _) = state { try await database.close(); remove(path) }
            let fresh = try await freshRegistry(arguments)
            // One untimed pair on another model first, as the MLflow side does on its own store.
            let warmUp = try ModelName("bench/warm-up")
            _ = try await fresh.0.registerModel(ModelRegistration(name: warmUp, riskClass: .low), by: "ci")
            let version = try await fresh.0.registerVersion(VersionRegistration(model: warmUp, artifactDigest: digest(0)), by: "ci")
            _ = try await fresh.0.promote(warmUp, version: version.version, to: "production", by: "ci", reason: "warm-up", expecting: .any)
            state = fresh
        }) {
            guard let (registry, _, _, model) = state else { return }
            let before = try Measurement.allocationCount()
            for index in 1...pairs {
                let version = try await registry.registerVersion(
                    VersionRegistration(model: model, artifactDigest: digest(index), source: "/models/model-\(index)"), by: "ci")
                _ = try await registry.promote(model, version: version.version, to: "production", by: "ci", reason: "bench", expecting: .any)
            }
            allocations = mlops_allocation_count() - before
        }
        if let (_, database, path, _) = state { try await database.close(); remove(path) }
        return measurement.with(extra: ["allocations_per_pair": Double(allocations) / Double(pairs)])
    }

    /// One search of 10,000 versions by tag (`shard` = `7`, 100 matches), records decoded. After
    /// one untimed warm-up search (as the MLflow side does), each repetition times 100 searches
    /// in a row and reports the time per search: a single search lasts about a tenth of a
    /// millisecond, so one alone measures mostly the scheduler waking threads.
    @Sendable static func searchByTag(_ arguments: Arguments) async throws -> Measurement {
        let (registry, database, path, model) = try await freshRegistry(arguments)
        for index in 1...10_000 {
            _ = try await registry.registerVersion(
                VersionRegistration(model: model, artifactDigest: digest(index), metrics: ["f1": 0.8], tags: ["shard": String(index % 100)]), by: "ci")
        }
        func search() async throws {
            let found = try await registry.versions(taggedWith: "shard", value: "7")
            guard found.count == 100 else { throw BenchmarkFailure("the search found \(found.count) versions, not 100") }
        }
        try await search()
        let searchesPerRepetition = 100
        let clock = ContinuousClock()
        var seconds: [Double] = []
        for _ in 0..<max(1, arguments.repetitions) {
            let start = clock.now
            for _ in 0..<searchesPerRepetition { try await search() }
            let elapsed = clock.now - start
            seconds.append((Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18) / Double(searchesPerRepetition))
        }
        let measurement = Measurement(seconds: seconds, items: 1)
        try await database.close()
        remove(path)
        return measurement
    }

    /// 100,000 resolutions of `bench/model@production` through an ``AliasResolver`` (the first
    /// reads the store; the rest are answered from memory).
    @Sendable static func resolveCached(_ arguments: Arguments) async throws -> Measurement {
        let (registry, database, path, model) = try await freshRegistry(arguments)
        let version = try await registry.registerVersion(VersionRegistration(model: model, artifactDigest: digest(1)), by: "ci")
        _ = try await registry.promote(model, version: version.version, to: "production", by: "ci", reason: "bench", expecting: .unset)
        let resolver = AliasResolver(store: registry)
        let calls = 100_000
        var checksum = 0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: calls) {
            for _ in 0..<calls { checksum &+= try await resolver.resolve(model, alias: "production").version }
        }
        guard checksum == calls * max(1, arguments.repetitions) else { throw BenchmarkFailure("resolved the wrong version") }
        try await database.close()
        remove(path)
        return measurement
    }

    /// `verifyAudit()` over a 1,000,000-entry chain read from SQLite (the chain is written
    /// straight into the audit table first, untimed, with entries shaped like the registry's own).
    @Sendable static func verifyChain(_ arguments: Arguments) async throws -> Measurement {
        let (registry, database, path, _) = try await freshRegistry(arguments)
        let total: Int64 = 1_000_000
        var head = try await registry.auditHead()
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        while head.sequence < total {
            var rows: [[SQLValue]] = []
            var previous = head.hash
            for sequence in (head.sequence + 1)...min(total, head.sequence + 10_000) {
                let promote = sequence % 2 == 0
                var entry = AuditEntry(
                    sequence: sequence, at: start.addingTimeInterval(Double(sequence) / 1000), principal: "ci",
                    action: promote ? "alias.promote" : "version.register", subject: promote ? "bench/model#production" : "bench/model@\(sequence)",
                    before: promote ? #"{"alias":"production","version":\#(sequence - 2)}"# : nil,
                    after: promote
                        ? #"{"alias":"production","version":\#(sequence - 1)}"#
                        : #"{"artifact_digest":"sha256:\#(digest(Int(sequence)).hex)","author":"ci","metrics":{"f1":0.8},"model":"bench/model","source":"/models/m","status":"ready","version":\#(sequence)}"#,
                    reason: promote ? "bench" : "", previousHash: previous, hash: "",
                    // A version's registration is hashed through its state's digest, as the store writes it.
                    format: promote ? 1 : 2)
                entry.hash = entry.computeHash()
                previous = entry.hash
                rows.append([
                    .integer(entry.sequence), .integer(entry.at.millisecondsSince1970), .text(entry.principal), .text(entry.action),
                    .text(entry.subject), entry.before.map(SQLValue.text) ?? .null, entry.after.map(SQLValue.text) ?? .null,
                    .text(entry.reason), .text(entry.previousHash), .text(entry.hash), .integer(Int64(entry.format)),
                ])
            }
            let batch = rows
            try await database.write { db in
                try await db.executeBatch(
                    "INSERT INTO registry_audit (sequence, at, principal, action, subject, before, after, reason, previous_hash, hash, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    batch)
            }
            head = AuditHead(sequence: min(total, head.sequence + 10_000), hash: previous)
        }
        let measurement = try await Measurement.repeated(arguments.repetitions, items: Int(total)) {
            let verification = try await registry.verifyAudit()
            guard verification.isIntact, verification.entries == total else {
                throw BenchmarkFailure("the chain did not verify: \(verification)")
            }
        }
        try await database.close()
        remove(path)
        return measurement
    }
}
