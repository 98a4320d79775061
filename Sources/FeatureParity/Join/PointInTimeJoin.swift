public import TensorCore

/// A point-in-time-correct join: for each labelled event (entity, time), each feature's value
/// from the latest feature row of that entity at or before the event time, and no older than
/// the TTL. What a training set must be built from, so that no value from the future leaks in.
///
/// The semantics are pandas `merge_asof(events, features, left_on=event_time,
/// right_on=feature_time, by=key, direction="backward", allow_exact_matches=True,
/// tolerance=ttl)`: the latest row (not each feature's latest non-missing value), ties between
/// rows of the same entity and time broken by the later row in the file, the TTL inclusive.
/// Every event row is kept, in its order: an event without an in-TTL row gets missing values,
/// counted per feature in ``JoinReport``, never dropped.
///
/// With ``createdTime``, a feature row is visible to an event only if it was created at or
/// before the event time, so a value backfilled later does not leak into the past: the join then
/// takes the latest *visible* row.
///
/// Columnar and parallel: the feature rows are grouped by entity with a counting sort (stable,
/// so file order breaks ties) and each group is put in time order only if it is not already;
/// each event then finds its row by binary search, on every core.
public struct PointInTimeJoin: Sendable {
    /// The entity key column, in both tables.
    public var key: String
    /// The events' time column.
    public var eventTime: String
    /// The features' time column (when the value became true).
    public var featureTime: String
    /// The features' creation-time column (when the row was written), for backfill filtering.
    public var createdTime: String?
    /// How old a value may be; nil: any age.
    public var ttl: TimeToLive?

    /// A join on `key` of events timed by `eventTime` and feature rows timed by `featureTime`.
    public init(key: String, eventTime: String, featureTime: String, createdTime: String? = nil, ttl: TimeToLive? = nil) {
        self.key = key
        self.eventTime = eventTime
        self.featureTime = featureTime
        self.createdTime = createdTime
        self.ttl = ttl
    }

    /// Refuses a key column that is also a time column: the key is read as text and the times as
    /// times, so one column cannot be both (a join on a time would pair every event with itself).
    ///
    /// - Throws: ``FeatureParityError/Code/invalidArgument`` naming the column.
    func checkColumnRoles() throws(FeatureParityError) {
        for (role, name) in [("event time", eventTime), ("feature time", featureTime), ("created time", createdTime)] where name == key {
            throw FeatureParityError(
                .invalidArgument, "The key column '\(key)' is also the \(role) column", location: key,
                fix: "name the entity id column as the key and the times' columns as the times (--key, --event-time, --feature-time, --created-time).")
        }
    }

