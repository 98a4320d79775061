import Foundation
import TensorCore

/// Compares a window's streaming profile with a stored baseline profile and decides, with the
/// same configuration, decision rules and report as ``DriftAnalyzer``.
///
/// What runs on sketches: Kolmogorov–Smirnov (``SketchKolmogorovSmirnovTest``), Welch's t
/// (from the exact moments), Wasserstein and energy distances (between the sketches' step
/// CDFs), the binned distances (PSI, Jensen–Shannon, KL, Hellinger, total variation, L∞)
/// over bins fixed at the baseline's quantiles, and chi-square and G on the counts in those
/// bins. Categorical columns use the heavy-hitters
/// counts with every categorical method. Tests that need the raw values (Cramér–von Mises,
/// Anderson–Darling, Mann–Whitney) are reported as not tested.
///
/// Every method carries the sketches' error: each quantile sketch bounds its own rank error
/// (`KLLSketch.rankErrorBound(failureProbability:queries:)`), a full heavy-hitters sketch
/// its count error. A test's p-value is taken at the statistic lowered by that error (plus the
/// chance δ the bounds fail, ``failureProbability``), so false alarms stay at or below the
/// level; a distance is decided on its lower bound. Each tested column reports its
/// ``SketchResolution``: the error and the smallest shift this comparison would flag.
public struct ProfileComparison: Sendable {
    let analyzer: DriftAnalyzer
    /// δ: the chance, per column, that a sketch's error exceeds its bound.
    public let failureProbability: Double

    /// A comparison with checked settings (``DriftConfiguration/season``,
    /// ``DriftConfiguration/modelOutputs`` and the duplicate-row check do not apply to profiles).
    ///
    /// - Parameters:
    ///   - configuration: Methods, thresholds and rules, as for ``DriftAnalyzer``.
    ///   - failureProbability: δ, in (0, 0.01]; the default is
    ///     ``SketchKolmogorovSmirnovTest/defaultFailureProbability`` (10⁻⁴).
    /// - Throws: ``DriftError`` for settings out of range.
    public init(configuration: DriftConfiguration = DriftConfiguration(), failureProbability: Double = SketchKolmogorovSmirnovTest.defaultFailureProbability) throws(DriftError) {
        analyzer = try DriftAnalyzer(configuration: configuration)
        guard failureProbability > 0 && failureProbability <= 0.01 else {
            throw DriftError(.invalidArgument, "The failure probability of the sketches' error bounds is \(failureProbability)", fix: "use a probability in (0, 0.01], such as the default 1e-4.")
        }
        self.failureProbability = failureProbability
    }

    /// The settings.
    public var configuration: DriftConfiguration { analyzer.configuration }

    /// Compares `current` with `reference`, column by column by name.
    public func compare(reference: DatasetProfile, current: DatasetProfile) -> DriftReport {
        var names = configuration.columns ?? reference.columnNames
        if configuration.columns == nil {
            names += current.columnNames.filter { reference.index(of: $0) == nil }
        }
        // One column per core, as `DriftAnalyzer` compares data: a column's resolution search
        // re-evaluates its method at up to a few dozen trial shifts, tens of milliseconds a
        // column at k = 65,535.
        let columnNames = names
        let chunks = ParallelFor.map(count: columnNames.count, minimumChunk: 1) { range in
            range.map { compareColumn(columnNames[$0], reference: reference, current: current) }
        }
        var columns = chunks.flatMap { $0 }
        let dataset = analyzer.decide(&columns)
        return DriftReport(referenceRows: reference.rowCount, currentRows: current.rowCount, dataset: dataset, columns: columns, issues: [])
    }

