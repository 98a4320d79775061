/// One machine of a GPU cluster: its GPUs, CPU and memory, labels, taints, place in the topology
/// and price.
///
/// GPU capacity is counted in thousandths of a GPU (*milli-GPUs*, as Alibaba's traces do), so a
/// fractional request such as 0.46 GPU is exact: each GPU of the node offers 1,000.
public struct NodeSpec: Sendable, Hashable, Codable {
    /// The node's name, unique in its cluster.
    public var name: String
    /// The GPU model every GPU of this node is (`"A100"`, `"V100M32"`).
    public var gpuModel: String
    /// How many GPUs the node has (0 for a CPU-only node).
    public var gpus: Int
    /// CPU in thousandths of a core; `nil` means not tracked (jobs' CPU requests are ignored here).
    public var cpuMilli: Int?
    /// Memory in MiB; `nil` means not tracked.
    public var memoryMiB: Int?
    /// Labels a job's node selector matches (`"pool": "training"`).
    public var labels: [String: String]
    /// Taints: a job runs here only if it tolerates every one.
    public var taints: [String]
    /// The NVLink island (or other fast-interconnect group) the node belongs to; `nil` makes the
    /// node an island of its own.
    public var island: String?
    /// The rack; `nil` makes the node a rack of its own.
    public var rack: String?
    /// The zone; `nil` puts the node in one default zone.
    public var zone: String?
    /// Spot (reclaimable, cheaper) rather than on-demand.
    public var spot: Bool
    /// What one GPU-hour on this node costs, in the cluster's currency.
    public var pricePerGPUHour: Double

    /// Creates a node.
    public init(
        name: String, gpuModel: String, gpus: Int, cpuMilli: Int? = nil, memoryMiB: Int? = nil,
        labels: [String: String] = [:], taints: [String] = [], island: String? = nil, rack: String? = nil,
        zone: String? = nil, spot: Bool = false, pricePerGPUHour: Double = 0
    ) {
        self.name = name
        self.gpuModel = gpuModel
        self.gpus = gpus
        self.cpuMilli = cpuMilli
        self.memoryMiB = memoryMiB
        self.labels = labels
        self.taints = taints
        self.island = island
        self.rack = rack
        self.zone = zone
        self.spot = spot
        self.pricePerGPUHour = pricePerGPUHour
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, gpus, labels, taints, island, rack, zone, spot
        case gpuModel = "gpu_model"
        case cpuMilli = "cpu_milli"
        case memoryMiB = "memory_mib"
        case pricePerGPUHour = "price_per_gpu_hour"
    }

    /// Decodes a node; every key but `name` and `gpus` may be left out.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        gpus = try c.decode(Int.self, forKey: .gpus)
        gpuModel = try c.decodeIfPresent(String.self, forKey: .gpuModel) ?? "gpu"
        cpuMilli = try c.decodeIfPresent(Int.self, forKey: .cpuMilli)
        memoryMiB = try c.decodeIfPresent(Int.self, forKey: .memoryMiB)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        taints = try c.decodeIfPresent([String].self, forKey: .taints) ?? []
        island = try c.decodeIfPresent(String.self, forKey: .island)
        rack = try c.decodeIfPresent(String.self, forKey: .rack)
        zone = try c.decodeIfPresent(String.self, forKey: .zone)
        spot = try c.decodeIfPresent(Bool.self, forKey: .spot) ?? false
        pricePerGPUHour = try c.decodeIfPresent(Double.self, forKey: .pricePerGPUHour) ?? 0
    }
}
