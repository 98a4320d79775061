import Foundation
import TensorCore

/// Compares a window's streaming profile with a stored baseline profile and decides, with the
/// same configuration, decision rules and report as ``DriftAnalyzer``.
///
/// What runs on sketches: Kolmogorov–Smirnov (``SketchKolmogorovSmirnovTest``, its decision
/// widened by the sketches' rank error), Welch's t (from the moments), Wasserstein and energy
/// distances (between the sketches' step CDFs), and the binned distances (PSI, Jensen–Shannon,
/// KL, Hellinger, total variation, L∞) over bins fixed at the baseline's quantiles. Categorical
/// columns use the heavy-hitters counts with every categorical method. Tests that need the raw
/// values (Cramér–von Mises, Anderson–Darling, Mann–Whitney) are reported as not tested.
public struct ProfileComparison: Sendable {
    let analyzer: DriftAnalyzer

    /// A comparison with checked settings (``DriftConfiguration/season``,
    /// ``DriftConfiguration/modelOutputs`` and the duplicate-row check do not apply to profiles).
    public init(configuration: DriftConfiguration = DriftConfiguration()) throws(DriftError) {
        analyzer = try DriftAnalyzer(configuration: configuration)
    }

    /// The settings.
    public var configuration: DriftConfiguration { analyzer.configuration }

