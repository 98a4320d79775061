import Foundation
import TensorCore

/// Runs a method on two sketched sides with the sketches' error carried into the result: a
/// test's p-value is computed at the statistic lowered by the error (plus the chance the error
/// bounds fail), a distance gets a lower bound that the decision compares with the threshold.
///
/// The error bounds hold together except with probability `failureProbability`, split evenly
/// between the two sketches (`KLLSketch.rankErrorBound(failureProbability:queries:)`). A
/// sketch that still holds every value adds no error and no failure probability.
struct SketchMethodEvaluation: Sendable {
    /// The evaluation as the analyzer decides on it.
    let evaluation: MethodEvaluation
    /// How far the statistic may be off (see ``SketchResolution/statisticError``).
    let statisticError: Double
    /// The two sides' rank (or share) error bounds.
    let referenceError: Double
    let currentError: Double
    /// The chance the error bounds used fail (0 when no bound was needed); a test's p-value
    /// includes it.
    let failureProbability: Double

    // MARK: - Numeric columns

    /// - Parameter measuresEffect: false to skip the effect size (two integrals over the steps)
    ///   when nothing will read it: the resolution search, without a minimum effect.
    init(
        numeric method: DriftMethod, reference r: SketchedDistribution, current c: SketchedDistribution, binCount: Int,
        failureProbability: Double, measuresEffect: Bool = true
    ) throws(DriftError) {
        guard !r.steps.isEmpty else { throw DriftError(.emptySample, "the baseline has no values") }
        guard !c.steps.isEmpty else { throw DriftError(.emptySample, "the current profile has no values") }
        let half = failureProbability / 2
        // Every value at once on both sides: the bin edges come from the reference's sketch, and
        // a current sketch seeded like it need not flip coins independent of those edges.
        let (boundR, boundC) = (r.errorBound(failureProbability: half), c.errorBound(failureProbability: half))
        let (errorR, errorC) = (boundR.error, boundC.error)
        let band = errorR + errorC
        let failure = boundR.failure + boundC.failure
        let deviation = r.deviation
        let wantsEffect = measuresEffect || method == .wasserstein
        let wasserstein = wantsEffect ? gapIntegralBetweenSteps(r.steps, c.steps, power: 1) : .nan
        let effect = wantsEffect ? WassersteinDistance.inDeviations(wasserstein, deviation: deviation) : .nan
        // The smallest shift in σ the sketches allow: for the minimum-effect rule (and
        // Wasserstein's decision). W₁ ≥ ∫ max(0, |F̂_r − F̂_c| − band) and W₁ ≥ |μ_r − μ_c| (exact).
        var smallestEffect = effect
        var clippedEffect = effect
        if band > 0 && wantsEffect {
            clippedEffect = WassersteinDistance.inDeviations(gapIntegralBetweenSteps(r.steps, c.steps, power: 1, slack: band), deviation: deviation)
            let means = WassersteinDistance.inDeviations(Swift.abs(r.mean - c.mean), deviation: deviation)
            smallestEffect = Swift.min(effect, Swift.max(clippedEffect.isNaN ? 0 : clippedEffect, means.isNaN ? 0 : means))
        }
        var statistic: Double
        var pValue: Double?
        var lower: Double?
        var rawDistance: Double?
        var statisticError = band
        var sideErrors = (errorR, errorC)
        var usedFailure = failure
        switch method {
        case .kolmogorovSmirnov:
            statistic = largestGapBetweenSteps(r.steps, c.steps)
            if band == 0 && failure == 0 {
                // Neither sketch has compacted: its steps are the data, and the test is the
                // exact-data test, the exact p-value for small samples included (QA sweep: the
                // asymptotic one gave p = 0.045 where the data's is 0.083).
                let test = KolmogorovSmirnovTest.decide(statistic, r.count, c.count)
                (statistic, pValue) = (test.statistic, test.pValue)
            } else {
                pValue = Self.kolmogorovSmirnovPValue(statistic - band, r.count, c.count, failureProbability: failure)
            }
        case .welchT:
            // The moments are exact: no sketch error. (Where an M2 does not hold, past 1e154 or
            // for spreads below 2⁻⁵⁰⁰, the quantile sketch's steps stand in for it, and their
            // error is not added to the statistic's.)
            (statistic, pValue) = ProfileComparison.welch(r, c)
            statisticError = 0
            sideErrors = (0, 0)
            usedFailure = 0
        case .wasserstein:
            statistic = effect
            rawDistance = wasserstein
            if band > 0 {
                lower = smallestEffect
                statisticError = Self.difference(statistic, clippedEffect)
            } else {
                statisticError = 0
            }
        case .energy:
            let energy = (2 * gapIntegralBetweenSteps(r.steps, c.steps, power: 2)).squareRoot()
            rawDistance = energy
            statistic = EnergyDistance.inReferenceScale(energy, deviation: deviation)
            if band > 0 {
                let smallest = Self.smallestSquaredGap(r, c, band: band)
                let bound = EnergyDistance.inReferenceScale((2 * smallest).squareRoot(), deviation: deviation)
                lower = bound.isNaN ? 0 : Swift.min(statistic, bound)
                statisticError = Self.difference(statistic, bound)
            } else {
                statisticError = 0
            }
        case .psi, .jensenShannon, .kullbackLeibler, .hellinger, .totalVariation, .lInfinity:
            let edges = Self.referenceEdges(r, exact: errorR == 0, binCount: binCount)
            let shares = (r.shares(edges: edges), c.shares(edges: edges))
            statistic = try Self.binned(method, shares.0, shares.1)
            if band > 0 {
                let bound = BinnedLowerBound.distance(method, referenceShares: shares.0, currentShares: shares.1, referenceError: errorR, currentError: errorC)
                lower = Swift.min(bound, statistic)
                statisticError = Self.difference(statistic, bound)
            } else {
                statisticError = 0
            }
        case .chiSquare, .gTest:
            // As `drift` tests a numeric column of many values: the counts in the reference's
            // bins, each known within the sketches' rank error, decided at the closest counts
            // that error allows (as counts from a full heavy-hitters sketch are).
            let edges = Self.referenceEdges(r, exact: errorR == 0, binCount: binCount)
            let evaluated = try SketchMethodEvaluation(
                categorical: method,
                reference: Self.binCounts(r, edges: edges, rankError: errorR, failureProbability: boundR.failure),
                current: Self.binCounts(c, edges: edges, rankError: errorC, failureProbability: boundC.failure))
            (statistic, pValue) = (evaluated.evaluation.statistic, evaluated.evaluation.pValue)
            statisticError = evaluated.statisticError
            sideErrors = (evaluated.referenceError, evaluated.currentError)
            usedFailure = evaluated.failureProbability
        case .cramerVonMises, .andersonDarling, .mannWhitney, .proportionZ, .fisherExact:
            throw DriftError(.invalidArgument, "\(method) needs the raw values (or exact counts), which a numeric profile does not keep", fix: "use ks, ttest, wasserstein, energy, chisquare or a binned distance on profiles.")
        }
        evaluation = MethodEvaluation(
            statistic: statistic, pValue: pValue, effectSize: effect, effectMeasure: .wassersteinStandardDeviations,
            rawDistance: rawDistance, decisionStatistic: lower, decisionEffect: band > 0 ? smallestEffect : nil)
        self.statisticError = statisticError
        (referenceError, currentError) = sideErrors
        self.failureProbability = usedFailure
    }

