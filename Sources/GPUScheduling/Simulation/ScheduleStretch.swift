/// One stretch of time a job ran without interruption: a row of `--schedule-out`.
///
/// A job preempted and resumed has several. Times are seconds from the trace's first
/// submission (on the simulated clock, after ``SimulationOptions/timeScale``).
public struct ScheduleStretch: Sendable, Hashable, Codable {
    /// The job's row number in the trace (0-based).
    public var job: Int
    /// When the stretch began.
    public var start: Double
    /// When it ended (the job finished or was preempted).
    public var end: Double
    /// GPUs held (fractions included: 0.46 for 460 milli-GPUs).
    public var gpus: Double
    /// The nodes the workers ran on, by name.
    public var nodes: [String]
    /// Seconds of this stretch's work lost to the preemption that ended it (0 when it finished).
    public var lostSeconds: Double
    /// Milli-GPUs of it borrowed from the team's cohort.
    public var borrowedMilli: Int
    /// What one GPU-hour of it cost (the average over its GPUs' nodes).
    public var pricePerGPUHour: Double
}

extension ScheduleStretch {
    /// The CSV header of `--schedule-out`.
    public static let csvHeader = "job,start,end,gpus,nodes"

    /// The stretch as a CSV row (`job,start,end,gpus,nodes` with nodes `;`-separated).
    public var csvRow: String {
        "\(job),\(Self.format(start)),\(Self.format(end)),\(Self.format(gpus)),\(nodes.joined(separator: ";"))"
    }

    /// Shortest text that reads back to the same number.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }
}
