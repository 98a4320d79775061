/// Fills a cluster with a snapshot's jobs and measures what placement left unusable: the
/// fragmentation study the Alibaba 2023 trace is made for (Weng et al., ATC '23).
///
/// Every job is placed at its submit time, in submission order, and never leaves; a job that
/// finds no room is counted as failed and dropped (it does not wait). The result says how many
/// jobs and GPUs fit, and how much free capacity is stranded in pieces the workload cannot use,
/// at several fill levels along the way.
public struct FillStudy: Sendable {
    /// The fill level at one moment.
    public struct Point: Sendable, Hashable, Codable {
        /// GPUs asked for by the jobs so far (placed or not), as a share of the cluster's GPUs.
        public var arrivedShare: Double
        /// GPUs held by placed jobs.
        public var allocatedGPUs: Double
        /// Jobs that found no room so far.
        public var failedJobs: Int
        /// GPUs those jobs asked for.
        public var failedGPUs: Double
        /// The free capacity's fragmentation.
        public var fragmentation: FragmentationReport

        enum CodingKeys: String, CodingKey {
            case arrivedShare = "arrived_share"
            case allocatedGPUs = "allocated_gpus"
            case failedJobs = "failed_jobs"
            case failedGPUs = "failed_gpus"
            case fragmentation
        }
    }

    /// What the study found.
    public struct Report: Sendable, Hashable, Codable {
        /// The placement strategy.
        public var placement: String
        /// GPUs in the cluster.
        public var gpus: Int
        /// Jobs in the snapshot.
        public var jobs: Int
        /// After every job arrived.
        public var final: Point
        /// At 50 %, 70 %, 80 %, 90 % and 95 % of the cluster's GPUs asked for (those reached).
        public var levels: [Point]
    }

    /// The jobs.
    public let trace: Trace
    /// The cluster.
    public let cluster: ClusterSpec
    /// How to place.
    public let placement: PlacementStrategy

    /// Creates a study.
    public init(trace: Trace, cluster: ClusterSpec, placement: PlacementStrategy) {
        self.trace = trace
        self.cluster = cluster
        self.placement = placement
    }

    /// Places every job and reports.
    ///
    /// - Throws: ``SchedulingError`` for an invalid cluster or job.
    public func run() throws(SchedulingError) -> Report {
        var scheduler = try Scheduler(
            cluster: cluster, configuration: SchedulerConfiguration(policy: FIFOPolicy(), placement: placement, backfill: .greedy, preemption: .disabled))
        let order = trace.jobs.indices.sorted { (trace.jobs[$0].submitTime, $0) < (trace.jobs[$1].submitTime, $1) }
        let mix = Simulator.mix(trace.jobs)
        let gpus = Double(max(1, cluster.gpuCount))
        var arrived = 0.0
        var failed = 0
        var failedGPUs = 0.0
        var levels: [Point] = []
        var thresholds: [Double] = [0.5, 0.7, 0.8, 0.9, 0.95]
        func point(at time: Double) -> Point {
            Point(
                arrivedShare: arrived / gpus, allocatedGPUs: Double(scheduler.state.totalMilli - scheduler.freeMilli) / 1000, failedJobs: failed,
                failedGPUs: failedGPUs, fragmentation: scheduler.state.fragmentation(mix: mix, time: time, pendingJobs: 0))
        }
        var time = 0.0
        for i in order {
            let job = trace.jobs[i]
            time = max(time, job.submitTime)
            arrived += job.spec.gpuAmount
            if try scheduler.submit(job.spec, at: time) != nil {
                failed += 1
                failedGPUs += job.spec.gpuAmount
            } else if try scheduler.schedule(at: time).isEmpty {
                // No room: the job is dropped, so it cannot take room from later ones.
                try scheduler.cancel(job.spec.id, at: time)
                failed += 1
                failedGPUs += job.spec.gpuAmount
            }
            while let next = thresholds.first, arrived / gpus >= next {
                thresholds.removeFirst()
                levels.append(point(at: time))
            }
        }
        return Report(placement: placement.rawValue, gpus: cluster.gpuCount, jobs: trace.jobs.count, final: point(at: time), levels: levels)
    }
}
