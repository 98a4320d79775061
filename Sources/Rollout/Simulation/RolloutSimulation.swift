import Foundation
import TensorCore

/// Runs an analysis policy against generated traffic with a known true effect, many seeded
/// trials, to see how often it promotes, holds and rolls back and how many events each decision
/// takes: how to tune a policy before trusting it with real users.
///
/// Each trial draws events in batches of ``AnalysisPolicy/lookEvery`` and looks after each, as
/// a rollout checked continuously does. Only what the analysis reads is drawn, exactly: the
/// split of a batch follows the weights (as hashing many units does, remainders carried), a
/// proportion's successes are binomial (drawn by geometric waiting times), and a mean's batch
/// sum and squared deviations are normal and scaled chi-square. So a trial of a million events
/// costs microseconds, and a thousand trials run in a test.
///
/// Alongside, each trial runs the naive analysis (a fixed-sample z-test at level α at every
/// look) to show what peeking costs: between identical variants it alarms in about a quarter of
/// trials at 20 looks and α = 0.05, where the always-valid test stays below α.
public struct RolloutSimulation: Sendable {
    /// The traffic each trial sees.
    public struct Traffic: Sendable, Hashable, Codable {
        /// The control's conversion rate (proportion) or mean (mean).
        public var baseline: Double
        /// The candidate's true change relative to the control: −0.05 is 5% lower.
        public var relativeEffect: Double
        /// The outcome's standard deviation in both variants (mean metrics only).
        public var standardDeviation: Double
        /// Events per trial at most (the trial stops earlier at a promote or a rollback).
        public var maximumEvents: Int

        /// Traffic with these settings.
        public init(baseline: Double, relativeEffect: Double, standardDeviation: Double = 1, maximumEvents: Int) {
            self.baseline = baseline
            self.relativeEffect = relativeEffect
            self.standardDeviation = standardDeviation
            self.maximumEvents = maximumEvents
        }
    }

    /// The most looks one trial may take.
    public static let maximumLooks = 100_000

    /// The policy under test.
    public let analysis: SequentialAnalysis
    /// The traffic.
    public let traffic: Traffic

    /// A simulation of `policy` on `traffic`.
    ///
    /// - Throws: ``RolloutError/Code/invalidPolicy`` for a policy that cannot work or traffic
    ///   that cannot exist (a rate outside [0, 1], a non-positive standard deviation, no events,
    ///   more than ``maximumLooks`` looks or 10¹² events a trial).
    public init(policy: AnalysisPolicy, traffic: Traffic) throws(RolloutError) {
        analysis = try SequentialAnalysis(policy: policy)
        let candidate = traffic.baseline * (1 + traffic.relativeEffect)
        switch policy.kind {
        case .proportion:
            for (name, rate) in [("baseline", traffic.baseline), ("baseline × (1 + effect)", candidate)] where !(rate >= 0 && rate <= 1) {
                throw RolloutError(.invalidPolicy, "The \(name) rate \(rate) is not a probability", location: name, fix: "give a conversion rate between 0 and 1 and an effect that keeps it there.")
            }
        case .mean:
            guard traffic.baseline.isFinite, candidate.isFinite else {
                throw RolloutError(
                    .invalidPolicy, "The baseline \(traffic.baseline) and the candidate's mean, baseline × (1 + effect) = \(candidate), must be finite numbers",
                    location: "baseline", fix: "give a smaller --baseline or --effect.")
            }
            guard traffic.standardDeviation > 0, traffic.standardDeviation.isFinite else {
                throw RolloutError(.invalidPolicy, "A mean metric needs a standard deviation above 0, and finite", location: "sd", fix: "give --sd, such as 1.")
            }
        }
        guard traffic.maximumEvents >= policy.lookEvery else {
            throw RolloutError(.invalidPolicy, "Trials of \(traffic.maximumEvents) events never reach a look every \(policy.lookEvery)", location: "events", fix: "give more events per trial than --look-every.")
        }
        guard traffic.maximumEvents <= 1_000_000_000_000 else {
            throw RolloutError(.invalidPolicy, "Trials of \(traffic.maximumEvents) events are more than 10^12", location: "events", fix: "give fewer events per trial.")
        }
        guard traffic.maximumEvents / policy.lookEvery <= Self.maximumLooks else {
            throw RolloutError(
                .invalidPolicy, "Trials of \(traffic.maximumEvents) events looked at every \(policy.lookEvery) take more than \(Self.maximumLooks) looks each",
                location: "events", fix: "look less often (a larger --look-every) or give fewer events.")
        }
        self.traffic = traffic
    }

