import Foundation
import TensorCore

/// Runs one ``DriftMethod`` on a prepared reference and current column: the statistic, the
/// p-value for tests, and the effect size used by ``MinimumEffect``.
struct MethodEvaluation: Sendable {
    let statistic: Double
    let pValue: Double?
    let effectSize: Double
    let effectMeasure: EffectMeasure
    /// For Wasserstein and energy: the distance in the column's own units (scipy's
    /// `wasserstein_distance` and `energy_distance`), before scaling by the reference's spread.
    var rawDistance: Double?
    /// What a distance's decision compares with the threshold when that is not ``statistic``:
    /// a lower bound allowing for a sketch's error. Nil for exact data and for tests.
    var decisionStatistic: Double?
    /// What the minimum-effect rule compares when that is not ``effectSize``: the smallest
    /// effect a sketch's error allows. Nil for exact data.
    var decisionEffect: Double?

    /// Evaluates `method`, or throws ``DriftError`` with the reason it does not apply.
    /// - Parameter bins: explicit bins for the binned methods on a numeric column (nil: `binCount`
    ///   quantile bins of the reference).
    init(_ method: DriftMethod, reference: PreparedColumn, current: PreparedColumn, binCount: Int, bins: ReferenceBins? = nil, asCategories: Bool) throws(DriftError) {
        guard reference.usableCount > 0 else {
            throw DriftError(
                .emptySample, DriftAnalyzer.noUsableValues("the reference", missing: reference.missingCount, infinite: reference.nonFiniteCount, rows: reference.rowCount))
        }
        guard current.usableCount > 0 else {
            throw DriftError(
                .emptySample, DriftAnalyzer.noUsableValues("the current data", missing: current.missingCount, infinite: current.nonFiniteCount, rows: current.rowCount))
        }
        if let numbers = reference.numbersWithDeviation, let currentSample = current.numbers, !asCategories {
            try self.init(numeric: method, reference: numbers.0, deviation: numbers.1, current: currentSample, binCount: binCount, bins: bins)
        } else {
            if method.needsNumbers {
                throw DriftError(.invalidArgument, "\(method) compares numbers; this column is compared as categories", fix: "choose a categorical method (chisquare, jensenshannon, psi, …) or let the method be chosen automatically.")
            }
            try self.init(categorical: method, reference: reference.categoryCounts, current: current.categoryCounts)
        }
    }

    init(
        statistic: Double, pValue: Double?, effectSize: Double, effectMeasure: EffectMeasure, rawDistance: Double? = nil,
        decisionStatistic: Double? = nil, decisionEffect: Double? = nil
    ) {
        self.statistic = statistic
        self.rawDistance = rawDistance
        self.pValue = pValue
        self.effectSize = effectSize
        self.effectMeasure = effectMeasure
        self.decisionStatistic = decisionStatistic
        self.decisionEffect = decisionEffect
    }

