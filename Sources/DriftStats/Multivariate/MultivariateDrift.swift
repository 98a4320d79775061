import Foundation
import TensorCore

/// Settings for the multivariate part of a comparison: drift in how the numeric columns move
/// together, which per-column tests cannot see (two features that swap their correlation keep
/// both marginals).
public struct MultivariateOptions: Sendable, Hashable {
    /// The significance level of the MMD test (0.05).
    public var alpha: Double
    /// Up to this many pooled rows the permutation MMD test runs; larger comparisons use the
    /// linear-time test on every row (4,000).
    public var permutationRows: Int
    /// Permutations of the MMD test (200).
    public var permutations: Int
    /// Seeds the subsamples and permutations.
    public var seed: UInt64

    /// The defaults on each property.
    public init(alpha: Double = 0.05, permutationRows: Int = 4_000, permutations: Int = 200, seed: UInt64 = 0) {
        self.alpha = alpha
        self.permutationRows = permutationRows
        self.permutations = permutations
        self.seed = seed
    }
}

/// The multivariate finding of a report: an MMD test on the standardised numeric columns and
/// the PCA reconstruction error of the current rows under the reference's components.
public struct MultivariateDrift: Sendable, Hashable, Codable {
    /// The numeric columns compared together (both sides, standardised by the reference).
    public var columns: [String]
    /// Complete rows used from the reference and from the current data.
    public var referenceRows: Int
    /// Complete rows used from the current data.
    public var currentRows: Int
    /// "mmd_permutation" or "mmd_linear_time".
    public var test: String
    /// The MMD² statistic.
    public var statistic: Double?
    /// Its p-value.
    public var pValue: Double?
    /// The kernel bandwidth (median heuristic, in standardised units).
    public var bandwidth: Double?
    /// Mean squared reconstruction error of current rows under the reference's components.
    public var pcaCurrentError: Double?
    /// The same for the reference's own rows.
    public var pcaReferenceError: Double?
    /// The error above which PCA calls drift (reference mean + 3 standard deviations of its rows).
    public var pcaThreshold: Double?
    /// Whether the MMD test or the PCA error found drift.
    public var drifted: Bool
    /// The finding as a sentence (or why it could not be computed).
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case columns, test, statistic, bandwidth, drifted, reason
        case referenceRows = "reference_rows", currentRows = "current_rows", pValue = "p_value"
        case pcaCurrentError = "pca_current_error", pcaReferenceError = "pca_reference_error", pcaThreshold = "pca_threshold"
    }

    /// Encodes every key, null where there is no value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(columns, forKey: .columns)
        try container.encode(referenceRows, forKey: .referenceRows)
        try container.encode(currentRows, forKey: .currentRows)
        try container.encode(test, forKey: .test)
        try container.encode(statistic, forKey: .statistic)
        try container.encode(pValue, forKey: .pValue)
        try container.encode(bandwidth, forKey: .bandwidth)
        try container.encode(pcaCurrentError, forKey: .pcaCurrentError)
        try container.encode(pcaReferenceError, forKey: .pcaReferenceError)
        try container.encode(pcaThreshold, forKey: .pcaThreshold)
        try container.encode(drifted, forKey: .drifted)
        try container.encode(reason, forKey: .reason)
    }

    /// Compares the numeric columns both tables share, on their complete rows.
    static func compare(reference: FeatureTable, current: FeatureTable, columns names: [String], options: MultivariateOptions) -> MultivariateDrift {
        var numeric: [(String, DoubleColumn, DoubleColumn)] = []
        for name in names {
            if case .double(let r)? = reference.column(named: name), case .double(let c)? = current.column(named: name) {
                numeric.append((name, r, c))
            }
        }
        var result = MultivariateDrift(
            columns: numeric.map(\.0), referenceRows: 0, currentRows: 0, test: "", drifted: false, reason: "")
        guard numeric.count >= 2 else {
            result.reason = "not computed: fewer than two numeric columns in both tables"
            return result
        }
        // Standardise by the reference's mean and standard deviation (constant columns only centred).
        let scales = numeric.map { column -> (Double, Double) in
            let summary = column.1.values.withUnsafeBufferPointer { Reductions.summary($0) }
            let deviation = summary.standardDeviation
            return (summary.mean, deviation > 0 && deviation.isFinite ? deviation : 1)
        }
        func rows(_ pick: (Int) -> DoubleColumn, count: Int) -> [Double] {
            var values: [Double] = []
            values.reserveCapacity(count * numeric.count)
            var row = [Double](repeating: 0, count: numeric.count)
            for index in 0..<count {
                var complete = true
                for (position, scale) in scales.enumerated() {
                    guard let value = pick(position)[index], value.isFinite else {
                        complete = false
                        break
                    }
                    row[position] = (value - scale.0) / scale.1
                }
                if complete { values.append(contentsOf: row) }
            }
            return values
        }
        let referenceValues = rows({ numeric[$0].1 }, count: reference.rowCount)
        let currentValues = rows({ numeric[$0].2 }, count: current.rowCount)
        let d = numeric.count
        result.referenceRows = referenceValues.count / d
        result.currentRows = currentValues.count / d
        do throws(DriftError) {
            let referenceSample = try MultivariateSample(rowCount: result.referenceRows, columnCount: d, values: referenceValues)
            let currentSample = try MultivariateSample(rowCount: result.currentRows, columnCount: d, values: currentValues)
            let mmdDrifted: Bool
            if result.referenceRows + result.currentRows <= options.permutationRows {
                let test = try MaximumMeanDiscrepancyTest(reference: referenceSample, current: currentSample, permutations: options.permutations, seed: options.seed)
                (result.test, result.statistic, result.pValue, result.bandwidth) = ("mmd_permutation", test.statistic, test.pValue, test.bandwidth)
                mmdDrifted = test.pValue <= options.alpha
            } else {
                let test = try LinearTimeMMDTest(reference: referenceSample, current: currentSample, seed: options.seed)
                (result.test, result.statistic, result.pValue, result.bandwidth) = ("mmd_linear_time", test.statistic, test.pValue, test.bandwidth)
                mmdDrifted = test.pValue <= options.alpha
            }
            let pca = try PCAReconstructionDrift(reference: referenceSample)
            let finding = try pca.evaluate(currentSample)
            (result.pcaCurrentError, result.pcaReferenceError, result.pcaThreshold) = (finding.currentError, finding.referenceError, finding.threshold)
            result.drifted = mmdDrifted || finding.drifted
            let mmdText = "\(result.test == "mmd_permutation" ? "MMD (permutation)" : "MMD (linear time)") p = \(DriftAnalyzer.format(result.pValue ?? .nan)) \(mmdDrifted ? "≤" : ">") \(DriftAnalyzer.format(options.alpha))"
            let pcaText = "PCA reconstruction error \(DriftAnalyzer.format(finding.currentError)) \(finding.drifted ? ">" : "≤") \(DriftAnalyzer.format(finding.threshold))"
            result.reason = "\(mmdText); \(pcaText): \(result.drifted ? "the columns' joint distribution drifted" : "no joint drift")"
        } catch {
            result.reason = "not computed: \(error.description)"
        }
        return result
    }
}
