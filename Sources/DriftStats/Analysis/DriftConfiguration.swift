public import TensorCore

/// How a ``DriftAnalyzer`` compares a current table with its reference: which method per
/// column, which thresholds, when an effect is too small to matter, and how the columns add up
/// to one decision for the dataset.
///
/// Every default is documented where it is declared and can be overridden per run or per column.
///
/// ```swift
/// var configuration = DriftConfiguration()
/// configuration.columnMethods["country"] = .chiSquare
/// configuration.minimumEffect = MinimumEffect(numeric: 0.1, categorical: 0.05)
/// configuration.datasetRule = .anyColumn(adjustment: .benjaminiHochberg)
/// ```
public struct DriftConfiguration: Sendable, Hashable {
    /// One method for every column (nil: choose per column, see ``AutomaticMethodChoice``).
    public var method: DriftMethod?
    /// A method for some columns, overriding ``method`` and the automatic choice.
    public var columnMethods: [String: DriftMethod]
    /// Thresholds per method, overriding ``DriftMethod/defaultThreshold``.
    public var methodThresholds: [DriftMethod: Double]
    /// Thresholds per column, overriding everything else.
    public var columnThresholds: [String: Double]
    /// The columns to compare (nil: every column of the reference, plus any the current data
    /// adds, which are reported as not tested).
    public var columns: [String]?
    /// How the automatic choice decides.
    public var automaticChoice: AutomaticMethodChoice
    /// The smallest effect that counts as drift (nil: any significant result counts).
    public var minimumEffect: MinimumEffect?
    /// How column results become the dataset's decision.
    public var datasetRule: DatasetRule
    /// Quantile bins per numeric column for the binned methods (PSI, Jensen–Shannon, …), taken
    /// from the reference (10).
    public var binCount: Int
    /// Explicit bins for some numeric columns (business edges such as age bands, or bins saved
    /// with an earlier baseline), used instead of the reference's quantiles.
    public var columnBins: [String: ReferenceBins]
    /// The data-quality checks run in the same pass.
    public var quality: DataQualityRules
    /// Model outputs to derive prediction and confidence columns from.
    public var modelOutputs: ModelOutputColumns?
    /// Compare with the reference rows of the same seasons only (nil: the whole reference).
    public var season: SeasonalBaseline?
    /// Also compare the numeric columns jointly (MMD and PCA reconstruction error); nil: off.
    /// When on, joint drift also makes the dataset drifted.
    public var multivariate: MultivariateOptions?

    /// The defaults: automatic methods, default thresholds, no minimum effect, the dataset
    /// drifted when half its tested columns drifted, 10 bins.
    public init(
        method: DriftMethod? = nil,
        columnMethods: [String: DriftMethod] = [:],
        methodThresholds: [DriftMethod: Double] = [:],
        columnThresholds: [String: Double] = [:],
        columns: [String]? = nil,
        automaticChoice: AutomaticMethodChoice = AutomaticMethodChoice(),
        minimumEffect: MinimumEffect? = nil,
        datasetRule: DatasetRule = .shareOfColumns(0.5),
        binCount: Int = 10,
        columnBins: [String: ReferenceBins] = [:],
        quality: DataQualityRules = DataQualityRules(),
        modelOutputs: ModelOutputColumns? = nil,
        season: SeasonalBaseline? = nil,
        multivariate: MultivariateOptions? = nil
    ) {
        self.method = method
        self.columnMethods = columnMethods
        self.methodThresholds = methodThresholds
        self.columnThresholds = columnThresholds
        self.columns = columns
        self.automaticChoice = automaticChoice
        self.minimumEffect = minimumEffect
        self.datasetRule = datasetRule
        self.binCount = binCount
        self.columnBins = columnBins
        self.quality = quality
        self.modelOutputs = modelOutputs
        self.season = season
        self.multivariate = multivariate
    }

    /// The threshold for a column compared with a method.
    public func threshold(for column: String, method: DriftMethod) -> Double {
        columnThresholds[column] ?? methodThresholds[method] ?? method.defaultThreshold
    }

    func validate() throws(DriftError) {
        guard binCount >= 2 else {
            throw DriftError(.invalidArgument, "binCount is \(binCount); binned methods need at least 2 bins", fix: "use 10 bins, the usual choice.")
        }
        for (name, threshold) in columnThresholds where !(threshold >= 0 && threshold.isFinite) {
            throw DriftError(.invalidArgument, "The threshold for column '\(name)' is \(threshold)", fix: "use a finite threshold of at least 0.")
        }
        for (method, threshold) in methodThresholds where !(threshold >= 0 && threshold.isFinite) {
            throw DriftError(.invalidArgument, "The threshold for method \(method) is \(threshold)", fix: "use a finite threshold of at least 0.")
        }
        for (method, threshold) in methodThresholds where method.hasPValue && !(threshold > 0 && threshold < 1) {
            throw DriftError(.invalidArgument, "The threshold for \(method) is a significance level, but \(threshold) is not between 0 and 1", fix: "use a level such as 0.05 or 0.01.")
        }
        if case .shareOfColumns(let share) = datasetRule, !(share > 0 && share <= 1) {
            throw DriftError(.invalidArgument, "The dataset rule's share of columns is \(share)", fix: "use a share above 0 and at most 1 (0.5: half the tested columns).")
        }
        if let multivariate,
           !(multivariate.alpha > 0 && multivariate.alpha < 1) || !(1...100_000).contains(multivariate.permutations)
            || !(4...MaximumMeanDiscrepancyTest.maximumPooledRows).contains(multivariate.permutationRows) {
            throw DriftError(
                .invalidArgument,
                "The multivariate options need a level between 0 and 1, 1 to 100,000 permutations and 4 to \(MaximumMeanDiscrepancyTest.maximumPooledRows) pooled rows",
                fix: "use MultivariateOptions() defaults.")
        }
        if let minimumEffect, !(minimumEffect.numeric >= 0 && minimumEffect.numeric.isFinite) {
            throw DriftError(
                .invalidArgument, "The minimum numeric effect \(minimumEffect.numeric) is not a finite number of at least 0",
                fix: "give a shift in reference standard deviations, such as 0.1 (0 counts every shift).")
        }
        if let minimumEffect, !(minimumEffect.categorical >= 0 && minimumEffect.categorical <= 1) {
            throw DriftError(
                .invalidArgument, "The minimum categorical effect \(minimumEffect.categorical) is not a total variation distance between 0 and 1",
                fix: "give a distance such as 0.05 (0 counts every change; 1 no change at all).")
        }
    }
}

