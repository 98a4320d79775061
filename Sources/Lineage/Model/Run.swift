public import Foundation
public import MLOpsStorage

/// A run: one execution of training or evaluation code, with everything it logged.
///
/// Times are `Date`s; every store keeps them to the millisecond (rounded to the nearest), so a
/// run read back has its times rounded so, whichever store it came from.
public struct Run: Sendable, Hashable, Codable {
    /// The run's identifier.
    public var id: RunID
    /// The experiment the run belongs to.
    public var experiment: String
    /// A name for people.
    public var name: String
    /// Running, finished, failed or killed.
    public var status: RunStatus
    /// When the run started.
    public var startTime: Date
    /// When it ended, if it has.
    @ExplicitNull public var endTime: Date?
    /// Who ran it.
    @ExplicitNull public var owner: String?
    /// The run this one is part of (a sweep's parent), if any.
    @ExplicitNull public var parentRunID: RunID?
    /// Free-form labels, e.g. `team = fraud`.
    public var tags: [String: String]
    /// The parameters.
    public var parameters: [String: ParameterValue]
    /// The latest value of each metric (by step, then time).
    public var latestMetrics: [String: MetricPoint]
    /// The environment captured for the run, if any.
    @ExplicitNull public var environment: EnvironmentSnapshot?
    /// The artifacts the run read and wrote.
    public var edges: [ArtifactEdge]

    /// Creates a run record.
    public init(
        id: RunID, experiment: String, name: String, status: RunStatus, startTime: Date, endTime: Date? = nil,
        owner: String? = nil, parentRunID: RunID? = nil, tags: [String: String] = [:],
        parameters: [String: ParameterValue] = [:], latestMetrics: [String: MetricPoint] = [:],
        environment: EnvironmentSnapshot? = nil, edges: [ArtifactEdge] = []
    ) {
        self.id = id
        self.experiment = experiment
        self.name = name
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.owner = owner
        self.parentRunID = parentRunID
        self.tags = tags
        self.parameters = parameters
        self.latestMetrics = latestMetrics
        self.environment = environment
        self.edges = edges
    }

    /// The artifacts the run read.
    public var inputs: [ArtifactEdge] { edges.filter { $0.direction == .input } }
    /// The artifacts the run wrote.
    public var outputs: [ArtifactEdge] { edges.filter { $0.direction == .output } }
}
