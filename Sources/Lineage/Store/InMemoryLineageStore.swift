public import Foundation
public import MLOpsStorage
import Synchronization

/// A ``LineageStore`` in memory, for tests, demos and short-lived tools. Nothing survives the process.
///
/// It follows the same rules as ``SQLLineageStore`` (the same conformance suite runs on both),
/// times included: they are kept to the millisecond, as the SQL tables keep them.
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
        try LineageValidation.checkStart(start)
        return try state.withLock { state throws(LineageError) in
            if let parent = start.parentRunID, state.runs[parent] == nil { throw LineageValidation.notFound(parent) }
            guard state.runs[start.id] == nil else { throw LineageValidation.runExists(start.id) }
            let run = Run(
                id: start.id, experiment: start.experiment, name: start.name, status: .running, startTime: start.startTime.roundedToMillisecond,
                owner: start.owner, parentRunID: start.parentRunID, tags: start.tags)
            state.runs[start.id] = run
            return run
        }
    }

    public func logParameters(_ parameters: [String: ParameterValue], to run: RunID) async throws {
        try LineageValidation.checkParameters(parameters, of: run)
        try state.withLock { state throws(LineageError) in
            var record = try Self.running(run, in: state)
            for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
                if let previous = record.parameters[name], previous != value {
                    throw LineageValidation.conflictingParameter(name, of: run, previous: previous, value: value)
                }
                record.parameters[name] = value
            }
            state.runs[run] = record
        }
    }

    public func logMetrics(_ points: [MetricPoint], to run: RunID) async throws {
        try LineageValidation.checkMetrics(points, of: run)
        let points = points.map(\.roundedToMillisecond)
        try state.withLock { state throws(LineageError) in
            var record = try Self.running(run, in: state)
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
        try LineageValidation.checkTags(tags, on: run)
        try state.withLock { state throws(LineageError) in
            guard var record = state.runs[run] else { throw LineageValidation.notFound(run) }
            record.tags.merge(tags) { _, new in new }
            state.runs[run] = record
        }
    }

    public func recordArtifact(_ artifact: LineageArtifact, direction: ArtifactDirection, role: String, run: RunID) async throws {
        try LineageValidation.checkArtifact(artifact, role: role, run: run)
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

    public func finishRun(_ run: RunID, status: RunStatus, endTime: Date) async throws {
        try LineageValidation.checkFinish(status: status)
        try state.withLock { state throws(LineageError) in
            var record = try Self.running(run, in: state)
            record.status = status
            record.endTime = endTime.roundedToMillisecond
            state.runs[run] = record
        }
    }

    @discardableResult
    public func importRun(_ run: Run, metrics: [MetricPoint]) async throws -> Bool {
        try LineageValidation.checkImport(run, metrics: metrics)
        return state.withLock { state in
            guard state.runs[run.id] == nil else { return false }
            // The parent link is kept even when the parent is not here (yet): runs import in any order.
            var record = run
            record.startTime = run.startTime.roundedToMillisecond
            record.endTime = run.endTime?.roundedToMillisecond
            record.latestMetrics = [:]
            var known = Set<MetricPoint>()
            var history: [MetricPoint] = []
            for point in metrics.map(\.roundedToMillisecond) where known.insert(point).inserted {
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
            return true
        }
    }

    public func run(_ id: RunID) async throws -> Run {
        try state.withLock { state throws(LineageError) in
            guard let run = state.runs[id] else { throw LineageValidation.notFound(id) }
            return run
        }
    }

    public func metricHistory(of run: RunID, key: String) async throws -> [MetricPoint] {
        try state.withLock { state throws(LineageError) in
            guard state.runs[run] != nil else { throw LineageValidation.notFound(run) }
            return (state.metrics[run] ?? []).filter { $0.key == key }.sorted { ($0.step, $0.timestamp) < ($1.step, $1.timestamp) }
        }
    }

    public func searchRuns(_ query: RunQuery) async throws -> RunPage {
        let offset = try query.offset()
        let filter = try query.filter?.checked()
        let (runs, artifacts) = state.withLock { (Array($0.runs.values), $0.artifacts) }
        let matching = runs.filter { run in
            // Names compare by code point, as SQL's `=` does (no Unicode normalization).
            (query.experiment.map { RunFilter.codePointOrder(run.experiment, $0) == 0 } ?? true)
                && (filter?.matches(run) { artifacts[$0] } ?? true)
        }
        let sorted = matching.sorted { a, b in
            for ordering in query.orderBy {
                let numeric: Bool = if case .metric = ordering.field { true } else if case .attribute(let attribute) = ordering.field { attribute == .startTime || attribute == .endTime } else { false }
                let x = ordering.field.value(in: a, numeric: numeric), y = ordering.field.value(in: b, numeric: numeric)
                // Values, then NaN, then missing, in both directions (MLflow's placement).
                let rankX = FilterField.sortRank(x), rankY = FilterField.sortRank(y)
                if rankX != rankY { return rankX < rankY }
                guard rankX == 0 else { continue }
                switch (x, y) {
                case (.number(let x)?, .number(let y)?):
                    if x == y { continue }
                    return ordering.descending ? x > y : x < y
                case (.string(let x)?, .string(let y)?):
                    let order = RunFilter.codePointOrder(x, y)
                    if order == 0 { continue }
                    return ordering.descending ? order > 0 : order < 0
                default: continue
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

    private static func running(_ run: RunID, in state: State) throws(LineageError) -> Run {
        guard let record = state.runs[run] else { throw LineageValidation.notFound(run) }
        guard record.status == .running else { throw LineageValidation.runFinished(run, status: record.status.rawValue) }
        return record
    }
}
