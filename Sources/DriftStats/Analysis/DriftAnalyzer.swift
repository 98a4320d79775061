import Foundation
public import TensorCore

/// Compares a current table with its reference, column by column, and decides whether the
/// dataset drifted; data-quality checks run in the same pass.
///
/// Columns are compared in parallel on the machine's cores. Bad input is never a crash and
/// never a silent pass: a column that cannot be compared (missing on one side, no usable
/// values, a changed type, a method that does not apply) gets the status
/// ``ColumnStatus/notTested`` and a reason.
///
/// ```swift
/// let analyzer = try DriftAnalyzer(configuration: DriftConfiguration())
/// let report = analyzer.compare(reference: training, current: lastHour)
/// if report.drifted { print(report.dataset.reason) }
/// ```
public struct DriftAnalyzer: Sendable {
    /// The settings.
    public let configuration: DriftConfiguration

    /// An analyzer with checked settings.
    ///
    /// - Throws: ``DriftError`` when a setting is out of range.
    public init(configuration: DriftConfiguration = DriftConfiguration()) throws(DriftError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// Compares `current` with `reference`.
    ///
    /// - Throws: ``DriftError`` only when a ``DriftConfiguration/season`` is set and a table
    ///   lacks its timestamp column; every per-column problem is a ``ColumnStatus/notTested``
    ///   column in the report instead.
    /// - Complexity: O(n log n) per column for the sorts, columns in parallel.
    public func compare(reference: FeatureTable, current: FeatureTable) throws(DriftError) -> DriftReport {
        var reference = reference
        var season: String?
        if let seasonal = configuration.season {
            let matched = try seasonal.matchingReference(reference, for: current)
            reference = matched.reference
            season = seasonal.describe(matched.seasons)
        }
        let outputs = configuration.modelOutputs
        reference = ModelOutputDerivation.adding(to: reference, outputs)
        let current = ModelOutputDerivation.adding(to: current, outputs)
        var names = configuration.columns ?? reference.columnNames
        if configuration.columns == nil {
            names += current.columnNames.filter { reference.column(named: $0) == nil }
        }
        let (columnNames, matchedReference) = (names, reference)
        let chunks = ParallelFor.map(count: columnNames.count, minimumChunk: 1) { range in
            range.map { compareColumn(columnNames[$0], reference: matchedReference, current: current) }
        }
        var columns = chunks.flatMap { $0 }
        var dataset = decide(&columns)
        var multivariate: MultivariateDrift?
        if let options = configuration.multivariate {
            let joint = MultivariateDrift.compare(reference: reference, current: current, columns: names, options: options)
            multivariate = joint
            if joint.drifted && !dataset.drifted {
                dataset.drifted = true
                dataset.reason += "; the numeric columns drifted jointly (\(joint.reason))"
            }
        }
        var issues: [QualityIssue] = []
        if let duplicates = DataQualityCheck.duplicates(reference: reference, current: current, rules: configuration.quality) {
            issues.append(duplicates)
        }
        if let rule = configuration.quality.freshness, let stale = DataQualityCheck.freshness(rule, current: current) {
            issues.append(stale)
        }
        return DriftReport(
            referenceRows: reference.rowCount, currentRows: current.rowCount, dataset: dataset, columns: columns, issues: issues,
            season: season, multivariate: multivariate)
    }

    /// Compares one column.
    func compareColumn(_ name: String, reference: FeatureTable, current: FeatureTable) -> ColumnDrift {
        let role = ModelOutputDerivation.role(of: name, configuration.modelOutputs)
        guard let referenceColumn = reference.column(named: name) else {
            let kind = current.column(named: name)?.kind ?? .double
            let issue = QualityIssue(check: .unexpectedColumn, column: name, severity: .warning, message: "the current data has this column; the reference does not")
            let summary = current.column(named: name).map { Self.summary(PreparedColumn($0)) } ?? .absent
            return notTested(name, kind: kind, role: role, "the reference has no column '\(name)'", reference: .absent, current: summary, issues: [issue])
        }
        let referencePrepared = PreparedColumn(referenceColumn)
        guard let currentColumn = current.column(named: name) else {
            let issue = QualityIssue(check: .missingColumn, column: name, severity: .error, message: "the reference has this column; the current data does not")
            return notTested(name, kind: referenceColumn.kind, role: role, "the current data has no column '\(name)'", reference: Self.summary(referencePrepared), current: .absent, issues: [issue])
        }
        let currentPrepared = PreparedColumn(currentColumn)
        let issues = DataQualityCheck.column(name, reference: referencePrepared, current: currentPrepared, currentColumn: currentColumn, rules: configuration.quality)
        let summaries = (Self.summary(referencePrepared), Self.summary(currentPrepared))
        guard referencePrepared.kind == currentPrepared.kind else {
            if let (kind, reason) = Self.emptySide(
                reference: (referencePrepared.kind, referencePrepared.missingCount, referencePrepared.rowCount),
                current: (currentPrepared.kind, currentPrepared.missingCount, currentPrepared.rowCount)) {
                return notTested(name, kind: kind, role: role, reason, reference: summaries.0, current: summaries.1, issues: issues)
            }
            return notTested(name, kind: referenceColumn.kind, role: role, "the type changed from \(referencePrepared.kind) to \(currentPrepared.kind)", reference: summaries.0, current: summaries.1, issues: issues)
        }
        let choice = configuration.automaticChoice
        let automatic = choice.fitting(
            choice.method(kind: referencePrepared.kind, distinct: referencePrepared.distinctCount, count: referencePrepared.usableCount),
            categories: Set(referencePrepared.categoryCounts.keys).union(currentPrepared.categoryCounts.keys).count)
        guard let method = configuration.columnMethods[name] ?? configuration.method.flatMap({ referencePrepared.kind == .timestamp ? nil : $0 }) ?? automatic else {
            return notTested(name, kind: referenceColumn.kind, role: role, "timestamp columns are checked for freshness, not drift (name a method for this column to compare it)", reference: summaries.0, current: summaries.1, issues: issues)
        }
        // A numeric column with few distinct reference values (AutomaticMethodChoice's limit) is
        // compared as categories by every method that works on categories, chosen or named alike:
        // the comparison depends on the data, not on whether `auto` would have picked the same
        // method (quantile bins of three values are degenerate, and a new value shares a bin).
        let asCategories = referencePrepared.kind == .double && !method.needsNumbers
            && (method.needsTwoCategories || referencePrepared.distinctCount <= configuration.automaticChoice.categoricalDistinctLimit)
        let histogram: ColumnHistogram?
        if let r = referencePrepared.numbers, let c = currentPrepared.numbers, !asCategories {
            histogram = ColumnHistogram(numericReference: r, current: c)
        } else {
            histogram = ColumnHistogram(categoricalReference: referencePrepared.categoryCounts, current: currentPrepared.categoryCounts)
        }
        let threshold = configuration.threshold(for: name, method: method)
        let evaluation: MethodEvaluation
        do {
            evaluation = try MethodEvaluation(
                method, reference: referencePrepared, current: currentPrepared, binCount: configuration.binCount,
                bins: configuration.columnBins[name], asCategories: asCategories)
        } catch {
            return notTested(
                name, kind: referenceColumn.kind, role: role, error.description, reference: summaries.0, current: summaries.1, issues: issues,
                method: method, histogram: histogram)
        }
        if evaluation.statistic.isNaN || evaluation.pValue?.isNaN == true {
            return notTested(
                name, kind: referenceColumn.kind, role: role,
                "\(method) is undefined for these samples (statistic \(Self.format(evaluation.statistic)), p-value \(evaluation.pValue.map(Self.format) ?? "—"))",
                reference: summaries.0, current: summaries.1, issues: issues, method: method, histogram: histogram)
        }
        let (status, reason) = decision(method: method, evaluation: evaluation, pValue: evaluation.pValue, threshold: threshold)
        return ColumnDrift(
            name: name, kind: referenceColumn.kind, role: role, method: method,
            statistic: evaluation.statistic, pValue: evaluation.pValue, threshold: threshold,
            effectSize: evaluation.effectSize, effectMeasure: evaluation.effectMeasure,
            status: status, reason: reason, reference: summaries.0, current: summaries.1,
            histogram: histogram, issues: issues, rawDistance: evaluation.rawDistance
        )
    }

    /// The column's status and its reason, from the p-value (tests) or the statistic (distances).
    func decision(method: DriftMethod, evaluation: MethodEvaluation, pValue: Double?, threshold: Double) -> (ColumnStatus, String) {
        let significant: Bool
        var reason: String
        if method.hasPValue {
            let p = pValue ?? .nan
            significant = p <= threshold
            reason = "\(method) p = \(Self.format(p)) \(significant ? "≤" : ">") \(Self.format(threshold))"
        } else if let bound = evaluation.decisionStatistic, bound != evaluation.statistic {
            significant = bound >= threshold
            reason = "\(method) = \(Self.format(evaluation.statistic)), at least \(Self.format(bound)) allowing for the sketches' error, \(significant ? "≥" : "<") \(Self.format(threshold))"
        } else {
            significant = evaluation.statistic >= threshold
            reason = "\(method) = \(Self.format(evaluation.statistic)) \(significant ? "≥" : "<") \(Self.format(threshold))"
        }
        let unit = evaluation.effectMeasure == .wassersteinStandardDeviations ? " σ" : ""
        let effectName = evaluation.effectMeasure == .wassersteinStandardDeviations ? "shift" : "share moved"
        guard significant else { return (.stable, reason + ": no drift") }
        if let minimum = configuration.minimumEffect {
            let needed = evaluation.effectMeasure == .wassersteinStandardDeviations ? minimum.numeric : minimum.categorical
            // On sketches, the smallest effect their error allows must reach the minimum.
            let effect = evaluation.decisionEffect ?? evaluation.effectSize
            let allowing = evaluation.decisionEffect.map { $0 != evaluation.effectSize ? " (at least \(Self.format($0))\(unit) allowing for the sketches' error)" : "" } ?? ""
            if effect < needed {
                return (.detectable, reason + ", but the \(effectName) \(Self.format(evaluation.effectSize))\(unit)\(allowing) is below the minimum effect \(Self.format(needed))\(unit): detectable, not drifted")
            }
            reason += " and the \(effectName) \(Self.format(evaluation.effectSize))\(unit)\(allowing) ≥ \(Self.format(needed))\(unit)"
        }
        return (.drifted, reason + ": drifted")
    }

    /// Applies the dataset rule (adjusting p-values first when it asks to) and decides.
    func decide(_ columns: inout [ColumnDrift]) -> DatasetDrift {
        if case .anyColumn(let adjustment) = configuration.datasetRule {
            let tested = columns.indices.filter { columns[$0].status != .notTested && columns[$0].method?.hasPValue == true }
            let adjusted = MultipleTesting.adjusted(tested.map { columns[$0].pValue ?? .nan }, method: adjustment)
            for (index, p) in zip(tested, adjusted) {
                guard let method = columns[index].method, let threshold = columns[index].threshold else { continue }
                columns[index].adjustedPValue = p.isFinite ? p : nil
                let evaluation = MethodEvaluation(
                    statistic: columns[index].statistic ?? .nan, pValue: p, effectSize: columns[index].effectSize ?? .infinity,
                    effectMeasure: columns[index].effectMeasure ?? .totalVariation, decisionEffect: columns[index].sketchEffect)
                var (status, reason) = decision(method: method, evaluation: evaluation, pValue: p, threshold: threshold)
                reason = reason.replacingOccurrences(of: "\(method) p =", with: "\(method) adjusted p =")
                (columns[index].status, columns[index].reason) = (status, reason)
            }
        }
        let tested = columns.filter { $0.status != .notTested }.count
        let drifted = columns.filter(\.drifted).count
        let share = tested > 0 ? Double(drifted) / Double(tested) : 0
        let isDrifted: Bool
        let reason: String
        switch configuration.datasetRule {
        case .shareOfColumns(let needed):
            isDrifted = tested > 0 && share >= needed
            reason = "\(drifted) of \(tested) tested columns drifted (\(Self.format(share * 100))%), \(isDrifted ? "at or above" : "below") the \(Self.format(needed * 100))% rule"
        case .anyColumn:
            let adjusted = columns.filter { $0.adjustedPValue != nil }.count
            isDrifted = drifted > 0
            reason = drifted > 0
                ? "\(drifted) of \(tested) tested columns drifted (\(adjusted) p-values adjusted for multiple testing)"
                : "no column of \(tested) drifted (\(adjusted) p-values adjusted for multiple testing)"
        }
        if tested == 0 && !columns.isEmpty {
            return DatasetDrift(
                drifted: false, rule: configuration.datasetRule.description, testedColumns: 0, driftedColumns: 0, driftedShare: 0,
                reason: "no column could be compared (\(columns.count) not tested): this is not a pass; see each column's reason")
        }
        let untested = columns.count - tested
        return DatasetDrift(
            drifted: isDrifted, rule: configuration.datasetRule.description, testedColumns: tested, driftedColumns: drifted,
            driftedShare: share, reason: reason + (untested > 0 ? "; \(untested) not tested" : "")
        )
    }

    /// When the two sides' kinds differ because one side has no value at all: that side's kind
    /// was inferred from nothing (an empty column reads as text, as pandas reads it as `object`
    /// or all-NaN `float64`), so the column is untested for want of values, not for a type
    /// change. Returns the other side's kind and the reason; nil when both sides hold values.
    static func emptySide(
        reference: (kind: ColumnKind, missing: Int, rows: Int), current: (kind: ColumnKind, missing: Int, rows: Int)
    ) -> (ColumnKind, String)? {
        let (referenceEmpty, currentEmpty) = (reference.missing == reference.rows, current.missing == current.rows)
        guard referenceEmpty || currentEmpty else { return nil }
        // The kind of a side with values, or whose cells showed one (all NaN reads as numbers),
        // over that of a side with nothing in it, which read as text.
        let kind = referenceEmpty && (!currentEmpty || reference.kind == .categorical) ? current.kind : reference.kind
        if referenceEmpty { return (kind, noUsableValues("the reference", missing: reference.missing, infinite: 0, rows: reference.rows) + ".") }
        return (kind, noUsableValues("the current data", missing: current.missing, infinite: 0, rows: current.rows) + ".")
    }

    /// Why a side cannot be compared: it has no rows, or every cell is missing or infinite
    /// ("the reference has no usable values (3 missing, 2 infinite of 5)").
    static func noUsableValues(_ side: String, missing: Int, infinite: Int, rows: Int) -> String {
        if rows == 0 { return "\(side) has no rows" }
        return "\(side) has no usable values (\(missing) missing\(infinite > 0 ? ", \(infinite) infinite" : "") of \(rows))"
    }

    /// A column that could not be compared, with the reason (and the method and histogram when
    /// it got that far).
    func notTested(
        _ name: String, kind: ColumnKind, role: ColumnRole, _ reason: String, reference: ColumnSummary, current: ColumnSummary,
        issues: [QualityIssue], method: DriftMethod? = nil, histogram: ColumnHistogram? = nil
    ) -> ColumnDrift {
        ColumnDrift(
            name: name, kind: kind, role: role, method: method, statistic: nil, pValue: nil, threshold: nil, effectSize: nil, effectMeasure: nil,
            status: .notTested, reason: "not tested: " + reason, reference: reference, current: current, histogram: histogram, issues: issues
        )
    }

    static func summary(_ column: PreparedColumn) -> ColumnSummary {
        switch column.values {
        case .numeric(let sample, let statistics):
            ColumnSummary(
                rows: column.rowCount, missing: column.missingCount, distinct: column.distinctCount,
                mean: statistics.mean, standardDeviation: statistics.standardDeviation,
                minimum: sample.values.first, maximum: sample.values.last
            )
        case .timestamp(let sample):
            ColumnSummary(rows: column.rowCount, missing: column.missingCount, distinct: column.distinctCount, minimum: sample.values.first, maximum: sample.values.last)
        case .categorical:
            ColumnSummary(rows: column.rowCount, missing: column.missingCount, distinct: column.distinctCount)
        }
    }

    /// Four significant digits, or scientific notation for tiny p-values.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "∞" : "-∞" }
        if value != 0 && Swift.abs(value) < 1e-3 { return String(format: "%.2e", value) }
        return String(format: "%.4g", value)
    }
}
