import ArgumentParser
import Foundation
import Rollout

/// `mlops rollout simulate`: a policy against generated traffic with a known effect.
struct RolloutSimulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a rollout policy against generated traffic with a chosen true effect, over many seeded trials.",
        discussion: """
            Each trial looks every --look-every events up to --events, and stops at the first promote or \
            rollback. Prints how often the policy promoted, continued, held and rolled back, how many events \
            each took, and how often a naive z-test at every look would have alarmed. Same seed, same result.
            Exit codes: 0 the simulation ran, 2 bad input.
            """)

    @Option(parsing: .unconditional, help: "The control's conversion rate (proportion) or mean (mean).")
    var baseline: Double = 0.1

    @Option(parsing: .unconditional, help: "The candidate's true relative change: -0.05 is 5% lower, 0 is no difference.")
    var effect: Double = 0

    @Option(help: "The outcome's standard deviation (mean metrics).")
    var sd: Double = 1

    @Option(help: "Seeded trials to run.")
    var trials: Int = 1_000

    @Option(help: "The first trial's seed.")
    var seed: UInt64 = 1

    @Option(help: "Events per trial at most (default: 20 looks).")
    var events: Int?

    @OptionGroup var policyOptions: PolicyOptions

    @OptionGroup var formatting: FormatOptions<OutputFormat>

    func validate() throws {
        guard trials >= 1, trials <= 1_000_000 else { throw ValidationError("--trials \(trials): give 1 to 1,000,000.") }
        guard effect.isFinite, effect > -1 else { throw ValidationError("--effect \(effect): give a relative change above -1, such as -0.05.") }
        guard baseline.isFinite else { throw ValidationError("--baseline \(baseline) is not a number.") }
        if let events, events < 1 || events > 1_000_000_000_000 { throw ValidationError("--events \(events): give 1 to 10^12.") }
    }

    func run() async throws {
        let policy = try policyOptions.resolve()
        let (twentyLooks, overflow) = policy.lookEvery.multipliedReportingOverflow(by: 20)
        let traffic = RolloutSimulation.Traffic(
            baseline: baseline, relativeEffect: effect, standardDeviation: sd, maximumEvents: events ?? (overflow ? Int.max : twentyLooks))
        let simulation = try RolloutSimulation(policy: policy, traffic: traffic)
        Terminal.progress("running \(trials) trials")
        let summary = try simulation.run(trials: trials, seed: seed)
        switch formatting.format {
        case .json: try Terminal.printJSON(summary)
        case .text: Terminal.output(Self.text(summary))
        }
    }

    static func text(_ summary: SimulationSummary) -> String {
        var lines = [
            String(
                format: "%ld trials, baseline %g, true effect %+.2f%%, up to %ld events, a look every %ld, α = %g", summary.trials, summary.traffic.baseline,
                summary.traffic.relativeEffect * 100, summary.traffic.maximumEvents, summary.lookEvery, summary.alpha),
            "decision     share   events: mean  median  p90",
        ]
        for outcome in summary.decisions {
            func n(_ v: Double?) -> String { v.map { String(format: "%.0f", $0) } ?? "–" }
            lines.append(
                outcome.decision.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                    + String(format: "  %5.1f%%  ", outcome.rate * 100) + "\(n(outcome.meanEvents))  \(n(outcome.medianEvents))  \(n(outcome.p90Events))")
        }
        lines.append(
            String(
                format: "a naive z-test at every look would have alarmed in %.1f%% of trials (declared harm in %.1f%%)", summary.naiveAlarmRate * 100,
                summary.naiveHarmRate * 100))
        return lines.joined(separator: "\n")
    }
}