    func compareColumn(_ name: String, reference: DatasetProfile, current: DatasetProfile) -> ColumnDrift {
        let role = ModelOutputDerivation.role(of: name, configuration.modelOutputs)
        guard let r = reference.column(named: name) else {
            let issue = QualityIssue(check: .unexpectedColumn, column: name, severity: .warning, message: "the current data has this column; the baseline does not")
            return analyzer.notTested(name, kind: current.column(named: name)?.kind ?? .double, role: role, "the baseline has no column '\(name)'", reference: .absent, current: current.column(named: name).map(Self.summary) ?? .absent, issues: [issue])
        }
        guard let c = current.column(named: name) else {
            let issue = QualityIssue(check: .missingColumn, column: name, severity: .error, message: "the baseline has this column; the current profile does not")
            return analyzer.notTested(name, kind: r.kind, role: role, "the current profile has no column '\(name)'", reference: Self.summary(r), current: .absent, issues: [issue])
        }
        let summaries = (Self.summary(r), Self.summary(c))
        let issues = Self.quality(name, reference: r, current: c, rules: configuration.quality)
        guard r.kind == c.kind else {
            if let (kind, reason) = DriftAnalyzer.emptySide(
                reference: (r.kind, r.missing, r.rowCount), current: (c.kind, c.missing, c.rowCount)) {
                return analyzer.notTested(name, kind: kind, role: role, reason, reference: summaries.0, current: summaries.1, issues: issues)
            }
            return analyzer.notTested(name, kind: r.kind, role: role, "the type changed from \(r.kind) to \(c.kind)", reference: summaries.0, current: summaries.1, issues: issues)
        }
        let distinct = r.kind == .categorical ? r.categoryCounts.count : Self.distinctEstimate(r)
        var automatic = configuration.automaticChoice.method(kind: r.kind, distinct: distinct, count: Self.usableCount(r))
        // A numeric column's values counted from its quantile sketches, for a comparison as
        // categories (made once, when needed), and the value behind each label.
        var valueCounts: (counts: ([String: Int], [String: Int]), values: [String: Double])?
        func countedValues() -> (counts: ([String: Int], [String: Int]), values: [String: Double]) {
            if let valueCounts { return valueCounts }
            let (reference, current) = (Self.valueCounts(r.quantiles), Self.valueCounts(c.quantiles))
            let counted = ((reference.counts, current.counts), reference.values.merging(current.values) { first, _ in first })
            valueCounts = counted
            return counted
        }
        if r.kind == .categorical {
            automatic = configuration.automaticChoice.fitting(automatic, categories: Set(r.categoryCounts.keys).union(c.categoryCounts.keys).count)
        } else if r.kind == .double, let picked = automatic, !picked.needsNumbers {
            let counted = countedValues().counts
            automatic = configuration.automaticChoice.fitting(picked, categories: Set(counted.0.keys).union(counted.1.keys).count)
        }
        let chosen = configuration.columnMethods[name] ?? (r.kind == .timestamp ? nil : configuration.method) ?? automatic
        guard let method = chosen else {
            return analyzer.notTested(name, kind: r.kind, role: role, "timestamp columns are checked for freshness, not drift (name a method for this column to compare it)", reference: summaries.0, current: summaries.1, issues: issues)
        }
        // As `DriftAnalyzer` decides for data: a numeric column with few distinct reference values
        // is compared as categories by every method that works on categories (QA sweep: its
        // quantile bins hid a new value in the top bin, so a constant 5 → 6 was stable).
        let asCategories = r.kind == .double && !method.needsNumbers
            && (method.needsTwoCategories || distinct <= configuration.automaticChoice.categoricalDistinctLimit)
        let threshold = configuration.threshold(for: name, method: method)
        let evaluation: MethodEvaluation
        var histogram: ColumnHistogram?
        var resolution: SketchResolution?
        do throws(DriftError) {
            if r.kind == .categorical || asCategories {
                let counts = asCategories ? countedValues().counts : Self.comparableCategoryCounts(r, c)
                histogram = ColumnHistogram(categoricalReference: counts.0, current: counts.1)
                for (side, profile) in [("the baseline", r), ("the current profile", c)] where Self.usableCount(profile) == 0 {
                    throw DriftError(
                        .emptySample,
                        DriftAnalyzer.noUsableValues(
                            side, missing: profile.missing, infinite: profile.kind == .categorical ? 0 : profile.moments.count - profile.moments.finiteCount,
                            rows: profile.rowCount))
                }
                let intervals = asCategories
                    ? Self.valueCountIntervals(r.quantiles, c.quantiles, counts, values: countedValues().values, failureProbability: failureProbability)
                    : Self.categoryIntervals(r, c, counts)
                let evaluated = try SketchMethodEvaluation(categorical: method, reference: intervals.0, current: intervals.1)
                evaluation = evaluated.evaluation
                resolution = categoricalResolution(method, evaluated, reference: intervals.0, current: intervals.1, threshold: threshold)
            } else {
                histogram = ColumnHistogram(sketchReference: r.quantiles, current: c.quantiles)
                let sides = (SketchedDistribution(r), SketchedDistribution(c))
                let evaluated = try SketchMethodEvaluation(
                    numeric: method, reference: sides.0, current: sides.1, binCount: configuration.binCount, failureProbability: failureProbability)
                evaluation = evaluated.evaluation
                resolution = numericResolution(method, evaluated, reference: sides.0, current: sides.1, threshold: threshold)
            }
        } catch {
            return analyzer.notTested(
                name, kind: r.kind, role: role, error.description, reference: summaries.0, current: summaries.1, issues: issues,
                method: method, histogram: histogram)
        }
        if evaluation.statistic.isNaN || evaluation.pValue?.isNaN == true {
            return analyzer.notTested(
                name, kind: r.kind, role: role, "\(method) is undefined for these profiles", reference: summaries.0, current: summaries.1,
                issues: issues, method: method, histogram: histogram)
        }
        let (status, reason) = analyzer.decision(method: method, evaluation: evaluation, pValue: evaluation.pValue, threshold: threshold)
        var column = ColumnDrift(
            name: name, kind: r.kind, role: role, method: method,
            statistic: evaluation.statistic, pValue: evaluation.pValue, threshold: threshold,
            effectSize: evaluation.effectSize, effectMeasure: evaluation.effectMeasure,
            status: status, reason: reason, reference: summaries.0, current: summaries.1,
            histogram: histogram, issues: issues, rawDistance: evaluation.rawDistance
        )
        column.resolution = resolution
        column.sketchEffect = evaluation.decisionEffect
        return column
    }

