import ArgumentParser
import Foundation
import GPUScheduling

/// `mlops gpu fragmentation`: fill a cluster with a snapshot's jobs under each placement and
/// compare how much GPU capacity each leaves unusable.
struct GPUFragmentation: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fragmentation",
        abstract: "Fill a cluster with a snapshot's jobs under each placement strategy; report failed jobs and unusable GPUs.",
        discussion: """
            Every job is placed at its submit time and never leaves (a fill snapshot such as the Alibaba \
            2023 pod list); a job that finds no room fails. Unusable GPUs: the free capacity a task drawn \
            from the trace's own mix of requests could not use, summed over nodes (Weng et al., ATC '23).
            Exit codes: 0 done, 2 bad input.
            """)

    @Option(help: ArgumentHelp("The job trace (CSV).", valueName: "file"))
    var trace: String

    @OptionGroup var clusterOptions: ClusterOptions

    @Option(parsing: .upToNextOption, help: "Placement strategies to compare (default: all four, binpack spread first-fit fragmentation-aware).")
    var placement: [LibraryChoice<PlacementStrategy>] = []

    @OptionGroup var formatting: FormatOptions<OutputFormat>

    func run() async throws {
        let jobs = try TraceReader.read(path: trace)
        let clusterSpec = try clusterOptions.clusterSpec()
        let strategies = placement.isEmpty ? PlacementStrategy.allCases : placement.map(\.value)
        var reports: [FillStudy.Report] = []
        for strategy in strategies {
            Terminal.progress("filling \(clusterSpec.gpuCount) GPUs with \(jobs.jobs.count) jobs, \(strategy.rawValue)")
            reports.append(try FillStudy(trace: jobs, cluster: clusterSpec, placement: strategy).run())
        }
        switch formatting.format {
        case .json: try Terminal.printJSON(reports)
        case .text:
            var lines = ["placement  failed jobs  failed GPUs  allocated GPUs  free GPUs  unusable GPUs  stranded on shared GPUs"]
            for report in reports {
                let f = report.final
                lines.append(
                    String(
                        format: "%@  %ld  %.1f  %.1f  %.1f  %.1f  %.2f", report.placement, f.failedJobs, f.failedGPUs, f.allocatedGPUs,
                        f.fragmentation.freeGPUs, f.fragmentation.unusableGPUs, f.fragmentation.strandedGPUs))
            }
            Terminal.output(lines.joined(separator: "\n"))
        }
    }
}
