import Foundation
public import TensorCore

/// The two-sample Kolmogorov–Smirnov test computed from two KLL sketches, with the sketches'
/// own error carried into the decision.
///
/// Each sketch knows how much its compactions can have moved any rank
/// (`KLLSketch.rankErrorBound(failureProbability:queries:)`: a bound on every rank at once
/// that fails with probability at most δ/2 per sketch), so the statistic D̂ read from the
/// sketches is within ε_reference + ε_current of the raw values' D except with probability δ.
/// The p-value is the asymptotic KS p-value (as ``KolmogorovSmirnovTest`` for large samples) at
/// max(0, D̂ − ε_reference − ε_current), plus δ: under no drift, P(p ≤ α) ≤ α still holds, and a
/// shift shows as soon as D̂ clears the error. A sketch that has not compacted adds no error;
/// when neither has, the test is the exact-data test (``KolmogorovSmirnovTest``'s, the exact
/// p-value for samples of at most 10,000 values included) and nothing is added.
public struct SketchKolmogorovSmirnovTest: Sendable, Hashable, Codable {
    /// The failure probability δ used unless another is asked for: 10⁻⁴, so the smallest
    /// p-value two compacted sketches can give is 10⁻⁴ (still significant at a Bonferroni
    /// level for hundreds of columns) while the bounds stay within about 10 % of their δ = 0.01
    /// width.
    public static let defaultFailureProbability = 1e-4

    /// D̂: the largest gap between the two sketches' CDFs.
    public let statistic: Double
    /// ε_reference + ε_current, the most D̂ can be off by (except with probability δ).
    public let errorBound: Double
    /// The p-value at max(0, D̂ − ``errorBound``), plus δ when an error bound was used.
    public let pValue: Double
    /// The chance the error bounds used fail: δ when both sketches compacted, δ/2 when one did,
    /// 0 when neither did (1 % per sketch read from the old binary form).
    public let failureProbability: Double

    /// Tests two sketches.
    ///
    /// - Parameters:
    ///   - reference: The baseline's sketch.
    ///   - current: The current window's sketch.
    ///   - failureProbability: δ, in (0, 0.5]; the default is ``defaultFailureProbability``.
    /// - Throws: ``DriftError`` (``DriftError/Code/emptySample``) when a sketch is empty;
    ///   ``DriftError/Code/invalidArgument`` when δ is outside (0, 0.5].
    public init(reference: KLLSketch, current: KLLSketch, failureProbability: Double = Self.defaultFailureProbability) throws(DriftError) {
        guard !reference.isEmpty else { throw DriftError(.emptySample, "The reference sketch holds no values", fix: "profile some reference data first.") }
        guard !current.isEmpty else { throw DriftError(.emptySample, "The current sketch holds no values", fix: "wait for traffic before testing the window.") }
        guard failureProbability > 0 && failureProbability <= 0.5 else {
            throw DriftError(.invalidArgument, "The failure probability is \(failureProbability)", fix: "use a small probability such as 1e-4.")
        }
        let evaluated = try SketchMethodEvaluation(
            numeric: .kolmogorovSmirnov, reference: SketchedDistribution(sketch: reference), current: SketchedDistribution(sketch: current),
            binCount: 10, failureProbability: failureProbability)
        statistic = evaluated.evaluation.statistic
        errorBound = evaluated.statisticError
        pValue = evaluated.evaluation.pValue ?? .nan
        self.failureProbability = evaluated.failureProbability
    }

    enum CodingKeys: String, CodingKey {
        case statistic, errorBound, pValue, failureProbability
    }

    /// Decodes a test; one encoded before ``failureProbability`` existed reads as 0.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        statistic = try container.decode(Double.self, forKey: .statistic)
        errorBound = try container.decode(Double.self, forKey: .errorBound)
        pValue = try container.decode(Double.self, forKey: .pValue)
        failureProbability = try container.decodeIfPresent(Double.self, forKey: .failureProbability) ?? 0
    }
}

/// The largest gap between two step CDFs (the KS statistic of the distributions they describe).
func largestGapBetweenSteps(_ a: [(value: Double, rank: Double)], _ b: [(value: Double, rank: Double)]) -> Double {
    var gap = 0.0
    walkSteps(a, b) { _, rankA, rankB in gap = Swift.max(gap, Swift.abs(rankA - rankB)) }
    return gap
}

/// Walks the union of two step CDFs in ascending order, calling `body` with each value and
/// both CDFs there (inclusive).
func walkSteps(_ a: [(value: Double, rank: Double)], _ b: [(value: Double, rank: Double)], _ body: (Double, Double, Double) -> Void) {
    var i = 0, j = 0
    var rankA = 0.0, rankB = 0.0
    while i < a.count || j < b.count {
        let value = i < a.count && (j >= b.count || a[i].value <= b[j].value) ? a[i].value : b[j].value
        if i < a.count && a[i].value == value {
            rankA = a[i].rank
            i += 1
        }
        if j < b.count && b[j].value == value {
            rankB = b[j].rank
            j += 1
        }
        body(value, rankA, rankB)
    }
}

/// ∫ max(0, |F_a − F_b| − slack)^power dx between two step CDFs: with power 1 and no slack the
/// Wasserstein-1 distance of the distributions the sketches describe, with power 2 half the
/// squared energy distance. A slack (the sketches' rank errors together) gives the smallest
/// value the true CDFs can have.
func gapIntegralBetweenSteps(_ a: [(value: Double, rank: Double)], _ b: [(value: Double, rank: Double)], power: Int, slack: Double = 0) -> Double {
    var total = 0.0
    var previous: (value: Double, gap: Double)?
    walkSteps(a, b) { value, rankA, rankB in
        if let previous { total += (power == 1 ? previous.gap : previous.gap * previous.gap) * (value - previous.value) }
        previous = (value, Swift.max(0, Swift.abs(rankA - rankB) - slack))
    }
    return total
}
