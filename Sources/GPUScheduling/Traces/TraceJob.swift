/// One job of a trace: what it asks for, when it arrives and how long it really runs.
public struct TraceJob: Sendable, Hashable {
    /// The request; its ``JobSpec/id`` is the job's 0-based row number in the trace file.
    public var spec: JobSpec
    /// When it is submitted, in seconds from the trace's first submission.
    public var submitTime: Double
    /// How long it runs once started, in seconds (its work; preemptions add to its time).
    public var duration: Double
    /// The name the trace gives it, if any.
    public var name: String?

    /// Creates a trace job.
    public init(spec: JobSpec, submitTime: Double, duration: Double, name: String? = nil) {
        self.spec = spec
        self.submitTime = submitTime
        self.duration = duration
        self.name = name
    }
}

/// A list of jobs to replay, in file order (``TraceJob/spec``'s `id` is the row number).
public struct Trace: Sendable, Hashable {
    /// Which form the file was in.
    public enum Format: String, Sendable, Hashable, Codable {
        /// Microsoft Philly (`timestamp,duration,num_gpus,gpu_time,cluster`).
        case philly
        /// Alibaba cluster-trace-gpu-v2023 pod list (`name,cpu_milli,…,creation_time,deletion_time,scheduled_time`).
        case alibaba
        /// The documented generic form (`submit_time,duration_s,gpus,team,…`).
        case generic
    }

    /// The jobs, in file order.
    public var jobs: [TraceJob]
    /// The file's form.
    public var format: Format
    /// The first submission's time in the file's own clock (seconds; Unix time for Philly).
    public var origin: Double

    /// Creates a trace.
    public init(jobs: [TraceJob], format: Format, origin: Double = 0) {
        self.jobs = jobs
        self.format = format
        self.origin = origin
    }
}

/// What a trace leaves unsaid, filled in the same way for every job.
public struct TraceDefaults: Sendable, Hashable {
    /// Give each job its real duration as its expected duration (shortest-job-first and
    /// backfill then know it); `false` hides durations from the scheduler.
    public var durationsKnown: Bool
    /// Seconds between checkpoints for jobs whose row does not say (`nil`: never checkpoints).
    public var checkpointInterval: Double?
    /// Whether jobs may be preempted when their row does not say.
    public var preemptible: Bool

    /// Creates defaults: durations known, a checkpoint every 10 minutes, preemptible.
    public init(durationsKnown: Bool = true, checkpointInterval: Double? = 600, preemptible: Bool = true) {
        self.durationsKnown = durationsKnown
        self.checkpointInterval = checkpointInterval
        self.preemptible = preemptible
    }
}
