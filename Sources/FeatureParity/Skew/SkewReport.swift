public import TensorCore
import DriftStats
import Foundation

/// Training–serving skew, feature by feature: per-entity parity (the online values served
/// against the offline values recomputed for the same entity, as of the same time) and the
/// distance between the two distributions.
///
/// Encoded (snake_case) by `mlops parity --format json`: per feature `name`, `match_rate`,
/// `mean_abs_diff`, `max_abs_diff`, `distribution_distance`, `threshold`, `skewed`, and a
/// top-level `skewed`.
public struct SkewReport: Sendable, Codable {
    /// One feature's comparison.
    public struct Feature: Sendable, Codable {
        /// The feature.
        public let name: String
        /// `numeric` or `categorical`.
        public let kind: String
        /// Paired rows compared.
        public let pairs: Int
        /// The share of pairs whose values agree (both missing agrees; one missing does not).
        public let matchRate: Double
        /// The mean |online − offline| over pairs with both values (numeric features).
        public let meanAbsDiff: Double?
        /// The largest |online − offline| (numeric features).
        public let maxAbsDiff: Double?
        /// The Jensen–Shannon distance (numeric) or L∞ distance (categorical) between the offline and online distributions.
        public let distributionDistance: Double?
        /// The distance threshold applied.
        public let threshold: Double
        /// The match-rate threshold applied.
        public let minimumMatchRate: Double
        /// Whether the feature is skewed.
        public let skewed: Bool
        /// Why, in words (empty when it is not).
        public let reason: String
        /// Up to five disagreeing pairs.
        public let examples: [Example]

        enum CodingKeys: String, CodingKey {
            case name, kind, pairs, matchRate, meanAbsDiff, maxAbsDiff, distributionDistance, threshold, minimumMatchRate, skewed, reason, examples
        }

