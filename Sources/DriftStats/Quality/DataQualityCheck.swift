import Foundation
import TensorCore

/// The data-quality checks of one comparison: per column (missing share, type, range, new
/// categories, cardinality) and per dataset (schema, duplicate rows, freshness).
enum DataQualityCheck {
    /// The issues of one column present on both sides.
    static func column(
        _ name: String, reference: PreparedColumn, current: PreparedColumn, currentColumn: Column, rules: DataQualityRules
    ) -> [QualityIssue] {
        var issues: [QualityIssue] = []
        if let missing = missingShare(
            name, reference: (reference.missingCount, reference.rowCount), current: (current.missingCount, current.rowCount), rules: rules
        ) {
            issues.append(missing)
        }
        if reference.kind != current.kind {
            // A side without a single value has no type to compare (an all-missing column reads
            // as text): the missing-share check above speaks for it.
            guard reference.missingCount < reference.rowCount && current.missingCount < current.rowCount else { return issues }
            var issue = QualityIssue(check: .typeChange, column: name, severity: .error, message: "the reference holds \(reference.kind) values, the current data \(current.kind)")
            if reference.kind == .double, case .categorical(let text) = currentColumn {
                // Judged by the readers' own number rules (blanks around a number allowed, no
                // hexadecimal), not by `Double(String)`'s.
                let bad = text.categoryCounts().filter { $0.value > 0 && !NumberText.isNumber($0.key) }
                let badRows = bad.values.reduce(0, +)
                if badRows > 0 {
                    issue = QualityIssue(
                        check: .typeViolation, column: name, severity: .error,
                        message: "\(badRows) of \(current.rowCount) current values are not numbers",
                        value: Double(badRows), examples: Array(bad.keys.sorted().prefix(5))
                    )
                }
            }
            issues.append(issue)
            return issues
        }
        if current.nonFiniteCount > 0 {
            issues.append(QualityIssue(check: .typeViolation, column: name, severity: .warning, message: "\(current.nonFiniteCount) current values are infinite (left out of the drift statistics)", value: Double(current.nonFiniteCount)))
        }
        if reference.nonFiniteCount > 0 {
            // Said for the reference too: the statistics compare fewer reference values than it has.
            issues.append(QualityIssue(check: .typeViolation, column: name, severity: .warning, message: "\(reference.nonFiniteCount) reference values are infinite (left out of the drift statistics)", value: Double(reference.nonFiniteCount)))
        }
        switch (reference.values, current.values) {
        case (.numeric(let referenceSample, _), .numeric(let currentSample, _)):
            issues += range(name, reference: referenceSample, current: currentSample, rules: rules)
        case (.categorical(let referenceCounts), .categorical(let currentCounts)):
            issues += categories(name, reference: referenceCounts, current: currentCounts, rules: rules)
        default:
            break
        }
        return issues
    }

    /// The missing-share check: every current cell missing (an error), or the share of missing
    /// cells risen by more than the rule allows (a warning).
    static func missingShare(_ name: String, reference: (missing: Int, rows: Int), current: (missing: Int, rows: Int), rules: DataQualityRules) -> QualityIssue? {
        let referenceRate = share(reference.missing, of: reference.rows)
        let currentRate = share(current.missing, of: current.rows)
        if current.rows > 0 && current.missing == current.rows {
            return QualityIssue(check: .allNull, column: name, severity: .error, message: "every one of the \(current.rows) current cells is missing", value: 1)
        }
        guard currentRate - referenceRate > rules.maxNullRateIncrease else { return nil }
        return QualityIssue(
            check: .nullRate, column: name, severity: .warning,
            message: "missing share rose from \(percent(referenceRate)) to \(percent(currentRate)) (limit +\(percent(rules.maxNullRateIncrease)))",
            value: currentRate
        )
    }

    static func range(_ name: String, reference: SortedSample, current: SortedSample, rules: DataQualityRules) -> [QualityIssue] {
        guard let first = current.values.first, let last = current.values.last else { return [] }
        if let allowed = rules.allowedRanges[name] {
            let outside = countOutside(current.values, allowed.lowerBound, allowed.upperBound)
            if outside > 0 {
                return [QualityIssue(
                    check: .outOfRange, column: name, severity: .error,
                    message: "\(outside) current values lie outside the allowed range \(allowed.lowerBound)…\(allowed.upperBound) (seen \(first)…\(last))",
                    value: Double(outside)
                )]
            }
            return []
        }
        guard let low = reference.values.first, let high = reference.values.last else { return [] }
        let outside = countOutside(current.values, low, high)
        let outsideShare = share(outside, of: current.count)
        guard outsideShare > rules.maxOutOfRangeShare else { return [] }
        return [QualityIssue(
            check: .outOfRange, column: name, severity: .warning,
            message: "\(percent(outsideShare)) of current values lie outside the reference range \(low)…\(high) (limit \(percent(rules.maxOutOfRangeShare)))",
            value: outsideShare
        )]
    }

    /// Values of a sorted array below `low` or above `high` (binary searches at both ends).
    static func countOutside(_ sorted: [Double], _ low: Double, _ high: Double) -> Int {
        let below = sorted.partitioningIndex { !($0 < low) }
        let aboveStart = sorted.partitioningIndex { !($0 <= high) }
        return below + (sorted.count - aboveStart)
    }

