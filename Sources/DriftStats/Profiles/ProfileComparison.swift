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
        let automatic = configuration.automaticChoice.method(kind: r.kind, distinct: distinct, count: r.presentCount)
        guard let method = configuration.columnMethods[name] ?? configuration.method ?? automatic else {
            return analyzer.notTested(name, kind: r.kind, role: role, "no method applies", reference: summaries.0, current: summaries.1, issues: issues)
        }
        let threshold = configuration.threshold(for: name, method: method)
        let evaluation: MethodEvaluation
        var histogram: ColumnHistogram?
        do throws(DriftError) {
            if r.kind == .categorical {
                histogram = ColumnHistogram(categoricalReference: r.categoryCounts, current: c.categoryCounts)
                guard r.presentCount > 0, c.presentCount > 0 else {
                    throw DriftError(.emptySample, "\(r.presentCount == 0 ? "the baseline" : "the current profile") has no values")
                }
                evaluation = try MethodEvaluation(categorical: method, reference: r.categoryCounts, current: c.categoryCounts)
            } else {
                histogram = ColumnHistogram(sketchReference: r.quantiles, current: c.quantiles)
                evaluation = try Self.numeric(method, reference: r, current: c, binCount: configuration.binCount)
            }
        } catch {
            var column = analyzer.notTested(name, kind: r.kind, role: role, error.description, reference: summaries.0, current: summaries.1, issues: issues)
            column.method = method
            column.histogram = histogram
            return column
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

    static func numeric(_ method: DriftMethod, reference: ColumnProfile, current: ColumnProfile, binCount: Int) throws(DriftError) -> MethodEvaluation {
        guard !reference.quantiles.isEmpty else { throw DriftError(.emptySample, "the baseline has no values") }
        guard !current.quantiles.isEmpty else { throw DriftError(.emptySample, "the current profile has no values") }
        let (r, c) = (reference.quantiles.cumulativeSteps(), current.quantiles.cumulativeSteps())
        let raw = wassersteinBetweenSteps(r, c)
        let deviation = reference.moments.standardDeviation
        let effect = deviation > 0 ? raw / deviation : (raw == 0 ? 0 : .infinity)
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
            var squares = 0.0
            var previous: (value: Double, gap: Double)?
            walkSteps(r, c) { value, a, b in
                if let previous { squares += previous.gap * previous.gap * (value - previous.value) }
                previous = (value, Swift.abs(a - b))
            }
            let distance = (2 * squares).squareRoot()
            statistic = deviation > 0 ? distance / deviation : (distance == 0 ? 0 : .infinity)
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

    /// Welch's t from two moment sketches (finite values only).
    static func welch(_ a: MomentSketch, _ b: MomentSketch) -> (Double, Double?) {
        let (na, nb) = (Double(a.finiteCount), Double(b.finiteCount))
        guard na >= 2, nb >= 2 else { return (.nan, nil) }
        let va = a.m2 / (na - 1) / na, vb = b.m2 / (nb - 1) / nb
        let t = (a.finiteMean - b.finiteMean) / (va + vb).squareRoot()
        let dof = (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1))
        guard t.isFinite, let distribution = try? StudentTDistribution(degreesOfFreedom: dof) else { return (t, nil) }
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
        let referenceNullRate = DataQualityCheck.share(reference.missing, of: reference.rowCount)
        let currentNullRate = DataQualityCheck.share(current.missing, of: current.rowCount)
        if current.rowCount > 0 && current.missing == current.rowCount {
            issues.append(QualityIssue(check: .allNull, column: name, severity: .error, message: "every one of the \(current.rowCount) current cells is missing", value: 1))
        } else if currentNullRate - referenceNullRate > rules.maxNullRateIncrease {
            issues.append(QualityIssue(
                check: .nullRate, column: name, severity: .warning,
                message: "missing share rose from \(DataQualityCheck.percent(referenceNullRate)) to \(DataQualityCheck.percent(currentNullRate)) (limit +\(DataQualityCheck.percent(rules.maxNullRateIncrease)))",
                value: currentNullRate
            ))
        }
        guard reference.kind == current.kind else { return issues }
        if reference.kind == .categorical {
            if reference.categoryCountsAreExact {
                var referenceCounts = reference.categoryCounts
                referenceCounts[ColumnProfile.otherCategories] = nil
                var currentCounts = current.categoryCounts
                currentCounts[ColumnProfile.otherCategories] = nil
                issues += DataQualityCheck.categories(name, reference: referenceCounts, current: currentCounts, rules: rules)
            }
            return issues
        }
        let infinite = current.moments.positiveInfinityCount + current.moments.negativeInfinityCount
        if infinite > 0 {
            issues.append(QualityIssue(check: .typeViolation, column: name, severity: .warning, message: "\(infinite) current values are infinite", value: Double(infinite)))
        }
        if let low = reference.moments.min, let high = reference.moments.max, !current.quantiles.isEmpty {
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
        let low = Swift.min(r[0], c[0]), high = Swift.max(r[1], c[1])
        guard low.isFinite, high.isFinite else { return nil }
        let binCount = high > low ? Self.numericBins : 1
        let width = (high - low) / Double(binCount)
        let edges = (1..<binCount).map { low + Double($0) * width }
        guard let referenceShares = try? reference.pmf(at: edges, inclusive: false), let currentShares = try? current.pmf(at: edges, inclusive: false) else { return nil }
        self.init(labels: ([low] + edges).map { Self.format($0) }, edges: edges, reference: referenceShares, current: currentShares)
    }
}