    /// Whether the analyzer flags an evaluation (drifted or detectable) at `threshold`.
    private func flags(_ method: DriftMethod, _ evaluation: MethodEvaluation, threshold: Double) -> Bool {
        if evaluation.statistic.isNaN || evaluation.pValue?.isNaN == true { return false }
        return analyzer.decision(method: method, evaluation: evaluation, pValue: evaluation.pValue, threshold: threshold).0 != .stable
    }

    /// The resolution of a numeric comparison: the smallest location shift of the reference's
    /// distribution, in its standard deviations, that this comparison flags with the current
    /// profile's count and sketch error.
    func numericResolution(
        _ method: DriftMethod, _ evaluated: SketchMethodEvaluation, reference: SketchedDistribution, current: SketchedDistribution, threshold: Double
    ) -> SketchResolution {
        let deviation = reference.deviation
        var shift: Double?
        // The shortcut reads the asymptotic p-value, also for sketches that never compacted, whose
        // decision is the exact-data test's: the exact p-value at each trial shift cost up to
        // seconds a column (review), for a figure that is an estimate either way.
        if deviation > 0 && deviation.isFinite, method == .kolmogorovSmirnov, configuration.minimumEffect == nil,
           let critical = Self.kolmogorovSmirnovCriticalGap(
               reference.count, current.count, level: threshold, failureProbability: evaluated.failureProbability) {
            // KS flags exactly when D̂ − band reaches the level's critical value, so the search
            // compares gaps and needs the (costly) Smirnov sum once, not once per try.
            let band = evaluated.statisticError
            shift = SketchResolution.smallestFlagged(limit: 10) { delta in
                largestGapBetweenSteps(reference.steps, reference.shifted(by: delta * deviation, like: current).steps) - band >= critical
            }
        } else if deviation > 0 && deviation.isFinite {
            shift = SketchResolution.smallestFlagged(limit: 10) { delta in
                let moved = reference.shifted(by: delta * deviation, like: current)
                guard let trial = try? SketchMethodEvaluation(
                    numeric: method, reference: reference, current: moved, binCount: configuration.binCount, failureProbability: failureProbability,
                    measuresEffect: configuration.minimumEffect != nil)
                else { return false }
                return flags(method, trial.evaluation, threshold: threshold)
            }
        }
        let used = evaluated.failureProbability
        return SketchResolution(
            statisticError: evaluated.statisticError, detectableShift: shift, shiftMeasure: .wassersteinStandardDeviations,
            failureProbability: used, referenceError: evaluated.referenceError, currentError: evaluated.currentError)
    }

