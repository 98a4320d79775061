public import Foundation
import MLOpsStorage

/// A GPU cluster to schedule on: its nodes and the teams' quotas.
///
/// Build one in code, with ``uniform(gpus:gpusPerNode:gpuModel:nodesPerIsland:nodesPerRack:pricePerGPUHour:)``,
/// or decode the JSON form (`mlops gpu simulate --cluster FILE`):
///
/// ```json
/// {
///   "nodes": [
///     {"name": "a100", "count": 4, "gpu_model": "A100", "gpus": 8, "cpu_milli": 96000,
///      "memory_mib": 1048576, "island": "nvl-{i/2}", "rack": "r1", "price_per_gpu_hour": 2.9}
///   ],
///   "teams": [
///     {"name": "vision", "cohort": "research", "quota": {"A100": 16}, "borrowing_limit": 8, "weight": 2}
///   ]
/// }
/// ```
///
/// A node entry with `count` N stands for N nodes named `name-0` … `name-(N-1)`; in its `island`,
/// `rack` and `zone`, `{i}` is the node's number and `{i/K}` that number divided by K, so
/// `"nvl-{i/2}"` puts nodes in pairs.
public struct ClusterSpec: Sendable, Hashable {
    /// The nodes, in the order placement's first-fit walks them.
    public var nodes: [NodeSpec]
    /// The teams' quotas; a team without one is limited only by the cluster.
    public var teams: [TeamQuota]

    /// Creates a cluster.
    public init(nodes: [NodeSpec], teams: [TeamQuota] = []) {
        self.nodes = nodes
        self.teams = teams
    }

    /// All GPUs of the cluster.
    public var gpuCount: Int { nodes.reduce(0) { $0 + $1.gpus } }

    /// A cluster of identical nodes: `gpus` GPUs in nodes of `gpusPerNode` (the last node takes
    /// what is left), each node an NVLink island of its own unless `nodesPerIsland` groups them.
    ///
    /// - Throws: ``SchedulingError/Code/invalidCluster`` when a count is not positive.
    public static func uniform(
        gpus: Int, gpusPerNode: Int = 8, gpuModel: String = "gpu", nodesPerIsland: Int = 1, nodesPerRack: Int = 4,
        pricePerGPUHour: Double = 0
    ) throws(SchedulingError) -> ClusterSpec {
        guard gpus > 0, gpusPerNode > 0, nodesPerIsland > 0, nodesPerRack > 0 else {
            throw SchedulingError(
                .invalidCluster, "a cluster of \(gpus) GPUs in nodes of \(gpusPerNode) cannot be built",
                fix: "give a positive GPU count and node size")
        }
        var nodes: [NodeSpec] = []
        var left = gpus
        var index = 0
        while left > 0 {
            let count = min(gpusPerNode, left)
            nodes.append(
                NodeSpec(
                    name: "node-\(index)", gpuModel: gpuModel, gpus: count, island: "island-\(index / nodesPerIsland)",
                    rack: "rack-\(index / nodesPerRack)", zone: "zone-0", pricePerGPUHour: pricePerGPUHour))
            left -= count
            index += 1
        }
        return ClusterSpec(nodes: nodes)
    }