    /// Compares `current` with `reference`, column by column by name.
    public func compare(reference: DatasetProfile, current: DatasetProfile) -> DriftReport {
        var names = configuration.columns ?? reference.columnNames
        if configuration.columns == nil {
            names += current.columnNames.filter { reference.index(of: $0) == nil }
        }
        var columns = names.map { compareColumn($0, reference: reference, current: current) }
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
            return analyzer.notTested(name, kind: r.kind, role: role, "the type changed from \(r.kind) to \(c.kind)", reference: summaries.0, current: summaries.1, issues: issues)
        }
        let distinct = r.kind == .categorical ? r.categoryCounts.count : Int(r.distinct.cardinality.rounded())
        var automatic = configuration.automaticChoice.method(kind: r.kind, distinct: distinct, count: r.presentCount)
        if r.kind != .categorical, let chosen = automatic, !chosen.needsNumbers {
            // A low-cardinality numeric column: its profile keeps no exact counts, so compare
            // its binned shares.
            automatic = .jensenShannon
        }
        if r.kind == .categorical, automatic?.needsTwoCategories == true,
           Set(r.categoryCounts.keys).union(c.categoryCounts.keys).count > 2 {
            automatic = .chiSquare
        }
        let chosen = configuration.columnMethods[name] ?? (r.kind == .timestamp ? nil : configuration.method) ?? automatic
        guard let method = chosen else {
            return analyzer.notTested(name, kind: r.kind, role: role, "timestamp columns are checked for freshness, not drift (name a method for this column to compare it)", reference: summaries.0, current: summaries.1, issues: issues)
        }
        let threshold = configuration.threshold(for: name, method: method)
        let evaluation: MethodEvaluation
        var histogram: ColumnHistogram?
        do throws(DriftError) {
            if r.kind == .categorical {
                let counts = Self.comparableCategoryCounts(r, c)
                histogram = ColumnHistogram(categoricalReference: counts.0, current: counts.1)
                guard r.presentCount > 0, c.presentCount > 0 else {
                    throw DriftError(.emptySample, "\(r.presentCount == 0 ? "the baseline" : "the current profile") has no values")
                }
                evaluation = try MethodEvaluation(categorical: method, reference: counts.0, current: counts.1)
            } else {
                histogram = ColumnHistogram(sketchReference: r.quantiles, current: c.quantiles)
                evaluation = try Self.numeric(method, reference: r, current: c, binCount: configuration.binCount)
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
        return ColumnDrift(
            name: name, kind: r.kind, role: role, method: method,
            statistic: evaluation.statistic, pValue: evaluation.pValue, threshold: threshold,
            effectSize: evaluation.effectSize, effectMeasure: evaluation.effectMeasure,
            status: status, reason: reason, reference: summaries.0, current: summaries.1,
            histogram: histogram, issues: issues
        )
    }

    /// The reference's standard deviation for effects in σ: the moment sketch's, or, when its M2
    /// overflowed (values above about 1e154 square beyond a `Double`), an estimate from the
    /// quantile sketch's steps computed in a scaled domain, so huge values still get a finite σ
    /// and their shifts are not hidden as zero effects.
    static func standardDeviation(of profile: ColumnProfile, steps: [(value: Double, rank: Double)]) -> Double {
        let exact = profile.finiteStandardDeviation
        guard !exact.isFinite, let low = steps.first?.value, let high = steps.last?.value, low.isFinite, high.isFinite else { return exact }
        let scale = Swift.max(abs(low), abs(high))
        guard scale > 0 else { return exact }
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
        return variance.squareRoot() * scale
    }

    static func numeric(_ method: DriftMethod, reference: ColumnProfile, current: ColumnProfile, binCount: Int) throws(DriftError) -> MethodEvaluation {
        guard !reference.quantiles.isEmpty else { throw DriftError(.emptySample, "the baseline has no values") }
        guard !current.quantiles.isEmpty else { throw DriftError(.emptySample, "the current profile has no values") }
        let (r, c) = (reference.quantiles.cumulativeSteps(), current.quantiles.cumulativeSteps())
        let raw = gapIntegralBetweenSteps(r, c, power: 1)
        let deviation = Self.standardDeviation(of: reference, steps: r)
        let effect = WassersteinDistance.inDeviations(raw, deviation: deviation)
        let statistic: Double
        var pValue: Double?
        switch method {
        case .kolmogorovSmirnov:
            let test = try SketchKolmogorovSmirnovTest(reference: reference.quantiles, current: current.quantiles)
            (statistic, pValue) = (test.statistic, test.pValue)
        case .welchT:
            (statistic, pValue) = welch(reference.moments, current.moments)
        case .wasserstein:
            statistic = effect
        case .energy:
            let distance = (2 * gapIntegralBetweenSteps(r, c, power: 2)).squareRoot()
            statistic = WassersteinDistance.inDeviations(distance, deviation: deviation)
        case .psi, .jensenShannon, .kullbackLeibler, .hellinger, .totalVariation, .lInfinity:
            var edges: [Double] = []
            for q in (1..<binCount).map({ Double($0) / Double(binCount) }) {
                if let cut = try? reference.quantiles.quantile(q), edges.last.map({ cut > $0 }) ?? true { edges.append(cut) }
            }
            let shares = (
                (try? reference.quantiles.pmf(at: edges, inclusive: false)) ?? [],
                (try? current.quantiles.pmf(at: edges, inclusive: false)) ?? []
            )
            let binned = try MethodEvaluation(categorical: method, referenceCounts: shares.0.map { Int(($0 * 1e9).rounded()) }, currentCounts: shares.1.map { Int(($0 * 1e9).rounded()) })
            statistic = binned.statistic
        case .cramerVonMises, .andersonDarling, .mannWhitney, .chiSquare, .gTest, .proportionZ, .fisherExact:
            throw DriftError(.invalidArgument, "\(method) needs the raw values (or exact counts), which a numeric profile does not keep", fix: "use ks, ttest, wasserstein, energy or a binned distance on profiles.")
        }
        return MethodEvaluation(statistic: statistic, pValue: pValue, effectSize: effect, effectMeasure: .wassersteinStandardDeviations)
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

    /// Welch's t from two moment sketches (finite values only).
    static func welch(_ a: MomentSketch, _ b: MomentSketch) -> (Double, Double?) {
        let (na, nb) = (Double(a.finiteCount), Double(b.finiteCount))
        guard na >= 2, nb >= 2 else { return (.nan, nil) }
        let va = a.m2 / (na - 1) / na, vb = b.m2 / (nb - 1) / nb
        let t = (a.finiteMean - b.finiteMean) / (va + vb).squareRoot()
        let dof = (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1))
        if t.isInfinite { return (t, 0) }
        guard t.isFinite, let distribution = try? StudentTDistribution(degreesOfFreedom: dof) else { return (t, .nan) }
        return (t, Swift.min(1, 2 * distribution.sf(Swift.abs(t))))
    }

    static func summary(_ profile: ColumnProfile) -> ColumnSummary {
        let distinct = profile.kind == .categorical && profile.categoryCountsAreExact
            ? profile.categoryCounts.count : Int(profile.distinct.cardinality.rounded())
        guard profile.kind != .categorical, !profile.moments.isEmpty else {
            return ColumnSummary(rows: profile.rowCount, missing: profile.missing, distinct: distinct)
        }
        return ColumnSummary(
            rows: profile.rowCount, missing: profile.missing, distinct: distinct,
            mean: profile.moments.mean, standardDeviation: profile.moments.standardDeviation,
            minimum: profile.moments.min, maximum: profile.moments.max
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
            } else if allowed == nil, below + above > rules.maxOutOfRangeShare + SketchKolmogorovSmirnovTest.error(of: current.quantiles) {
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
