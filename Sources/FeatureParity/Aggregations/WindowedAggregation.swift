public import TensorCore

/// A feature aggregated over a time window of an entity's events — "transactions of this card in
/// the last hour", "mean amount over 7 days" — declared once and computed the same way twice:
/// backfilled offline as of every event (``backfill(_:key:time:value:)``) and kept online, incrementally, as
/// events arrive (``OnlineAggregator``).
///
/// **The window.** With a slide step of 0 the window is exact: as of an event at time t it holds
/// the entity's events with times in (t − length, t]. With a slide step s (which must divide the
/// length), events fall into buckets of s (bucket ⌊time / s⌋) and the window holds the
/// length / s buckets ending with the current one, up to t: memory per entity is then bounded by
/// the number of buckets, whatever the traffic.
///
/// **As of an event** means after that event and every earlier one of its entity, in time
/// order (ties in the order they arrive): what an online path that updates, then reads, sees.
/// The offline backfill replays each entity's events in that order through the same state, in
/// parallel over entities, so the two agree exactly; a test also checks both against a
/// brute-force recomputation.
public struct WindowedAggregation: Sendable, Hashable, Codable {
    /// What is computed over the window.
    public enum Function: Sendable, Hashable, Codable {
        case count, sum, mean, min, max
        /// Distinct values (exact).
        case distinctCount
        /// The n-th most recent value in the window (1: the latest); missing when the window holds fewer.
        case last(Int)
    }

    /// The feature's name.
    public let name: String
    /// The function.
    public let function: Function
    /// The window's length, in microseconds.
    public let length: Int64
    /// The slide step, in microseconds (0: exact sliding window).
    public let step: Int64

    /// An aggregation over `window`, sliding by `step` (nil or 0: exact).
    ///
    /// - Throws: ``FeatureParityError/Code/invalidArgument`` for an empty window, a step that
    ///   does not divide it, more than 100,000 buckets, or `last(n)` with n < 1.
    public init(name: String, function: Function, window: TimeToLive, step: TimeToLive? = nil) throws(FeatureParityError) {
        let length = window.microseconds, step = step?.microseconds ?? 0
        guard length > 0 else { throw FeatureParityError(.invalidArgument, "The window of '\(name)' is empty", location: name, fix: "give a length such as 1h.") }
        if step > 0 {
            guard length % step == 0, length / step <= 100_000 else {
                throw FeatureParityError(
                    .invalidArgument, "The step of '\(name)' must divide its window into at most 100,000 buckets", location: name,
                    fix: "choose a step such as 5m for a 1h window.")
            }
        }
        if case .last(let n) = function, n < 1 {
            throw FeatureParityError(.invalidArgument, "last(\(n)) of '\(name)' asks for no value", location: name, fix: "give n ≥ 1.")
        }
        self.name = name
        self.function = function
        self.length = length
        self.step = step
    }

    /// The number a category stands for in a window: 52 bits of a 64-bit FNV-1a hash of its
    /// UTF-8 bytes (with a final mix), an integer a double holds exactly. Offline and online use
    /// the same function, so they agree; two categories collide with probability 2^-52 per pair
    /// (below 10^-8 for 10,000 distinct categories in one window).
    public static func categoryCode(_ category: String) -> Double {
        var hasher = FNV1a()
        for byte in category.utf8 { hasher.add(byte) }
        return Double(hasher.value >> 12)
    }

    /// The value as of every row of an event table: `key`, `time` and `value` columns (the value
    /// may be omitted for `count`). Rows come back in the table's order; a row without a key or
    /// time gets a missing value; a row without a value still counts its window.
    ///
    /// The value column is numeric, or, for `count` and `distinctCount`, text: distinct
    /// categories ("merchants of this card in the last hour") are counted by
    /// ``categoryCode(_:)``, as ``OnlineAggregator/add(entity:time:category:)`` does.
    ///
    /// - Throws: ``FeatureParityError`` for missing columns or unreadable times.
    public func backfill(_ table: FeatureTable, key: String, time: String, value: String?) throws(FeatureParityError) -> [Double?] {
        guard let keyColumn = table.column(named: key), let timeColumn = table.column(named: time) else {
            throw FeatureParityError(.missingColumn, "The events need the columns '\(key)' and '\(time)'", location: key, fix: "name the key and time columns.")
        }
        var values = [Double](repeating: .nan, count: table.rowCount)
        if let value {
            switch (table.column(named: value), function) {
            case (.double(let c)?, _):
                for i in 0..<c.count where c.validity[i] { values[i] = c.values[i] }
            case (.categorical(let c)?, .distinctCount), (.categorical(let c)?, .count):
                let codes = c.dictionary.map(Self.categoryCode)
                for (i, code) in c.codes.enumerated() where code >= 0 { values[i] = codes[Int(code)] }
            default:
                throw FeatureParityError(
                    .missingColumn, "The value column '\(value)' is missing, or not numeric where '\(name)' needs numbers", location: value,
                    fix: "aggregate a numeric column (text works for count and distinctCount).")
            }
        }
        let sourceValues = values
        let (_, codes) = try EntityKeys.codes(keyColumn, name: key, side: "events")
        let times = try TimeValues(timeColumn, name: time).microseconds
        let entities = Int(codes.max() ?? -1) + 1
        let index = EntityIndex(codes: codes, times: times, entities: entities)
        var result = [Double?](repeating: nil, count: table.rowCount)
        result.withUnsafeMutableBufferPointer { output in
            let out = DisjointAccess(output)
            ParallelFor.forEach(count: entities, minimumChunk: 256) { range in
                for entity in range {
                    var state = AggregationState(self)
                    for position in index.starts[entity]..<index.starts[entity + 1] {
                        let row = Int(index.rows[position])
                        out.value[row] = state.add(time: index.times[position], value: sourceValues[row])
                    }
                }
            }
        }
        return result
    }
}
