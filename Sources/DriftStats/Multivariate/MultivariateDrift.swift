import Foundation
public import MLOpsStorage
import TensorCore

/// Settings for the multivariate part of a comparison: drift in how the numeric columns move
/// together, which per-column tests cannot see (two features that swap their correlation keep
/// both marginals).
public struct MultivariateOptions: Sendable, Hashable {
    /// The significance level of the MMD test (0.05).
    public var alpha: Double
    /// The permutation MMD test runs on at most this many pooled rows (2,000); larger
    /// comparisons use a seeded subsample of half as many rows from each side. (The
    /// linear-time test would use every row, but with far less power: it missed a 0.33 σ shift
    /// in 5,000 rows that the permutation test on 1,000 + 1,000 rows finds.)
    public var permutationRows: Int
    /// Permutations of the MMD test (200).
    public var permutations: Int
    /// Seeds the subsamples and permutations.
    public var seed: UInt64

    /// The defaults on each property.
    public init(alpha: Double = 0.05, permutationRows: Int = 2_000, permutations: Int = 200, seed: UInt64 = 0) {
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
    /// "mmd_permutation" (on every row, or a seeded subsample of ``MultivariateOptions/permutationRows``).
    public var test: String
    /// The MMD² statistic.
    @ExplicitNull public var statistic: Double?
    /// Its p-value.
    @ExplicitNull public var pValue: Double?
    /// The kernel bandwidth (median heuristic, in standardised units).
    @ExplicitNull public var bandwidth: Double?
    /// Mean squared reconstruction error of current rows under the reference's components.
    @ExplicitNull public var pcaCurrentError: Double?
    /// The same for the reference's own rows.
    @ExplicitNull public var pcaReferenceError: Double?
    /// The error above which PCA calls drift (reference mean + 3 standard deviations of its
    /// rows). The PCA fields are null when the columns are not redundant (every component is
    /// needed to explain 95 % of the variance), since nothing is then left to reconstruct.
    @ExplicitNull public var pcaThreshold: Double?
    /// Whether the MMD test or the PCA error found drift.
    public var drifted: Bool
    /// The finding as a sentence (or why it could not be computed).
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case columns, test, statistic, bandwidth, drifted, reason
        case referenceRows = "reference_rows", currentRows = "current_rows", pValue = "p_value"
        case pcaCurrentError = "pca_current_error", pcaReferenceError = "pca_reference_error", pcaThreshold = "pca_threshold"
    }

    /// The most numeric columns compared jointly (the eigen-decomposition costs O(d³)).
    public static let maximumColumns = 200

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
        guard numeric.count <= Self.maximumColumns else {
            result.reason = "not computed: \(numeric.count) numeric columns, more than the \(Self.maximumColumns) the joint comparison takes (name fewer with the columns setting)"
            return result
        }
        // Complete rows (every value finite), then standardised by the reference rows' own mean
        // and standard deviation (constant columns only centred).
        func completeRows(_ pick: (Int) -> DoubleColumn, count: Int) -> [Double] {
            var values: [Double] = []
            values.reserveCapacity(count * numeric.count)
            var row = [Double](repeating: 0, count: numeric.count)
            for index in 0..<count {
                var complete = true
                for position in numeric.indices {
                    guard let value = pick(position)[index], value.isFinite else {
                        complete = false
                        break
                    }
                    row[position] = value
                }
                if complete { values.append(contentsOf: row) }
            }
            return values
        }
        var referenceValues = completeRows({ numeric[$0].1 }, count: reference.rowCount)
        var currentValues = completeRows({ numeric[$0].2 }, count: current.rowCount)
        let width = numeric.count
        for position in 0..<width {
            let column = stride(from: position, to: referenceValues.count, by: width).map { referenceValues[$0] }
            let summary = column.withUnsafeBufferPointer { Reductions.summary($0) }
            let mean = summary.count > 0 ? summary.mean : 0
            let deviation = summary.standardDeviation > 0 && summary.standardDeviation.isFinite ? summary.standardDeviation : 1
            for index in stride(from: position, to: referenceValues.count, by: width) { referenceValues[index] = (referenceValues[index] - mean) / deviation }
            for index in stride(from: position, to: currentValues.count, by: width) { currentValues[index] = (currentValues[index] - mean) / deviation }
        }
        let d = numeric.count
        result.referenceRows = referenceValues.count / d
        result.currentRows = currentValues.count / d
        do throws(DriftError) {
            let referenceSample = try MultivariateSample(rowCount: result.referenceRows, columnCount: d, values: referenceValues)
            let currentSample = try MultivariateSample(rowCount: result.currentRows, columnCount: d, values: currentValues)
            let perSide = Swift.max(2, options.permutationRows / 2)
            let test = try MaximumMeanDiscrepancyTest(
                reference: try Self.subsample(referenceSample, rows: perSide, seed: options.seed),
                current: try Self.subsample(currentSample, rows: perSide, seed: options.seed &+ 1),
                permutations: options.permutations, seed: options.seed)
            (result.test, result.statistic, result.pValue, result.bandwidth) = ("mmd_permutation", test.statistic, test.pValue, test.bandwidth)
            let mmdDrifted = test.pValue <= options.alpha
            var pcaDrifted = false
            var pcaText = "PCA skipped: the columns are not redundant (every component is needed)"
            let pca = try PCAReconstructionDrift(reference: referenceSample)
            if pca.componentCount < d {
                let finding = try pca.evaluate(currentSample)
                (result.pcaCurrentError, result.pcaReferenceError, result.pcaThreshold) = (finding.currentError, finding.referenceError, finding.threshold)
                pcaDrifted = finding.drifted
                pcaText = "PCA reconstruction error \(DriftAnalyzer.format(finding.currentError)) \(finding.drifted ? ">" : "≤") \(DriftAnalyzer.format(finding.threshold))"
            }
            result.drifted = mmdDrifted || pcaDrifted
            let mmdText = "MMD p = \(DriftAnalyzer.format(test.pValue)) \(mmdDrifted ? "≤" : ">") \(DriftAnalyzer.format(options.alpha))"
            // The verdict names the test(s) that decided it, so a PCA line that passed does not
            // read as the reason the columns drifted.
            let deciders = [mmdDrifted ? "MMD" : nil, pcaDrifted ? "PCA" : nil].compactMap { $0 }
            let verdict = deciders.isEmpty ? "no joint drift" : "the columns' joint distribution drifted (\(deciders.joined(separator: " and ")))"
            result.reason = "\(mmdText); \(pcaText). Verdict: \(verdict)"
        } catch {
            result.reason = "not computed: \(error.description)"
        }
        return result
    }

    /// At most `rows` rows of a sample, drawn without replacement with a seeded shuffle (all of
    /// them, in order, when the sample is small enough).
    static func subsample(_ sample: MultivariateSample, rows: Int, seed: UInt64) throws(DriftError) -> MultivariateSample {
        guard sample.rowCount > rows else { return sample }
        var values: [Double] = []
        values.reserveCapacity(rows * sample.columnCount)
        for index in KernelBandwidth.subsample(of: sample.rowCount, count: rows, seed: seed) {
            values.append(contentsOf: sample.row(index))
        }
        return try MultivariateSample(rowCount: rows, columnCount: sample.columnCount, values: values)
    }
}
