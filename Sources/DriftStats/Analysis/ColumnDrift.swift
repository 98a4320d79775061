public import MLOpsStorage
public import TensorCore

/// The drift result of one column: the method, its statistic and p-value, the threshold, the
/// effect size, the decision and the reason for it, with summaries and a histogram of both
/// samples and the column's data-quality issues.
///
/// Numbers that are not finite are stored as nil (JSON has no NaN); ``reason`` says why.
public struct ColumnDrift: Sendable, Hashable, Codable {
    /// The column's name.
    public var name: String
    /// The column's type in the reference (in the current data when the reference lacks it).
    public var kind: ColumnKind
    /// What the column is to the model.
    public var role: ColumnRole
    /// The method used, nil when the column was not compared.
    public var method: DriftMethod?
    /// The method's statistic (a test statistic or a distance).
    ///
    /// Wasserstein and energy are scaled by the reference's standard deviation σ so that one
    /// threshold fits every column: Wasserstein-1 divided by σ, and the energy distance of the
    /// samples divided by σ (the raw distance over √σ); ``rawDistance`` is the unscaled value.
    public var statistic: Double?
    /// For Wasserstein and energy: the distance in the column's own units, as
    /// `scipy.stats.wasserstein_distance` and `scipy.stats.energy_distance` compute it (from the
    /// sketches for a profile comparison); nil for the other methods.
    public var rawDistance: Double?
    /// The p-value, nil for distances.
    public var pValue: Double?
    /// The p-value after the dataset rule's adjustment for many columns, when it adjusts.
    public var adjustedPValue: Double?
    /// The threshold the statistic (distances) or p-value (tests) was compared with.
    public var threshold: Double?
    /// The size of the change (see ``MinimumEffect``).
    public var effectSize: Double?
    /// What ``effectSize`` measures.
    public var effectMeasure: EffectMeasure?
    /// The decision.
    public var status: ColumnStatus
    /// The decision and its reason as a sentence.
    public var reason: String
    /// The reference sample.
    public var reference: ColumnSummary
    /// The current sample.
    public var current: ColumnSummary
    /// Shares per bin or category, for plots.
    public var histogram: ColumnHistogram?
    /// For a comparison of streaming profiles: the sketches' error and the smallest shift the
    /// comparison flags (nil for comparisons of raw data, which have no sketch error).
    public var resolution: SketchResolution?
    /// The smallest effect a profile comparison's sketches allow (what the minimum-effect rule
    /// compares when the decision is redone across columns); not encoded.
    var sketchEffect: Double?
    /// Data-quality findings for this column.
    public var issues: [QualityIssue]

    /// Whether the column drifted (``ColumnStatus/drifted``).
    public var drifted: Bool { status == .drifted }

    enum CodingKeys: String, CodingKey {
        case name, kind, role, method, statistic, threshold, status, reason, reference, current, histogram, issues, drifted, resolution
        case pValue = "p_value", adjustedPValue = "adjusted_p_value", effectSize = "effect_size", effectMeasure = "effect_measure"
        case rawDistance = "raw_distance"
    }

    /// Creates a result (non-finite numbers become nil).
    public init(
        name: String, kind: ColumnKind, role: ColumnRole = .feature, method: DriftMethod?,
        statistic: Double?, pValue: Double?, threshold: Double?, effectSize: Double?, effectMeasure: EffectMeasure?,
        status: ColumnStatus, reason: String, reference: ColumnSummary, current: ColumnSummary,
        histogram: ColumnHistogram? = nil, issues: [QualityIssue] = [], rawDistance: Double? = nil
    ) {
        self.name = name
        self.kind = kind
        self.role = role
        self.method = method
        self.statistic = statistic.finite
        self.rawDistance = rawDistance.finite
        self.pValue = pValue.finite
        self.threshold = threshold.finite
        self.effectSize = effectSize.finite
        self.effectMeasure = effectMeasure
        self.status = status
        self.reason = reason
        self.reference = reference
        self.current = current
        self.histogram = histogram
        self.issues = issues
    }