    private init(numeric method: DriftMethod, reference: SortedSample, deviation: Double, current: SortedSample, binCount: Int, bins given: ReferenceBins?) throws(DriftError) {
        let raw = try WassersteinDistance.distance(reference, current)
        let effect = WassersteinDistance.inDeviations(raw, deviation: deviation)
        let statistic: Double
        var pValue: Double?
        var rawDistance: Double?
        switch method {
        case .kolmogorovSmirnov:
            let test = try KolmogorovSmirnovTest(reference: reference, current: current)
            (statistic, pValue) = (test.statistic, test.pValue)
        case .cramerVonMises:
            let test = try CramerVonMisesTest(reference: reference, current: current)
            (statistic, pValue) = (test.statistic, test.pValue)
        case .andersonDarling:
            let test = try AndersonDarlingTest(reference: reference, current: current)
            (statistic, pValue) = (test.statistic, test.pValue)
        case .mannWhitney:
            let test = try MannWhitneyUTest(reference: reference, current: current)
            (statistic, pValue) = (test.statistic, test.pValue)
        case .welchT:
            let test = try WelchTTest(reference: reference.values, current: current.values)
            (statistic, pValue) = (test.statistic, test.pValue)
        case .wasserstein:
            statistic = effect
            rawDistance = raw
        case .energy:
            let energy = try EnergyDistance.distance(reference, current)
            statistic = EnergyDistance.inReferenceScale(energy, deviation: deviation)
            rawDistance = energy
        case .psi, .jensenShannon, .kullbackLeibler, .hellinger, .totalVariation, .lInfinity, .chiSquare, .gTest, .proportionZ, .fisherExact:
            let bins: ReferenceBins
            if let given { bins = given } else { bins = try ReferenceBins(quantilesOf: reference, count: binCount) }
            let counts = (bins.counts(reference), bins.counts(current))
            let binned = try Self(categorical: method, referenceCounts: counts.0, currentCounts: counts.1)
            (statistic, pValue) = (binned.statistic, binned.pValue)
        }
        self.init(statistic: statistic, pValue: pValue, effectSize: effect, effectMeasure: .wassersteinStandardDeviations, rawDistance: rawDistance)
    }

    init(categorical method: DriftMethod, reference: [String: Int], current: [String: Int]) throws(DriftError) {
        let categories = Set(reference.keys).union(current.keys).sorted()
        try self.init(
            categorical: method,
            referenceCounts: categories.map { reference[$0] ?? 0 },
            currentCounts: categories.map { current[$0] ?? 0 }
        )
    }

    /// A method over counts per bin or category, in the same order on both sides.
    init(categorical method: DriftMethod, referenceCounts: [Int], currentCounts: [Int]) throws(DriftError) {
        let r = shares(of: referenceCounts), c = shares(of: currentCounts)
        let distances = BinnedDistances(referenceShares: r, currentShares: c)
        let statistic: Double
        var pValue: Double?
        switch method {
        case .psi: statistic = PopulationStabilityIndex.index(referenceShares: r, currentShares: c)
        case .jensenShannon: statistic = distances.jensenShannon
        case .kullbackLeibler: statistic = distances.kullbackLeibler
        case .hellinger: statistic = distances.hellinger
        case .totalVariation: statistic = distances.totalVariation
        case .lInfinity: statistic = distances.lInfinity
        case .chiSquare, .gTest:
            let test = try ContingencyTest(reference: referenceCounts, current: currentCounts, statistic: method == .chiSquare ? .pearson : .logLikelihood)
            (statistic, pValue) = (test.statistic, test.pValue)
        case .proportionZ, .fisherExact:
            let present = referenceCounts.indices.filter { referenceCounts[$0] + currentCounts[$0] > 0 }
            guard !present.isEmpty else {
                throw DriftError(.emptySample, "\(method) found no observations to compare")
            }
            guard present.count <= 2 else {
                throw DriftError(.invalidArgument, "\(method) compares two categories; this column has \(present.count)", fix: "use chisquare for more categories.")
            }
            let first = present.first ?? 0
            let (a, b) = (referenceCounts[first], referenceCounts.reduce(0, +))
            let (x, y) = (currentCounts[first], currentCounts.reduce(0, +))
            if method == .proportionZ {
                let test = try ProportionZTest(referenceSuccesses: a, referenceCount: b, currentSuccesses: x, currentCount: y)
                (statistic, pValue) = (test.statistic, test.pValue)
            } else {
                let test = try FisherExactTest(a, b - a, x, y - x)
                (statistic, pValue) = (test.oddsRatio, test.pValue)
            }
        case .kolmogorovSmirnov, .cramerVonMises, .andersonDarling, .mannWhitney, .welchT, .wasserstein, .energy:
            throw DriftError(.invalidArgument, "\(method) compares numbers; this column is compared as categories", fix: "choose a categorical method (chisquare, jensenshannon, psi, …).")
        }
        self.init(statistic: statistic, pValue: pValue, effectSize: distances.totalVariation, effectMeasure: .totalVariation)
    }
}