    /// How one trial ended.
    public struct Trial: Sendable, Hashable, Codable {
        /// The decision it ended with.
        public var decision: RolloutDecision
        /// Events seen when it was decided.
        public var events: Int
        /// Whether the naive z-test alarmed (either side) at any look.
        public var naiveAlarm: Bool
        /// Whether the naive z-test declared harm at any look.
        public var naiveHarm: Bool
    }

    /// One trial, fully determined by `seed`.
    public func trial(seed: UInt64) -> Trial {
        var random = Xoshiro256StarStar(seed: seed)
        let policy = analysis.policy
        let share = policy.expectedSplit[0] / (policy.expectedSplit[0] + policy.expectedSplit[1])
        let (controlRate, candidateRate) = (traffic.baseline, traffic.baseline * (1 + traffic.relativeEffect))
        let critical = (try? NormalDistribution.standard.inverseSurvival(policy.alpha / 2)) ?? 1.96
        let sign: Double = policy.higherIsBetter ? 1 : -1
        var control = ArmSummary(), candidate = ArmSummary()
        var events = 0
        var carried = 0.0
        var naiveAlarm = false, naiveHarm = false
        var look = analysis.look(control: control, candidate: candidate)
        while events < traffic.maximumEvents {
            let batch = min(policy.lookEvery, traffic.maximumEvents - events)
            let exact = Double(batch) * share + carried
            let toControl = Int(exact.rounded(.down))
            carried = exact - Double(toControl)
            control.merge(draw(count: toControl, mean: controlRate, using: &random))
            candidate.merge(draw(count: batch - toControl, mean: candidateRate, using: &random))
            events += batch
            look = analysis.look(control: control, candidate: candidate, events: events)
            if control.count > 1, candidate.count > 1 {
                let d = MeanDifference(control: control, candidate: candidate)
                if d.variance > 0 {
                    let z = d.estimate / d.variance.squareRoot()
                    if abs(z) > critical { naiveAlarm = true }
                    if sign * z < -critical { naiveHarm = true }
                }
            }
            if look.decision.isFinal { break }
        }
        return Trial(decision: look.decision, events: events, naiveAlarm: naiveAlarm, naiveHarm: naiveHarm)
    }

    /// Draws one batch of `count` outcomes' summary.
    func draw(count: Int, mean: Double, using random: inout Xoshiro256StarStar) -> ArmSummary {
        guard count > 0 else { return ArmSummary() }
        switch analysis.policy.kind {
        case .proportion:
            let successes = Self.binomial(count, mean, using: &random)
            let p = Double(successes) / Double(count)
            return ArmSummary(count: count, mean: p, squaredDeviations: Double(successes) * (1 - p) * (1 - p) + Double(count - successes) * p * p)
        case .mean:
            let sd = traffic.standardDeviation
            let sampleMean = mean + sd / Double(count).squareRoot() * random.nextNormal()
            // Σ(x − x̄)² ~ σ² χ²(n − 1) = 2σ² Gamma((n − 1)/2), independent of the mean.
            let deviations = count > 1 ? 2 * sd * sd * ((try? random.nextGamma(shape: Double(count - 1) / 2)) ?? Double(count - 1) / 2) : 0
            return ArmSummary(count: count, mean: sampleMean, squaredDeviations: deviations)
        }
    }