    /// The smallest lowered KS gap whose p-value (``SketchMethodEvaluation/kolmogorovSmirnovPValue(_:_:_:failureProbability:)``)
    /// is at most `level`: the inverse survival function at `level − failureProbability`; nil
    /// when no gap reaches it.
    static func kolmogorovSmirnovCriticalGap(_ m: Int, _ n: Int, level: Double, failureProbability: Double) -> Double? {
        let target = level - failureProbability
        guard target > 0, target < 1 else { return nil }
        let (dm, dn) = (Double(m), Double(n))
        let effective = Swift.max(1, Int((dm * dn / (dm + dn)).rounded(.toNearestOrEven)))
        guard let distribution = try? KolmogorovSmirnovDistribution(sampleSize: effective),
              let critical = try? distribution.inverseSurvival(target), critical.isFinite else { return nil }
        return critical
    }

    /// The resolution of a categorical comparison: the smallest share of rows moved from the
    /// reference's most common category to its next (or to a new one) that this comparison
    /// flags with the current profile's count and count error.
    func categoricalResolution(
        _ method: DriftMethod, _ evaluated: SketchMethodEvaluation, reference: CategoryCountIntervals, current: CategoryCountIntervals, threshold: Double
    ) -> SketchResolution {
        let total = Double(Swift.max(reference.total, 1))
        let shares = reference.estimates.map { Double($0) / total }
        let order = shares.indices.sorted { shares[$0] > shares[$1] }
        var shift: Double?
        if let first = order.first {
            let second = order.count > 1 ? order[1] : nil
            let currentTotal = Double(current.total)
            let halfWidth = current.shareError * currentTotal / 2
            shift = SketchResolution.smallestFlagged(limit: shares[first]) { moved in
                var trialShares = shares + (second == nil ? [0] : [])
                trialShares[first] -= moved
                trialShares[second ?? shares.count] += moved
                let estimates = trialShares.map { Int(($0 * currentTotal).rounded()) }
                let trialCurrent = CategoryCountIntervals(
                    estimates: estimates, intervals: estimates.map { (Double($0) - halfWidth, Double($0) + halfWidth) }, total: current.total,
                    failureProbability: current.failureProbability)
                var trialReference = reference
                if second == nil {
                    trialReference.estimates.append(0)
                    trialReference.intervals.append((0, 0))
                }
                guard let trial = try? SketchMethodEvaluation(categorical: method, reference: trialReference, current: trialCurrent) else { return false }
                return flags(method, trial.evaluation, threshold: threshold)
            }
        }
        return SketchResolution(
            statisticError: evaluated.statisticError, detectableShift: shift, shiftMeasure: .totalVariation,
            failureProbability: evaluated.failureProbability, referenceError: evaluated.referenceError, currentError: evaluated.currentError)
    }

    /// The reference's standard deviation for effects in σ: the moment sketch's, or, when its M2
    /// overflowed (values above about 1e154 square beyond a `Double`), an estimate from the
    /// quantile sketch's steps computed in a scaled domain, so huge values still get a finite σ
    /// and their shifts are not hidden as zero effects.
    ///
    /// The same estimate stands in for an M2 that lost its digits to underflow: deviations
    /// narrower than about 2⁻⁵¹¹ square to subnormal numbers or 0, so a column of values near
    /// 1e-300 had σ = 0 and an infinite effect.
    static func standardDeviation(of profile: ColumnProfile, steps: [(value: Double, rank: Double)]) -> Double {
        let exact = profile.finiteStandardDeviation
        guard let low = profile.quantiles.min, let high = profile.quantiles.max, !momentsHold(exact, low: low, high: high),
              let variance = scaledVariance(steps, scale: scale(low, high))
        else { return exact }
        return variance.squareRoot() * scale(low, high)
    }