    static func categories(_ name: String, reference: [String: Int], current: [String: Int], rules: DataQualityRules) -> [QualityIssue] {
        var issues: [QualityIssue] = []
        let total = current.values.reduce(0, +)
        let new = current.filter { reference[$0.key] == nil }
        let newRows = new.values.reduce(0, +)
        if share(newRows, of: total) > rules.maxNewCategoryShare {
            let examples = new.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }.prefix(5).map(\.key)
            issues.append(QualityIssue(
                check: .newCategory, column: name, severity: .warning,
                message: "\(new.count) \(new.count == 1 ? "category" : "categories") the reference never had, in \(percent(share(newRows, of: total))) of the current values",
                value: Double(new.count), examples: examples
            ))
        }
        if reference.count >= 10, current.count > 0 {
            let factor = Double(current.count) / Double(reference.count)
            if factor > rules.maxCardinalityFactor || factor < 1 / rules.maxCardinalityFactor {
                issues.append(QualityIssue(
                    check: .cardinality, column: name, severity: .warning,
                    message: "\(current.count) distinct values now against \(reference.count) in the reference (limit ×\(rules.maxCardinalityFactor))",
                    value: factor
                ))
            }
        }
        return issues
    }

    /// Duplicate rows: the rise of their share from reference to current.
    static func duplicates(reference: FeatureTable, current: FeatureTable, rules: DataQualityRules) -> QualityIssue? {
        let referenceShare = share(duplicateRowCount(reference), of: reference.rowCount)
        let currentDuplicates = duplicateRowCount(current)
        let currentShare = share(currentDuplicates, of: current.rowCount)
        guard currentShare - referenceShare > rules.maxDuplicateShareIncrease else { return nil }
        return QualityIssue(
            check: .duplicateRows, column: nil, severity: .warning,
            message: "\(currentDuplicates) current rows repeat an earlier row (\(percent(currentShare)), reference \(percent(referenceShare)))",
            value: currentShare
        )
    }

    /// Rows equal to an earlier row, compared by a 64-bit hash of all their cells (a collision
    /// among a million rows has odds of about 3 in 10⁸).
    ///
    /// Column by column: each column's cells are mixed into the rows' running hashes in one
    /// tight loop (no per-cell enum switch), rows split across cores; then the hashes are sorted
    /// and equal neighbours counted.
    static func duplicateRowCount(_ table: FeatureTable) -> Int {
        let rows = table.rowCount
        guard rows > 1 else { return 0 }
        var hashes = [UInt64](repeating: 0x243F_6A88_85A3_08D3, count: rows)
        hashes.withUnsafeMutableBufferPointer { hashes in
            // Each range of rows writes only its own rows' hashes.
            let output = DisjointAccess(hashes)
            ParallelFor.forEach(count: rows, minimumChunk: 16_384) { range in
                for column in table.columns {
                    switch column {
                    case .double(let c):
                        c.values.withUnsafeBufferPointer { values in
                            c.validity.withUnsafeBufferPointer { valid in
                                for row in range {
                                    // NaN is missing, as everywhere else; -0 equals 0.
                                    let value = values[row]
                                    let key = valid[row] && !value.isNaN ? (value == 0 ? 0 : value.bitPattern) : 0x7FF8_DEAD_0000_0001
                                    output.value[row] = mix(output.value[row], key)
                                }
                            }
                        }
                    case .categorical(let c):
                        c.codes.withUnsafeBufferPointer { codes in
                            for row in range { output.value[row] = mix(output.value[row], UInt64(bitPattern: Int64(codes[row]))) }
                        }
                    case .timestamp(let c):
                        c.values.withUnsafeBufferPointer { values in
                            c.validity.withUnsafeBufferPointer { valid in
                                for row in range {
                                    output.value[row] = mix(output.value[row], valid[row] ? UInt64(bitPattern: values[row]) : 0x7FF8_DEAD_0000_0002)
                                }
                            }
                        }
                    }
                }
            }
        }
        hashes.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: Int64.self) { Sorting.sort($0) }
        }
        var duplicates = 0
        for index in 1..<rows where hashes[index] == hashes[index - 1] { duplicates += 1 }
        return duplicates
    }

    /// One step of a multiply–xorshift mix (the 64-bit finaliser of MurmurHash3 over h ⊕ v).
    @inline(__always)
    static func mix(_ hash: UInt64, _ value: UInt64) -> UInt64 {
        var h = (hash ^ value) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 29)
    }

    /// Freshness of a timestamp column's newest value.
    static func freshness(_ rule: DataQualityRules.Freshness, current: FeatureTable) -> QualityIssue? {
        guard case .timestamp(let stamps)? = current.column(named: rule.column) else {
            return QualityIssue(check: .freshness, column: rule.column, severity: .error, message: "the freshness rule names this column, but the current data has no timestamp column by that name")
        }
        var newest: Int64?
        for (value, valid) in zip(stamps.values, stamps.validity) where valid { newest = Swift.max(newest ?? value, value) }
        guard let newest else {
            return QualityIssue(check: .freshness, column: rule.column, severity: .error, message: "the column has no timestamps")
        }
        let age = rule.now.timeIntervalSince1970 - Double(newest) / 1e6
        guard age > rule.maxAge else { return nil }
        return QualityIssue(
            check: .freshness, column: rule.column, severity: .error,
            message: "the newest row is \(Int(age)) s old (limit \(Int(rule.maxAge)) s)", value: age
        )
    }

    static func share(_ part: Int, of total: Int) -> Double {
        total > 0 ? Double(part) / Double(total) : 0
    }

    static func percent(_ value: Double) -> String {
        String(format: "%.2f%%", value * 100)
    }
}