    /// The training set: every event row, in order, with the feature columns appended (a
    /// feature column whose name an event column already has is renamed `NAME_feature`).
    ///
    /// - Throws: ``FeatureParityError/Code/missingColumn`` for a missing key or time column;
    ///   ``FeatureParityError/Code/invalidTime`` for a time that cannot be read.
    public func join(events: FeatureTable, features: FeatureTable) throws(FeatureParityError) -> (table: FeatureTable, report: JoinReport) {
        try checkColumnRoles()
        func column(_ table: FeatureTable, _ name: String, _ side: String) throws(FeatureParityError) -> Column {
            guard let column = table.column(named: name) else {
                throw FeatureParityError.missingColumn(name, side: side, has: table.columnNames)
            }
            return column
        }
        guard events.rowCount < Int(Int32.max), features.rowCount < Int(Int32.max) else {
            throw FeatureParityError(.invalidArgument, "A join in memory takes fewer than 2^31 rows per side", fix: "split the inputs by entity and join each part.")
        }
        let eventKeys = try column(events, key, "events"), featureKeys = try column(features, key, "features")
        func times(_ table: FeatureTable, _ name: String, features: Bool) throws(FeatureParityError) -> TimeValues {
            do {
                return try TimeValues(try column(table, name, features ? "features" : "events"), name: name)
            } catch {
                var marked = error
                if error.code == .invalidTime { marked.inFeatures = features }
                throw marked
            }
        }
        let eventTimes = try times(events, eventTime, features: false)
        let keys = try EntityKeys(events: eventKeys, features: featureKeys, name: key, eventTimes: eventTimes.microseconds)
        // Each empty event is counted under one reason: no key, else no time, else unseen.
        var withoutTime = 0
        for (row, time) in eventTimes.microseconds.enumerated() where time == TimeValues.missing && !eventKeys.isMissing(at: row) { withoutTime += 1 }
        let featureTimes = try times(features, featureTime, features: true)
        let created = try createdTime.map { name throws(FeatureParityError) in try times(features, name, features: true) }

        let index = EntityIndex(codes: keys.featureCodes, times: featureTimes.microseconds, entities: keys.dictionary.count)
        let matches = index.match(
            eventCodes: keys.eventCodes, eventTimes: eventTimes.microseconds, ttl: ttl?.microseconds, created: created?.microseconds)

        // The feature columns, gathered by match.
        let skip = Set([key, featureTime] + (createdTime.map { [$0] } ?? []))
        var columns: [(String, Column)] = zip(events.columnNames, events.columns).map { ($0, $1) }
        let taken = Set(events.columnNames)
        var perFeature: [JoinReport.Feature] = []
        for (name, source) in zip(features.columnNames, features.columns) where !skip.contains(name) {
            let gathered = Self.gather(source, matches.rows)
            let outputName = taken.contains(name) ? "\(name)_feature" : name
            columns.append((outputName, gathered))
            perFeature.append(JoinReport.Feature(name: outputName, missing: Self.missingCount(gathered)))
        }
        let table: FeatureTable
        do {
            table = try FeatureTable(columns: columns)
        } catch {
            throw FeatureParityError(.missingColumn, "The joined table cannot be built: \(error)", fix: "rename clashing columns.")
        }
        let report = JoinReport(
            events: events.rowCount, featureRows: features.rowCount, matchedEvents: matches.matched,
            eventsWithoutEntity: keys.unseenEvents, eventsWithoutKey: keys.missingEventKeys, eventsWithoutTime: withoutTime,
            eventsWithoutEarlierValue: matches.noEarlier, eventsOutsideTTL: matches.outsideTTL, backfilledRowsSkipped: matches.skippedCreated,
            featureRowsWithoutKeyOrTime: index.droppedRows, duplicateFeatureRows: index.duplicates, entities: keys.dictionary.count,
            eventTimeFormats: .init(iso8601: eventTimes.isoRows, epochSeconds: eventTimes.epochRows),
            featureTimeFormats: .init(iso8601: featureTimes.isoRows, epochSeconds: featureTimes.epochRows),
            ttl: ttl?.description, features: perFeature)
        return (table, report)
    }

    /// Rows without a value: null, or NaN in a numeric column (a missing value to pandas, whose
    /// `merge_asof` result the report is compared with).
    static func missingCount(_ column: Column) -> Int {
        guard case .double(let c) = column else { return column.nullCount }
        var count = 0
        for (value, valid) in zip(c.values, c.validity) where !valid || value.isNaN { count += 1 }
        return count
    }

    /// `source`'s values at `rows` (−1: missing).
    static func gather(_ source: Column, _ rows: [Int32]) -> Column {
        switch source {
        case .double(let c):
            var values = [Double](repeating: .nan, count: rows.count)
            var valid = [Bool](repeating: false, count: rows.count)
            c.values.withUnsafeBufferPointer { v in
                c.validity.withUnsafeBufferPointer { ok in
                    for (i, row) in rows.enumerated() where row >= 0 && ok[Int(row)] {
                        values[i] = v[Int(row)]
                        valid[i] = true
                    }
                }
            }
            return .double((try? DoubleColumn(values: values, valid: valid)) ?? DoubleColumn(values: values))
        case .categorical(let c):
            let codes = c.codes
            let picked = rows.map { $0 >= 0 ? codes[Int($0)] : -1 }
            return .categorical((try? CategoricalColumn(dictionary: c.dictionary, codes: picked)) ?? CategoricalColumn(picked.map { $0 >= 0 ? c.dictionary[Int($0)] : nil }))
        case .timestamp(let c):
            var values = [Int64](repeating: 0, count: rows.count)
            var valid = [Bool](repeating: false, count: rows.count)
            for (i, row) in rows.enumerated() where row >= 0 && c.validity[Int(row)] {
                values[i] = c.values[Int(row)]
                valid[i] = true
            }
            return .timestamp((try? TimestampColumn(values: values, valid: valid)) ?? TimestampColumn(microseconds: values.map { Optional($0) }))
        }
    }
}