    /// Decodes a result from a report.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        kind = try container.decode(ColumnKind.self, forKey: .kind)
        role = try container.decode(ColumnRole.self, forKey: .role)
        method = try container.decodeIfPresent(DriftMethod.self, forKey: .method)
        statistic = try container.decodeIfPresent(Double.self, forKey: .statistic)
        rawDistance = try container.decodeIfPresent(Double.self, forKey: .rawDistance)
        pValue = try container.decodeIfPresent(Double.self, forKey: .pValue)
        adjustedPValue = try container.decodeIfPresent(Double.self, forKey: .adjustedPValue)
        threshold = try container.decodeIfPresent(Double.self, forKey: .threshold)
        effectSize = try container.decodeIfPresent(Double.self, forKey: .effectSize)
        effectMeasure = try container.decodeIfPresent(EffectMeasure.self, forKey: .effectMeasure)
        status = try container.decode(ColumnStatus.self, forKey: .status)
        reason = try container.decode(String.self, forKey: .reason)
        reference = try container.decode(ColumnSummary.self, forKey: .reference)
        current = try container.decode(ColumnSummary.self, forKey: .current)
        histogram = try container.decodeIfPresent(ColumnHistogram.self, forKey: .histogram)
        issues = try container.decode([QualityIssue].self, forKey: .issues)
        resolution = try container.decodeIfPresent(SketchResolution.self, forKey: .resolution)
    }

    /// Encodes the result with every key present (null where there is no value), so readers of
    /// the JSON see a stable shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(role, forKey: .role)
        try container.encode(method, forKey: .method)
        try container.encode(statistic, forKey: .statistic)
        try container.encode(rawDistance, forKey: .rawDistance)
        try container.encode(pValue, forKey: .pValue)
        try container.encode(adjustedPValue, forKey: .adjustedPValue)
        try container.encode(threshold, forKey: .threshold)
        try container.encode(effectSize, forKey: .effectSize)
        try container.encode(effectMeasure, forKey: .effectMeasure)
        try container.encode(drifted, forKey: .drifted)
        try container.encode(status, forKey: .status)
        try container.encode(reason, forKey: .reason)
        try container.encode(reference, forKey: .reference)
        try container.encode(current, forKey: .current)
        try container.encode(histogram, forKey: .histogram)
        try container.encode(issues, forKey: .issues)
        try container.encode(resolution, forKey: .resolution)
    }
}

/// The decision for one column.
public enum ColumnStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Compared; no drift.
    case stable
    /// Compared; drifted.
    case drifted
    /// Compared; the change is statistically significant but smaller than the minimum effect.
    case detectable
    /// Not compared (missing on one side, no usable values, a type change, a method that does
    /// not apply); ``ColumnDrift/reason`` says why.
    case notTested = "not_tested"
}

/// What a column is to the model.
public enum ColumnRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// An input feature.
    case feature
    /// The model's prediction (a score or a class).
    case prediction
    /// The model's confidence, derived from its class probabilities.
    case confidence
}

/// What an effect size measures.
public enum EffectMeasure: String, Sendable, Hashable, Codable, CaseIterable {
    /// Wasserstein-1 distance in reference standard deviations (numeric columns).
    case wassersteinStandardDeviations = "wasserstein_sd"
    /// Total variation distance between category shares (categorical columns).
    case totalVariation = "total_variation"
}

/// A short description of one sample of a column.
public struct ColumnSummary: Sendable, Hashable, Codable {
    /// Rows in the sample.
    public var rows: Int
    /// Missing cells (NaN counts as missing).
    public var missing: Int
    /// Distinct values among the present ones.
    public var distinct: Int
    /// Mean of a numeric column.
    @ExplicitNull public var mean: Double?
    /// Population standard deviation of a numeric column.
    @ExplicitNull public var standardDeviation: Double?
    /// Smallest value of a numeric column.
    @ExplicitNull public var minimum: Double?
    /// Largest value of a numeric column.
    @ExplicitNull public var maximum: Double?

    enum CodingKeys: String, CodingKey {
        case rows, missing, distinct, mean, minimum, maximum
        case standardDeviation = "standard_deviation"
    }

    /// Creates a summary (non-finite numbers become nil).
    public init(rows: Int, missing: Int, distinct: Int, mean: Double? = nil, standardDeviation: Double? = nil, minimum: Double? = nil, maximum: Double? = nil) {
        self.rows = rows
        self.missing = missing
        self.distinct = distinct
        self.mean = mean.finite
        self.standardDeviation = standardDeviation.finite
        self.minimum = minimum.finite
        self.maximum = maximum.finite
    }

    /// An empty summary, for a side that lacks the column.
    public static let absent = ColumnSummary(rows: 0, missing: 0, distinct: 0)
}

/// The shares of reference and current values per bin (numeric) or category, for plots.
public struct ColumnHistogram: Sendable, Hashable, Codable {
    /// One label per bin or category.
    public var labels: [String]
    /// The bins' inner edges for a numeric column (labels.count − 1 of them), nil for categories.
    @ExplicitNull public var edges: [Double]?
    /// Share of reference values per bin.
    public var reference: [Double]
    /// Share of current values per bin.
    public var current: [Double]

    /// Creates a histogram.
    public init(labels: [String], edges: [Double]?, reference: [Double], current: [Double]) {
        self.labels = labels
        self.edges = edges
        self.reference = reference
        self.current = current
    }

    enum CodingKeys: String, CodingKey {
        case labels, edges, reference, current
    }
}

extension Optional where Wrapped == Double {
    /// The value when finite, else nil.
    var finite: Double? {
        guard let value = self, value.isFinite else { return nil }
        return value
    }
}
