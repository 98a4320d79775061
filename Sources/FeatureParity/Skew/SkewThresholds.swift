/// When a feature counts as skewed between training (offline) and serving (online).
///
/// Defaults: a feature is skewed when fewer than 99% of paired values agree, or when its
/// distributions differ by more than 0.1, measured as the Jensen–Shannon distance over ten
/// quantile bins of the offline values for numbers (`scipy.spatial.distance.jensenshannon`,
/// natural log, between 0 and √ln 2 ≈ 0.83) and as the L∞ distance between category shares for
/// text — the two measures TFDV's skew comparator uses.
public struct SkewThresholds: Sendable, Hashable, Codable {
    /// The smallest share of paired values that must agree.
    public var minimumMatchRate: Double = 0.99
    /// The largest Jensen–Shannon distance for numeric features.
    public var numericDistance: Double = 0.1
    /// The largest L∞ distance for categorical features.
    public var categoricalDistance: Double = 0.1
    /// Two numbers agree when they differ by at most this much, absolutely or relative to the
    /// larger magnitude (so float rounding in one path is not skew).
    public var tolerance: Double = 1e-9

    /// The default thresholds.
    public init() {}

    /// Checks the thresholds.
    ///
    /// - Throws: ``FeatureParityError/Code/invalidArgument`` naming the first one out of range.
    public func validate() throws(FeatureParityError) {
        guard minimumMatchRate >= 0, minimumMatchRate <= 1 else {
            throw FeatureParityError(.invalidArgument, "The minimum match rate \(minimumMatchRate) is not between 0 and 1", location: "match rate", fix: "give a share such as 0.99.")
        }
        for (name, value) in [("numeric distance", numericDistance), ("categorical distance", categoricalDistance), ("tolerance", tolerance)]
        where !(value >= 0 && value.isFinite) {
            throw FeatureParityError(.invalidArgument, "The \(name) \(value) is not a number ≥ 0", location: name, fix: "give 0 or more.")
        }
    }
}