    /// `|statistic − bound|`, 0 when either is not a finite number (an infinite distance has no
    /// meaningful error). A lower bound above the sketches' own statistic says the statistic is
    /// low by at least the gap (QA sweep: an energy statistic 8 % low reported no error).
    static func difference(_ statistic: Double, _ bound: Double) -> Double {
        let difference = statistic - bound
        return difference.isFinite ? Swift.abs(difference) : 0
    }

    /// The smallest ∫ (F_r − F_c)² the sketches allow: the true gap lies within `band` of the
    /// sketches' gap everywhere, is 0 outside the values' exact range, and integrates to
    /// μ_c − μ_r exactly (the moments are exact). Minimizing ∫h² under those constraints gives
    /// h = clamp(λ, gap − band, gap + band) with λ set so the integral comes out right
    /// (water-filling); λ is found by bisection. Without the means (unknown or infinite) the
    /// constraint is dropped, which leaves the plain clipped gap.
    static func smallestSquaredGap(_ r: SketchedDistribution, _ c: SketchedDistribution, band: Double) -> Double {
        let low = Swift.min(r.low, c.low), high = Swift.max(r.high, c.high)
        guard low.isFinite, high.isFinite, high > low else { return gapIntegralBetweenSteps(r.steps, c.steps, power: 2, slack: band) }
        // Segments of the sketches' signed gap F̂_r − F̂_c over [low, high].
        var lengths: [Double] = [], gaps: [Double] = []
        var previous = (value: low, gap: 0.0)
        walkSteps(r.steps, c.steps) { value, rankR, rankC in
            let clamped = Swift.min(Swift.max(value, low), high)
            if clamped > previous.value {
                lengths.append(clamped - previous.value)
                gaps.append(previous.gap)
            }
            previous = (Swift.max(previous.value, clamped), rankR - rankC)
        }
        if high > previous.value {
            lengths.append(high - previous.value)
            gaps.append(previous.gap)
        }
        let target = c.mean - r.mean
        let count = lengths.count
        // Plain loops over buffers: these run ~50 times over every segment.
        func integral(_ lambda: Double) -> Double {
            lengths.withUnsafeBufferPointer { lengths in
                gaps.withUnsafeBufferPointer { gaps in
                    var total = 0.0
                    for i in 0..<count { total += lengths[i] * Swift.min(Swift.max(lambda, gaps[i] - band), gaps[i] + band) }
                    return total
                }
            }
        }
        func squared(_ lambda: Double) -> Double {
            var total = 0.0
            for i in 0..<count {
                let h = Swift.min(Swift.max(lambda, gaps[i] - band), gaps[i] + band)
                total += lengths[i] * h * h
            }
            return total
        }
        var clippedOnly = 0.0
        for i in 0..<count {
            let h = Swift.max(0, Swift.abs(gaps[i]) - band)
            clippedOnly += lengths[i] * h * h
        }
        guard target.isFinite, let least = gaps.min(), let most = gaps.max() else { return clippedOnly }
        var (a, b) = (least - band, most + band)
        // The integral is continuous and increasing in λ; outside [a, b] it is flat, so a target
        // outside the reachable range means the bands are inconsistent (rounding): fall back.
        guard integral(a) <= target, integral(b) >= target else { return clippedOnly }
        // 48 halvings take the bracket (at most about 2 wide) below 10⁻¹⁴.
        for _ in 0..<48 {
            let middle = (a + b) / 2
            if integral(middle) < target { a = middle } else { b = middle }
        }
        return Swift.max(clippedOnly, squared((a + b) / 2))
    }

