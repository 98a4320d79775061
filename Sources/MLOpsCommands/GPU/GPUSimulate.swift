import MLOpsStorage
import ArgumentParser
import Foundation
import GPUScheduling

/// `mlops gpu simulate`: replay a job trace on a cluster under a policy.
struct GPUSimulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay a job trace on a simulated cluster under a scheduling policy.",
        discussion: """
            Reads the Philly list (timestamp,duration,num_gpus,gpu_time,cluster), the Alibaba 2023 pod \
            list, or the generic form (submit_time,duration_s,gpus,team[,priority,gpu_fraction,gang,…]; \
            see Documentation/GPUScheduling.md). The cluster is --gpus N (nodes of --gpus-per-node GPUs) \
            or --cluster FILE (JSON with nodes and team quotas, or an Alibaba node-list CSV).
            JCT is finish time minus submit time, in seconds; --schedule-out writes every stretch a job \
            ran (job,start,end,gpus,nodes; job is the trace's 0-based row, times are seconds from the \
            first submission), from which every figure of the report can be recomputed.
            Exit codes: 0 the replay ran (unschedulable jobs are listed in the report), 2 bad input.
            """)

    @Option(help: ArgumentHelp("The job trace (CSV).", valueName: "file"))
    var trace: String

    @Option(help: "The ordering policy: fifo, priority, drf, las (least attained service) or sjf (shortest job first).")
    var policy = LibraryChoice(PolicyName.fifo)

    @OptionGroup var clusterOptions: ClusterOptions

    @Option(help: "Placement: binpack (fullest nodes first, gangs kept in one island or rack), spread, or first-fit.")
    var placement = LibraryChoice(PlacementStrategy.binPack)

    @Option(help: "Behind a job that cannot start: easy (reservation plus backfill), none (strict order) or greedy.")
    var backfill = LibraryChoice(BackfillMode.easy)

    @Option(name: .customLong("time-scale"), help: "Arrivals come at submit time divided by this (2 doubles the load).")
    var timeScale: Double = 1

    @Option(name: .customLong("checkpoint-interval"), help: "Seconds between checkpoints for jobs whose row does not say; a preemption loses the work since the last one.")
    var checkpointInterval: Double = 600

    @Option(help: "known: the scheduler is told each job's duration (sjf and backfill use it); unknown: it is not.")
    var durations: DurationKnowledge = .known

    @Option(name: .customLong("cooldown"), help: "Seconds a job runs after it starts or resumes before it may be preempted.")
    var cooldown: Double = 600

    @Flag(name: .customLong("no-preemption"), help: "Never preempt.")
    var noPreemption = false

    @Flag(name: .customLong("fair-share-preemption"), help: "Let a team below its fair share preempt one above it (with drf).")
    var fairSharePreemption = false

    @Flag(name: .customLong("check-invariants"), help: "Check every invariant after every event (on by default in debug builds; slower).")
    var checkInvariants = false

    @Option(name: .customLong("schedule-out"), help: ArgumentHelp("Write the schedule as CSV (job,start,end,gpus,nodes).", valueName: "file"))
    var scheduleOut: String?

    @Option(help: ArgumentHelp("Write an SVG plot of utilisation and queue length.", valueName: "file"))
    var plot: String?

    @OptionGroup var formatting: FormatOptions<OutputFormat>

    enum DurationKnowledge: String, ExpressibleByArgument, CaseIterable {
        case known, unknown
    }

    func validate() throws {
        if !(timeScale >= 1e-6 && timeScale <= 1e6) {
            throw ValidationError("--time-scale \(timeScale): give a factor from 0.000001 to 1,000,000, such as 2 (twice the load) or 0.5.")
        }
        if !(checkpointInterval >= 0) || !checkpointInterval.isFinite {
            throw ValidationError("--checkpoint-interval \(checkpointInterval): give 0 or more seconds (0 loses nothing on preemption).")
        }
        if !(cooldown >= 0) || !cooldown.isFinite { throw ValidationError("--cooldown \(cooldown): give 0 or more seconds.") }
        if noPreemption && fairSharePreemption {
            throw ValidationError("--no-preemption and --fair-share-preemption contradict each other. Fix: give one of them.")
        }
        for (flag, path) in [("--schedule-out", scheduleOut), ("--plot", plot)] {
            if let path, path.isEmpty || path.hasSuffix("/") { throw ValidationError("\(flag) '\(path)' is not a file name: give the path of the file to write.") }
        }
        // One file for both outputs would keep only the one written last.
        if let scheduleOut, let plot,
           scheduleOut == plot || (FileIdentity(path: scheduleOut).map { $0 == FileIdentity(path: plot) } ?? false) {
            throw ValidationError("--schedule-out and --plot both name \(plot): the second would replace the first. Fix: give each its own file.")
        }
        let inputs = [trace, clusterOptions.cluster].compactMap { $0 }.compactMap { FileIdentity(path: $0) }
        for (flag, path) in [("--schedule-out", scheduleOut), ("--plot", plot)] {
            if let path, let target = FileIdentity(path: path), inputs.contains(target) {
                throw ValidationError("\(flag) \(path) is one of the inputs: writing it would replace it. Fix: choose another file.")
            }
        }
    }

    func run() async throws {
        // Both outputs are checked before the work: a plot that cannot be written must not leave
        // the schedule written.
        for (flag, path) in [("--schedule-out", scheduleOut), ("--plot", plot)] {
            if let path { try OutputFile.check(path, option: flag) }
        }
        let defaults = TraceDefaults(durationsKnown: durations == .known, checkpointInterval: checkpointInterval)
        let jobs = try TraceReader.read(path: trace, defaults: defaults)
        let clusterSpec = try clusterOptions.clusterSpec()
        var preemption = PreemptionSettings(minimumRunTime: cooldown, fairSharing: fairSharePreemption)
        if noPreemption { preemption.enabled = false }
        let configuration = SchedulerConfiguration(policy: policy.value.policy, placement: placement.value, backfill: backfill.value, preemption: preemption)
        var options = SimulationOptions(timeScale: timeScale)
        if checkInvariants { options.checkInvariants = true }
        let simulator = try Simulator(trace: jobs, cluster: clusterSpec, configuration: configuration, options: options)
        Terminal.progress("replaying \(jobs.jobs.count) jobs on \(clusterSpec.gpuCount) GPUs under \(policy.value.rawValue)")
        let result = try simulator.run()

        if let scheduleOut { try OutputFile.write(result.scheduleCSV, to: scheduleOut) }
        if let plot { try OutputFile.write(UtilizationPlot.svg(result.report), to: plot) }
        switch formatting.format {
        case .json: try Terminal.printJSON(result.report)
        case .text: Terminal.output(Self.text(result.report))
        }
    }


    static func text(_ report: SimulationReport) -> String {
        func hours(_ seconds: Double) -> String { String(format: "%.2f h", seconds / 3600) }
        var lines = [
            "policy \(report.policy) (placement \(report.placement), backfill \(report.backfill)) on \(report.gpus) GPUs in \(report.nodes) nodes, \(report.traceFormat) trace",
            "jobs: \(report.jobs.total) in all, \(report.jobs.finished) finished, \(report.jobs.unschedulable) unschedulable, \(report.jobs.unfinished) unfinished",
            "JCT: average \(hours(report.jctSeconds.average)), median \(hours(report.jctSeconds.median)), p99 \(hours(report.jctSeconds.p99))",
            "queueing delay: average \(hours(report.queueingDelaySeconds.average)), median \(hours(report.queueingDelaySeconds.median)), p99 \(hours(report.queueingDelaySeconds.p99))",
            String(format: "utilisation %.1f%% over %@", report.utilization.average * 100, hours(report.makespanSeconds)),
            String(
                format: "fairness: Jain's index over teams %.3f, finish-time fairness average %.2f, worst %.1f", report.fairness.jainIndex,
                report.fairness.finishTimeFairnessAverage, report.fairness.finishTimeFairnessMax),
            String(format: "preemptions: %ld (%ld jobs), %.1f GPU-hours lost", report.preemptions.count, report.preemptions.jobsPreempted, report.preemptions.lostGPUHours),
            String(format: "scheduler: %ld decisions in %.3f s (%.0f per second)", report.scheduler.decisions, report.scheduler.seconds, report.scheduler.decisionsPerSecond),
        ]
        if let f = report.fragmentation {
            lines.append(
                String(
                    format: "fragmentation at the last arrival: %.1f GPUs free, %.1f stranded on %ld shared GPUs, %.1f unusable by the workload's mix, %ld jobs waiting",
                    f.freeGPUs, f.strandedGPUs, f.partiallyUsedGPUs, f.unusableGPUs, f.pendingJobs))
        }
        lines.append("team  jobs  finished  avg JCT  FTF  GPU-h used  borrowed  idle-held  lost  cost")
        for t in report.teams {
            lines.append(
                String(
                    format: "%@  %ld  %ld  %@  %.2f  %.1f  %.1f  %.1f  %.1f  %.2f", t.team, t.jobs, t.finished, hours(t.averageJCTSeconds),
                    t.finishTimeFairness, t.gpuHours.used, t.gpuHours.borrowed, t.gpuHours.idleHeld, t.gpuHours.lostToPreemption, t.cost.total))
        }
        for job in report.unschedulableJobs.prefix(20) { lines.append("unschedulable: job \(job.job): \(job.reason)") }
        if report.unschedulableJobs.count > 20 { lines.append("… and \(report.unschedulableJobs.count - 20) more unschedulable (see --format json)") }
        return lines.joined(separator: "\n")
    }
}

/// `--policy`, `--placement` and `--backfill` values: the library's enums, parsed by raw value
/// (they cannot conform to ArgumentParser's protocol publicly from here).
struct LibraryChoice<Value: RawRepresentable & CaseIterable & Sendable>: ExpressibleByArgument, Sendable where Value.RawValue == String {
    let value: Value
    init(_ value: Value) { self.value = value }
    init?(argument: String) {
        guard let value = Value(rawValue: argument.lowercased()) else { return nil }
        self.value = value
    }
    var defaultValueDescription: String { value.rawValue }
    static var allValueStrings: [String] { Value.allCases.map(\.rawValue) }
}
