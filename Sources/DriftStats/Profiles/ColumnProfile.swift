public import TensorCore

/// The streaming summary of one column, built from TensorCore's sketches: what a serving
/// process keeps instead of the raw values.
///
/// - numeric: moments (mean, variance, min, max), a KLL sketch for quantiles and CDFs, a
///   HyperLogLog for the distinct count;
/// - categorical: a heavy-hitters (SpaceSaving) sketch for category counts and a HyperLogLog;
/// - both: missing cells counted.
///
/// Profiles merge exactly as their sketches do, so replicas and time windows can be combined,
/// and they encode to JSON (``DatasetProfile`` stores them).
public struct ColumnProfile: Sendable, Codable {
    /// What the column holds.
    public let kind: ColumnKind
    /// Missing cells (nil, NaN).
    public private(set) var missing: Int
    /// Numeric moments (also counts ±∞, which the KLL sketch leaves out).
    public private(set) var moments: MomentSketch
    /// Quantiles of the finite numeric values (±∞ are counted by ``moments`` and reported as a
    /// quality issue, never compared).
    public private(set) var quantiles: KLLSketch
    /// Category counts (estimates; exact while fewer categories than its capacity were seen).
    public private(set) var categories: HeavyHitters<String>
    /// Distinct values.
    public private(set) var distinct: HyperLogLog

    /// An empty profile.
    ///
    /// - Parameters:
    ///   - kind: `.double` or `.categorical`; a timestamp column is
    ///     profiled as its seconds since the epoch.
    ///   - settings: sketch sizes.
    ///   - column: The column's name, for a size chosen per column
    ///     (``ProfileSettings/columnQuantileAccuracy``).
    public init(kind: ColumnKind, settings: ProfileSettings = ProfileSettings(), column: String? = nil) throws(DriftError) {
        self.kind = kind
        missing = 0
        moments = MomentSketch()
        let k = column.map { settings.quantileAccuracy(for: $0) } ?? settings.quantileAccuracy
        do {
            quantiles = try KLLSketch(k: k, seed: settings.seed)
            categories = try HeavyHitters(capacity: kind == .categorical ? settings.categoryCapacity : 1)
            distinct = try HyperLogLog(precision: settings.distinctPrecision)
        } catch {
            throw DriftError(
                .invalidArgument, "Profile settings\(column.map { " for column '\($0)'" } ?? "") are out of range: \(error)",
                fix: "use a quantile accuracy k in \(KLLSketch.minK)...\(KLLSketch.maxK) (default \(ProfileSettings.defaultQuantileAccuracy)) and the other defaults of ProfileSettings.")
        }
    }

    // MARK: - Updates (no allocation for numbers; one for a category string the sketch has not seen)

    /// Adds a number (NaN counts as missing).
    public mutating func update(_ value: Double) {
        if value.isNaN {
            missing += 1
            return
        }
        moments.update(value)
        if value.isFinite { quantiles.update(value) }
        distinct.update(value)
    }

    /// Adds a category (nil counts as missing).
    public mutating func update(_ category: String?) {
        guard let category else {
            missing += 1
            return
        }
        categories.update(category)
        distinct.update(category)
    }

    /// Counts missing cells (one by default).
    public mutating func updateMissing(count: Int = 1) {
        missing += Swift.max(0, count)
    }

    /// Adds a buffer of numbers: the fast path for batches (each sketch's bulk update; a batch
    /// holding NaN or ±∞ goes value by value).
    public mutating func update(contentsOf values: UnsafeBufferPointer<Double>) {
        guard values.allSatisfy(\.isFinite) else {
            for value in values { update(value) }
            return
        }
        quantiles.update(batch: values)
        moments.update(contentsOf: values)
        distinct.update(contentsOf: values)
    }

    /// Adds a column of a feature table.
    public mutating func update(_ column: Column) {
        switch column {
        case .double(let doubles):
            if doubles.nullCount == 0 {
                doubles.values.withUnsafeBufferPointer { update(contentsOf: $0) }
            } else {
                for (value, valid) in zip(doubles.values, doubles.validity) {
                    if valid { update(value) } else { updateMissing() }
                }
            }
        case .categorical(let text):
            for code in text.codes {
                update(code < 0 ? nil : text.dictionary[Int(code)])
            }
        case .timestamp(let stamps):
            for (value, valid) in zip(stamps.values, stamps.validity) {
                if valid { update(Double(value) / 1e6) } else { updateMissing() }
            }
        }
    }

