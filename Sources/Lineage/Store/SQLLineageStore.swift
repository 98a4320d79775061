public import Foundation
public import MLOpsStorage
import TensorCore

/// A ``LineageStore`` on a SQL database: SQLite (the embedded default) or PostgreSQL.
///
/// ```swift
/// let database = try await StoreLocation(parsing: "sqlite:mlops.sqlite").openDatabase()
/// let store = try await SQLLineageStore(database: database)   // migrates the lineage tables
/// ```
///
/// Provenance walks run as one recursive SQL query each, over indexed edges. Times are kept as
/// integer milliseconds since the Unix epoch (a `Date` is rounded to the nearest on the way in).
public struct SQLLineageStore: LineageStore {
    /// The database the store writes to.
    public let database: any SQLDatabase

    /// Opens the store on `database`, bringing the lineage tables to their latest version.
    ///
    /// With `migrate: false` nothing is changed: the tables must exist at the version this build
    /// knows (read-only tools use this).
    ///
    /// - Throws: `StorageError` (`schemaTooNew`) when the database was written by a newer build;
    ///   with `migrate: false`, `StorageError` (`schemaTooOld`) when the lineage tables are missing
    ///   or older.
    public init(database: any SQLDatabase, migrate: Bool = true) async throws {
        self.database = database
        if migrate {
            try await database.migrate([StorageSchema.schema, LineageSchema.schema])
        } else {
            try await SQLMigrator.requireCompatible([LineageSchema.schema], on: database)
        }
    }

    // MARK: Writing