    /// The asymptotic two-sample KS p-value at `lowered` (clamped at 0), plus the chance the
    /// error bounds fail, so the p-value stays valid: P(p ≤ α) ≤ α under no drift.
    static func kolmogorovSmirnovPValue(_ lowered: Double, _ m: Int, _ n: Int, failureProbability: Double) -> Double {
        let (dm, dn) = (Double(m), Double(n))
        let effective = (dm * dn / (dm + dn)).rounded(.toNearestOrEven)
        let p = (try? KolmogorovSmirnovDistribution(sampleSize: Swift.max(1, Int(effective))))?.sf(Swift.max(0, lowered)) ?? .nan
        return Swift.min(Swift.max(p + failureProbability, 0), 1)
    }

    /// The inner bin edges of a numeric comparison, from the reference alone: while its sketch
    /// holds every value (`exact`), the edges `mlops drift` cuts from the data (QA re-check: the
    /// sketch's own quantiles moved a total variation from 0.38 to 0.65 on 9 values); after
    /// compaction, the smallest value whose share reaches each quantile, equal edges merged.
    static func referenceEdges(_ reference: SketchedDistribution, exact: Bool, binCount: Int) -> [Double] {
        if exact, let edges = reference.dataEdges(binCount: binCount) { return edges }
        var edges: [Double] = []
        for q in (1..<binCount).map({ Double($0) / Double(binCount) }) {
            if let cut = reference.quantile(q), edges.last.map({ cut > $0 }) ?? true { edges.append(cut) }
        }
        return edges
    }

