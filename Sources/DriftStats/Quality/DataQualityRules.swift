public import Foundation

/// The limits of the data-quality checks run with every drift comparison, with documented
/// defaults. The schema (columns and their types) is inferred from the reference.
public struct DataQualityRules: Sendable, Hashable {
    /// The largest rise of a column's missing share, current minus reference, that passes (0.05).
    public var maxNullRateIncrease: Double
    /// The largest share of current values outside the reference's [min, max] that passes
    /// (0.01; a continuous column has about 2 / (n + 1) of new data beyond the extremes of a
    /// reference of n values by chance).
    public var maxOutOfRangeShare: Double
    /// Allowed ranges per numeric column: any value outside is an error.
    public var allowedRanges: [String: ClosedRange<Double>]
    /// The largest share of current rows in categories the reference never had that passes (0).
    public var maxNewCategoryShare: Double
    /// The largest factor by which a categorical column's distinct count may grow or shrink (2),
    /// checked when the reference has at least 10 distinct values.
    public var maxCardinalityFactor: Double
    /// The largest rise of the duplicate-row share, current minus reference, that passes (0.01).
    public var maxDuplicateShareIncrease: Double
    /// A freshness limit: the newest value of a timestamp column must be at most `maxAge`
    /// older than `now` (no check by default).
    public var freshness: Freshness?

    /// A freshness rule for one timestamp column.
    public struct Freshness: Sendable, Hashable {
        /// The timestamp column.
        public var column: String
        /// The oldest the newest row may be, in seconds.
        public var maxAge: TimeInterval
        /// The instant to measure from (usually now).
        public var now: Date

        /// Creates a rule.
        public init(column: String, maxAge: TimeInterval, now: Date = Date()) {
            self.column = column
            self.maxAge = maxAge
            self.now = now
        }
    }

    /// The defaults documented on each property.
    public init(
        maxNullRateIncrease: Double = 0.05,
        maxOutOfRangeShare: Double = 0.01,
        allowedRanges: [String: ClosedRange<Double>] = [:],
        maxNewCategoryShare: Double = 0,
        maxCardinalityFactor: Double = 2,
        maxDuplicateShareIncrease: Double = 0.01,
        freshness: Freshness? = nil
    ) {
        self.maxNullRateIncrease = maxNullRateIncrease
        self.maxOutOfRangeShare = maxOutOfRangeShare
        self.allowedRanges = allowedRanges
        self.maxNewCategoryShare = maxNewCategoryShare
        self.maxCardinalityFactor = maxCardinalityFactor
        self.maxDuplicateShareIncrease = maxDuplicateShareIncrease
        self.freshness = freshness
    }
}