    public func startRun(_ start: RunStart) async throws -> Run {
        try LineageValidation.checkStart(start)
        try await database.write { db in
            try await db.execute(
                "INSERT INTO lineage_experiments (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                [.text(start.experiment), .integer(start.startTime.millisecondsSince1970)])
            var parentKey: SQLValue = .null
            if let parent = start.parentRunID {
                parentKey = .integer(try await Self.runKey(parent, in: db))
            }
            // The unique id decides, not a look-up before the insert: safe with any number of writers.
            let inserted = try await db.execute(
                """
                INSERT INTO lineage_runs (id, experiment_key, name, status, start_time, owner, parent_run_key, parent_run_id)
                SELECT ?, experiment_key, ?, ?, ?, ?, ?, ? FROM lineage_experiments WHERE name = ?
                ON CONFLICT (id) DO NOTHING
                """,
                [.text(start.id.value), .text(start.name), .text(RunStatus.running.rawValue), .integer(start.startTime.millisecondsSince1970),
                 start.owner.map(SQLValue.text) ?? .null, parentKey, start.parentRunID.map { .text($0.value) } ?? .null, .text(start.experiment)])
            guard inserted == 1 else { throw LineageValidation.runExists(start.id) }
            if !start.tags.isEmpty {
                let key = try await Self.runKey(start.id, in: db)
                try await db.executeBatch(
                    "INSERT INTO lineage_tags (run_key, key, value) VALUES (?, ?, ?)",
                    start.tags.sorted { $0.key < $1.key }.map { [.integer(key), .text($0.key), .text($0.value)] })
            }
        }
        return try await run(start.id)
    }

    public func logParameters(_ parameters: [String: ParameterValue], to run: RunID) async throws {
        guard !parameters.isEmpty else { return }
        try LineageValidation.checkParameters(parameters, of: run)
        try await database.write { db in
            let key = try await Self.runningRunKey(run, in: db)
            let names = parameters.keys.sorted()
            var existing: [String: ParameterValue] = [:]
            for chunk in Self.chunks(names) {
                for row in try await db.query(
                    "SELECT key, value_type, value_text FROM lineage_params WHERE run_key = ? AND key IN (\(Self.placeholders(chunk.count)))",
                    [.integer(key)] + chunk.map(SQLValue.text)) {
                    let name = try row.decode(String.self, "key")
                    existing[name] = ParameterValue(typeName: try row.decode(String.self, "value_type"), text: try row.decode(String.self, "value_text"))
                }
            }
            var rows: [[SQLValue]] = []
            for name in names {
                guard let value = parameters[name] else { continue }
                if let previous = existing[name] {
                    guard previous == value else { throw LineageValidation.conflictingParameter(name, of: run, previous: previous, value: value) }
                    continue
                }
                rows.append(Self.parameterRow(runKey: key, name, value))
            }
            try await db.executeBatch("INSERT INTO lineage_params (run_key, key, value_type, value_text, value_number) VALUES (?, ?, ?, ?, ?)", rows)
        }
    }

    public func logMetrics(_ points: [MetricPoint], to run: RunID) async throws {
        guard !points.isEmpty else { return }
        try LineageValidation.checkMetrics(points, of: run)
        try await database.write { db in
            try await Self.insertMetrics(points, runKey: try await Self.runningRunKey(run, in: db), in: db)
        }
    }

    /// Appends points to a run's series and keeps its latest-value table, inside the caller's transaction.
    static func insertMetrics(_ points: [MetricPoint], runKey key: Int64, in db: any SQLConnection) async throws {
        guard !points.isEmpty else { return }
        // Times as the table keeps them, so "latest" is decided here as the upsert decides it.
        let points = points.map(\.roundedToMillisecond)
        let keyIDs = try await metricKeyIDs(Set(points.map(\.key)), in: db)
        var rows: [[SQLValue]] = []
        rows.reserveCapacity(points.count)
        var latest: [String: MetricPoint] = [:]
        var previousKey = "", previousID: Int64 = 0
        for point in points {
            // Consecutive points usually share a name: look it up once per run of them.
            if point.key != previousKey {
                previousKey = point.key
                previousID = keyIDs[point.key] ?? 0
            }
            rows.append([.integer(key), .integer(previousID), .integer(point.step), .integer(point.timestamp.millisecondsSince1970),
                         .real(point.value.isNaN ? 0 : point.value), .integer(point.value.isNaN ? 1 : 0)])
            if let current = latest[point.key], (current.step, current.timestamp) > (point.step, point.timestamp) { continue }
            latest[point.key] = point
        }
        try await db.executeBatch(
            "INSERT INTO lineage_metrics (run_key, key_id, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows)
        // One upsert row per key and batch keeps the latest-value table, which searches read. The
        // keys of a batch are distinct, so several rows go in one statement (on PostgreSQL one
        // statement may not update a row twice); a NaN value is NULL, on both databases.
        let latestRows: [[SQLValue]] = latest.values.sorted { $0.key < $1.key }.map { point in
            [.integer(key), .text(point.key), .integer(point.step), .integer(point.timestamp.millisecondsSince1970), point.value.isNaN ? .null : .real(point.value)]
        }
        for chunk in chunks(latestRows, of: maximumListLength / 5) {
            try await db.execute(
                """
                INSERT INTO lineage_latest_metrics (run_key, key, step, timestamp, value) VALUES \(Array(repeating: "(?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", "))
                ON CONFLICT (run_key, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp, value = excluded.value
                WHERE excluded.step > lineage_latest_metrics.step
                   OR (excluded.step = lineage_latest_metrics.step AND excluded.timestamp >= lineage_latest_metrics.timestamp)
                """,
                chunk.flatMap { $0 })
        }
    }

    @discardableResult
    public func importRun(_ run: Run, metrics: [MetricPoint]) async throws -> Bool {
        try LineageValidation.checkImport(run, metrics: metrics)
        var encodedEnvironment: SQLValue = .null
        if let snapshot = run.environment {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encodedEnvironment = .text(String(decoding: try encoder.encode(snapshot), as: UTF8.self))
        }
        let environment = encodedEnvironment
        return try await database.write { db in
            try await db.execute(
                "INSERT INTO lineage_experiments (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                [.text(run.experiment), .integer(run.startTime.millisecondsSince1970)])
            var parentKey: SQLValue = .null
            if let parent = run.parentRunID, let row = try await db.queryFirst("SELECT run_key FROM lineage_runs WHERE id = ?", [.text(parent.value)]) {
                parentKey = .integer(try row.decode(Int64.self, at: 0))
            }
            // The database decides whether the run is new (not a look-up first, which two
            // importers can both pass): a run already there is left alone and reported.
            let inserted = try await db.execute(
                """
                INSERT INTO lineage_runs (id, experiment_key, name, status, start_time, end_time, owner, parent_run_key, parent_run_id, environment)
                SELECT ?, experiment_key, ?, ?, ?, ?, ?, ?, ?, ? FROM lineage_experiments WHERE name = ?
                ON CONFLICT (id) DO NOTHING
                """,
                [.text(run.id.value), .text(run.name), .text(run.status.rawValue), .integer(run.startTime.millisecondsSince1970), run.endTime.map { .integer($0.millisecondsSince1970) } ?? .null,
                 run.owner.map(SQLValue.text) ?? .null, parentKey, run.parentRunID.map { .text($0.value) } ?? .null, environment, .text(run.experiment)])
            guard inserted == 1 else { return false }
            let key = try await Self.runKey(run.id, in: db)
            try await db.executeBatch(
                "INSERT INTO lineage_params (run_key, key, value_type, value_text, value_number) VALUES (?, ?, ?, ?, ?)",
                run.parameters.sorted { $0.key < $1.key }.map { Self.parameterRow(runKey: key, $0.key, $0.value) })
            try await db.executeBatch(
                "INSERT INTO lineage_tags (run_key, key, value) VALUES (?, ?, ?)",
                run.tags.sorted { $0.key < $1.key }.map { [.integer(key), .text($0.key), .text($0.value)] })
            try await Self.insertMetrics(metrics, runKey: key, in: db)
            for edge in run.edges {
                try await db.execute(
                    "INSERT INTO lineage_artifacts (digest, kind, name) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING",
                    [.text(edge.digest.hex), .text(edge.kind.rawValue), .text("sha256:" + edge.digest.hex)])
                try await db.execute(
                    "INSERT INTO lineage_edges (run_key, digest, direction, role) VALUES (?, ?, ?, ?)",
                    [.integer(key), .text(edge.digest.hex), .text(edge.direction.rawValue), .text(edge.role)])
            }
            return true
        }
    }

    public func setTags(_ tags: [String: String], on run: RunID) async throws {
        guard !tags.isEmpty else { return }
        try LineageValidation.checkTags(tags, on: run)
        try await database.write { db in
            let key = try await Self.runKey(run, in: db)
            try await db.executeBatch(
                "INSERT INTO lineage_tags (run_key, key, value) VALUES (?, ?, ?) ON CONFLICT (run_key, key) DO UPDATE SET value = excluded.value",
                tags.sorted { $0.key < $1.key }.map { [.integer(key), .text($0.key), .text($0.value)] })
        }
    }

    public func recordArtifact(_ artifact: LineageArtifact, direction: ArtifactDirection, role: String, run: RunID) async throws {
        try LineageValidation.checkArtifact(artifact, role: role, run: run)
        try await database.write { db in
            let key = try await Self.runningRunKey(run, in: db)
            try await db.execute(
                """
                INSERT INTO lineage_artifacts (digest, kind, name, size, uri) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (digest) DO UPDATE SET size = COALESCE(lineage_artifacts.size, excluded.size), uri = COALESCE(lineage_artifacts.uri, excluded.uri)
                """,
                [.text(artifact.digest.hex), .text(artifact.kind.rawValue), .text(artifact.name),
                 artifact.size.map(SQLValue.integer) ?? .null, artifact.uri.map(SQLValue.text) ?? .null])
            try await db.execute(
                "INSERT INTO lineage_edges (run_key, digest, direction, role) VALUES (?, ?, ?, ?) ON CONFLICT (run_key, digest, direction) DO UPDATE SET role = excluded.role",
                [.integer(key), .text(artifact.digest.hex), .text(direction.rawValue), .text(role)])
        }
    }

    public func setEnvironment(_ environment: EnvironmentSnapshot, for run: RunID) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(environment), as: UTF8.self)
        try await database.write { db in
            let key = try await Self.runningRunKey(run, in: db)
            try await db.execute("UPDATE lineage_runs SET environment = ? WHERE run_key = ?", [.text(json), .integer(key)])
        }
    }

    public func finishRun(_ run: RunID, status: RunStatus, endTime: Date) async throws {
        try LineageValidation.checkFinish(status: status)
        try await database.write { db in
            let key = try await Self.runningRunKey(run, in: db)
            try await db.execute("UPDATE lineage_runs SET status = ?, end_time = ? WHERE run_key = ?", [.text(status.rawValue), .integer(endTime.millisecondsSince1970), .integer(key)])
        }
    }

    // MARK: Reading

    public func run(_ id: RunID) async throws -> Run {
        try await database.read { db in
            guard let run = try await Self.loadRuns(where: "r.id = ?", [.text(id.value)], in: db).first else {
                throw LineageValidation.notFound(id)
            }
            return run
        }
    }

    public func metricHistory(of run: RunID, key: String) async throws -> [MetricPoint] {
        try await database.read { db in
            let runKey = try await Self.runKey(run, in: db)
            return try await db.query(
                """
                SELECT m.step, m.timestamp, m.value, m.is_nan FROM lineage_metrics m JOIN lineage_metric_keys k ON k.key_id = m.key_id
                WHERE m.run_key = ? AND k.key = ? ORDER BY m.step, m.timestamp
                """,
                [.integer(runKey), .text(key)]
            ).map { row in
                MetricPoint(
                    key: key, value: try row.decode(Int.self, "is_nan") != 0 ? .nan : try row.decode(Double.self, "value"),
                    step: try row.decode(Int64.self, "step"), timestamp: Date(millisecondsSince1970: try row.decode(Int64.self, "timestamp")))
            }
        }
    }

    public func searchRuns(_ query: RunQuery) async throws -> RunPage {
        let offset = try query.offset()
        var compiler = SQLFilterCompiler(dialect: database.dialect)
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let experiment = query.experiment {
            conditions.append("x.name = ?")
            arguments.append(.text(experiment))
        }
        if let filter = query.filter { conditions.append(try compiler.condition(filter)) }
        var orderClauses = query.orderBy.map { compiler.ordering($0) }
        orderClauses.append("r.start_time DESC")
        orderClauses.append("r.id ASC")
        // In the order the SQL reads them: the filter's common table expressions, the
        // experiment, then the filter's condition and the orderings.
        arguments = compiler.withArguments + arguments + compiler.arguments
        let sql = compiler.withClause + """
            SELECT r.id FROM lineage_runs r JOIN lineage_experiments x ON x.experiment_key = r.experiment_key
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY \(orderClauses.joined(separator: ", ")) LIMIT ? OFFSET ?
            """
        let jitOff = compiler.needsJITOff
        return try await database.read { [arguments] db in
            if jitOff { try await db.execute("SET LOCAL jit = off") }
            let ids = try await db.query(sql, arguments + [.integer(Int64(query.limit + 1)), .integer(Int64(offset))])
                .map { try $0.decode(String.self, at: 0) }
            let pageIDs = Array(ids.prefix(query.limit))
            let runs = try await Self.loadRuns(ids: pageIDs, in: db)
            return RunPage(runs: runs, nextPageToken: ids.count > query.limit ? RunQuery.token(offset: offset + query.limit) : nil)
        }
    }

    public func artifact(_ digest: Digest) async throws -> LineageArtifact? {
        try await database.read { db in
            guard let row = try await db.queryFirst("SELECT digest, kind, name, size, uri FROM lineage_artifacts WHERE digest = ?", [.text(digest.hex)]) else { return nil }
            return try Self.artifact(from: row)
        }
    }

    public func ancestors(of digest: Digest) async throws -> ProvenanceGraph {
        try await provenance(of: digest, upward: true)
    }

    public func descendants(of digest: Digest) async throws -> ProvenanceGraph {
        try await provenance(of: digest, upward: false)
    }

    /// The runs reachable from the root (one recursive query), then every edge of those runs.
    private func provenance(of digest: Digest, upward: Bool) async throws -> ProvenanceGraph {
        let arriving = upward ? "output" : "input"
        let leaving = upward ? "input" : "output"
        return try await database.read { db in
            // Step one, one recursive query: the keys of the runs reachable from the root. The
            // CROSS JOIN keeps SQLite's planner from scanning every edge against the small reached
            // set (it never reorders a CROSS JOIN); PostgreSQL plans it as an ordinary join.
            let runKeys = try await db.query(
                """
                WITH RECURSIVE reached(digest) AS (
                    SELECT CAST(? AS TEXT)
                    UNION
                    SELECT next.digest FROM reached
                    JOIN lineage_edges arrive ON arrive.digest = reached.digest AND arrive.direction = ?
                    JOIN lineage_edges next ON next.run_key = arrive.run_key AND next.direction = ?
                )
                SELECT DISTINCT arrive.run_key FROM reached CROSS JOIN lineage_edges arrive
                WHERE arrive.digest = reached.digest AND arrive.direction = ?
                """,
                [.text(digest.hex), .text(arriving), .text(leaving), .text(arriving)]
            ).map { try $0.decode(Int64.self, at: 0) }
            // Step two: their edges, by run key with bound lists (an index probe per run on any planner).
            var rows: [SQLRow] = []
            for chunk in Self.chunks(runKeys) {
                rows += try await db.query(
                    """
                    SELECT r.id, r.name, r.status, x.name AS experiment, e.digest, e.direction, e.role, a.kind, a.name AS artifact_name, a.size, a.uri
                    FROM lineage_edges e
                    JOIN lineage_runs r ON r.run_key = e.run_key
                    JOIN lineage_experiments x ON x.experiment_key = r.experiment_key
                    JOIN lineage_artifacts a ON a.digest = e.digest
                    WHERE e.run_key IN (\(Self.placeholders(chunk.count)))
                    """,
                    chunk.map(SQLValue.integer))
            }
            var runs: [RunID: ProvenanceGraph.RunNode] = [:]
            var artifacts: [Digest: LineageArtifact] = [:]
            var edges: [ArtifactEdge] = []
            // What the walk reached: the root and what leaves each run (its reads upward, writes downward).
            var reached: Set<Digest> = [digest]
            for row in rows {
                let id = RunID(unchecked: try row.decode(String.self, "id"))
                let edgeDigest = try Digest(parsing: try row.decode(String.self, "digest"))
                runs[id] = ProvenanceGraph.RunNode(
                    id: id, name: try row.decode(String.self, "name"), experiment: try row.decode(String.self, "experiment"),
                    status: RunStatus(rawValue: try row.decode(String.self, "status")) ?? .running)
                artifacts[edgeDigest] = LineageArtifact(
                    digest: edgeDigest, kind: ArtifactKind(rawValue: try row.decode(String.self, "kind")) ?? .other,
                    name: try row.decode(String.self, "artifact_name"), size: try row.decode(Int64?.self, "size"), uri: try row.decode(String?.self, "uri"))
                let direction = ArtifactDirection(rawValue: try row.decode(String.self, "direction")) ?? .input
                edges.append(ArtifactEdge(
                    runID: id, digest: edgeDigest, direction: direction,
                    role: try row.decode(String.self, "role"), kind: ArtifactKind(rawValue: try row.decode(String.self, "kind")) ?? .other))
                if direction.rawValue == leaving { reached.insert(edgeDigest) }
            }
            edges = ProvenanceGraph.keptEdges(edges, reached: reached, upward: upward)
            artifacts = artifacts.filter { reached.contains($0.key) }
            if artifacts[digest] == nil, let root = try await db.queryFirst("SELECT digest, kind, name, size, uri FROM lineage_artifacts WHERE digest = ?", [.text(digest.hex)]) {
                artifacts[digest] = try Self.artifact(from: root)
            }
            return ProvenanceGraph(root: digest, runs: Array(runs.values), artifacts: Array(artifacts.values), edges: edges)
        }
    }

    // MARK: Helpers

    /// The interned ids of metric names, adding the names not seen before.
    static func metricKeyIDs(_ names: Set<String>, in db: any SQLConnection) async throws -> [String: Int64] {
        let sorted = names.sorted()
        try await db.executeBatch("INSERT INTO lineage_metric_keys (key) VALUES (?) ON CONFLICT (key) DO NOTHING", sorted.map { [.text($0)] })
        var ids: [String: Int64] = [:]
        for chunk in chunks(sorted) {
            for row in try await db.query("SELECT key, key_id FROM lineage_metric_keys WHERE key IN (\(placeholders(chunk.count)))", chunk.map(SQLValue.text)) {
                ids[try row.decode(String.self, "key")] = try row.decode(Int64.self, "key_id")
            }
        }
        return ids
    }

    /// The most values one `IN (…)` list (or one multi-row statement) binds: below SQLite's
    /// oldest limit of 999 arguments a statement, and far below PostgreSQL's 65,535.
    static let maximumListLength = 500

    /// `items` in slices of at most `size` (``maximumListLength`` by default), for `IN (…)` lists.
    static func chunks<Item>(_ items: [Item], of size: Int = maximumListLength) -> [ArraySlice<Item>] {
        stride(from: 0, to: items.count, by: max(1, size)).map { items[$0..<min($0 + max(1, size), items.count)] }
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: max(count, 1)).joined(separator: ", ")
    }