    /// Whether a moment sketch's M2 (or a figure made from it) holds its digits for values from
    /// `low` to `high`: finite, and not from squares of deviations narrower than 2⁻⁵⁰⁰ (whose
    /// squares come near the subnormal range, below 2⁻¹⁰²²).
    static func momentsHold(_ fromM2: Double, low: Double, high: Double) -> Bool {
        let spread = high - low
        return fromM2.isFinite && !(spread > 0 && spread < 0x1p-500)
    }

    /// A power of two above every magnitude from `low` to `high`
    /// (`SummaryStatistics.powerOfTwo(above:)`): values divided by it lie within ±2, and
    /// exactly so short of underflow; 1 when both are 0.
    static func scale(_ low: Double, _ high: Double) -> Double {
        let largest = Swift.max(abs(low), abs(high))
        return largest.isFinite ? SummaryStatistics.powerOfTwo(above: largest) : 1
    }

    /// The population variance of a sketch's steps divided by `scale`; nil for no finite steps.
    static func scaledVariance(_ steps: [(value: Double, rank: Double)], scale: Double) -> Double? {
        guard let low = steps.first?.value, let high = steps.last?.value, low.isFinite, high.isFinite else { return nil }
        var mean = 0.0, previous = 0.0
        for step in steps {
            mean += step.value / scale * (step.rank - previous)
            previous = step.rank
        }
        var variance = 0.0
        previous = 0
        for step in steps {
            let deviation = step.value / scale - mean
            variance += deviation * deviation * (step.rank - previous)
            previous = step.rank
        }
        return variance
    }

    /// Category counts of two profiles that can be compared.
    ///
    /// While both heavy-hitters sketches monitor every category they saw, these are the exact
    /// counts. Once either is full, its counts of rare categories are over-estimates (by up to
    /// N / capacity) on a set of keys that differs between the two sides, which would look like
    /// drift; so only categories holding at least ten times that error on either side are
    /// compared one by one (their estimates are then within 10 %), and every other row on each
    /// side is compared as one "(other)" share.
    static func comparableCategoryCounts(_ reference: ColumnProfile, _ current: ColumnProfile) -> ([String: Int], [String: Int]) {
        if reference.categoryCountsAreExact && current.categoryCountsAreExact {
            return (reference.categoryCounts, current.categoryCounts)
        }
        func frequent(_ profile: ColumnProfile) -> [String] {
            let floor = 10 * profile.categories.errorBound
            return profile.categories.topK(profile.categories.monitoredCount).filter { Double($0.estimate) >= floor }.map(\.key)
        }
        let keys = Set(frequent(reference)).union(frequent(current))
        func counts(_ profile: ColumnProfile) -> [String: Int] {
            let monitored = profile.categoryCounts
            var counts: [String: Int] = [:]
            for key in keys {
                // A key this side does not monitor occurred at most N / capacity times; count none.
                counts[key] = monitored[key] ?? 0
            }
            let rest = profile.presentCount - counts.values.reduce(0, +)
            counts[ColumnProfile.otherCategories] = Swift.max(0, rest)
            return counts
        }
        return (counts(reference), counts(current))
    }

