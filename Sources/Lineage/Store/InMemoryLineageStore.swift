public import MLOpsStorage
import Synchronization

/// A ``LineageStore`` in memory, for tests, demos and short-lived tools. Nothing survives the process.
///
/// It follows the same rules as ``SQLLineageStore`` (the same conformance suite runs on both).
public final class InMemoryLineageStore: LineageStore {
    private struct State {
        var runs: [RunID: Run] = [:]
        var metrics: [RunID: [MetricPoint]] = [:]
        var artifacts: [Digest: LineageArtifact] = [:]
        var edges: [ArtifactEdge] = []
    }

    private let state = Mutex(State())

    /// Creates an empty store.
    public init() {}

    public func startRun(_ start: RunStart) async throws -> Run {
        guard !start.experiment.isEmpty, !start.name.isEmpty else {
            throw LineageError(.invalidArgument, "A run needs an experiment name and a run name", fix: "pass non-empty names.")
        }
        return try state.withLock { state throws(LineageError) in
            guard state.runs[start.id] == nil else {
                throw LineageError(.invalidArgument, "Run \(start.id) exists already", fix: "start a new run with a new id.")
            }
            if let parent = start.parentRunID, state.runs[parent] == nil {
                throw LineageError(.notFound, "No run \(parent) in this store", fix: "check the id with `mlops runs list`, or start the run first.")
            }
            let run = Run(
                id: start.id, experiment: start.experiment, name: start.name, status: .running, startTime: start.startTime,
                owner: start.owner, parentRunID: start.parentRunID, tags: start.tags)
            state.runs[start.id] = run
            return run
        }
    }

