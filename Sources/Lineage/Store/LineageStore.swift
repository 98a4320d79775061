public import Foundation
public import MLOpsStorage

/// Where Lineage keeps runs, metrics and the provenance graph.
///
/// Implementations: ``SQLLineageStore`` (SQLite or PostgreSQL through MLOpsStorage) and
/// ``InMemoryLineageStore`` (tests and demos). Both pass the same conformance suite.
///
/// Every write is one transaction: a failed call leaves nothing half-written. Every
/// implementation checks its arguments with ``LineageValidation``, so all refuse the same calls
/// with the same errors, and searches mean the same on all (see ``RunFilter``).
public protocol LineageStore: Sendable {
    /// Starts a run (creating its experiment when it is new) and returns it.
    func startRun(_ start: RunStart) async throws -> Run

    /// Adds parameters to a running run.
    ///
    /// - Throws: ``LineageError`` ``LineageError/Code/conflictingParameter`` when a key was logged
    ///   before with another value (both values are named), ``LineageError/Code/runFinished``,
    ///   ``LineageError/Code/notFound``.
    func logParameters(_ parameters: [String: ParameterValue], to run: RunID) async throws

    /// Appends metric points to a running run, in one transaction.
    func logMetrics(_ points: [MetricPoint], to run: RunID) async throws

    /// Sets tags on a run (running or not), replacing values of existing keys.
    func setTags(_ tags: [String: String], on run: RunID) async throws

    /// Records that a running run read or wrote an artifact.
    func recordArtifact(_ artifact: LineageArtifact, direction: ArtifactDirection, role: String, run: RunID) async throws

    /// Stores the environment a running run captured.
    func setEnvironment(_ environment: EnvironmentSnapshot, for run: RunID) async throws

    /// Ends a running run at `endTime` (kept to the millisecond).
    func finishRun(_ run: RunID, status: RunStatus, endTime: Date) async throws

    /// Writes a whole finished or running run — parameters, tags, metric history, artifact edges,
    /// environment, status and times — in one transaction: stored completely or not at all. For
    /// importers; `run.latestMetrics` is ignored (it is derived from `metrics`).
    ///
    /// A run whose id the store has already is left as it is, and the call returns `false`: the
    /// database decides (SQL `ON CONFLICT DO NOTHING`), so any number of importers, in any number
    /// of processes, may import the same runs at once and each run is written exactly once.
    /// `run.parentRunID` is kept even when the parent is not in the store (yet), so runs can be
    /// imported in any order.
    ///
    /// - Returns: `true` when the run was written, `false` when the store had it already.
    /// - Throws: ``LineageError/Code/invalidArgument`` for a run ``LineageValidation`` refuses.
    @discardableResult
    func importRun(_ run: Run, metrics: [MetricPoint]) async throws -> Bool

    /// A run with its parameters, tags, latest metrics, environment and artifact edges.
    ///
    /// - Throws: ``LineageError`` (``LineageError/Code/notFound``) for an unknown id.
    func run(_ id: RunID) async throws -> Run

    /// Every point of one metric of a run, by step then time.
    func metricHistory(of run: RunID, key: String) async throws -> [MetricPoint]

    /// The runs that match a query, a page at a time.
    func searchRuns(_ query: RunQuery) async throws -> RunPage

    /// An artifact's record, or nil when no run has recorded it.
    func artifact(_ digest: Digest) async throws -> LineageArtifact?

    /// Everything an artifact came from: the runs that wrote it, what they read, and so on up.
    func ancestors(of digest: Digest) async throws -> ProvenanceGraph

    /// Everything that came from an artifact: the runs that read it, what they wrote, and so on down.
    func descendants(of digest: Digest) async throws -> ProvenanceGraph
}

/// What a new run starts with.
public struct RunStart: Sendable, Hashable {
    /// The experiment; created when it does not exist.
    public var experiment: String
    /// A name for people.
    public var name: String
    /// When the run starts (kept to the millisecond).
    public var startTime: Date
    /// Who runs it.
    public var owner: String?
    /// The parent run of a sweep, if any.
    public var parentRunID: RunID?
    /// Initial tags.
    public var tags: [String: String]
    /// The identifier to use; a new one by default.
    public var id: RunID

    /// Describes a new run.
    public init(
        experiment: String, name: String, startTime: Date = Date(), owner: String? = nil, parentRunID: RunID? = nil,
        tags: [String: String] = [:], id: RunID = RunID()
    ) {
        self.experiment = experiment
        self.name = name
        self.startTime = startTime
        self.owner = owner
        self.parentRunID = parentRunID
        self.tags = tags
        self.id = id
    }
}

/// A search over runs: a filter, an order, and a page.
public struct RunQuery: Sendable, Hashable {
    /// Only runs of this experiment, when set.
    public var experiment: String?
    /// The filter, in Lineage's filter language (see ``RunFilter``), or nil for all runs.
    public var filter: RunFilter?
    /// The order, most significant first; by default newest first.
    public var orderBy: [RunOrdering]
    /// The page size.
    public var limit: Int
    /// Where the page starts: the ``RunPage/nextPageToken`` of the previous page.
    public var pageToken: String?

    /// Creates a query; `filter` and `orderBy` are parsed.
    ///
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidFilter``) that points at the character
    ///   where the filter or an ordering stops making sense.
    public init(experiment: String? = nil, filter: String? = nil, orderBy: [String] = [], limit: Int = 100, pageToken: String? = nil) throws(LineageError) {
        self.experiment = experiment
        self.filter = try filter.flatMap { text throws(LineageError) in
            text.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try RunFilter(parsing: text)
        }
        self.orderBy = try orderBy.map { text throws(LineageError) in try RunOrdering(parsing: text) }
        // One field twice (`metrics.auc DESC` and `metrics.auc`) says two orders at once: MLflow
        // refuses it too.
        for (index, ordering) in self.orderBy.enumerated() where self.orderBy[..<index].contains(where: { $0.field == ordering.field }) {
            throw LineageError(.invalidFilter, "order by '\(orderBy[index])' names a field an earlier ordering names already", fix: "order by each field once.")
        }
        self.limit = max(1, min(limit, 10_000))
        self.pageToken = pageToken
    }

    /// The row offset a page token stands for.
    func offset() throws(LineageError) -> Int {
        guard let pageToken else { return 0 }
        guard pageToken.hasPrefix("o"), let offset = Int(pageToken.dropFirst()), offset >= 0, offset <= 1 << 40 else {
            throw LineageError(.invalidArgument, "'\(pageToken)' is not a page token of this store", fix: "pass the nextPageToken of the previous page unchanged.")
        }
        return offset
    }

    static func token(offset: Int) -> String { "o\(offset)" }
}

/// One page of search results.
public struct RunPage: Sendable, Hashable {
    /// The runs, in the query's order.
    public var runs: [Run]
    /// The token of the next page, or nil on the last page.
    public var nextPageToken: String?
}
