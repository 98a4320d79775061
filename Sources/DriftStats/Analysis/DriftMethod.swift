/// A way of comparing one column of the reference with the same column now: a hypothesis test
/// (decided on its p-value) or a distance (decided on its size).
///
/// The raw values are the names the `mlops drift --method` option and the JSON report use.
public enum DriftMethod: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Two-sample Kolmogorov–Smirnov (numeric).
    case kolmogorovSmirnov = "ks"
    /// Two-sample Cramér–von Mises (numeric).
    case cramerVonMises = "cramervonmises"
    /// k-sample Anderson–Darling with two samples (numeric).
    case andersonDarling = "andersondarling"
    /// Mann–Whitney U (numeric: a shift in location).
    case mannWhitney = "mannwhitney"
    /// Welch's t-test (numeric: a shift in the mean).
    case welchT = "ttest"
    /// Wasserstein-1 divided by the reference standard deviation (numeric).
    case wasserstein
    /// Energy distance on the reference's scale: the raw energy distance over √σ, σ the reference
    /// standard deviation (the energy distance of the samples after dividing every value by σ;
    /// numeric, unit-free like the Wasserstein method).
    case energy
    /// Population stability index over reference bins or categories.
    case psi
    /// Jensen–Shannon distance over reference bins or categories.
    case jensenShannon = "jensenshannon"
    /// Kullback–Leibler divergence of current from reference over bins or categories.
    case kullbackLeibler = "kl"
    /// Hellinger distance over bins or categories.
    case hellinger
    /// Total variation distance over bins or categories.
    case totalVariation = "totalvariation"
    /// The largest change of one bin's or category's share.
    case lInfinity = "linf"
    /// Pearson's chi-square test of homogeneity over categories (or reference bins).
    case chiSquare = "chisquare"
    /// The G-test (log-likelihood ratio) over categories (or reference bins).
    case gTest = "gtest"
    /// The two-proportion z-test (a column with two categories).
    case proportionZ = "ztest"
    /// Fisher's exact test (a column with two categories).
    case fisherExact = "fisher"

    /// The name used on the command line and in reports.
    public var description: String { rawValue }

    /// Whether the method is a hypothesis test with a p-value (otherwise a distance).
    public var hasPValue: Bool {
        switch self {
        case .kolmogorovSmirnov, .cramerVonMises, .andersonDarling, .mannWhitney, .welchT,
             .chiSquare, .gTest, .proportionZ, .fisherExact:
            true
        case .wasserstein, .energy, .psi, .jensenShannon, .kullbackLeibler, .hellinger, .totalVariation, .lInfinity:
            false
        }
    }

    /// Whether the method compares raw numbers (so it cannot run on a categorical column).
    public var needsNumbers: Bool {
        switch self {
        case .kolmogorovSmirnov, .cramerVonMises, .andersonDarling, .mannWhitney, .welchT, .wasserstein, .energy:
            true
        default:
            false
        }
    }

    /// Whether the method needs exactly two categories.
    public var needsTwoCategories: Bool { self == .proportionZ || self == .fisherExact }

    /// The default threshold: the significance level for tests, the smallest distance that
    /// counts as drift for distances.
    ///
    /// Distances: 0.1 for the scaled Wasserstein distance (a tenth of a reference standard
    /// deviation) and the scaled energy distance, and for the bounded share distances (Jensen–Shannon,
    /// Hellinger, total variation, L∞, KL); 0.25 for PSI, its usual "significant shift" line.
    public var defaultThreshold: Double {
        switch self {
        case .psi: 0.25
        case _ where hasPValue: 0.05
        default: 0.1
        }
    }
}
