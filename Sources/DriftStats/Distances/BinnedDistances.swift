import Foundation

/// Distances between the bin shares of a reference and a current sample over ``ReferenceBins``:
/// the measures that compare histograms rather than raw values.
///
/// Shares are floored at ``PopulationStabilityIndex/floor`` (and renormalised for the
/// divergences) so an empty bin is a large, finite difference. Logarithms are natural.
public struct BinnedDistances: Sendable, Hashable, Codable {
    /// The Jensen–Shannon distance: the square root of the JS divergence, as
    /// `scipy.spatial.distance.jensenshannon` on the floored shares, which is Evidently's
    /// (between 0 and √ln 2). ``jensenShannonDistance(_:_:)`` takes shares as they are.
    public let jensenShannon: Double
    /// The Kullback–Leibler divergence of current from reference, Σ c · ln(c / r), as
    /// `scipy.stats.entropy(current, reference)`.
    public let kullbackLeibler: Double
    /// The Hellinger distance, √(½ Σ (√c − √r)²), between 0 and 1.
    public let hellinger: Double
    /// The total variation distance, ½ Σ |c − r|, between 0 and 1.
    public let totalVariation: Double
    /// The largest difference of one bin's share, max |c − r|.
    public let lInfinity: Double

    /// Compares the two samples' shares over `bins`.
    ///
    /// - Throws: ``DriftError`` when a sample has no non-NaN value.
    public init(bins: ReferenceBins, reference: SortedSample, current: SortedSample) throws(DriftError) {
        try reference.requireValues("reference")
        try current.requireValues("current")
        self.init(referenceShares: bins.proportions(reference), currentShares: bins.proportions(current))
    }

    /// Compares shares already binned (categories, say), in the same bin order; each list should
    /// sum to 1.
    public init(referenceShares: [Double], currentShares: [Double]) {
        let raw = (referenceShares, currentShares)
        let floored = (raw.0.map { max($0, PopulationStabilityIndex.floor) }, raw.1.map { max($0, PopulationStabilityIndex.floor) })
        let totals = (floored.0.reduce(0, +), floored.1.reduce(0, +))
        let r = floored.0.map { $0 / totals.0 }, c = floored.1.map { $0 / totals.1 }
        var js = 0.0, kl = 0.0, hellinger = 0.0
        for (p, q) in zip(c, r) {
            let m = (p + q) / 2
            js += (p * log(p / m) + q * log(q / m)) / 2
            kl += p * log(p / q)
            hellinger += (p.squareRoot() - q.squareRoot()) * (p.squareRoot() - q.squareRoot())
        }
        jensenShannon = max(js, 0).squareRoot()
        kullbackLeibler = kl
        self.hellinger = (hellinger / 2).squareRoot()
        // The plain differences use the unfloored shares: they need no protection from zeros.
        totalVariation = zip(raw.0, raw.1).reduce(0) { $0 + abs($1.0 - $1.1) } / 2
        lInfinity = zip(raw.0, raw.1).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// `scipy.spatial.distance.jensenshannon(p, q)` (natural logarithm): each list normalised
    /// to sum 1, empty bins left at 0 (they add nothing), between 0 and √ln 2; NaN when a list
    /// sums to 0 or the two differ in length.
    public static func jensenShannonDistance(_ p: [Double], _ q: [Double]) -> Double {
        let (sumP, sumQ) = (p.reduce(0, +), q.reduce(0, +))
        guard p.count == q.count, sumP > 0, sumQ > 0 else { return .nan }
        var js = 0.0
        for (a, b) in zip(p, q) {
            let (x, y) = (a / sumP, b / sumQ)
            let m = (x + y) / 2
            // scipy's rel_entr: x · ln(x / m), 0 where x is 0.
            if x > 0 { js += x * log(x / m) }
            if y > 0 { js += y * log(y / m) }
        }
        return max(js / 2, 0).squareRoot()
    }
}
