/// What a job asks of the cluster: GPUs (whole or a fraction of one), how they are split into
/// workers that start together, where it may run, how it may be preempted, and how long it is
/// expected to take.
public struct JobSpec: Sendable, Hashable, Codable {
    /// The job's identity in its scheduler (a trace's 0-based row number in the simulator).
    public var id: Int
    /// The team the job is charged to.
    public var team: String
    /// Larger runs first under the priority policy, and may preempt smaller.
    public var priority: Int
    /// Whole GPUs the job needs in all (1 for a fractional job, 0 for a CPU-only one).
    public var gpus: Int
    /// Thousandths of each GPU the job uses: 1,000 for whole GPUs; less for a fraction of one
    /// GPU (only when ``gpus`` is 1).
    public var gpuMilli: Int
    /// The gang: how many workers the GPUs are split into, each on one node, all started together
    /// or not at all. `nil` lets the scheduler split the GPUs freely (one GPU per worker).
    public var workers: Int?
    /// CPU in thousandths of a core for the whole job (split evenly between workers).
    public var cpuMilli: Int
    /// Memory in MiB for the whole job (split evenly between workers).
    public var memoryMiB: Int
    /// GPU models the job can run on; empty means any.
    public var gpuModels: [String]
    /// Labels a node must carry (`"pool": "training"`).
    public var nodeSelector: [String: String]
    /// Taints the job tolerates.
    public var tolerations: [String]
    /// A topology level the whole job must stay inside (`.island` keeps it on one NVLink
    /// island); `nil` prefers the narrowest level that fits without requiring one.
    public var colocation: TopologyLevel?
    /// Whether the scheduler may stop the job to run another.
    public var preemptible: Bool
    /// Seconds between the job's checkpoints: a preemption loses the work since the last one.
    /// 0 saves everything when stopped; `nil` never checkpoints (a preemption loses it all).
    public var checkpointInterval: Double?
    /// How long the job is expected to run, in seconds, when known (shortest-job-first and
    /// backfill use it).
    public var expectedDuration: Double?

    /// Creates a job.
    public init(
        id: Int, team: String, gpus: Int, gpuMilli: Int = 1000, workers: Int? = nil, priority: Int = 0,
        cpuMilli: Int = 0, memoryMiB: Int = 0, gpuModels: [String] = [], nodeSelector: [String: String] = [:],
        tolerations: [String] = [], colocation: TopologyLevel? = nil, preemptible: Bool = true,
        checkpointInterval: Double? = 0, expectedDuration: Double? = nil
    ) {
        self.id = id
        self.team = team
        self.priority = priority
        self.gpus = gpus
        self.gpuMilli = gpuMilli
        self.workers = workers
        self.cpuMilli = cpuMilli
        self.memoryMiB = memoryMiB
        self.gpuModels = gpuModels
        self.nodeSelector = nodeSelector
        self.tolerations = tolerations
        self.colocation = colocation
        self.preemptible = preemptible
        self.checkpointInterval = checkpointInterval
        self.expectedDuration = expectedDuration
    }

    /// The most GPUs (and workers) one job may ask for: far above any cluster, far below where
    /// milli-GPU sums could overflow.
    public static let maximumGPUs = 1_000_000
    /// The most milli-CPU or MiB of memory one job (or node) may have.
    public static let maximumAmount = 1 << 40

    /// The GPUs the job holds while it runs, in milli-GPUs (0.46 GPU is 460).
    public var gpuMilliTotal: Int { gpus * gpuMilli }

    /// The GPUs the job holds while it runs, as a number of GPUs (fractions included).
    public var gpuAmount: Double { Double(gpuMilliTotal) / 1000 }

    /// How many workers the job starts: ``workers``, or one per GPU when the split is free.
    public var workerCount: Int { workers ?? max(gpus, 1) }

    /// Checks the request is well formed.
    ///
    /// - Throws: ``SchedulingError/Code/invalidJob`` naming the field and the fix.
    public func validate() throws(SchedulingError) {
        let at = "job \(id)"
        func fail(_ message: String, _ fix: String) -> SchedulingError {
            SchedulingError(.invalidJob, message, location: at, fix: fix)
        }
        if team.isEmpty { throw fail("the team is empty", "give every job the team it is charged to") }
        if gpus < 0 || gpus > Self.maximumGPUs { throw fail("asks for \(gpus) GPUs", "ask for 0 to \(Self.maximumGPUs) GPUs") }
        if cpuMilli > Self.maximumAmount || memoryMiB > Self.maximumAmount {
            throw fail("asks for more CPU or memory than any cluster has", "ask for at most \(Self.maximumAmount) milli-CPU or MiB")
        }
        if gpuMilli <= 0 || gpuMilli > 1000 {
            throw fail("asks for \(gpuMilli) thousandths of each GPU", "give a GPU fraction in (0, 1]")
        }
        if gpuMilli < 1000 && gpus != 1 {
            throw fail("asks for a fraction of \(gpus) GPUs", "a fractional request takes part of exactly one GPU")
        }
        if gpus == 0 && cpuMilli <= 0 && memoryMiB <= 0 {
            throw fail("asks for nothing (no GPU, CPU or memory)", "ask for at least one GPU or some CPU")
        }
        if cpuMilli < 0 || memoryMiB < 0 { throw fail("asks for negative CPU or memory", "ask for 0 or more") }
        if let workers {
            if workers < 1 || workers > Self.maximumGPUs { throw fail("has a gang of \(workers) workers", "use 1 to \(Self.maximumGPUs) workers") }
            if gpus > 0 && gpus % workers != 0 {
                throw fail("splits \(gpus) GPUs into \(workers) workers", "use a gang size that divides the GPU count")
            }
        }
        if let checkpointInterval, !(checkpointInterval >= 0) {
            throw fail("has checkpoint interval \(checkpointInterval)", "use 0 or more seconds, or none")
        }
        if let expectedDuration, !(expectedDuration >= 0) || !expectedDuration.isFinite {
            throw fail("expects to run \(expectedDuration) s", "use a finite duration of 0 or more seconds")
        }
    }
}
