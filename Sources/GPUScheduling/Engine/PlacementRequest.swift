/// A job's request in the shape placement works with: identical workers, each on one node.
/// Hashable: two jobs with equal requests are one *shape* to the scheduler's caches.
struct PlacementRequest: Sendable, Hashable {
    var workers: Int
    /// Whole GPUs per worker (1 for a fraction, 0 for CPU-only).
    var gpusPerWorker: Int
    /// Thousandths of each GPU (1,000 for whole GPUs).
    var gpuMilli: Int
    var cpuPerWorker: Int
    var memoryPerWorker: Int
    /// The topology level the job must stay inside, if any.
    var colocation: TopologyLevel?

    init(_ job: JobSpec) {
        workers = job.workerCount
        gpusPerWorker = job.gpus == 0 ? 0 : job.gpus / workers
        gpuMilli = job.gpuMilli
        cpuPerWorker = (job.cpuMilli + workers - 1) / workers
        memoryPerWorker = (job.memoryMiB + workers - 1) / workers
        colocation = job.colocation
    }

    var isFractional: Bool { gpusPerWorker == 1 && gpuMilli < 1000 }
    /// Milli-GPUs for the whole job.
    var totalMilli: Int { workers * gpusPerWorker * gpuMilli }
    /// Whole GPUs for the whole job (0 for a fraction).
    var wholeGPUs: Int { isFractional ? 0 : workers * gpusPerWorker }
}
