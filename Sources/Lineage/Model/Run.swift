public import Foundation
public import MLOpsStorage

/// A run: one execution of training or evaluation code, with everything it logged.
///
/// Times are `Date`s; every store keeps them to the millisecond (rounded to the nearest), so a
/// run read back has its times rounded so, whichever store it came from.
///
/// In JSON the parameters are plain values (`"parameters": {"epochs": 60, "lr": 0.5}`) and
/// `parameterTypes` names each one's type (`{"epochs": "int", "lr": "double"}`), so a run read
/// back from JSON has the types it was recorded with even where JSON cannot tell them apart (the
/// double 60.0 is written `60`).
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

// MARK: - JSON

extension Run {
    private enum CodingKeys: String, CodingKey {
        case id, experiment, name, status, startTime, endTime, owner, parentRunID, tags, parameters, parameterTypes
        case latestMetrics, environment, edges
        /// `parent_run_id` as a decoder converting from snake case spells it.
        case parentRunIdFromSnakeCase = "parentRunId"
    }

    /// Writes every key, `null` where a value is absent, and the parameters' types beside them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(experiment, forKey: .experiment)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(startTime, forKey: .startTime)
        try container.encode(_endTime, forKey: .endTime)
        try container.encode(_owner, forKey: .owner)
        try container.encode(_parentRunID, forKey: .parentRunID)
        try container.encode(tags, forKey: .tags)
        try container.encode(parameters, forKey: .parameters)
        try container.encode(parameters.mapValues(\.typeName), forKey: .parameterTypes)
        try container.encode(latestMetrics, forKey: .latestMetrics)
        try container.encode(_environment, forKey: .environment)
        try container.encode(edges, forKey: .edges)
    }

    /// Reads what ``encode(to:)`` writes, and runs written before `parameterTypes` existed.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let values = try container.decode([String: ParameterValue].self, forKey: .parameters)
        let types = try container.decodeIfPresent([String: String].self, forKey: .parameterTypes) ?? [:]
        var parameters: [String: ParameterValue] = [:]
        for (key, value) in values {
            guard let type = types[key] else {
                parameters[key] = value
                continue
            }
            guard let typed = value.retyped(as: type) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .parameterTypes, in: container,
                    debugDescription: "parameter '\(key)' is \(value.typeName) \(value), which cannot be read as \(type)")
            }
            parameters[key] = typed
        }
        self.init(
            id: try container.decode(RunID.self, forKey: .id),
            experiment: try container.decode(String.self, forKey: .experiment),
            name: try container.decode(String.self, forKey: .name),
            status: try container.decode(RunStatus.self, forKey: .status),
            startTime: try container.decode(Date.self, forKey: .startTime),
            endTime: try container.decode(ExplicitNull<Date>.self, forKey: .endTime).wrappedValue,
            owner: try container.decode(ExplicitNull<String>.self, forKey: .owner).wrappedValue,
            parentRunID: try container.decode(ExplicitNull<RunID>.self, forKey: .parentRunID).wrappedValue
                ?? container.decode(ExplicitNull<RunID>.self, forKey: .parentRunIdFromSnakeCase).wrappedValue,
            tags: try container.decode([String: String].self, forKey: .tags),
            parameters: parameters,
            latestMetrics: try container.decode([String: MetricPoint].self, forKey: .latestMetrics),
            environment: try container.decode(ExplicitNull<EnvironmentSnapshot>.self, forKey: .environment).wrappedValue,
            edges: try container.decode([ArtifactEdge].self, forKey: .edges))
    }
}