    public func logParameters(_ parameters: [String: ParameterValue], to run: RunID) async throws {
        try state.withLock { state throws(LineageError) in
            var record = try Self.running(run, in: state)
            for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
                if let previous = record.parameters[name], previous != value {
                    throw LineageError(
                        .conflictingParameter,
                        "Parameter '\(name)' of run \(run) is \(previous) (\(previous.typeName)); it cannot also be \(value) (\(value.typeName))",
                        fix: "parameters are fixed once logged: log the new value under another key, or start a new run.")
                }
                record.parameters[name] = value
            }
            state.runs[run] = record
        }
    }

    public func logMetrics(_ points: [MetricPoint], to run: RunID) async throws {
        try state.withLock { state throws(LineageError) in
            var record = try Self.running(run, in: state)
            for point in points where point.key.isEmpty {
                throw LineageError(.invalidArgument, "A metric point of run \(run) has an empty key", fix: "name every metric.")
            }
            for point in points {
                if let current = record.latestMetrics[point.key], (current.step, current.timestamp) > (point.step, point.timestamp) { continue }
                record.latestMetrics[point.key] = point
            }
            // A point logged twice identically is kept once, as the SQL store's primary key does.
            var known = Set(state.metrics[run] ?? [])
            for point in points where known.insert(point).inserted {
                state.metrics[run, default: []].append(point)
            }
            state.runs[run] = record
        }
    }

    public func setTags(_ tags: [String: String], on run: RunID) async throws {
        try state.withLock { state throws(LineageError) in
            guard var record = state.runs[run] else { throw Self.notFound(run) }
            record.tags.merge(tags) { _, new in new }
            state.runs[run] = record
        }
    }

    public func recordArtifact(_ artifact: LineageArtifact, direction: ArtifactDirection, role: String, run: RunID) async throws {
        try state.withLock { state throws(LineageError) in
            var record = try Self.running(run, in: state)
            if let existing = state.artifacts[artifact.digest] {
                state.artifacts[artifact.digest]?.size = existing.size ?? artifact.size
                state.artifacts[artifact.digest]?.uri = existing.uri ?? artifact.uri
            } else {
                state.artifacts[artifact.digest] = artifact
            }
            let edge = ArtifactEdge(runID: run, digest: artifact.digest, direction: direction, role: role, kind: state.artifacts[artifact.digest]?.kind ?? artifact.kind)
            state.edges.removeAll { $0.runID == run && $0.digest == artifact.digest && $0.direction == direction }
            state.edges.append(edge)
            record.edges.removeAll { $0.digest == artifact.digest && $0.direction == direction }
            record.edges.append(edge)
            record.edges.sort { ($0.direction.rawValue, $0.role, $0.digest.hex) < ($1.direction.rawValue, $1.role, $1.digest.hex) }
            state.runs[run] = record
        }
    }

    public func setEnvironment(_ environment: EnvironmentSnapshot, for run: RunID) async throws {
        try state.withLock { state throws(LineageError) in
            var record = try Self.running(run, in: state)
            record.environment = environment
            state.runs[run] = record
        }
    }

    public func finishRun(_ run: RunID, status: RunStatus, endTime: Int64) async throws {
        guard status.isTerminal else {
            throw LineageError(.invalidArgument, "A run cannot finish with status 'running'", fix: "finish it as finished, failed or killed.")
        }
        try state.withLock { state throws(LineageError) in
            var record = try Self.running(run, in: state)
            record.status = status
            record.endTime = endTime
            state.runs[run] = record
        }
    }

    public func importRun(_ run: Run, metrics: [MetricPoint]) async throws {
        guard !run.experiment.isEmpty, !run.name.isEmpty else {
            throw LineageError(.invalidArgument, "A run needs an experiment name and a run name", fix: "pass non-empty names.")
        }
        for point in metrics where point.key.isEmpty {
            throw LineageError(.invalidArgument, "A metric point of run \(run.id) has an empty key", fix: "name every metric.")
        }
        try state.withLock { state throws(LineageError) in
            guard state.runs[run.id] == nil else {
                throw LineageError(.invalidArgument, "Run \(run.id) exists already", fix: "import each run once.")
            }
            var record = run
            record.latestMetrics = [:]
            if let parent = run.parentRunID, state.runs[parent] == nil { record.parentRunID = nil }
            var known = Set<MetricPoint>()
            var history: [MetricPoint] = []
            for point in metrics where known.insert(point).inserted {
                history.append(point)
                if let current = record.latestMetrics[point.key], (current.step, current.timestamp) > (point.step, point.timestamp) { continue }
                record.latestMetrics[point.key] = point
            }
            for edge in run.edges where state.artifacts[edge.digest] == nil {
                state.artifacts[edge.digest] = LineageArtifact(digest: edge.digest, kind: edge.kind, name: "sha256:" + edge.digest.hex)
            }
            state.edges += run.edges
            state.metrics[run.id] = history
            state.runs[run.id] = record
        }
    }

    public func run(_ id: RunID) async throws -> Run {
        try state.withLock { state throws(LineageError) in
            guard let run = state.runs[id] else { throw Self.notFound(id) }
            return run
        }
    }

    public func metricHistory(of run: RunID, key: String) async throws -> [MetricPoint] {
        try state.withLock { state throws(LineageError) in
            guard state.runs[run] != nil else { throw Self.notFound(run) }
            return (state.metrics[run] ?? []).filter { $0.key == key }.sorted { ($0.step, $0.timestamp) < ($1.step, $1.timestamp) }
        }
    }

    public func searchRuns(_ query: RunQuery) async throws -> RunPage {
        let offset = try query.offset()
        let runs = state.withLock { Array($0.runs.values) }
        let matching = runs.filter { run in
            (query.experiment == nil || run.experiment == query.experiment) && (query.filter?.matches(run) ?? true)
        }
        let sorted = matching.sorted { a, b in
            for ordering in query.orderBy {
                let numeric: Bool = if case .metric = ordering.field { true } else if case .attribute(let attribute) = ordering.field { attribute == .startTime || attribute == .endTime } else { false }
                let x = ordering.field.value(in: a, numeric: numeric), y = ordering.field.value(in: b, numeric: numeric)
                switch (x, y) {
                case (nil, nil): continue
                case (nil, _): return false
                case (_, nil): return true
                case (let x?, let y?):
                    if x == y { continue }
                    let less = RunFilter.compare(x, .less, y)
                    return ordering.descending ? !less : less
                }
            }
            if a.startTime != b.startTime { return a.startTime > b.startTime }
            return a.id < b.id
        }
        let page = Array(sorted.dropFirst(offset).prefix(query.limit))
        return RunPage(runs: page, nextPageToken: sorted.count > offset + query.limit ? RunQuery.token(offset: offset + query.limit) : nil)
    }

    public func artifact(_ digest: Digest) async throws -> LineageArtifact? {
        state.withLock { $0.artifacts[digest] }
    }

    public func ancestors(of digest: Digest) async throws -> ProvenanceGraph {
        provenance(of: digest, upward: true)
    }

    public func descendants(of digest: Digest) async throws -> ProvenanceGraph {
        provenance(of: digest, upward: false)
    }

    private func provenance(of digest: Digest, upward: Bool) -> ProvenanceGraph {
        state.withLock { state in
            let walk = ProvenanceGraph.walk(from: digest, upward: upward, edges: state.edges)
            let runs = walk.runs.compactMap { state.runs[$0] }.map {
                ProvenanceGraph.RunNode(id: $0.id, name: $0.name, experiment: $0.experiment, status: $0.status)
            }
            let artifacts = walk.digests.compactMap { state.artifacts[$0] }
            return ProvenanceGraph(root: digest, runs: runs, artifacts: artifacts, edges: walk.edges)
        }
    }

    private static func notFound(_ run: RunID) -> LineageError {
        LineageError(.notFound, "No run \(run) in this store", fix: "check the id with `mlops runs list`, or start the run first.")
    }

    private static func running(_ run: RunID, in state: State) throws(LineageError) -> Run {
        guard let record = state.runs[run] else { throw notFound(run) }
        guard record.status == .running else {
            throw LineageError(.runFinished, "Run \(run) is \(record.status.rawValue); nothing more can be logged to it", fix: "start a new run for new results.")
        }
        return record
    }
}