    /// A side's counts in the bins `[edgeᵢ₋₁, edgeᵢ)` (the outer bins open-ended), each with the
    /// interval its true count lies in (``countInterval(_:from:below:low:high:rankError:)``).
    static func binCounts(
        _ side: SketchedDistribution, edges: [Double], rankError: Double, failureProbability: Double
    ) -> CategoryCountIntervals {
        let n = Double(side.count)
        let estimates = side.shares(edges: edges).map { Int(($0 * n).rounded()) }
        guard rankError > 0 else {
            return CategoryCountIntervals(estimates: estimates, intervals: estimates.map { (Double($0), Double($0)) }, total: side.count)
        }
        let lowerEdges = [-Double.infinity] + edges, upperEdges = edges + [Double.infinity]
        let intervals = estimates.indices.map { i in
            countInterval(estimates[i], from: lowerEdges[i], below: upperEdges[i], low: side.low, high: side.high, rankError: rankError * n)
        }
        return CategoryCountIntervals(estimates: estimates, intervals: intervals, total: side.count, failureProbability: failureProbability)
    }

    /// The interval the true count of the values in `[lower, upper)` lies in, given a sketch's
    /// estimate and its rank error (in values): the count is n · (F(upper⁻) − F(lower⁻)), and each
    /// rank is within the error except where it is known exactly: 0 at or below the smallest
    /// value (and at −∞), 1 above the largest (and at +∞). So a range inside the values is within
    /// ±2 errors, one touching an end within ±1, and one outside the values holds exactly 0 (a
    /// value the baseline never held stays visible however large the sketch).
    static func countInterval(_ estimate: Int, from lower: Double, below upper: Double, low: Double, high: Double, rankError: Double) -> (Double, Double) {
        if !(upper > low) || lower > high { return (0, 0) }
        func exact(_ edge: Double) -> Bool { !edge.isFinite || !(edge > low) || edge > high }
        let slack = Double((exact(lower) ? 0 : 1) + (exact(upper) ? 0 : 1)) * rankError
        return (Swift.max(0, Double(estimate) - slack), Double(estimate) + slack)
    }

    /// A distance between two share vectors (scaled to counts as the categorical path takes them).
    static func binned(_ method: DriftMethod, _ reference: [Double], _ current: [Double]) throws(DriftError) -> Double {
        try MethodEvaluation(
            categorical: method, referenceCounts: reference.map { Int(($0 * 1e9).rounded()) },
            currentCounts: current.map { Int(($0 * 1e9).rounded()) }
        ).statistic
    }

    // MARK: - Categorical columns