    /// A `lineage_params` row. The number column holds what numeric filters compare: NULL for
    /// text and for NaN (SQLite cannot store a NaN, and PostgreSQL's NaN would sort above every
    /// number and equal itself), so NaN compares as IEEE 754 says on both databases.
    static func parameterRow(runKey: Int64, _ name: String, _ value: ParameterValue) -> [SQLValue] {
        let number: SQLValue = value.numericValue.map { $0.isNaN ? .null : .real($0) } ?? .null
        return [.integer(runKey), .text(name), .text(value.typeName), .text(value.description), number]
    }

    static func runKey(_ run: RunID, in db: any SQLConnection) async throws -> Int64 {
        guard let row = try await db.queryFirst("SELECT run_key FROM lineage_runs WHERE id = ?", [.text(run.value)]) else {
            throw LineageValidation.notFound(run)
        }
        return try row.decode(Int64.self, at: 0)
    }

    /// The key of a run that may still be logged to.
    static func runningRunKey(_ run: RunID, in db: any SQLConnection) async throws -> Int64 {
        guard let row = try await db.queryFirst("SELECT run_key, status FROM lineage_runs WHERE id = ?", [.text(run.value)]) else {
            throw LineageValidation.notFound(run)
        }
        let status = try row.decode(String.self, "status")
        guard status == RunStatus.running.rawValue else { throw LineageValidation.runFinished(run, status: status) }
        return try row.decode(Int64.self, "run_key")
    }