        /// Writes every key, with `null` where a figure does not apply (categorical differences).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(kind, forKey: .kind)
            try c.encode(pairs, forKey: .pairs)
            try c.encode(matchRate, forKey: .matchRate)
            try c.encode(meanAbsDiff, forKey: .meanAbsDiff)
            try c.encode(maxAbsDiff, forKey: .maxAbsDiff)
            try c.encode(distributionDistance, forKey: .distributionDistance)
            try c.encode(threshold, forKey: .threshold)
            try c.encode(minimumMatchRate, forKey: .minimumMatchRate)
            try c.encode(skewed, forKey: .skewed)
            try c.encode(reason, forKey: .reason)
            try c.encode(examples, forKey: .examples)
        }
    }

    /// One disagreeing pair.
    public struct Example: Sendable, Codable {
        public let entity: String
        public let offline: String?
        public let online: String?
    }

    /// Rows in the online file.
    public let onlineRows: Int
    /// Online rows paired with an offline value.
    public let pairedRows: Int
    /// Online rows without an offline row to compare with.
    public let unpairedRows: Int
    /// Of those, rows whose entity the offline file never has.
    public let unpairedUnseenEntity: Int
    /// Of those, rows whose entity has offline rows, but none at or before their time.
    public let unpairedNoEarlierValue: Int
    /// Every feature in both files.
    public let features: [Feature]
    /// Whether any feature is skewed.
    public let skewed: Bool

    /// Compares `online` (what was served: key, optional time, feature columns) with `offline`
    /// (the same features computed offline).
    ///
    /// With `timestamp`, each online row is paired with the offline row of its entity at or
    /// before its time (point in time, as the offline value would have been then); without,
    /// with the offline row of its entity (the last one in the file when there are several).
    ///
    /// - Throws: ``FeatureParityError`` for a missing key or time column, no common feature,
    ///   or thresholds out of range.
    public init(offline: FeatureTable, online: FeatureTable, key: String, timestamp: String? = nil, thresholds: SkewThresholds = SkewThresholds()) throws(FeatureParityError) {
        try thresholds.validate()
        if let timestamp, timestamp == key {
            throw FeatureParityError(
                .invalidArgument, "The key column '\(key)' is also the time column", location: key,
                fix: "name the entity id column with --key and the time column with --timestamp.")
        }
        let reserved = Set([key] + (timestamp.map { [$0] } ?? []))
        let names = online.columnNames.filter { !reserved.contains($0) && offline.columnNames.contains($0) }
        guard !names.isEmpty else {
            throw FeatureParityError(
                .missingColumn, "The offline and online files share no feature column besides the key (offline: \(offline.columnNames.joined(separator: ", ")); online: \(online.columnNames.joined(separator: ", ")))",
                fix: "name the features the same in both files.")
        }
        // Pair each online row with its offline row: a point-in-time join without TTL, the
        // offline columns renamed so both sides stay.
        var offlineColumns: [(String, Column)] = []
        for (name, column) in zip(offline.columnNames, offline.columns) {
            if name == key { offlineColumns.append((name, column)) } else if name == timestamp { offlineColumns.append(("__offline_time", column)) } else if names.contains(name) {
                offlineColumns.append(("__offline_" + name, column))
            }
        }
        // A marker that is present exactly where an online row found its offline row.
        offlineColumns.append(("__offline_present", .double(DoubleColumn(values: [Double](repeating: 1, count: offline.rowCount)))))
        if timestamp == nil {
            // Every offline row at time 0, every online row at time 1: the latest row per entity wins.
            offlineColumns.append(("__offline_time", .double(DoubleColumn(values: [Double](repeating: 0, count: offline.rowCount)))))
        }
        let offlineTable: FeatureTable
        var onlineTable = online
        do {
            offlineTable = try FeatureTable(columns: offlineColumns)
            if timestamp == nil {
                onlineTable = try FeatureTable(columns: zip(online.columnNames, online.columns).map { ($0, $1) } + [("__online_time", .double(DoubleColumn(values: [Double](repeating: 1, count: online.rowCount))))])
            }
        } catch {
            throw FeatureParityError(.missingColumn, "The files cannot be paired: \(error)", fix: "check the key and time columns.")
        }
        guard offline.column(named: key) != nil else {
            throw FeatureParityError(.missingColumn, "The offline file has no key column '\(key)'", location: key, fix: "name the entity column with --key.")
        }
        if let timestamp, offline.column(named: timestamp) == nil {
            throw FeatureParityError(.missingColumn, "The offline file has no time column '\(timestamp)'", location: timestamp, fix: "name the time column with --timestamp, or leave it out.")
        }
        guard online.column(named: key) != nil else {
            throw FeatureParityError(
                .missingColumn, "The online file has no key column '\(key)' (it has \(online.columnNames.joined(separator: ", ")))", location: key,
                fix: "name the entity column with --key, as both files spell it.")
        }
        if let timestamp, online.column(named: timestamp) == nil {
            throw FeatureParityError(
                .missingColumn, "The online file has no time column '\(timestamp)' (it has \(online.columnNames.joined(separator: ", ")))", location: timestamp,
                fix: "name the time column with --timestamp, as both files spell it, or leave it out.")
        }
        let join = PointInTimeJoin(key: key, eventTime: timestamp ?? "__online_time", featureTime: "__offline_time")
        let (paired, joinReport) = try join.join(events: onlineTable, features: offlineTable)
        guard online.rowCount > 0 else {
            throw FeatureParityError(
                .invalidArgument, "The online file has no rows, so nothing can be compared", location: "online",
                fix: "give the online (served) values to check; a report with nothing paired is never a pass.")
        }
        guard joinReport.matchedEvents > 0 else {
            throw FeatureParityError(
                .invalidArgument,
                "No online row found an offline row to compare with (\(joinReport.eventsWithoutEntity) entities unseen offline, \(joinReport.eventsWithoutEarlierValue) without an earlier offline row, \(joinReport.eventsWithoutKey) without a key)",
                location: key, fix: "check that both files hold the same entities under --key, in the same form, and the time column.")
        }
        let keys = paired.column(named: key)
        var matched = [Bool](repeating: false, count: paired.rowCount)
        if case .double(let marker)? = paired.column(named: "__offline_present") { matched = marker.validity }

        var features: [Feature] = []
        for name in names {
            guard var onlineColumn = paired.column(named: name), var offlineColumn = paired.column(named: "__offline_" + name),
                var offlineAll = offline.column(named: name)
            else { continue }
            // Kinds are inferred per file: a column of numbers that one file holds as text (a
            // stray "None") is compared as numbers when all its text reads as numbers.
            if case .double = onlineColumn, let numbers = Self.numbers(offlineColumn), let all = Self.numbers(offlineAll) {
                (offlineColumn, offlineAll) = (.double(numbers), .double(all))
            } else if case .double = offlineColumn, let numbers = Self.numbers(onlineColumn) {
                onlineColumn = .double(numbers)
            }
            features.append(
                Self.compare(
                    name: name, online: onlineColumn, offline: offlineColumn, offlineAll: offlineAll, keys: keys, matched: matched,
                    thresholds: thresholds))
        }
        onlineRows = online.rowCount
        pairedRows = joinReport.matchedEvents
        unpairedRows = online.rowCount - joinReport.matchedEvents
        unpairedUnseenEntity = joinReport.eventsWithoutEntity
        unpairedNoEarlierValue = joinReport.eventsWithoutEarlierValue
        self.features = features
        skewed = features.contains { $0.skewed }
    }

    /// A value as text, for comparing a column one file holds as text with the other's: a number
    /// as a category reads it (`10115.0` is "10115"; NaN is missing, as pandas reads it).
    static func text(_ column: Column, _ row: Int) -> String? {
        switch column {
        case .double(let c): return c.validity[row] && !c.values[row].isNaN ? FeatureValue.text(ofNumber: c.values[row]) : nil
        case .categorical(let c): return c.codes[row] >= 0 ? c.dictionary[Int(c.codes[row])] : nil
        case .timestamp(let c): return c.validity[row] ? "\(c.values[row])" : nil
        }
    }

    static func compare(
        name: String, online: Column, offline: Column, offlineAll: Column, keys: Column?, matched: [Bool], thresholds: SkewThresholds
    ) -> Feature {
        // Only rows whose online entity found an offline row are pairs.
        var pairs = 0, agree = 0
        var absSum = 0.0, absMax = 0.0, bothPresent = 0
        var examples: [Example] = []
        let numeric: Bool
        if case .double = online, case .double = offline { numeric = true } else { numeric = false }
        for row in 0..<online.count {
            guard matched[row] else { continue }
            if case .double(let off) = offline, case .double(let on) = online {
                // NaN is a missing value, as pandas reads it; equal infinities agree.
                let a = off.validity[row] && !off.values[row].isNaN ? off.values[row] : nil
                let b = on.validity[row] && !on.values[row].isNaN ? on.values[row] : nil
                pairs += 1
                var same = false
                switch (a, b) {
                case (nil, nil): same = true
                case let (x?, y?):
                    let d = abs(x - y)
                    // An infinite difference (an infinity against another value, or finite values
                    // a Double apart) never agrees, though the relative term is ∞ too (QA sweep).
                    same = x == y || (d.isFinite && (d <= thresholds.tolerance || d <= thresholds.tolerance * max(abs(x), abs(y))))
                    if d.isFinite { absSum += d; absMax = max(absMax, d); bothPresent += 1 }
                default: same = false
                }
                if same { agree += 1 } else if examples.count < 5 {
                    examples.append(Example(entity: keys.flatMap { text($0, row) } ?? "", offline: a.map { "\($0)" }, online: b.map { "\($0)" }))
                }
            } else {
                let a = text(offline, row), b = text(online, row)
                pairs += 1
                if a == b { agree += 1 } else if examples.count < 5 {
                    examples.append(Example(entity: keys.flatMap { text($0, row) } ?? "", offline: a, online: b))
                }
            }
        }
        let matchRate = pairs > 0 ? Double(agree) / Double(pairs) : 1
        // Distributions: every offline row against every online row.
        var distance: Double?
        if numeric, case .double(let all) = offlineAll, case .double(let on) = online {
            let reference = SortedSample(zip(all.values, all.validity).filter { $0.1 }.map(\.0))
            let current = SortedSample(zip(on.values, on.validity).filter { $0.1 }.map(\.0))
            if let bins = try? ReferenceBins(quantilesOf: reference, count: 10) {
                // scipy's jensenshannon on the shares as they are (empty bins not floored).
                let js = BinnedDistances.jensenShannonDistance(bins.counts(reference).map(Double.init), bins.counts(current).map(Double.init))
                distance = js.isNaN ? nil : js
            }
        } else {
            let a = categoryShares(offlineAll), b = categoryShares(online)
            let categories = Set(a.keys).union(b.keys).sorted()
            if !a.isEmpty && !b.isEmpty {
                distance = BinnedDistances(referenceShares: categories.map { a[$0] ?? 0 }, currentShares: categories.map { b[$0] ?? 0 }).lInfinity
            }
        }
        let threshold = numeric ? thresholds.numericDistance : thresholds.categoricalDistance
        var reasons: [String] = []
        if matchRate < thresholds.minimumMatchRate {
            reasons.append(String(format: "%.2f%% of %ld pairs agree, below %.2f%%", matchRate * 100, pairs, thresholds.minimumMatchRate * 100))
        }
        if let distance, distance > threshold {
            reasons.append(String(format: "%@ distance %.4f above %.4g", numeric ? "Jensen–Shannon" : "L∞", distance, threshold))
        }
        return Feature(
            name: name, kind: numeric ? "numeric" : "categorical", pairs: pairs, matchRate: matchRate,
            meanAbsDiff: numeric && bothPresent > 0 ? absSum / Double(bothPresent) : nil, maxAbsDiff: numeric && bothPresent > 0 ? absMax : nil,
            distributionDistance: distance, threshold: threshold, minimumMatchRate: thresholds.minimumMatchRate, skewed: !reasons.isEmpty,
            reason: reasons.joined(separator: "; "), examples: examples)
    }

    /// A text column as numbers when every value (the readers' missing markers aside, and
    /// `none`) reads as one by the readers' number rules; NaN is missing.
    static func numbers(_ column: Column) -> DoubleColumn? {
        guard case .categorical(let c) = column else { return nil }
        var parsed: [Double?] = []
        for text in c.dictionary {
            if CSVReadOptions.defaultMissingMarkers.contains(text) || text == "none" { parsed.append(nil); continue }
            guard let value = NumberText.parse(text) else { return nil }
            parsed.append(value.isNaN ? nil : value)  // a NaN is missing, as pandas reads it
        }
        return DoubleColumn(c.codes.map { $0 >= 0 ? parsed[Int($0)] : nil })
    }

    static func categoryShares(_ column: Column) -> [String: Double] {
        var counts: [String: Int] = [:]
        var total = 0
        for row in 0..<column.count {
            guard let value = text(column, row) else { continue }
            counts[value, default: 0] += 1
            total += 1
        }
        return total > 0 ? counts.mapValues { Double($0) / Double(total) } : [:]
    }
}
