import Foundation
import GPUScheduling
import Testing

@Suite("Describing clusters")
struct ClusterSpecTests {
    @Test("a node entry with a count expands, with {i} and {i/K} in its topology")
    func countsExpand() throws {
        let json = """
            {"nodes": [{"name": "a100", "count": 4, "gpu_model": "A100", "gpus": 8, "island": "nvl-{i/2}", "rack": "r{i/4}",
                        "price_per_gpu_hour": 2.5},
                       {"name": "t4", "gpus": 4, "gpu_model": "T4", "taints": ["spot"], "spot": true}],
             "teams": [{"name": "vision", "cohort": "research", "quota": {"A100": 16}, "borrowing_limit": 8, "weight": 2},
                       {"name": "nlp", "cohort": "research", "quota": {"A100": 16, "*": 4}, "lending_limit": 4}]}
            """
        let cluster = try ClusterSpec.decodeJSON(Data(json.utf8))
        #expect(cluster.nodes.map(\.name) == ["a100-0", "a100-1", "a100-2", "a100-3", "t4"])
        #expect(cluster.nodes.map(\.island) == ["nvl-0", "nvl-0", "nvl-1", "nvl-1", nil])
        #expect(cluster.nodes[3].rack == "r0" && cluster.nodes[0].pricePerGPUHour == 2.5)
        #expect(cluster.gpuCount == 36)
        #expect(cluster.teams.map(\.team) == ["vision", "nlp"] && cluster.teams[0].weight == 2 && cluster.teams[1].lendingLimit == 4)
    }

    @Test(
        "a quota the cluster cannot honour, or a broken node, is refused naming it",
        arguments: [
            (#"{"nodes": [{"name": "n", "gpus": 8}], "teams": [{"name": "a", "quota": {"gpu": 9}}]}"#, "team a"),
            (#"{"nodes": [{"name": "n", "gpus": 8}], "teams": [{"name": "a", "quota": {"H100": 1}}]}"#, "team a"),
            (#"{"nodes": [{"name": "n", "gpus": 8}], "teams": [{"name": "a", "cohort": "c", "quota": {"gpu": 6}}, {"name": "b", "cohort": "c", "quota": {"gpu": 6}}]}"#, "cohort c"),
            (#"{"nodes": [{"name": "n", "gpus": 8}, {"name": "n", "gpus": 8}]}"#, "node n"),
            (#"{"nodes": [{"name": "n", "gpus": -1}]}"#, "node n"),
            (#"{"nodes": []}"#, "no nodes"),
            (#"{"nodes": [{"gpus": 8}]}"#, "name"),
            (#"{"nodes": [{"name": "n", "gpus": 8}], "teams": [{"name": "a", "quota": {"gpu": 1}, "weight": 0}]}"#, "weight"),
            ("not json", "not JSON"),
            // A misspelt key would leave its default in place without a word (QA sweep).
            (#"{"nodes": [{"name": "n", "gpuz": 8, "gpus": 8}]}"#, "\"gpuz\""),
            (#"{"nodes": [{"name": "n", "gpus": 8}], "teams": [{"name": "a", "quota": {"gpu": 1}, "lendng_limit": 0}]}"#, "lendng_limit"),
            (#"{"nodes": [{"name": "n", "gpus": 8}], "team": []}"#, "\"team\""),
            (#"{"nodes": [{"name": "n", "gpu": 8}]}"#, "\"gpu\""),  // named, rather than "gpus" missing
            // A key twice: Foundation keeps the first value, Python the last; refused instead.
            (#"{"nodes": [{"name": "n", "gpus": 8, "gpus": 4}]}"#, "nodes[0].gpus twice"),
        ])
    func refused(json: String, mention: String) {
        #expect {
            _ = try ClusterSpec.decodeJSON(Data(json.utf8), source: "c.json")
        } throws: { error in
            guard let error = error as? SchedulingError else { return false }
            return (error.code == .invalidCluster || error.code == .invalidQuota) && error.description.contains(mention)
                && error.description.contains("c.json")
        }
    }

    @Test("a uniform cluster puts the remainder in the last node")
    func uniform() throws {
        let cluster = try ClusterSpec.uniform(gpus: 20, gpusPerNode: 8)
        #expect(cluster.nodes.map(\.gpus) == [8, 8, 4])
        #expect(throws: SchedulingError.self) { try ClusterSpec.uniform(gpus: 0) }
    }

    @Test("the Alibaba node list reads as a cluster", .enabled(if: gpuTraces != nil))
    func alibabaNodes() throws {
        let cluster = try ClusterSpec.read(path: "\(gpuTraces ?? "")/alibaba-openb-2023-gpu-nodes.csv")
        #expect(cluster.nodes.count == 1213)
        #expect(cluster.gpuCount == 6212)
        #expect(cluster.nodes[0].cpuMilli == 64000 && cluster.nodes[0].gpuModel == "P100")
    }
}
