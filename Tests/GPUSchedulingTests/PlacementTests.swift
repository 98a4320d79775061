import GPUScheduling
import Testing

@Suite("Placement")
struct PlacementTests {
    /// Four 8-GPU nodes; islands of two nodes.
    static func cluster() throws -> ClusterSpec {
        var cluster = try ClusterSpec.uniform(gpus: 32, gpusPerNode: 8, nodesPerIsland: 2, nodesPerRack: 4)
        cluster.nodes = cluster.nodes.map { node in
            var node = node
            node.cpuMilli = 64000
            node.memoryMiB = 512_000
            return node
        }
        return cluster
    }

    @Test("bin-packing fills the fullest node; spreading picks the emptiest")
    func packVersusSpread() throws {
        for (strategy, expected) in [(PlacementStrategy.binPack, 0), (.spread, 1)] {
            var scheduler = try Scheduler(cluster: Self.cluster(), configuration: .init(placement: strategy))
            try scheduler.submit(.gpus(0, 6), at: 0)
            #expect(try scheduler.schedule(at: 0).startedJobs == [0])
            let first = try #require(scheduler.placement(of: 0)).nodes
            try scheduler.submit(.gpus(1, 2), at: 1)
            _ = try scheduler.schedule(at: 1)
            let second = try #require(scheduler.placement(of: 1)).nodes
            #expect((second == first ? 0 : 1) == expected, "\(strategy): \(first) then \(second)")
        }
    }

    @Test("a gang stays inside one NVLink island when one can hold it")
    func gangInIsland() throws {
        var scheduler = try Scheduler(cluster: Self.cluster())
        // Take 4 GPUs of node 0 so no single node can hold the 12-GPU gang.
        try scheduler.submit(.gpus(0, 4), at: 0)
        try scheduler.submit(.gpus(1, 12, workers: 3), at: 0)
        #expect(try scheduler.schedule(at: 0).startedJobs == [0, 1])
        let nodes = try #require(scheduler.placement(of: 1)).nodes
        let islands = Set(nodes.map { scheduler.cluster.nodes[$0].island })
        #expect(islands.count == 1, "gang spread over \(islands)")
        #expect(scheduler.invariantProblems().isEmpty)
    }

    @Test("a gang that needs more than any island waits rather than running in part, when colocation requires it")
    func requiredColocation() throws {
        var scheduler = try Scheduler(cluster: Self.cluster())
        var job = JobSpec.gpus(0, 17, workers: 17)
        job.colocation = .island
        let reason = try scheduler.submit(job, at: 0)
        #expect(reason?.contains("island") == true)
        #expect(scheduler.jobState(0) == .unschedulable)
    }

    @Test("fractions are packed onto GPUs already shared; first-fit scatters them")
    func fractions() throws {
        // Two nodes of two GPUs. Requests: 0.5, 0.7, 0.3, 0.5, then two whole GPUs.
        let cluster = try ClusterSpec.uniform(gpus: 4, gpusPerNode: 2)
        let fractions = [500, 700, 300, 500]
        var outcomes: [PlacementStrategy: Int] = [:]
        for strategy in [PlacementStrategy.binPack, .firstFit] {
            var scheduler = try Scheduler(cluster: cluster, configuration: .init(placement: strategy))
            for (i, milli) in fractions.enumerated() {
                try scheduler.submit(JobSpec(id: i, team: "t", gpus: 1, gpuMilli: milli), at: Double(i))
                _ = try scheduler.schedule(at: Double(i))
            }
            try scheduler.submit(.gpus(10, 2), at: 10)
            outcomes[strategy] = try scheduler.schedule(at: 10).startedJobs.count
            #expect(scheduler.invariantProblems().isEmpty)
        }
        // Packed: 0.7+0.3 and 0.5+0.5 fill the first node's GPUs, so the second node stays whole.
        // First-fit puts the 0.3 beside the first 0.5, and the last 0.5 no longer fits there.
        #expect(outcomes[.binPack] == 1)
        #expect(outcomes[.firstFit] == 0)
    }

    @Test("selectors, taints and GPU models decide where a job may go")
    func eligibility() throws {
        let cluster = ClusterSpec(nodes: [
            NodeSpec(name: "a100", gpuModel: "A100", gpus: 8, labels: ["pool": "train"]),
            NodeSpec(name: "t4", gpuModel: "T4", gpus: 4, taints: ["spot"]),
        ])
        var scheduler = try Scheduler(cluster: cluster)
        var spot = JobSpec.gpus(0, 2)
        spot.tolerations = ["spot"]
        spot.gpuModels = ["T4"]
        var pinned = JobSpec.gpus(1, 2)
        pinned.nodeSelector = ["pool": "train"]
        var nowhere = JobSpec.gpus(2, 2)
        nowhere.gpuModels = ["T4"]
        try scheduler.submit(spot, at: 0)
        try scheduler.submit(pinned, at: 0)
        let reason = try scheduler.submit(nowhere, at: 0)
        #expect(reason?.contains("untolerated taints: spot") == true, "\(reason ?? "nil")")
        _ = try scheduler.schedule(at: 0)
        #expect(scheduler.placement(of: 0)?.nodes == [1])
        #expect(scheduler.placement(of: 1)?.nodes == [0])
    }
}