    /// A categorical method on counts known within intervals (a full heavy-hitters sketch):
    /// the statistic at the point estimates, decided at the closest counts the intervals allow.
    init(categorical method: DriftMethod, reference: CategoryCountIntervals, current: CategoryCountIntervals) throws(DriftError) {
        let point = try MethodEvaluation(categorical: method, referenceCounts: reference.estimates, currentCounts: current.estimates)
        let (errorR, errorC) = (reference.shareError, current.shareError)
        referenceError = errorR
        currentError = errorC
        // SpaceSaving's bound is deterministic: nothing can fail. Counts read from a compacted
        // quantile sketch carry its bound's chance of failing.
        let failure = errorR + errorC > 0 ? reference.failureProbability + current.failureProbability : 0
        failureProbability = failure
        guard errorR + errorC > 0 else {
            evaluation = point
            statisticError = 0
            return
        }
        let (nr, nc) = (Double(Swift.max(reference.total, 1)), Double(Swift.max(current.total, 1)))
        let closest = closestShares(
            reference.intervals.map { ($0.0 / nr, $0.1 / nr) }, current.intervals.map { ($0.0 / nc, $0.1 / nc) })
        func counts(_ shares: [Double], _ total: Double) -> [Int] {
            // Clamped: a count read from a file can be near Int.max.
            shares.map { Int(Swift.min(($0 * total).rounded(), 1e18)) }
        }
        let bound = try MethodEvaluation(categorical: method, referenceCounts: counts(closest.0, nr), currentCounts: counts(closest.1, nc))
        if method.hasPValue {
            // A test decides on the closest counts' p-value (never below the point estimate's).
            let candidates = [bound.pValue, point.pValue].compactMap { $0 }.filter { !$0.isNaN }
            let p = candidates.max().map { Swift.min(1, $0 + failure) } ?? .nan
            evaluation = MethodEvaluation(statistic: point.statistic, pValue: p, effectSize: point.effectSize, effectMeasure: point.effectMeasure)
        } else {
            evaluation = MethodEvaluation(
                statistic: point.statistic, pValue: nil, effectSize: point.effectSize, effectMeasure: point.effectMeasure,
                decisionStatistic: Swift.min(bound.statistic, point.statistic), decisionEffect: Swift.min(bound.effectSize, point.effectSize))
        }
        statisticError = Self.difference(point.statistic, bound.statistic)
    }
}

/// Category counts that are known within intervals, in one fixed order of categories.
struct CategoryCountIntervals: Sendable {
    /// The point estimates.
    var estimates: [Int]
    /// The interval each true count lies in.
    var intervals: [(Double, Double)]
    /// Rows counted.
    var total: Int
    /// The chance the intervals fail: 0 for a heavy-hitters sketch's (deterministic), the rank
    /// bound's for counts read from a compacted quantile sketch.
    var failureProbability: Double = 0
    /// The largest interval width as a share of ``total`` (0 for exact counts).
    var shareError: Double {
        let widest = intervals.map { $0.1 - $0.0 }.max() ?? 0
        return total > 0 ? widest / Double(total) : 0
    }
}

/// For each position, the points of the two intervals closest to each other: where they
/// overlap, one common point (the one nearest the middle of the intervals' centres); else
/// the facing ends. Every distance this package computes on shares grows as the two shares of
/// a bin move apart, so these shares give the bin-by-bin smallest value the intervals allow.
func closestShares(_ a: [(Double, Double)], _ b: [(Double, Double)]) -> ([Double], [Double]) {
    var left: [Double] = [], right: [Double] = []
    for ((aLow, aHigh), (bLow, bHigh)) in zip(a, b) {
        let (lowA, highA) = (Swift.max(0, aLow), Swift.max(0, aHigh))
        let (lowB, highB) = (Swift.max(0, bLow), Swift.max(0, bHigh))
        if highA < lowB {
            left.append(highA)
            right.append(lowB)
        } else if highB < lowA {
            left.append(lowA)
            right.append(highB)
        } else {
            let middle = ((lowA + highA) / 2 + (lowB + highB) / 2) / 2
            let common = Swift.min(Swift.max(middle, Swift.max(lowA, lowB)), Swift.min(highA, highB))
            left.append(common)
            right.append(common)
        }
    }
    return (left, right)
}
