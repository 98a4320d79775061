public import TensorCore

/// Logged per-request events of a rollout, in columns: when, which variant, the metric, and
/// optionally the unit and a pre-exposure covariate. What ``EventReplay`` replays.
public struct RolloutEvents: Sendable {
    /// Seconds (any epoch), one per event.
    public let timestamps: [Double]
    /// The variant names.
    public let variantNames: [String]
    /// Each event's variant, an index into ``variantNames`` (−1 when the row has none).
    public let variants: [Int32]
    /// Each event's metric (NaN when the row has none: an outcome not joined yet).
    public let metric: [Double]
    /// Each event's covariate, for CUPED.
    public let covariate: [Double]?
    /// Each event's unit, as a code (−1 when the row has none), for the stickiness check.
    public let units: [Int32]?
    /// How many times a timestamp went backwards in the input (each was put in order, stably).
    public let reorderedRows: Int

    /// Events from columns; rows out of time order are sorted stably by timestamp.
    ///
    /// - Throws: ``RolloutError/Code/invalidEvents`` when the columns differ in length or a
    ///   timestamp is not finite.
    public init(
        timestamps: [Double], variantNames: [String], variants: [Int32], metric: [Double], covariate: [Double]? = nil, units: [Int32]? = nil
    ) throws(RolloutError) {
        let n = timestamps.count
        guard variants.count == n, metric.count == n, covariate.map({ $0.count == n }) ?? true, units.map({ $0.count == n }) ?? true else {
            throw RolloutError(.invalidEvents, "The event columns differ in length", fix: "give every column one value per event.")
        }
        if let row = timestamps.firstIndex(where: { !$0.isFinite }) {
            throw RolloutError(.invalidEvents, "Event \(row + 1) has no usable timestamp", location: "row \(row + 1)", fix: "give every event a time.")
        }
        var outOfOrder = 0
        for i in timestamps.indices.dropFirst() where timestamps[i] < timestamps[i - 1] { outOfOrder += 1 }
        if outOfOrder == 0 {
            self.timestamps = timestamps
            self.variants = variants
            self.metric = metric
            self.covariate = covariate
            self.units = units
        } else {
            let order = timestamps.indices.sorted { (timestamps[$0], $0) < (timestamps[$1], $1) }
            self.timestamps = order.map { timestamps[$0] }
            self.variants = order.map { variants[$0] }
            self.metric = order.map { metric[$0] }
            self.covariate = covariate.map { c in order.map { c[$0] } }
            self.units = units.map { u in order.map { u[$0] } }
        }
        self.variantNames = variantNames
        self.reorderedRows = outOfOrder
    }

    /// Events from a table with columns `timestamp` (seconds or an ISO 8601 time), `variant`,
    /// the metric, and optionally `unit` and a covariate.
    ///
    /// - Throws: ``RolloutError/Code/invalidEvents`` naming a missing column or one of the wrong kind.
    public init(table: FeatureTable, metric metricName: String, covariate covariateName: String? = nil) throws(RolloutError) {
        func column(_ name: String) throws(RolloutError) -> Column {
            guard let column = table.column(named: name) else {
                throw RolloutError(
                    .invalidEvents, "The events have no '\(name)' column (they have \(table.columnNames.joined(separator: ", ")))", location: name,
                    fix: "give timestamp,unit,variant,<metric> columns.")
            }
            return column
        }
        let timestamps: [Double]
        switch try column("timestamp") {
        case .double(let c): timestamps = zip(c.values, c.validity).map { $1 ? $0 : .nan }
        case .timestamp(let c): timestamps = zip(c.values, c.validity).map { $1 ? Double($0) / 1e6 : .nan }
        case .categorical:
            throw RolloutError(.invalidEvents, "The timestamp column holds text that is neither a number of seconds nor an ISO 8601 time", location: "timestamp", fix: "write times as 1733390000.5 or 2026-12-05T10:00:00Z.")
        }
        func numbers(_ name: String) throws(RolloutError) -> [Double] {
            switch try column(name) {
            case .double(let c): return zip(c.values, c.validity).map { $1 ? $0 : .nan }
            case .categorical(let c) where c.nullCount == c.count: return [Double](repeating: .nan, count: c.count)
            default:
                throw RolloutError(.invalidEvents, "The '\(name)' column is not numeric", location: name, fix: "write the metric as numbers (0/1 for a proportion).")
            }
        }
        func codes(_ name: String) throws(RolloutError) -> ([String], [Int32])? {
            guard let found = table.column(named: name) else { return nil }
            switch found {
            case .categorical(let c): return (c.dictionary, c.codes)
            case .double(let c):
                // Numeric ids: their text is the key.
                let text = zip(c.values, c.validity).map { $1 ? ($0 == $0.rounded() && abs($0) < 1e15 ? String(Int64($0)) : String($0)) : nil }
                let categorical = CategoricalColumn(text)
                return (categorical.dictionary, categorical.codes)
            case .timestamp:
                throw RolloutError(.invalidEvents, "The '\(name)' column holds times", location: name, fix: "give variant names and unit ids as text.")
            }
        }
        guard let (names, variantCodes) = try codes("variant") else {
            _ = try column("variant")
            throw RolloutError(.invalidEvents, "The events have no variant column", location: "variant")
        }
        try self.init(
            timestamps: timestamps, variantNames: names, variants: variantCodes, metric: try numbers(metricName),
            covariate: try covariateName.map { name throws(RolloutError) in try numbers(name) }, units: try codes("unit")?.1)
    }
}