    /// A binomial draw: exact by geometric waiting times (Devroye, Non-Uniform Random Variate
    /// Generation, 1986, X.4.3; expected cost n · min(p, 1 − p) uniforms) up to a million
    /// expected successes per batch, the normal approximation (rounded, clamped) beyond, where
    /// it differs from the binomial by less than the test could ever see.
    static func binomial(_ n: Int, _ p: Double, using random: inout Xoshiro256StarStar) -> Int {
        if p <= 0 { return 0 }
        if p >= 1 { return n }
        let q = min(p, 1 - p)
        if Double(n) * q > 1_000_000 {
            let draw = (Double(n) * p + (Double(n) * p * (1 - p)).squareRoot() * random.nextNormal()).rounded()
            return Int(min(Double(n), max(0, draw)))
        }
        let logComplement = log1p(-q)
        var successes = 0
        var position = 0
        while true {
            // Trials up to and including the next success: a geometric draw, compared in Double
            // first so that a tiny rate cannot overflow the count.
            let u = 1 - random.nextUniform()  // in (0, 1]
            let gap = (log(u) / logComplement).rounded(.down) + 1
            guard gap.isFinite, gap <= Double(n - position) else { break }
            position += Int(gap)
            successes += 1
        }
        return p <= 0.5 ? successes : n - successes
    }

    /// Runs `trials` trials seeded `seed`, `seed + 1`, … and summarises them.
    public func run(trials: Int, seed: UInt64) throws(RolloutError) -> SimulationSummary {
        guard trials >= 1 else {
            throw RolloutError(.invalidPolicy, "\(trials) trials cannot estimate anything", location: "trials", fix: "give 1 or more (1000 for error rates).")
        }
        let results = (0..<trials).map { trial(seed: seed &+ UInt64($0)) }
        return SimulationSummary(trials: results, policy: analysis.policy, traffic: traffic, seed: seed)
    }
}

/// What a simulation found; encoded as `mlops rollout simulate --format json`.
public struct SimulationSummary: Sendable, Codable {
    /// Trials run.
    public let trials: Int
    /// The seed of the first trial.
    public let seed: UInt64
    /// The traffic.
    public let traffic: RolloutSimulation.Traffic
    /// α of the always-valid test.
    public let alpha: Double
    /// Events between looks.
    public let lookEvery: Int
    /// Per final decision: how often, and how many events it took.
    public let decisions: [Outcome]
    /// The share of trials in which a naive z-test at every look alarmed (either side).
    public let naiveAlarmRate: Double
    /// The share in which it declared harm.
    public let naiveHarmRate: Double

    /// One final decision's share and the events it took.
    public struct Outcome: Sendable, Codable {
        /// The decision.
        public let decision: RolloutDecision
        /// Trials that ended with it.
        public let count: Int
        /// Their share of all trials.
        public let rate: Double
        /// Events to decide: mean, median and 90th percentile (nil when no trial ended so).
        public let meanEvents: Double?
        public let medianEvents: Double?
        public let p90Events: Double?
    }

    init(trials results: [RolloutSimulation.Trial], policy: AnalysisPolicy, traffic: RolloutSimulation.Traffic, seed: UInt64) {
        trials = results.count
        self.seed = seed
        self.traffic = traffic
        alpha = policy.alpha
        lookEvery = policy.lookEvery
        decisions = RolloutDecision.allCases.map { decision in
            let events = results.filter { $0.decision == decision }.map { Double($0.events) }.sorted()
            func quantile(_ q: Double) -> Double? {
                guard !events.isEmpty else { return nil }
                return events[min(events.count - 1, Int((q * Double(events.count - 1)).rounded()))]
            }
            return Outcome(
                decision: decision, count: events.count, rate: Double(events.count) / Double(results.count),
                meanEvents: events.isEmpty ? nil : events.reduce(0, +) / Double(events.count), medianEvents: quantile(0.5), p90Events: quantile(0.9))
        }
        naiveAlarmRate = Double(results.filter(\.naiveAlarm).count) / Double(results.count)
        naiveHarmRate = Double(results.filter(\.naiveHarm).count) / Double(results.count)
    }

    /// The share of trials that ended with `decision`.
    public func rate(of decision: RolloutDecision) -> Double { decisions.first { $0.decision == decision }?.rate ?? 0 }
}
