import Foundation
@testable import Rollout
import Testing
import TensorCore

@Suite("Rollout statistics and decisions")
struct AnalysisTests {
    @Test("the sample-ratio check matches scipy.stats.chisquare", arguments: RolloutFixtureFile.loaded?.srm ?? [])
    func srmMatchesScipy(_ fixture: RolloutFixtureFile.SRMCase) throws {
        let srm = try SampleRatioMismatch(observed: fixture.observed, expectedShares: fixture.expected)
        #expect(abs(srm.statistic - fixture.statistic) <= 1e-12 * max(1, fixture.statistic))
        #expect(abs(srm.pValue - fixture.p_value) <= 1e-10 * max(fixture.p_value, 1e-300) + 1e-15, "\(srm.pValue) vs \(fixture.p_value)")
    }

    @Test("a replay decides exactly as the pandas/numpy/scipy reference, look by look", arguments: RolloutFixtureFile.loaded?.replays ?? [])
    func replayMatchesReference(_ fixture: RolloutFixtureFile.ReplayCase) throws {
        let variants = fixture.variants.utf8.map { Int32($0 == UInt8(ascii: "1") ? 1 : 0) }
        let metric = fixture.metric.utf8.map { Double($0 == UInt8(ascii: "1") ? 1 : 0) }
        let events = try RolloutEvents(
            timestamps: (0..<variants.count).map { Double($0) * 0.01 }, variantNames: ["control", "candidate"], variants: variants, metric: metric)
        var policy = AnalysisPolicy()
        policy.lookEvery = fixture.look_every
        policy.minimumSamples = fixture.minimum_samples
        policy.expectedSplit = fixture.expected_split
        policy.higherIsBetter = !fixture.lower_is_better
        let result = try EventReplay(control: "control", candidate: "candidate", policy: policy).run(events)
        #expect(result.decision.rawValue == fixture.decision)
        #expect(result.decidedAfterEvents == fixture.decided_after_events)
        #expect(result.looks.count == fixture.looks.count)
        for (look, reference) in zip(result.looks, fixture.looks) {
            #expect(look.events == reference.events)
            #expect(look.decision.rawValue == reference.decision, "at \(look.events): \(look.reason)")
            if let estimate = reference.estimate { #expect(abs((look.estimate ?? .nan) - estimate) < 1e-12) }
            if let interval = reference.interval, let ours = look.interval {
                #expect(abs(ours[0] - interval[0]) < 1e-10 && abs(ours[1] - interval[1]) < 1e-10, "\(ours) vs \(interval)")
            } else {
                #expect(look.interval == nil && reference.interval == nil)
            }
        }
    }

    /// 1,000 seeded A/A rollouts, 20 looks each: the always-valid test rolls back (and promotes)
    /// no more often than α; the naive z-test at every look alarms in about a quarter.
    @Test("A/A: 1,000 rollouts looked at 20 times roll back no more often than α; a naive z-test alarms in about 24%")
    func aaRollbacksBelowAlpha() throws {
        var policy = AnalysisPolicy()
        policy.alpha = 0.05
        policy.lookEvery = 1_000
        policy.minimumSamples = 200
        let simulation = try RolloutSimulation(policy: policy, traffic: .init(baseline: 0.1, relativeEffect: 0, maximumEvents: 20_000))
        let summary = try simulation.run(trials: 1_000, seed: 1)
        let rollback = summary.rate(of: .rollback), promote = summary.rate(of: .promote)
        print("A/A, 1,000 trials × 20 looks: rollback \(rollback), promote \(promote), naive alarm \(summary.naiveAlarmRate), naive harm \(summary.naiveHarmRate)")
        #expect(rollback <= policy.alpha)
        #expect(rollback + promote <= policy.alpha)
        #expect(summary.naiveAlarmRate > 0.15 && summary.naiveAlarmRate < 0.35, "naive alarm rate \(summary.naiveAlarmRate)")
        #expect(summary.naiveAlarmRate > 3 * (rollback + promote))
    }

    @Test("a true 5% relative regression in a conversion rate is rolled back, and promoted no more often than β")
    func regressionRolledBack() throws {
        var policy = AnalysisPolicy()
        policy.alpha = 0.05
        policy.lookEvery = 10_000
        let beta = 0.2
        let simulation = try RolloutSimulation(policy: policy, traffic: .init(baseline: 0.1, relativeEffect: -0.05, maximumEvents: 2_000_000))
        let summary = try simulation.run(trials: 1_000, seed: 100)
        let rollback = summary.decisions.first { $0.decision == .rollback }
        print("5% regression, 1,000 trials: rollback \(summary.rate(of: .rollback)) after a median \(rollback?.medianEvents ?? .nan) events (p90 \(rollback?.p90Events ?? .nan)), promote \(summary.rate(of: .promote))")
        #expect(summary.rate(of: .rollback) >= 1 - beta)
        #expect(summary.rate(of: .promote) <= beta)
        #expect(summary.rate(of: .promote) <= policy.alpha)
        #expect((rollback?.medianEvents ?? .infinity) < 400_000)
    }

    @Test("the same seed gives the same simulation")
    func simulationSeeded() throws {
        let simulation = try RolloutSimulation(policy: AnalysisPolicy(), traffic: .init(baseline: 0.2, relativeEffect: 0.1, maximumEvents: 50_000))
        #expect(simulation.trial(seed: 9) == simulation.trial(seed: 9))
    }

    @Test("the exact binomial draw has the binomial's mean and variance")
    func binomialMoments() throws {
        var policy = AnalysisPolicy()
        policy.lookEvery = 1
        // The mean metric path, and the proportion path through one-event batches, agree with their moments.
        let simulation = try RolloutSimulation(policy: policy, traffic: .init(baseline: 0.3, relativeEffect: 0, maximumEvents: 10))
        var random = Xoshiro256StarStar(seed: 3)
        var sum = 0.0, squares = 0.0
        let draws = 20_000
        for _ in 0..<draws {
            let arm = simulation.draw(count: 400, mean: 0.3, using: &random)
            let successes = arm.mean * 400
            sum += successes
            squares += successes * successes
        }
        let mean = sum / Double(draws), variance = squares / Double(draws) - mean * mean
        #expect(abs(mean - 120) < 0.3, "mean \(mean)")
        #expect(abs(variance - 84) < 4, "variance \(variance)")
    }

    @Test("Welford summaries merge to the sequential result, and CUPED shrinks the variance on a correlated covariate")
    func summariesAndCuped() throws {
        var random = Xoshiro256StarStar(seed: 11)
        var whole = ArmSummary(), left = ArmSummary(), right = ArmSummary()
        var control = ArmSummary(), candidate = ArmSummary()
        for i in 0..<20_000 {
            let x = random.nextNormal()
            let y = 1e6 + 0.8 * x + 0.6 * random.nextNormal()
            whole.add(y, covariate: x)
            if i < 7_000 { left.add(y, covariate: x) } else { right.add(y, covariate: x) }
            if i % 2 == 0 { control.add(y, covariate: x) } else { candidate.add(y + 0.01, covariate: x) }
        }
        left.merge(right)
        #expect(left.count == whole.count)
        #expect(abs(left.mean - whole.mean) < 1e-6)
        #expect(abs(left.variance - whole.variance) < 1e-9 * whole.variance + 1e-12)
        #expect(abs(left.coDeviations - whole.coDeviations) < 1e-6 * abs(whole.coDeviations))
        let plain = MeanDifference(control: control, candidate: candidate)
        let adjusted = MeanDifference(control: control, candidate: candidate, cuped: true)
        #expect(adjusted.variance < plain.variance * 0.45, "CUPED variance \(adjusted.variance) vs \(plain.variance)")
        #expect(abs((adjusted.cupedTheta ?? 0) - 0.8) < 0.03)
        #expect(abs(adjusted.estimate - 0.01) < 0.03)
    }

    @Test("the confidence sequence is wider than a fixed-sample interval and shrinks with data")
    func confidenceSequence() throws {
        let sequence = try ConfidenceSequence(alpha: 0.05, tuningSampleSize: 10_000)
        let variance = 0.25 / 5_000 * 2  // two arms of 5,000 with p = 0.5
        let half = sequence.halfWidth(estimateVariance: variance, totalSamples: 10_000)
        #expect(half > 1.96 * variance.squareRoot())
        #expect(half < 3.5 * variance.squareRoot())
        #expect(sequence.halfWidth(estimateVariance: variance / 10, totalSamples: 100_000) < half)
        #expect(throws: RolloutError.self) { try ConfidenceSequence(alpha: 1.5) }
        #expect(throws: RolloutError.self) { try ConfidenceSequence(alpha: 0.05, tuningSampleSize: 0) }
    }

    @Test("too little traffic holds, no traffic holds, a mismatch holds: never a pass by default")
    func holds() throws {
        let analysis = try SequentialAnalysis(policy: AnalysisPolicy())
        #expect(analysis.look(control: ArmSummary(), candidate: ArmSummary()).decision == .hold)
        var c = ArmSummary(), t = ArmSummary()
        for i in 0..<500 { c.add(i % 10 == 0 ? 1 : 0); t.add(1) }
        let early = analysis.look(control: c, candidate: t)
        #expect(early.decision == .hold)
        #expect(early.reason.contains("too little traffic"))
        for i in 0..<5_000 { c.add(i % 10 == 0 ? 1 : 0) }
        for _ in 0..<1_000 { t.add(1) }
        let skewed = analysis.look(control: c, candidate: t)
        #expect(skewed.decision == .hold)
        #expect(skewed.reason.contains("sample ratio mismatch"))
        var policy = AnalysisPolicy()
        policy.onSampleRatioMismatch = .rollback
        #expect(try SequentialAnalysis(policy: policy).look(control: c, candidate: t).decision == .rollback)
        // At the maximum without a conclusion: hold.
        var bounded = AnalysisPolicy()
        bounded.maximumSamples = 1_000
        var a = ArmSummary(), b = ArmSummary()
        for i in 0..<1_000 { a.add(Double(i % 2)); b.add(Double((i + 1) % 2)) }
        #expect(try SequentialAnalysis(policy: bounded).look(control: a, candidate: b).decision == .hold)
    }

    @Test("a guardrail broken rolls back first, with the reason")
    func guardrails() throws {
        var policy = AnalysisPolicy()
        policy.minimumSamples = 10
        policy.guardrails = [try Guardrail(metric: "error_rate", maximum: 0.05), try Guardrail(metric: "latency_p99", maximumIncrease: 0.2)]
        let recorder = try EvidenceRecorder(variants: ["control", "candidate"])
        for i in 0..<100 {
            recorder.recordRequest(variant: 0, latency: 0.010 + Double(i % 10) * 0.001)
            recorder.recordRequest(variant: 1, latency: 0.010 + Double(i % 10) * 0.001, error: i % 10 == 0)
        }
        let breach = recorder.guardrailBreach(policy, control: 0, candidate: 1)
        #expect(breach?.contains("error_rate") == true)
        // Guardrails read requests, which come before outcomes: a breach rolls back even before any outcome arrived.
        let look = try SequentialAnalysis(policy: policy).look(control: ArmSummary(), candidate: ArmSummary(), guardrailBreach: breach)
        #expect(look.decision == .rollback)
        var c = ArmSummary(), t = ArmSummary()
        for _ in 0..<20 { c.add(0); t.add(0) }
        #expect(try SequentialAnalysis(policy: policy).look(control: c, candidate: t, guardrailBreach: breach).decision == .rollback)
        #expect(throws: RolloutError.self) { try Guardrail(metric: "latency_p42", maximum: 1) }
        #expect(throws: RolloutError.self) { try Guardrail(metric: "error_rate") }
        #expect(throws: RolloutError.self) { try Guardrail(metric: "error_rate", maximum: -1) }
    }

    @Test("policies with impossible thresholds are refused at configuration time, naming the key")
    func policyValidation() throws {
        func refused(_ json: String) -> String? {
            do {
                _ = try AnalysisPolicy(json: Data(json.utf8))
                return nil
            } catch {
                #expect(error.code == .invalidPolicy)
                return error.location
            }
        }
        #expect(refused(#"{"alpha": 1.5}"#) == "alpha")
        #expect(refused(#"{"alpha": 0}"#) == "alpha")
        #expect(refused(#"{"minimum_samples": 5000, "maximum_samples": 100}"#) == "maximum_samples")
        #expect(refused(#"{"expected_split": [50]}"#) == "expected_split")
        #expect(refused(#"{"expected_split": [50, -1]}"#) == "expected_split")
        #expect(refused(#"{"non_inferiority_margin": 2}"#) == "non_inferiority_margin")
        #expect(refused(#"{"look_every": 0}"#) == "look_every")
        #expect(refused(#"{"alpah": 0.05}"#) == "alpah")
        #expect(refused(#"{"alpha": 0.05, "alpha": 0.5}"#) == "alpha")
        #expect(refused(#"{"expected_split": [1e308, 1e308]}"#) == "expected_split")
        #expect(refused(#"{"guardrails": [{"metric": "a", "metric": "b"}]}"#) == "guardrails[0].metric")
        #expect(refused(#"{"kind": "ratio"}"#) != nil)
        #expect(refused(#"{"minimum_samples": 1}"#) == "minimum_samples")
        let policy = try AnalysisPolicy(json: Data(#"{"kind": "mean", "higher_is_better": false, "alpha": 0.01}"#.utf8))
        #expect(policy.kind == .mean && !policy.higherIsBetter && policy.alpha == 0.01 && policy.minimumSamples == 1_000)
    }

    @Test("replays refuse unknown variants and non-0/1 proportions, count other variants, missing metrics and broken stickiness, and sort late rows")
    func replayBadInput() throws {
        let events = try RolloutEvents(
            timestamps: [3, 1, 2, 4, 5], variantNames: ["control", "candidate", "other"], variants: [0, 1, 2, 0, 1], metric: [1, 0, 1, .nan, 0],
            units: [0, 0, 1, 2, 3])
        #expect(events.reorderedRows == 1)
        #expect(events.timestamps == [1, 2, 3, 4, 5])
        var policy = AnalysisPolicy()
        policy.lookEvery = 2
        let result = try EventReplay(control: "control", candidate: "candidate", policy: policy).run(events)
        #expect(result.otherVariantEvents == 1)
        #expect(result.missingMetricEvents == 1)
        #expect(result.unitsInSeveralVariants == 1)
        #expect(result.decision == .hold)
        #expect(result.looks.map(\.events) == [2, 4, 5])
        #expect(throws: RolloutError.self) { try EventReplay(control: "control", candidate: "ghost", policy: policy).run(events) }
        let notBinary = try RolloutEvents(timestamps: [1, 2], variantNames: ["control", "candidate"], variants: [0, 1], metric: [0.5, 1])
        #expect(throws: RolloutError.self) { try EventReplay(control: "control", candidate: "candidate", policy: policy).run(notBinary) }
        #expect(throws: RolloutError.self) { try RolloutEvents(timestamps: [.nan], variantNames: ["a"], variants: [0], metric: [1]) }
        #expect(throws: RolloutError.self) { try EventReplay(control: "a", candidate: "a", policy: policy) }
    }

    @Test("a unit that switches variants again and again counts once as seen in both")
    func unitsCountedOnce() throws {
        // Unit 0 alternates four times, unit 1 twice, unit 2 stays in the control.
        let events = try RolloutEvents(
            timestamps: (1...9).map(Double.init), variantNames: ["control", "candidate"], variants: [0, 1, 0, 1, 0, 1, 0, 0, 0],
            metric: [0, 1, 0, 1, 0, 1, 0, 1, 0], units: [0, 0, 0, 0, 1, 1, 1, 2, 2])
        let result = try EventReplay(control: "control", candidate: "candidate", policy: AnalysisPolicy()).run(events)
        #expect(result.unitsInSeveralVariants == 2)
    }
}

@Suite("Sample-ratio check at the edges")
struct SampleRatioEdgeTests {
    @Test("shares whose sum overflows keep their proportions: 1e308/1e308 is 50/50")
    func overflowingShares() throws {
        let huge = try SampleRatioMismatch(observed: [5_000, 5_000], expectedShares: [1e308, 1e308])
        let plain = try SampleRatioMismatch(observed: [5_000, 5_000], expectedShares: [50, 50])
        #expect(huge.expectedShares == [0.5, 0.5])
        #expect(huge.pValue == plain.pValue)
        #expect(!huge.mismatch(at: 0.001))
    }
}

@Suite("A look as JSON")
struct RolloutLookJSONTests {
    @Test("every key is written, a value not defined yet as null, and the look reads back the same")
    func stableKeys() throws {
        let look = RolloutLook(
            events: 3, controlSamples: 3, candidateSamples: 0, elapsedSeconds: 2, controlMean: 0, candidateMean: nil, estimate: nil,
            relativeEstimate: nil, interval: nil, srmPValue: 0.08, decision: .hold, reason: "no candidate data yet")
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = try encoder.encode(look)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == [
            "events", "control_samples", "candidate_samples", "elapsed_seconds", "control_mean", "candidate_mean", "estimate",
            "relative_estimate", "interval", "srm_p_value", "decision", "reason",
        ])
        #expect(object["candidate_mean"] is NSNull && object["interval"] is NSNull)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(try decoder.decode(RolloutLook.self, from: data) == look)
    }
}