    /// Folds another profile of the same kind and settings into this one.
    ///
    /// - Throws: ``DriftError`` when the kinds or sketch settings differ.
    public mutating func merge(_ other: ColumnProfile) throws(DriftError) {
        guard kind == other.kind else {
            throw DriftError(.invalidArgument, "Cannot merge a \(other.kind) profile into a \(kind) profile", fix: "merge profiles of the same column.")
        }
        do {
            try moments.merge(other.moments)
            try quantiles.merge(other.quantiles)
            try categories.merge(other.categories)
            try distinct.merge(other.distinct)
        } catch {
            throw DriftError(.invalidArgument, "The profiles were built with different sketch settings: \(error)", fix: "use the same ProfileSettings on every replica.")
        }
        missing += other.missing
    }

    // MARK: - Reading

    /// Rows seen (present and missing).
    public var rowCount: Int { missing &+ presentCount }

    /// The population standard deviation of the finite values (NaN when there are none).
    public var finiteStandardDeviation: Double {
        moments.finiteCount > 0 ? (moments.m2 / Double(moments.finiteCount)).squareRoot() : .nan
    }

    /// Present cells.
    public var presentCount: Int {
        kind == .categorical ? Int(clamping: categories.totalWeight) : moments.count
    }

    /// Category counts: exact while the sketch monitors every category seen
    /// (``categoryCountsAreExact``); once it is full, the monitored categories' estimates
    /// (over-estimates by at most the sketch's `errorBound`). To compare two profiles use
    /// ``ProfileComparison``, which handles full sketches.
    public var categoryCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for item in categories.topK(categories.monitoredCount) { counts[item.key] = Int(clamping: item.estimate) }
        return counts
    }

    /// The label of categories a full heavy-hitters sketch no longer monitors.
    public static let otherCategories = "(other)"

    /// Whether the category counts are exact (fewer categories seen than the sketch's capacity).
    public var categoryCountsAreExact: Bool { !categories.isFull }
}

/// Sketch sizes for profiles.
///
/// The quantile sketch's k sets both a numeric column's size and what a comparison can see:
/// the rank error bound shrinks about as 1/k. The default, 1,600, keeps a numeric column's
/// stored profile under 64 KiB (about 58 KB of JSON after a million values) and lets a
/// Kolmogorov–Smirnov check on 100,000 rows see a 0.05σ shift about as often as the raw data
/// does. Documentation/SketchResolution.md tables size against resolution, measured.
public struct ProfileSettings: Sendable, Hashable, Codable {
    /// The default KLL k for numeric columns.
    public static let defaultQuantileAccuracy = 1_600

    /// The KLL accuracy parameter k for numeric columns (1,600: a rank error bound of about
    /// 0.4 % at 100,000 values, failure probability 10⁻⁴).
    public var quantileAccuracy: Int
    /// A k per column name, overriding ``quantileAccuracy`` (a larger k for a column whose
    /// small shifts matter, a smaller one where memory is tight).
    public var columnQuantileAccuracy: [String: Int]
    /// Categories counted per column (1,024).
    public var categoryCapacity: Int
    /// HyperLogLog precision (12: 4,096 registers, about 1.6 % relative error).
    public var distinctPrecision: Int
    /// The KLL sketches' seed (compaction choices), for reproducible profiles.
    public var seed: UInt64

    /// The defaults on each property.
    public init(
        quantileAccuracy: Int = ProfileSettings.defaultQuantileAccuracy, columnQuantileAccuracy: [String: Int] = [:],
        categoryCapacity: Int = 1_024, distinctPrecision: Int = 12, seed: UInt64 = 0
    ) {
        self.quantileAccuracy = quantileAccuracy
        self.columnQuantileAccuracy = columnQuantileAccuracy
        self.categoryCapacity = categoryCapacity
        self.distinctPrecision = distinctPrecision
        self.seed = seed
    }

    /// The k a column's quantile sketch uses.
    public func quantileAccuracy(for column: String) -> Int {
        columnQuantileAccuracy[column] ?? quantileAccuracy
    }

    enum CodingKeys: String, CodingKey {
        case quantileAccuracy, columnQuantileAccuracy, categoryCapacity, distinctPrecision, seed
    }

    /// Decodes settings; profiles stored before ``columnQuantileAccuracy`` existed read as
    /// having no per-column sizes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        quantileAccuracy = try container.decode(Int.self, forKey: .quantileAccuracy)
        columnQuantileAccuracy = try container.decodeIfPresent([String: Int].self, forKey: .columnQuantileAccuracy) ?? [:]
        categoryCapacity = try container.decode(Int.self, forKey: .categoryCapacity)
        distinctPrecision = try container.decode(Int.self, forKey: .distinctPrecision)
        seed = try container.decode(UInt64.self, forKey: .seed)
    }
}
