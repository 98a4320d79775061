import Foundation
public import TensorCore

/// The two-sample Kolmogorov–Smirnov test computed from two KLL sketches, with the sketches'
/// own error carried into the decision.
///
/// Each sketch's CDF is within its rank-error bound ε of the true empirical CDF (99 %
/// confidence, `KLLSketch.rankErrorBound`), so the statistic D̂ read from the sketches is
/// within ε_reference + ε_current of the true D. The test therefore decides on
/// D̂ − (ε_reference + ε_current): it alarms only when even the most favourable true D would be
/// significant. The p-value (asymptotic, as ``KolmogorovSmirnovTest`` for large samples) is
/// computed at that lowered statistic, so it never overstates the evidence. A sketch that has not
/// compacted yet holds every value and adds no error.
public struct SketchKolmogorovSmirnovTest: Sendable, Hashable, Codable {
    /// D̂: the largest gap between the two sketches' CDFs.
    public let statistic: Double
    /// ε_reference + ε_current, the most D̂ can be off by (99 % confidence per sketch).
    public let errorBound: Double
    /// The p-value at max(0, D̂ − ``errorBound``).
    public let pValue: Double

    /// Tests two sketches.
    ///
    /// - Throws: ``DriftError`` (``DriftError/Code/emptySample``) when a sketch is empty.
    public init(reference: KLLSketch, current: KLLSketch) throws(DriftError) {
        guard !reference.isEmpty else { throw DriftError(.emptySample, "The reference sketch holds no values", fix: "profile some reference data first.") }
        guard !current.isEmpty else { throw DriftError(.emptySample, "The current sketch holds no values", fix: "wait for traffic before testing the window.") }
        let (r, c) = (reference.cumulativeSteps(), current.cumulativeSteps())
        var gap = 0.0
        walkSteps(r, c) { _, rankR, rankC in gap = Swift.max(gap, Swift.abs(rankR - rankC)) }
        statistic = gap
        errorBound = Self.error(of: reference) + Self.error(of: current)
        let lowered = Swift.max(0, gap - errorBound)
        let (m, n) = (Double(reference.count), Double(current.count))
        let effective = (m * n / (m + n)).rounded(.toNearestOrEven)
        let p = (try? KolmogorovSmirnovDistribution(sampleSize: Swift.max(1, Int(effective))))?.sf(lowered) ?? .nan
        pValue = Swift.min(Swift.max(p, 0), 1)
    }

    /// A sketch's rank error: zero while it still holds every value.
    static func error(of sketch: KLLSketch) -> Double {
        sketch.isEstimationMode ? sketch.rankErrorBound : 0
    }
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

/// ∫ |F_a − F_b|^power dx between two step CDFs: with power 1 the Wasserstein-1 distance of the
/// distributions the sketches describe, with power 2 half the squared energy distance.
func gapIntegralBetweenSteps(_ a: [(value: Double, rank: Double)], _ b: [(value: Double, rank: Double)], power: Int) -> Double {
    var total = 0.0
    var previous: (value: Double, gap: Double)?
    walkSteps(a, b) { value, rankA, rankB in
        if let previous { total += (power == 1 ? previous.gap : previous.gap * previous.gap) * (value - previous.value) }
        previous = (value, Swift.abs(rankA - rankB))
    }
    return total
}