    /// Checks names are unique, counts are sane and no team's quota exceeds what the cluster has.
    ///
    /// - Throws: ``SchedulingError`` with code ``SchedulingError/Code/invalidCluster`` or
    ///   ``SchedulingError/Code/invalidQuota``, naming the node or team.
    public func validate() throws(SchedulingError) {
        if nodes.isEmpty {
            throw SchedulingError(.invalidCluster, "the cluster has no nodes", fix: "describe at least one node")
        }
        if nodes.count > 1_000_000 {
            throw SchedulingError(.invalidCluster, "the cluster has \(nodes.count) nodes", fix: "describe at most 1,000,000 nodes")
        }
        var names = Set<String>()
        var gpusByModel: [String: Int] = [:]
        for node in nodes {
            let at = "node \(node.name)"
            if node.name.isEmpty {
                throw SchedulingError(.invalidCluster, "a node has an empty name", fix: "name every node")
            }
            if !names.insert(node.name).inserted {
                throw SchedulingError(.invalidCluster, "the name is used twice", location: at, fix: "give every node its own name")
            }
            if node.gpus < 0 || node.gpus > 1024 {
                throw SchedulingError(.invalidCluster, "has \(node.gpus) GPUs", location: at, fix: "give 0 to 1024 GPUs per node")
            }
            if (node.cpuMilli ?? 0) < 0 || (node.memoryMiB ?? 0) < 0 || (node.cpuMilli ?? 0) > JobSpec.maximumAmount
                || (node.memoryMiB ?? 0) > JobSpec.maximumAmount
            {
                throw SchedulingError(.invalidCluster, "has CPU or memory out of range", location: at, fix: "give 0 to \(JobSpec.maximumAmount)")
            }
            if !(node.pricePerGPUHour >= 0) || !node.pricePerGPUHour.isFinite {
                throw SchedulingError(
                    .invalidCluster, "costs \(node.pricePerGPUHour) per GPU-hour", location: at, fix: "give a price of 0 or more")
            }
            gpusByModel[node.gpuModel, default: 0] += node.gpus
        }
        let total = Double(gpuCount)
        var teamNames = Set<String>()
        for quota in teams {
            let at = "team \(quota.team)"
            if !teamNames.insert(quota.team).inserted {
                throw SchedulingError(.invalidQuota, "has two quotas", location: at, fix: "describe each team once")
            }
            if !(quota.weight > 0) || !quota.weight.isFinite {
                throw SchedulingError(.invalidQuota, "has weight \(quota.weight)", location: at, fix: "give a positive weight")
            }
            for (model, amount) in quota.nominal {
                let available = model == "*" ? total : Double(gpusByModel[model] ?? 0)
                if !(amount >= 0) || !amount.isFinite {
                    throw SchedulingError(.invalidQuota, "has a quota of \(amount) \(model) GPUs", location: at, fix: "give 0 or more GPUs")
                }
                if amount > available {
                    throw SchedulingError(
                        .invalidQuota, "has a quota of \(amount) \(model) GPUs but the cluster has \(Int(available))",
                        location: at, fix: "lower the quota to at most what the cluster has, or add nodes")
                }
            }
            for (label, limit) in [("borrowing", quota.borrowingLimit), ("lending", quota.lendingLimit)] {
                if let limit, !(limit >= 0) || !limit.isFinite {
                    throw SchedulingError(.invalidQuota, "has a \(label) limit of \(limit)", location: at, fix: "give 0 or more GPUs")
                }
            }
        }
        // A cohort cannot promise more of a model than the cluster has.
        var promised: [String: [String: Double]] = [:]
        for quota in teams {
            for (model, amount) in quota.nominal { promised[quota.cohort ?? "team:" + quota.team, default: [:]][model, default: 0] += amount }
        }
        for (cohort, models) in promised.sorted(by: { $0.key < $1.key }) {
            for (model, amount) in models.sorted(by: { $0.key < $1.key }) {
                let available = model == "*" ? total : Double(gpusByModel[model] ?? 0)
                if amount > available + 1e-9 {
                    throw SchedulingError(
                        .invalidQuota, "cohort \(cohort) is promised \(amount) \(model) GPUs but the cluster has \(Int(available))",
                        fix: "lower the teams' quotas in that cohort")
                }
            }
        }
    }
}

extension ClusterSpec {
    private struct NodeEntry: Decodable {
        var node: NodeSpec
        var count: Int?
        init(from decoder: any Decoder) throws {
            node = try NodeSpec(from: decoder)
            count = try decoder.container(keyedBy: Key.self).decodeIfPresent(Int.self, forKey: .count)
        }
        enum Key: String, CodingKey, CaseIterable { case count }
    }

    private struct File: Decodable {
        var nodes: [NodeEntry]
        var teams: [TeamQuota]?
    }

