public import Foundation
import MLOpsStorage
import TensorCore

/// Turns runs into OpenLineage 2-0-2 RunEvents, so lineage tools (Marquez, DataHub, OpenMetadata…)
/// see what swift-mlops recorded.
///
/// Each run gives a `START` event at its start time and, once it has ended, a `COMPLETE`, `FAIL`
/// or `ABORT` event (for finished, failed and killed runs) at its end time. The experiment is the
/// job; inputs and outputs are datasets named by their content, `sha256:<digest>`, in the namespace
/// ``namespace``, with the digest as their `version` facet too. One artifact has one name
/// wherever it appears, so the run that wrote it and the runs that read it meet at the same
/// dataset, as the provenance graph has them; the role a run gave it (`training-data`, `model`)
/// is the run's, so it travels in the `mlops_edge` input or output facet. Facets used:
/// `processing_engine`, `environmentVariables` (only the recorded, non-secret ones), `parent`,
/// `jobType`, `version`, and the custom `mlops_run` run facet (parameters and latest metrics) and
/// `mlops_edge` input and output facet (role and kind), described in `Documentation/OpenLineage.md`.
public struct OpenLineageExporter: Sendable {
    /// The namespace of jobs and datasets.
    public var namespace: String
    /// The producer URI written into every event and facet.
    public var producer: String

    static let schemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
    static let facetSchemas: [String: String] = [
        "processing_engine": "https://openlineage.io/spec/facets/1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet",
        "environmentVariables": "https://openlineage.io/spec/facets/1-0-0/EnvironmentVariablesRunFacet.json#/$defs/EnvironmentVariablesRunFacet",
        "parent": "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet",
        "jobType": "https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
        "version": "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet",
        "mlops_run": "https://github.com/swift-mlops/swift-mlops/blob/main/Documentation/OpenLineage.md#mlops_run",
        "mlops_edge": "https://github.com/swift-mlops/swift-mlops/blob/main/Documentation/OpenLineage.md#mlops_edge",
    ]

    /// Creates an exporter.
    public init(namespace: String = "swift-mlops", producer: String = "https://github.com/swift-mlops/swift-mlops") {
        self.namespace = namespace
        self.producer = producer
    }

    /// The events of one run: START, then the terminal event when the run has ended.
    public func events(for run: Run, parent: Run? = nil) -> [JSONValue] {
        var events = [event(for: run, type: "START", time: run.startTime, parent: parent)]
        if let end = run.endTime, run.status.isTerminal {
            let type = switch run.status {
            case .finished: "COMPLETE"
            case .failed: "FAIL"
            case .killed: "ABORT"
            case .running: "RUNNING"
            }
            events.append(event(for: run, type: type, time: end, parent: parent))
        }
        return events
    }

    /// Events as a JSON array (`jsonLines: false`) or one event per line.
    public func encode(_ events: [JSONValue], jsonLines: Bool) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = jsonLines ? [.sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        if !jsonLines { return try encoder.encode(events) }
        var data = Data()
        for event in events {
            data.append(try encoder.encode(event))
            data.append(0x0A)
        }
        return data
    }

    func event(for run: Run, type: String, time: Date, parent: Run?) -> JSONValue {
        var runFacets: [String: JSONValue] = [
            "processing_engine": facet("processing_engine", ["name": .string("swift-mlops"), "version": .string("0.1.0")]),
            "mlops_run": facet("mlops_run", [
                "name": .string(run.name),
                "status": .string(run.status.rawValue),
                "parameters": .object(run.parameters.mapValues { value in
                    switch value {
                    case .int(let v): .integer(v)
                    case .double(let v): .number(v)
                    case .bool(let v): .bool(v)
                    case .string(let v): .string(v)
                    }
                }),
                "metrics": .object(run.latestMetrics.mapValues { .number($0.value) }),
                "gitCommit": run.environment?.gitCommit.map(JSONValue.string) ?? .null,
            ]),
        ]
        if let variables = run.environment?.variables, !variables.isEmpty {
            runFacets["environmentVariables"] = facet("environmentVariables", [
                "environmentVariables": .array(variables.sorted { $0.key < $1.key }.map { .object(["name": .string($0.key), "value": .string($0.value)]) }),
            ])
        }
        if let parentID = run.parentRunID {
            runFacets["parent"] = facet("parent", [
                "run": .object(["runId": .string(parentID.value)]),
                "job": .object(["namespace": .string(namespace), "name": .string(parent?.experiment ?? run.experiment)]),
            ])
        }
        // One dataset per artifact and direction: a run that read one file in two roles lists it
        // once, with both roles (two entries of one name would be merged by lineage tools, and
        // one role lost).
        func datasets(_ edges: [ArtifactEdge]) -> JSONValue {
            var order: [Digest] = []
            var byDigest: [Digest: [ArtifactEdge]] = [:]
            for edge in edges {
                if byDigest[edge.digest] == nil { order.append(edge.digest) }
                byDigest[edge.digest, default: []].append(edge)
            }
            return .array(order.map { digest in
                let edges = byDigest[digest] ?? []
                let roles = Set(edges.map(\.role)).sorted()
                return .object([
                    "namespace": .string(namespace),
                    "name": .string("sha256:\(digest.hex)"),
                    "facets": .object(["version": facet("version", ["datasetVersion": .string("sha256:\(digest.hex)")])]),
                    edges.first?.direction == .output ? "outputFacets" : "inputFacets": .object([
                        "mlops_edge": facet("mlops_edge", [
                            "role": .string(roles.first ?? ""), "roles": .array(roles.map(JSONValue.string)),
                            "kind": .string(edges.first?.kind.rawValue ?? ArtifactKind.other.rawValue),
                        ]),
                    ]),
                ])
            })
        }
        return .object([
            "eventType": .string(type),
            "eventTime": .string(Self.isoTime(time)),
            "producer": .string(producer),
            "schemaURL": .string(Self.schemaURL),
            "run": .object(["runId": .string(run.id.value), "facets": .object(runFacets)]),
            "job": .object([
                "namespace": .string(namespace),
                "name": .string(run.experiment),
                "facets": .object(["jobType": facet("jobType", ["processingType": .string("BATCH"), "integration": .string("SWIFT_MLOPS"), "jobType": .string("TRAINING")])]),
            ]),
            "inputs": datasets(run.inputs),
            "outputs": datasets(run.outputs),
        ])
    }

    func facet(_ name: String, _ fields: [String: JSONValue]) -> JSONValue {
        var fields = fields
        fields["_producer"] = .string(producer)
        fields["_schemaURL"] = .string(Self.facetSchemas[name] ?? Self.schemaURL)
        return .object(fields)
    }

    /// `2026-11-25T08:30:00.123Z`: the time in UTC, to the millisecond.
    static func isoTime(_ date: Date) -> String {
        date.iso8601Milliseconds
    }
}
