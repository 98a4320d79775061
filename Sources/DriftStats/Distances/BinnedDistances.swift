import Foundation

/// Distances between the bin shares of a reference and a current sample over ``ReferenceBins``:
/// the measures that compare histograms rather than raw values.
///
/// Shares are floored at ``PopulationStabilityIndex/floor`` (and renormalised for the
/// divergences) so an empty bin is a large, finite difference. Logarithms are natural.
public struct BinnedDistances: Sendable, Hashable, Codable {
    /// The Jensen–Shannon distance: the square root of the JS divergence, as
    /// `scipy.spatial.distance.jensenshannon` (between 0 and √ln 2).
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
}