    /// Reads the JSON form described above and validates it.
    ///
    /// - Parameters:
    ///   - data: The JSON bytes.
    ///   - source: What to call the input in errors (a file path).
    /// - Throws: ``SchedulingError`` naming the key or node that is wrong.
    public static func decodeJSON(_ data: Data, source: String = "cluster") throws(SchedulingError) -> ClusterSpec {
        if let twice = JSONDuplicateKeys.first(in: data) {
            throw SchedulingError(
                .invalidCluster, "has the key \(twice) twice in one object, so which value counts is unclear", location: source,
                fix: "keep one of the two")
        }
        // First: a misspelt key (`gpu` for `gpus`) is the likelier cause of a missing one.
        try refuseUnknownKeys(data, source: source)
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch let error as DecodingError {
            throw SchedulingError(
                .invalidCluster, "is not a cluster description: \(DecodingErrorText.describe(error))", location: source,
                fix: "give {\"nodes\": [{\"name\", \"gpus\", …}], \"teams\": [{\"name\", \"quota\": {…}}]}")
        } catch {
            throw SchedulingError(.invalidCluster, "cannot be read: \(error)", location: source)
        }
        var nodes: [NodeSpec] = []
        for entry in file.nodes {
            guard let count = entry.count else {
                nodes.append(entry.node)
                continue
            }
            guard count >= 1, count <= 100_000 else {
                throw SchedulingError(
                    .invalidCluster, "node entry \(entry.node.name) has count \(count)", location: source, fix: "give a count of 1 to 100000")
            }
            for i in 0..<count {
                var node = entry.node
                node.name = "\(entry.node.name)-\(i)"
                node.island = node.island.map { expand($0, i) }
                node.rack = node.rack.map { expand($0, i) }
                node.zone = node.zone.map { expand($0, i) }
                nodes.append(node)
            }
        }
        let cluster = ClusterSpec(nodes: nodes, teams: file.teams ?? [])
        try cluster.validate(readFrom: source)
        return cluster
    }

    /// ``validate()`` for a cluster read from `source`, which its errors then name first.
    func validate(readFrom source: String) throws(SchedulingError) {
        do {
            try validate()
        } catch {
            var located = error
            located.location = [source, error.location].compactMap { $0 }.joined(separator: ": ")
            throw located
        }
    }

    /// Refuses a key the JSON form does not define, at the top, in a node entry or in a team: a
    /// misspelt key (`lendng_limit`, `gpuz`) would otherwise leave its default in place without
    /// a word, as the rollout policy file also refuses.
    private static func refuseUnknownKeys(_ data: Data, source: String) throws(SchedulingError) {
        guard let top = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return }
        let nodeKeys = Set(NodeSpec.CodingKeys.allCases.map(\.stringValue)).union(NodeEntry.Key.allCases.map(\.stringValue))
        let teamKeys = Set(TeamQuota.CodingKeys.allCases.map(\.stringValue))
        func check(_ object: [String: Any], _ known: Set<String>, _ place: String) throws(SchedulingError) {
            guard let unknown = object.keys.sorted().first(where: { !known.contains($0) }) else { return }
            throw SchedulingError(
                .invalidCluster, "\(place) has the key \"\(unknown)\", which a cluster file does not define", location: source,
                fix: "use only \(known.sorted().map { "\"\($0)\"" }.joined(separator: ", ")) there (keys are case-sensitive)")
        }
        try check(top, ["nodes", "teams"], "the file")
        for (index, node) in ((top["nodes"] as? [Any]) ?? []).enumerated() {
            if let node = node as? [String: Any] { try check(node, nodeKeys, "node entry \(index + 1) (\(node["name"] as? String ?? "unnamed"))") }
        }
        for (index, team) in ((top["teams"] as? [Any]) ?? []).enumerated() {
            if let team = team as? [String: Any] { try check(team, teamKeys, "team entry \(index + 1) (\(team["name"] as? String ?? "unnamed"))") }
        }
    }

    /// `{i}` → i, `{i/K}` → i / K.
    private static func expand(_ pattern: String, _ i: Int) -> String {
        var result = ""
        var rest = Substring(pattern)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open]
            let inside = rest[rest.index(after: open)..<close]
            if inside == "i" {
                result += String(i)
            } else if inside.hasPrefix("i/"), let k = Int(inside.dropFirst(2)), k > 0 {
                result += String(i / k)
            } else {
                result += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}
