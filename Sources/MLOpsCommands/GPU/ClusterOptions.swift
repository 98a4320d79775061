import ArgumentParser
import GPUScheduling

/// `--gpus N [--gpus-per-node K] | --cluster FILE`: the cluster the `mlops gpu` commands use.
struct ClusterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A cluster of this many GPUs (in nodes of --gpus-per-node).", valueName: "n"))
    var gpus: Int?

    @Option(name: .customLong("gpus-per-node"), help: "GPUs per node with --gpus.")
    var gpusPerNode: Int = 8

    @Option(help: ArgumentHelp("The cluster: JSON (nodes, team quotas) or an Alibaba node-list CSV.", valueName: "file"))
    var cluster: String?

    init() {}

    func validate() throws {
        if gpus != nil && cluster != nil { throw ValidationError("give either --gpus N or --cluster FILE, not both.") }
        if gpus == nil && cluster == nil { throw ValidationError("say what to replay on: --gpus N (e.g. --gpus 512) or --cluster FILE.") }
        if let gpus, gpus < 1 || gpus > 10_000_000 { throw ValidationError("--gpus \(gpus) is not a cluster size: give 1 to 10,000,000.") }
        if gpusPerNode < 1 || gpusPerNode > 1024 { throw ValidationError("--gpus-per-node \(gpusPerNode): give 1 to 1024.") }
    }

    /// The cluster the options describe.
    ///
    /// - Throws: ``SchedulingError`` for an unreadable or invalid cluster file.
    func clusterSpec() throws -> ClusterSpec {
        if let cluster { return try ClusterSpec.read(path: cluster) }
        return try ClusterSpec.uniform(gpus: gpus ?? 0, gpusPerNode: gpusPerNode)
    }
}