/// How the method for a column is chosen when none is named, by the column's type, its number
/// of distinct values and the sample size (the same rule Evidently documents, with the
/// thresholds exposed):
///
/// - numeric, reference of at most ``largeSample`` values: Kolmogorov–Smirnov at α = 0.05;
/// - numeric, larger: Wasserstein distance in reference standard deviations, threshold 0.1
///   (at large n every test flags tiny shifts; a distance measures how far it moved);
/// - categorical (or numeric with at most ``categoricalDistinctLimit`` distinct reference
///   values), two categories and a small sample: the two-proportion z-test; more categories:
///   chi-square; larger samples: Jensen–Shannon distance, threshold 0.1;
/// - timestamps are checked for freshness, not drift (time always moves on).
public struct AutomaticMethodChoice: Sendable, Hashable {
    /// The reference size above which distances replace tests (1,000).
    public var largeSample: Int
    /// Numeric columns with at most this many distinct reference values are compared as
    /// categories (5).
    public var categoricalDistinctLimit: Int

    /// The defaults: 1,000 values and 5 distinct values.
    public init(largeSample: Int = 1_000, categoricalDistinctLimit: Int = 5) {
        self.largeSample = largeSample
        self.categoricalDistinctLimit = categoricalDistinctLimit
    }

    /// The method for a column of `kind` with `distinct` distinct values and `count` usable
    /// values in the reference; nil for timestamps.
    public func method(kind: ColumnKind, distinct: Int, count: Int) -> DriftMethod? {
        let large = count > largeSample
        switch kind {
        case .timestamp:
            return nil
        case .double where distinct > categoricalDistinctLimit:
            return large ? .wasserstein : .kolmogorovSmirnov
        case .double, .categorical:
            if large { return .jensenShannon }
            return distinct <= 2 ? .proportionZ : .chiSquare
        }
    }
}

extension AutomaticMethodChoice {
    /// `method`, chosen from the reference alone, made to fit a categorical column whose
    /// reference and current data hold `categories` distinct values together: a two-category
    /// method (the z-test) becomes chi-square for a category gained, the most visible drift of
    /// all, and for one value on both sides (a flag always 0, a status always "ok"), which a
    /// z-test cannot compare (0/0) and chi-square calls unchanged (p = 1), as scipy does. Files
    /// (``DriftAnalyzer``) and stored profiles (``ProfileComparison``) decide alike.
    func fitting(_ method: DriftMethod?, categories: @autoclosure () -> Int) -> DriftMethod? {
        method?.needsTwoCategories == true && categories() != 2 ? .chiSquare : method
    }
}

/// The smallest change that counts as drift, so a 0.01-σ shift in a million rows is reported
/// as statistically detectable but not practically drifted.
///
/// The effect of a numeric column is its Wasserstein distance in reference standard
/// deviations; of a categorical column, the total variation distance (the share of rows that
/// would have to change category).
public struct MinimumEffect: Sendable, Hashable, Codable {
    /// Smallest numeric effect, in reference standard deviations.
    public var numeric: Double
    /// Smallest categorical effect, as a total variation distance between 0 and 1.
    public var categorical: Double

    /// A minimum effect for each kind of column.
    public init(numeric: Double = 0.1, categorical: Double = 0.05) {
        self.numeric = numeric
        self.categorical = categorical
    }
}

/// How the column results become the dataset's decision.
public enum DatasetRule: Sendable, Hashable {
    /// Drifted when at least this share of the tested columns drifted (Evidently's default is 0.5).
    case shareOfColumns(Double)
    /// Drifted when any column drifted after the p-values of the test columns were adjusted for
    /// testing many columns at once (distance columns keep their thresholds).
    case anyColumn(adjustment: MultipleTesting.Method)

    /// How the rule reads in a report.
    public var description: String {
        switch self {
        case .shareOfColumns(let share): "share of drifted columns ≥ \(share)"
        case .anyColumn(let method): "any column drifted after \(method == .benjaminiHochberg ? "Benjamini–Hochberg" : "Bonferroni") adjustment"
        }
    }
}

/// Model-output columns: a prediction (score or class) and, optionally, class probabilities
/// from which a confidence column is derived.
public struct ModelOutputColumns: Sendable, Hashable {
    /// The prediction column (a score or a class); compared like any column, marked as a prediction.
    public var prediction: String?
    /// Probability columns: one column (a binary classifier's positive-class score: confidence
    /// is max(p, 1 − p)) or one per class (confidence is the largest).
    public var probabilities: [String]

    /// Names the model-output columns.
    public init(prediction: String? = nil, probabilities: [String] = []) {
        self.prediction = prediction
        self.probabilities = probabilities
    }

    /// The name of the derived confidence column in reports.
    public static let confidenceColumn = "confidence"
}
