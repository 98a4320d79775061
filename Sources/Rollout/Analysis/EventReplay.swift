/// Replays logged events through an analysis policy, looking every N events, exactly as the
/// in-process analysis would have while the rollout ran: the first look that promotes or rolls
/// back ends it. This is how a team checks a policy against its own traffic before trusting it.
public struct EventReplay: Sendable {
    /// The variant traffic is compared against.
    public let control: String
    /// The variant under test.
    public let candidate: String
    /// The analysis.
    public let analysis: SequentialAnalysis

    /// A replay comparing `candidate` with `control` under `policy`.
    ///
    /// - Throws: ``RolloutError/Code/invalidPolicy`` for a policy that cannot work;
    ///   ``RolloutError/Code/unknownVariant`` when the two names are the same or empty.
    public init(control: String, candidate: String, policy: AnalysisPolicy) throws(RolloutError) {
        guard !control.isEmpty, !candidate.isEmpty, control != candidate else {
            throw RolloutError(.unknownVariant, "The control '\(control)' and candidate '\(candidate)' must be two different, non-empty variant names", fix: "name the two variants, such as --control champion --candidate challenger.")
        }
        self.control = control
        self.candidate = candidate
        self.analysis = try SequentialAnalysis(policy: policy)
    }

    /// Runs the replay.
    ///
    /// - Throws: ``RolloutError/Code/unknownVariant`` when no event belongs to the control or the
    ///   candidate (a misspelt name); ``RolloutError/Code/invalidEvents`` for a proportion metric
    ///   that is not 0 or 1.
    public func run(_ events: RolloutEvents) throws(RolloutError) -> ReplayResult {
        let controlCode = events.variantNames.firstIndex(of: control).map(Int32.init)
        let candidateCode = events.variantNames.firstIndex(of: candidate).map(Int32.init)
        for (name, code) in [(control, controlCode), (candidate, candidateCode)] where code == nil {
            throw RolloutError(
                .unknownVariant, "No event is in variant '\(name)'; the events' variants are \(events.variantNames.prefix(10).joined(separator: ", "))",
                location: name, fix: "name a variant that appears in the file (names are case-sensitive).")
        }
        let c = controlCode ?? -1, t = candidateCode ?? -1
        let policy = analysis.policy
        let proportion = policy.kind == .proportion
        let lookEvery = policy.lookEvery
        let total = events.timestamps.count
        let start = events.timestamps.first ?? 0

        var controlArm = ArmSummary(), candidateArm = ArmSummary()
        var assigned = (control: 0, candidate: 0)
        var other = 0, missing = 0
        var looks: [RolloutLook] = []
        var last: RolloutLook?
        // The first variant each unit was seen in (−1: not yet; 2: already counted as seen in both).
        var firstVariant: [Int8] = []
        var unitsInBoth = 0
        if let units = events.units, let top = units.max(), top >= 0 { firstVariant = [Int8](repeating: -1, count: Int(top) + 1) }

        var index = 0
        while index < total {
            let end = min(total, index + lookEvery)
            for i in index..<end {
                let v = events.variants[i]
                let arm: Int8
                if v == c { arm = 0; assigned.control += 1 } else if v == t { arm = 1; assigned.candidate += 1 } else { other += 1; continue }
                if !firstVariant.isEmpty, let unit = events.units?[i], unit >= 0 {
                    let seen = firstVariant[Int(unit)]
                    if seen == -1 { firstVariant[Int(unit)] = arm } else if seen != 2 && seen != arm { firstVariant[Int(unit)] = 2; unitsInBoth += 1 }
                }
                let y = events.metric[i]
                if y.isNaN { missing += 1; continue }
                if proportion && y != 0 && y != 1 {
                    throw RolloutError(
                        .invalidEvents, "Event \(i + 1) has \(y) for a proportion metric, which takes 0 or 1", location: "row \(i + 1)",
                        fix: "pass --kind mean for a real-valued metric, or log 0/1.")
                }
                if !y.isFinite {
                    throw RolloutError(.invalidEvents, "Event \(i + 1) has the metric value \(y)", location: "row \(i + 1)", fix: "log finite values.")
                }
                let x = events.covariate?[i] ?? 0
                if arm == 0 { controlArm.add(y, covariate: x.isNaN ? 0 : x) } else { candidateArm.add(y, covariate: x.isNaN ? 0 : x) }
            }
            index = end
            let look = analysis.look(
                control: controlArm, candidate: candidateArm, assignments: assigned, events: end,
                elapsedSeconds: events.timestamps[end - 1] - start)
            looks.append(look)
            last = look
            if look.decision.isFinal { break }
        }
        let final = last ?? analysis.look(control: controlArm, candidate: candidateArm, assignments: assigned, events: 0)
        let srm = try SampleRatioMismatch(observed: [assigned.control, assigned.candidate], expectedShares: policy.expectedSplit)
        return ReplayResult(
            decision: final.decision, reason: final.reason, decidedAfterEvents: final.events, events: total, control: control, candidate: candidate,
            srm: .init(pValue: srm.pValue, mismatch: srm.mismatch(at: policy.srmAlpha), observed: srm.observed, expectedSplit: policy.expectedSplit),
            otherVariantEvents: other, missingMetricEvents: missing, unitsInSeveralVariants: events.units == nil ? nil : unitsInBoth, reorderedEvents: events.reorderedRows,
            alpha: policy.alpha, kind: policy.kind, higherIsBetter: policy.higherIsBetter, lookEvery: lookEvery, looks: looks)
    }
}

/// What a replay concluded, with every look; encoded as `mlops rollout analyze --format json`.
public struct ReplayResult: Sendable, Codable {
    /// The decision at the last look: the first promote or rollback, else continue or hold.
    public let decision: RolloutDecision
    /// Why, with the numbers.
    public let reason: String
    /// Events seen at the look that decided.
    public let decidedAfterEvents: Int
    /// Events in the file.
    public let events: Int
    /// The control variant.
    public let control: String
    /// The candidate variant.
    public let candidate: String
    /// The sample-ratio check over the events replayed.
    public let srm: SRM
    /// Events of other variants (ignored).
    public let otherVariantEvents: Int
    /// Events without a metric value (counted for the sample ratio, not the test).
    public let missingMetricEvents: Int
    /// Units seen in both variants: each is a broken sticky assignment (nil when the events carry no units).
    public let unitsInSeveralVariants: Int?
    /// How many times a timestamp went backwards in the file (the events were sorted stably).
    public let reorderedEvents: Int
    /// α of the test.
    public let alpha: Double
    /// Proportion or mean.
    public let kind: AnalysisPolicy.MetricKind
    /// Whether larger is better.
    public let higherIsBetter: Bool
    /// Events between looks.
    public let lookEvery: Int
    /// Every look, in order.
    public let looks: [RolloutLook]

    /// The sample-ratio check.
    public struct SRM: Sendable, Codable {
        /// The chi-square p-value.
        public let pValue: Double
        /// Whether it is below the policy's threshold.
        public let mismatch: Bool
        /// Events per variant (control, candidate).
        public let observed: [Int]
        /// The expected split.
        public let expectedSplit: [Double]
    }
}