    /// Category counts with the interval each true count lies in, in one order of categories.
    ///
    /// Exact counts are their own intervals. A full SpaceSaving sketch over-estimates each
    /// monitored count by at most N / capacity (``HeavyHitters/errorBound``), so a monitored
    /// key's true count lies in [estimate − error, estimate], a key this side does not monitor
    /// in [0, error], and the "(other)" rest, the rows not claimed by the keys, in
    /// [rest − unmonitored keys × error, rest + monitored keys × error].
    static func categoryIntervals(
        _ reference: ColumnProfile, _ current: ColumnProfile, _ counts: ([String: Int], [String: Int])
    ) -> (CategoryCountIntervals, CategoryCountIntervals) {
        let keys = Set(counts.0.keys).union(counts.1.keys).sorted()
        func intervals(_ profile: ColumnProfile, _ counted: [String: Int]) -> CategoryCountIntervals {
            let estimates = keys.map { counted[$0] ?? 0 }
            guard !profile.categoryCountsAreExact else {
                return CategoryCountIntervals(estimates: estimates, intervals: estimates.map { (Double($0), Double($0)) }, total: profile.presentCount)
            }
            let error = profile.categories.errorBound
            let monitored = profile.categoryCounts
            // The rest over-counts by what the unmonitored keys really hold (up to the error
            // each) and under-counts by what the monitored keys over-estimate (up to the error each).
            let named = keys.filter { $0 != ColumnProfile.otherCategories }
            let monitoredNamed = Double(named.filter { monitored[$0] != nil }.count)
            let unmonitoredNamed = Double(named.count) - monitoredNamed
            let bounds: [(Double, Double)] = zip(keys, estimates).map { key, estimate in
                if key == ColumnProfile.otherCategories {
                    return (Swift.max(0, Double(estimate) - unmonitoredNamed * error), Double(estimate) + monitoredNamed * error)
                }
                if monitored[key] != nil { return (Swift.max(0, Double(estimate) - error), Double(estimate)) }
                return (0, error)
            }
            return CategoryCountIntervals(estimates: estimates, intervals: bounds, total: profile.presentCount)
        }
        return (intervals(reference, counts.0), intervals(current, counts.1))
    }

    /// Welch's t from two sketched sides: their finite count, mean and sum of squared deviations
    /// (the moment sketches', exact). Where an M2 does not hold (``momentsHold(_:low:high:)``:
    /// values above about 1e154 or spreads below 2⁻⁵⁰⁰), both sides are divided by one power of
    /// two and that side's M2 is estimated from its quantile sketch's steps, so t is that of
    /// the data brought near 1 instead of undefined or infinite.
    static func welch(_ a: SketchedDistribution, _ b: SketchedDistribution) -> (Double, Double?) {
        guard a.finiteCount >= 2, b.finiteCount >= 2 else { return (.nan, nil) }
        func holds(_ side: SketchedDistribution) -> Bool { momentsHold(side.m2, low: side.low, high: side.high) }
        let result: (statistic: Double, degreesOfFreedom: Double, pValue: Double)
        if holds(a) && holds(b) {
            result = WelchTTest.test(
                (count: a.finiteCount, mean: a.mean, variance: a.m2 / Double(a.finiteCount - 1)),
                (count: b.finiteCount, mean: b.mean, variance: b.m2 / Double(b.finiteCount - 1)))
        } else {
            let scale = Swift.max(Self.scale(a.low, a.high), Self.scale(b.low, b.high))
            func scaled(_ side: SketchedDistribution) -> (count: Int, mean: Double, variance: Double) {
                let m2 = holds(side) ? side.m2 / scale / scale : (scaledVariance(side.steps, scale: scale) ?? .nan) * Double(side.finiteCount)
                return (side.finiteCount, side.mean / scale, m2 / Double(side.finiteCount - 1))
            }
            result = WelchTTest.test(scaled(a), scaled(b))
        }
        return (result.statistic, result.pValue)
    }

    /// A numeric column's values and how often each occurs, read from its quantile sketch's steps
    /// (labelled as ``PreparedColumn/label(_:)`` labels them for data): exact while the sketch
    /// has not compacted, estimates after; with the value behind each label.
    static func valueCounts(_ sketch: KLLSketch) -> (counts: [String: Int], values: [String: Double]) {
        var counts: [String: Int] = [:], values: [String: Double] = [:]
        var previous = 0.0
        for step in sketch.cumulativeSteps() {
            let label = PreparedColumn.label(step.value)
            counts[label, default: 0] += Int(((step.rank - previous) * Double(sketch.count)).rounded())
            values[label] = step.value
            previous = step.rank
        }
        return (counts, values)
    }

