import MLOpsStorage
import ArgumentParser
import Foundation
import Rollout

/// The analysis-policy options `rollout analyze` and `rollout simulate` share: a policy file,
/// and flags that override its settings.
struct PolicyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("An analysis policy (JSON; see Documentation/Rollout.md). Flags given override its settings.", valueName: "file"))
    var policy: String?

    @Option(help: "proportion (a 0/1 metric) or mean (a real-valued one).")
    var kind: MetricKindChoice?

    @Flag(help: "Whether a larger metric is better (conversion; the default) or worse (latency, errors).")
    var direction: Direction?

    @Option(help: "The error rate of the always-valid test (default 0.05).")
    var alpha: Double?

    @Option(name: .customLong("look-every"), help: "Events between looks (default 1000).")
    var lookEvery: Int?

    @Option(name: .customLong("expected-split"), help: ArgumentHelp("The intended control/candidate split, such as 50/50 or 95/5.", valueName: "split"))
    var expectedSplit: String?

    @Option(name: .customLong("minimum-samples"), help: "Observations each variant needs before a decision other than hold (default 1000).")
    var minimumSamples: Int?

    @Option(name: .customLong("maximum-samples"), help: "Observations per variant from which a look that reaches no conclusion decides the policy's at_maximum (hold by default) instead of continue. A hold keeps the rollout where it is; later looks may still promote or roll back.")
    var maximumSamples: Int?

    enum Direction: String, EnumerableFlag {
        case higherIsBetter, lowerIsBetter
    }

    struct MetricKindChoice: ExpressibleByArgument {
        let value: AnalysisPolicy.MetricKind
        init?(argument: String) {
            guard let value = AnalysisPolicy.MetricKind(rawValue: argument.lowercased()) else { return nil }
            self.value = value
        }
        static var allValueStrings: [String] { AnalysisPolicy.MetricKind.allCases.map(\.rawValue) }
    }

    /// The policy: the file's (or the default), with the flags given applied, checked.
    func resolve() throws -> AnalysisPolicy {
        var resolved = AnalysisPolicy()
        if let policy {
            let data = try ConfigurationFile.read(policy, flag: "--policy", fix: "give the policy's JSON file.")
            do {
                resolved = try AnalysisPolicy(json: data)
            } catch {
                throw CommandFailure.usage("error: \(policy): \(error)")
            }
        }
        if let kind { resolved.kind = kind.value }
        if let direction { resolved.higherIsBetter = direction == .higherIsBetter }
        if let alpha { resolved.alpha = alpha }
        if let lookEvery { resolved.lookEvery = lookEvery }
        if let minimumSamples { resolved.minimumSamples = minimumSamples }
        if let maximumSamples { resolved.maximumSamples = maximumSamples }
        if let expectedSplit {
            let parts = expectedSplit.split(separator: "/", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let control = parts[0], let candidate = parts[1] else {
                throw CommandFailure.usage("error: --expected-split '\(expectedSplit)' is not CONTROL/CANDIDATE. Fix: write it as 50/50 or 95/5.")
            }
            resolved.expectedSplit = [control, candidate]
        }
        try resolved.validate()
        return resolved
    }
}
