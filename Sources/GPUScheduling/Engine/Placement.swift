/// Where a running job's workers sit: for each worker, its node, the GPUs it holds there and how
/// much of each.
public struct Placement: Sendable, Hashable {
    /// One worker's share of a node.
    public struct Worker: Sendable, Hashable {
        /// The node's index in ``ClusterSpec/nodes``.
        public var node: Int
        /// The GPUs held, as indices into the node's GPUs (0-based).
        public var gpus: [Int]
        /// Thousandths of each of those GPUs held (1,000 for whole GPUs).
        public var gpuMilli: Int
        /// CPU held, in thousandths of a core.
        public var cpuMilli: Int
        /// Memory held, in MiB.
        public var memoryMiB: Int
    }

    /// The workers, all started together.
    public var workers: [Worker]

    /// Distinct node indices, in first-use order.
    public var nodes: [Int] {
        var seen = Set<Int>()
        return workers.compactMap { seen.insert($0.node).inserted ? $0.node : nil }
    }
}

/// How placement chooses among nodes that fit.
public enum PlacementStrategy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Fill the fullest nodes (and, for fractions, the fullest GPUs) first, keeping whole nodes
    /// and whole GPUs free for large and whole-GPU jobs. Keeps a gang inside the narrowest
    /// topology domain that fits. The default.
    case binPack = "binpack"
    /// Use the emptiest nodes first, spreading load (and heat, and failure blast radius).
    case spread
    /// The first node, in the cluster's order, that fits; the first GPU on it that fits. What a
    /// naive scheduler does; kept as the baseline fragmentation is measured against.
    case firstFit = "first-fit"
    /// Fragmentation gradient descent (Weng et al., ATC '23): of every place a single-worker job
    /// fits, the one that least increases the free capacity the workload's typical requests
    /// could not use, counting CPU and memory as well as GPU pieces. The workload is learned
    /// from the jobs submitted so far. Gangs are placed as by ``binPack``.
    case fragmentationAware = "fragmentation-aware"
}