    static func artifact(from row: SQLRow) throws -> LineageArtifact {
        LineageArtifact(
            digest: try Digest(parsing: try row.decode(String.self, "digest")),
            kind: ArtifactKind(rawValue: try row.decode(String.self, "kind")) ?? .other,
            name: try row.decode(String.self, "name"), size: try row.decode(Int64?.self, "size"), uri: try row.decode(String?.self, "uri"))
    }

    static func loadRuns(ids: [String], in db: any SQLConnection) async throws -> [Run] {
        var runs: [Run] = []
        for chunk in chunks(ids) {
            runs += try await loadRuns(where: "r.id IN (\(placeholders(chunk.count)))", chunk.map(SQLValue.text), in: db)
        }
        let byID = Dictionary(runs.map { ($0.id.value, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    /// Loads whole runs (parameters, tags, latest metrics, edges) in five queries per
    /// ``maximumListLength`` runs.
    static func loadRuns(where condition: String, _ arguments: [SQLValue], in db: any SQLConnection) async throws -> [Run] {
        let rows = try await db.query(
            """
            SELECT r.run_key, r.id, x.name AS experiment, r.name, r.status, r.start_time, r.end_time, r.owner,
                   COALESCE(r.parent_run_id, p.id) AS parent_id, r.environment
            FROM lineage_runs r JOIN lineage_experiments x ON x.experiment_key = r.experiment_key
            LEFT JOIN lineage_runs p ON p.run_key = r.parent_run_key
            WHERE \(condition)
            """, arguments)
        var runs: [Int64: Run] = [:]
        var order: [Int64] = []
        let decoder = JSONDecoder()
        for row in rows {
            let key = try row.decode(Int64.self, "run_key")
            var environment: EnvironmentSnapshot?
            if let json = try row.decode(String?.self, "environment") {
                do {
                    environment = try decoder.decode(EnvironmentSnapshot.self, from: Data(json.utf8))
                } catch {
                    throw LineageError(.corruptRecord, "The environment of run \(try row.decode(String.self, "id")) cannot be read: \(error)", fix: "restore the store from a backup.")
                }
            }
            runs[key] = Run(
                id: RunID(unchecked: try row.decode(String.self, "id")), experiment: try row.decode(String.self, "experiment"),
                name: try row.decode(String.self, "name"), status: RunStatus(rawValue: try row.decode(String.self, "status")) ?? .running,
                startTime: Date(millisecondsSince1970: try row.decode(Int64.self, "start_time")),
                endTime: try row.decode(Int64?.self, "end_time").map { Date(millisecondsSince1970: $0) },
                owner: try row.decode(String?.self, "owner"), parentRunID: try row.decode(String?.self, "parent_id").map { RunID(unchecked: $0) },
                environment: environment)
            order.append(key)
        }
        for chunk in chunks(order) {
            try await loadDetails(of: &runs, keys: Array(chunk), in: db)
        }
        return order.compactMap { runs[$0] }
    }

    /// Fills in the parameters, tags, latest metrics and edges of at most ``maximumListLength`` runs.
    static func loadDetails(of runs: inout [Int64: Run], keys: [Int64], in db: any SQLConnection) async throws {
        let keyList = placeholders(keys.count)
        let keyArguments = keys.map(SQLValue.integer)
        for row in try await db.query("SELECT run_key, key, value_type, value_text FROM lineage_params WHERE run_key IN (\(keyList))", keyArguments) {
            let key = try row.decode(Int64.self, "run_key")
            let name = try row.decode(String.self, "key")
            guard let value = ParameterValue(typeName: try row.decode(String.self, "value_type"), text: try row.decode(String.self, "value_text")) else {
                throw LineageError(.corruptRecord, "Parameter '\(name)' has an unreadable stored value", fix: "restore the store from a backup.")
            }
            runs[key]?.parameters[name] = value
        }
        for row in try await db.query("SELECT run_key, key, value FROM lineage_tags WHERE run_key IN (\(keyList))", keyArguments) {
            runs[try row.decode(Int64.self, "run_key")]?.tags[try row.decode(String.self, "key")] = try row.decode(String.self, "value")
        }
        for row in try await db.query("SELECT run_key, key, step, timestamp, value FROM lineage_latest_metrics WHERE run_key IN (\(keyList))", keyArguments) {
            let name = try row.decode(String.self, "key")
            runs[try row.decode(Int64.self, "run_key")]?.latestMetrics[name] = MetricPoint(
                key: name, value: try row.decode(Double?.self, "value") ?? .nan, step: try row.decode(Int64.self, "step"), timestamp: Date(millisecondsSince1970: try row.decode(Int64.self, "timestamp")))
        }
        for row in try await db.query(
            "SELECT e.run_key, r.id, e.digest, e.direction, e.role, a.kind FROM lineage_edges e JOIN lineage_runs r ON r.run_key = e.run_key JOIN lineage_artifacts a ON a.digest = e.digest WHERE e.run_key IN (\(keyList)) ORDER BY e.direction, e.role, e.digest",
            keyArguments) {
            runs[try row.decode(Int64.self, "run_key")]?.edges.append(ArtifactEdge(
                runID: RunID(unchecked: try row.decode(String.self, "id")), digest: try Digest(parsing: try row.decode(String.self, "digest")),
                direction: ArtifactDirection(rawValue: try row.decode(String.self, "direction")) ?? .input, role: try row.decode(String.self, "role"),
                kind: ArtifactKind(rawValue: try row.decode(String.self, "kind")) ?? .other))
        }
    }
}