    /// Intervals for counts read from two quantile sketches: exact for a sketch that has not
    /// compacted. After compaction a count is a difference of two ranks, each within the sketch's
    /// rank error bound ε (at half of `failureProbability` per sketch, carried into the decision):
    /// ±2εn, ±εn for the smallest and largest values (one rank is exact there), and exactly 0
    /// for a value outside the sketch's exact range (``SketchMethodEvaluation/countInterval(_:from:below:low:high:rankError:)``).
    static func valueCountIntervals(
        _ reference: KLLSketch, _ current: KLLSketch, _ counts: ([String: Int], [String: Int]), values: [String: Double], failureProbability: Double
    ) -> (CategoryCountIntervals, CategoryCountIntervals) {
        let keys = Set(counts.0.keys).union(counts.1.keys).sorted()
        func intervals(_ sketch: KLLSketch, _ counted: [String: Int]) -> CategoryCountIntervals {
            let estimates = keys.map { counted[$0] ?? 0 }
            let error = sketch.rankErrorBound(failureProbability: failureProbability / 2) * Double(sketch.count)
            // A sketch from the first binary form keeps no account of its compactions: its bound
            // is DataSketches' 99 % figure (as `SketchedDistribution.errorBound` says).
            let failure = sketch.compactionVariance == nil ? 0.01 : failureProbability / 2
            guard error > 0, let low = sketch.min, let high = sketch.max else {
                return CategoryCountIntervals(estimates: estimates, intervals: estimates.map { (Double($0), Double($0)) }, total: sketch.count)
            }
            // A value's count is that of the values in [value, next double up).
            let bounds = zip(keys, estimates).map { key, estimate -> (Double, Double) in
                let value = values[key] ?? .nan
                return SketchMethodEvaluation.countInterval(estimate, from: value, below: value.nextUp, low: low, high: high, rankError: error)
            }
            return CategoryCountIntervals(estimates: estimates, intervals: bounds, total: sketch.count, failureProbability: failure)
        }
        return (intervals(reference, counts.0), intervals(current, counts.1))
    }

    /// The distinct values a column's decisions count, as `DriftAnalyzer` counts them for data:
    /// of a numeric column its finite values, exactly while the quantile sketch holds every one
    /// (its steps). After compaction, the distinct-count sketch's estimate less the infinities it
    /// counted, within the finite count, and never below the distinct values the quantile sketch
    /// still holds, which are real (QA sweeps: it said 201 for 200 rows; it counted ±∞; two values
    /// sharing a register read 6 as 5).
    static func distinctEstimate(_ profile: ColumnProfile) -> Int {
        guard profile.kind != .categorical else { return Swift.min(Int(profile.distinct.cardinality.rounded()), profile.presentCount) }
        let held = profile.quantiles.cumulativeSteps().count
        if !profile.quantiles.isEstimationMode { return held }
        let infinities = (profile.moments.positiveInfinityCount > 0 ? 1 : 0) + (profile.moments.negativeInfinityCount > 0 ? 1 : 0)
        return Swift.max(held, Swift.min(Int(profile.distinct.cardinality.rounded()) - infinities, profile.quantiles.count))
    }

    /// The values a column's decisions use: a categorical column's present cells, a numeric
    /// column's finite values (as `DriftAnalyzer` leaves ±∞ out).
    static func usableCount(_ profile: ColumnProfile) -> Int {
        profile.kind == .categorical ? profile.presentCount : profile.quantiles.count
    }

