/// What a simulation measured. Every figure can be recomputed from the schedule
/// (``SimulationResult/stretches``) and the trace; Documentation/GPUScheduling.md gives each
/// definition.
///
/// Encoded with snake-case keys by `mlops gpu simulate --format json` (`jct_seconds`,
/// `queueing_delay_seconds`, …).
public struct SimulationReport: Sendable, Hashable, Codable {
    /// Average, median and 99th percentile of a set of values (percentiles interpolate linearly
    /// between order statistics, as numpy's `percentile` does by default).
    public struct Summary: Sendable, Hashable, Codable {
        /// The mean.
        public var average: Double
        /// The 50th percentile.
        public var median: Double
        /// The 99th percentile.
        public var p99: Double
        /// How many values.
        public var count: Int
    }

    /// The jobs by what became of them.
    public struct JobCounts: Sendable, Hashable, Codable {
        /// Rows in the trace.
        public var total: Int
        /// Ran to the end.
        public var finished: Int
        /// Can never run on this cluster (``unschedulableJobs`` says why).
        public var unschedulable: Int
        /// Still waiting or running when events ran out (0 unless something is wrong).
        public var unfinished: Int
    }

    /// One point of the utilisation timeline (time-weighted averages over a slice of the run).
    public struct TimelinePoint: Sendable, Hashable, Codable {
        /// Seconds from the first submission (the slice's start).
        public var time: Double
        /// GPUs busy, on average over the slice.
        public var busyGPUs: Double
        /// Jobs waiting, on average over the slice.
        public var queuedJobs: Double

        enum CodingKeys: String, CodingKey {
            case time
            case busyGPUs = "busy_gpus"
            case queuedJobs = "queued_jobs"
        }
    }

    /// Busy GPUs over the run.
    public struct Utilization: Sendable, Hashable, Codable {
        /// Busy GPU-seconds over (GPUs × makespan).
        public var average: Double
        /// The run in slices, for plotting.
        public var timeline: [TimelinePoint]
    }

    /// How evenly teams were treated.
    public struct Fairness: Sendable, Hashable, Codable {
        /// Jain's index over teams of their average finish-time fairness: 1 when every team was
        /// slowed alike, 1/teams at worst.
        public var jainIndex: Double
        /// Finish-time fairness ρ over jobs (JCT over the time the job would take on its team's
        /// weighted share of the cluster alone; ρ ≤ 1 is fair): average and worst.
        public var finishTimeFairnessAverage: Double
        /// The worst ρ of any job.
        public var finishTimeFairnessMax: Double
    }

    /// Preemptions and what they cost.
    public struct Preemptions: Sendable, Hashable, Codable {
        /// How many times a job was stopped.
        public var count: Int
        /// Distinct jobs stopped at least once.
        public var jobsPreempted: Int
        /// GPU-hours of work lost (since the victims' last checkpoints).
        public var lostGPUHours: Double
    }

    /// GPU-hours split by what they were, and priced.
    public struct GPUHours: Sendable, Hashable, Codable {
        /// Running within the team's quota, work kept.
        public var used: Double
        /// Running on quota borrowed from the cohort, work kept.
        public var borrowed: Double
        /// Held idle by a reservation for the team's job (free GPUs kept back by backfill).
        public var idleHeld: Double
        /// Run, then lost to a preemption.
        public var lostToPreemption: Double
        /// All four.
        public var total: Double
    }

    /// One team's share of the run.
    public struct Team: Sendable, Hashable, Codable {
        /// The team.
        public var team: String
        /// Its jobs in the trace.
        public var jobs: Int
        /// Of those, finished.
        public var finished: Int
        /// Average JCT of its finished jobs, seconds.
        public var averageJCTSeconds: Double
        /// Average finish-time fairness ρ of its finished jobs.
        public var finishTimeFairness: Double
        /// GPU-hours by kind.
        public var gpuHours: GPUHours
        /// The same, priced at each node's price per GPU-hour.
        public var cost: GPUHours
    }

    /// The scheduler's own speed.
    public struct SchedulerSpeed: Sendable, Hashable, Codable {
        /// Admission attempts (one per job considered in a pass).
        public var decisions: Int
        /// Seconds spent in scheduling passes.
        public var seconds: Double
        /// Decisions per second.
        public var decisionsPerSecond: Double
    }

    /// A job that can never run, and why.
    public struct Unschedulable: Sendable, Hashable, Codable {
        /// Its row number.
        public var job: Int
        /// Why.
        public var reason: String
    }

    /// The policy's name.
    public var policy: String
    /// The placement strategy.
    public var placement: String
    /// The backfill mode.
    public var backfill: String
    /// The trace's form.
    public var traceFormat: String
    /// Arrivals came at submit time divided by this.
    public var timeScale: Double
    /// Nodes in the cluster.
    public var nodes: Int
    /// GPUs in the cluster.
    public var gpus: Int
    /// The jobs by outcome.
    public var jobs: JobCounts
    /// Job completion time (finish minus submit), seconds, over finished jobs.
    public var jctSeconds: Summary
    /// Time not running between submit and finish (JCT minus time running), seconds.
    public var queueingDelaySeconds: Summary
    /// The last finish, seconds from the first submission.
    public var makespanSeconds: Double
    /// Busy GPUs.
    public var utilization: Utilization
    /// Team fairness.
    public var fairness: Fairness
    /// Preemptions.
    public var preemptions: Preemptions
    /// Per team, by name.
    public var teams: [Team]
    /// All teams together.
    public var totalCost: Double
    /// The scheduler's speed.
    public var scheduler: SchedulerSpeed
    /// Jobs that can never run.
    public var unschedulableJobs: [Unschedulable]
    /// Free GPU capacity stranded when the last job arrived (fractional-GPU traces).
    public var fragmentation: FragmentationReport?
}

extension SimulationReport.Summary {
    /// Summarises values (all zero when there are none).
    init(_ values: [Double]) {
        guard !values.isEmpty else {
            self.init(average: 0, median: 0, p99: 0, count: 0)
            return
        }
        let sorted = values.sorted()
        func percentile(_ p: Double) -> Double {
            let position = p / 100 * Double(sorted.count - 1)
            let low = Int(position.rounded(.down))
            let high = min(low + 1, sorted.count - 1)
            let fraction = position - Double(low)
            return sorted[low] + (sorted[high] - sorted[low]) * fraction
        }
        var sum = 0.0
        for value in sorted { sum += value }
        self.init(average: sum / Double(sorted.count), median: percentile(50), p99: percentile(99), count: sorted.count)
    }
}
