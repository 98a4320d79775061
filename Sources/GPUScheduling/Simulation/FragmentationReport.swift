/// How much free GPU capacity is stranded: free, but in pieces the workload cannot use.
///
/// Measured on one moment of a run (the last arrival, when a fill snapshot such as Alibaba's is
/// fullest). `unusableGPUs` follows the idea of Weng et al. (ATC '23, "Beware of
/// Fragmentation"): for each kind of task in the trace, weighted by how often it occurs, the
/// free GPU capacity on a node that such a task could not use (all of the node's free capacity
/// if the task does not fit there at all; for a fractional task, the GPUs with less free than
/// it asks), summed over nodes.
public struct FragmentationReport: Sendable, Hashable, Codable {
    /// Seconds from the first submission.
    public var time: Double
    /// Free GPU capacity, in GPUs.
    public var freeGPUs: Double
    /// GPUs neither wholly free nor wholly used.
    public var partiallyUsedGPUs: Int
    /// Free capacity on partially used GPUs, in GPUs.
    public var strandedGPUs: Double
    /// Expected free capacity a task of the workload's mix cannot use, in GPUs.
    public var unusableGPUs: Double
    /// Jobs waiting at that moment.
    public var pendingJobs: Int

    enum CodingKeys: String, CodingKey {
        case time
        case freeGPUs = "free_gpus"
        case partiallyUsedGPUs = "partially_used_gpus"
        case strandedGPUs = "stranded_gpus"
        case unusableGPUs = "unusable_gpus"
        case pendingJobs = "pending_jobs"
    }
}

extension ClusterState {
    /// The fragmentation of the free capacity now, against a mix of requests.
    func fragmentation(mix: [(request: PlacementRequest, weight: Double)], time: Double, pendingJobs: Int) -> FragmentationReport {
        var free = 0
        var partial = 0
        var stranded = 0
        for slot in 0..<slotFree.count {
            free += slotFree[slot]
            if slotFree[slot] > 0 && slotFree[slot] < 1000 {
                partial += 1
                stranded += slotFree[slot]
            }
        }
        let totalWeight = mix.reduce(0) { $0 + $1.weight }
        var unusable = 0.0
        if totalWeight > 0 {
            for node in 0..<spec.nodes.count {
                let first = firstSlot[node]
                var nodeFree = 0
                for slot in first..<(first + gpuCount[node]) { nodeFree += slotFree[slot] }
                if nodeFree == 0 { continue }
                for (request, weight) in mix where request.gpusPerWorker > 0 {
                    var lost = 0
                    if workerCapacity(of: node, for: request) == 0 {
                        lost = nodeFree
                    } else if request.isFractional {
                        for slot in first..<(first + gpuCount[node]) where slotFree[slot] < request.gpuMilli { lost += slotFree[slot] }
                    } else {
                        for slot in first..<(first + gpuCount[node]) where slotFree[slot] < 1000 { lost += slotFree[slot] }
                    }
                    unusable += weight / totalWeight * Double(lost)
                }
            }
        }
        return FragmentationReport(
            time: time, freeGPUs: Double(free) / 1000, partiallyUsedGPUs: partial, strandedGPUs: Double(stranded) / 1000,
            unusableGPUs: unusable / 1000, pendingJobs: pendingJobs)
    }
}