    static func summary(_ profile: ColumnProfile) -> ColumnSummary {
        let distinct = profile.kind == .categorical && profile.categoryCountsAreExact
            ? profile.categoryCounts.count : Self.distinctEstimate(profile)
        guard profile.kind != .categorical, !profile.moments.isEmpty else {
            return ColumnSummary(rows: profile.rowCount, missing: profile.missing, distinct: distinct)
        }
        // Of the finite values, as `DriftAnalyzer` summarises data (review: one ∞ in a baseline
        // made its mean and maximum null); a timestamp column has its range alone, as there.
        let (low, high) = (profile.quantiles.min, profile.quantiles.max)
        guard profile.kind == .double, profile.moments.finiteCount > 0 else {
            return ColumnSummary(rows: profile.rowCount, missing: profile.missing, distinct: distinct, minimum: low, maximum: high)
        }
        let exact = profile.finiteStandardDeviation
        let deviation = momentsHold(exact, low: low ?? 0, high: high ?? 0) ? exact : Self.standardDeviation(of: profile, steps: profile.quantiles.cumulativeSteps())
        return ColumnSummary(
            rows: profile.rowCount, missing: profile.missing, distinct: distinct,
            mean: profile.moments.finiteMean, standardDeviation: deviation, minimum: low, maximum: high
        )
    }

    /// The quality checks a profile supports: missing share, infinities, range, new
    /// categories and cardinality.
    static func quality(_ name: String, reference: ColumnProfile, current: ColumnProfile, rules: DataQualityRules) -> [QualityIssue] {
        var issues: [QualityIssue] = []
        if let missing = DataQualityCheck.missingShare(
            name, reference: (reference.missing, reference.rowCount), current: (current.missing, current.rowCount), rules: rules
        ) {
            issues.append(missing)
        }
        guard reference.kind == current.kind else { return issues }
        if reference.kind == .categorical {
            if reference.categoryCountsAreExact {
                issues += DataQualityCheck.categories(name, reference: reference.categoryCounts, current: current.categoryCounts, rules: rules)
            }
            return issues
        }
        let infinite = current.moments.positiveInfinityCount + current.moments.negativeInfinityCount
        if infinite > 0 {
            issues.append(QualityIssue(check: .typeViolation, column: name, severity: .warning, message: "\(infinite) current values are infinite", value: Double(infinite)))
        }
        if let low = reference.quantiles.min, let high = reference.quantiles.max, !current.quantiles.isEmpty {
            let below = (try? current.quantiles.rank(low, inclusive: false)) ?? 0
            let above = 1 - ((try? current.quantiles.rank(high, inclusive: true)) ?? 1)
            let allowed = rules.allowedRanges[name]
            if let allowed, let seenLow = current.moments.min, let seenHigh = current.moments.max, seenLow < allowed.lowerBound || seenHigh > allowed.upperBound {
                issues.append(QualityIssue(check: .outOfRange, column: name, severity: .error, message: "current values reach \(seenLow)…\(seenHigh), outside the allowed range \(allowed.lowerBound)…\(allowed.upperBound)"))
            } else if allowed == nil, below + above > rules.maxOutOfRangeShare + 2 * current.quantiles.rankErrorBound(failureProbability: SketchKolmogorovSmirnovTest.defaultFailureProbability, queries: 2) {
                issues.append(QualityIssue(
                    check: .outOfRange, column: name, severity: .warning,
                    message: "about \(DataQualityCheck.percent(below + above)) of current values lie outside the baseline range \(low)…\(high) (limit \(DataQualityCheck.percent(rules.maxOutOfRangeShare)))",
                    value: below + above
                ))
            }
        }
        return issues
    }
}

extension ColumnHistogram {
    /// Equal-width bins over both sketches' 0.5 %–99.5 % range, shares from their PMFs.
    init?(sketchReference reference: KLLSketch, current: KLLSketch) {
        guard let r = try? reference.quantiles([0.005, 0.995]), let c = try? current.quantiles([0.005, 0.995]) else { return nil }
        let low = Swift.min(r[0], c[0])
        guard let bins = Self.equalWidthBins(low: low, high: Swift.max(r[1], c[1])),
              let referenceShares = try? reference.pmf(at: bins.edges, inclusive: false),
              let currentShares = try? current.pmf(at: bins.edges, inclusive: false) else { return nil }
        self.init(labels: Self.labels(low: low, edges: bins.edges), edges: bins.edges, reference: referenceShares, current: currentShares)
    }
}
