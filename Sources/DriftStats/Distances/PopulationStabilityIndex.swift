import Foundation
import TensorCore

/// Bins fixed from a reference sample, stored with the baseline so they never move with the
/// current data: `edges.count - 1` bins, the first and last open-ended.
public struct ReferenceBins: Sendable, Hashable, Codable {
    /// The inner edges, ascending; values below the first fall in bin 0, values at or above
    /// edge i (and below edge i+1) in bin i+1.
    public let edges: [Double]

    /// Quantile bins: `count` bins holding about equal shares of the reference (fewer when the
    /// reference has repeated values, since equal edges are merged).
    ///
    /// - Throws: ``DriftError`` for fewer than 2 bins or an empty reference.
    public init(quantilesOf reference: SortedSample, count: Int = 10) throws(DriftError) {
        guard count >= 2 else { throw DriftError(.invalidArgument, "PSI needs at least 2 bins; \(count) asked", fix: "use 10 bins, the usual choice.") }
        try reference.requireValues("reference")
        let qs = (1..<count).map { Double($0) / Double(count) }
        let cuts = (try? reference.values.withUnsafeBufferPointer { try Statistics.quantiles(sorted: $0, qs) }) ?? []
        var unique: [Double] = []
        for cut in cuts where unique.last != cut { unique.append(cut) }
        edges = unique
    }

    /// Explicit inner edges, which must increase.
    public init(edges: [Double]) throws(DriftError) {
        for index in edges.indices.dropFirst() where !(edges[index] > edges[index - 1]) {
            throw DriftError(.invalidArgument, "Bin edges must increase; edge \(index) is \(edges[index]) after \(edges[index - 1])", fix: "sort the edges and remove duplicates.")
        }
        self.edges = edges
    }

    /// The number of bins, `edges.count + 1`.
    public var binCount: Int { edges.count + 1 }

    /// How many values of a sorted sample fall in each bin.
    ///
    /// The values are sorted, so each edge splits them at one place: the counts are the
    /// distances between those places, found by binary search (every column's histogram in a
    /// drift report counts both samples; walking 100,000 values took about 1.5% of a whole
    /// `mlops drift` run). Edges that do not increase (only a hand-edited baseline file has
    /// them) are walked value by value, as before.
    ///
    /// - Complexity: O(bins · log n).
    public func counts(_ sample: SortedSample) -> [Int] {
        guard edges.indices.dropFirst().allSatisfy({ edges[$0] > edges[$0 - 1] }) else { return walkedCounts(sample) }
        var counts = [Int](repeating: 0, count: edges.count + 1)
        sample.values.withUnsafeBufferPointer { values in
            var start = 0
            for (bin, edge) in edges.enumerated() {
                // The first value at or above the edge, at or after the previous edge's.
                let low = values.partitioningIndex(from: start) { $0 >= edge }
                counts[bin] = low - start
                start = low
            }
            counts[edges.count] = values.count - start
        }
        return counts
    }

    /// ``counts(_:)`` one value at a time (each value's bin found by walking on from the last).
    func walkedCounts(_ sample: SortedSample) -> [Int] {
        var counts = [Int](repeating: 0, count: edges.count + 1)
        var bin = 0
        for value in sample.values {
            while bin < edges.count && value >= edges[bin] { bin += 1 }
            counts[bin] += 1
        }
        return counts
    }

    /// The bin of one value (binary search over the edges).
    ///
    /// - Complexity: O(log bins).
    public func bin(of value: Double) -> Int {
        edges.partitioningIndex { !(value >= $0) }
    }

    /// The share of a sorted sample in each bin.
    func proportions(_ sample: SortedSample) -> [Double] {
        shares(of: counts(sample))
    }
}

/// Counts turned into shares (all zero when the total is zero).
func shares(of counts: [Int]) -> [Double] {
    let total = Double(Swift.max(counts.reduce(0, +), 1))
    return counts.map { Double($0) / total }
}

/// The population stability index of a current sample against reference bins:
/// Σ (cᵢ − rᵢ) · ln(cᵢ / rᵢ) over the bins' shares.
///
/// Empty bins: each share is raised to at least ``floor`` (10⁻⁴ by default) before the sum, so an
/// empty bin counts as a large but finite shift instead of an infinity. Common reading: below 0.1
/// stable, 0.1–0.25 moderate shift, above 0.25 significant shift.
public enum PopulationStabilityIndex {
    /// The smallest share a bin counts with.
    public static let floor = 1e-4

    /// The index.
    ///
    /// - Throws: ``DriftError`` when the current sample has no non-NaN value.
    public static func index(bins: ReferenceBins, reference: SortedSample, current: SortedSample) throws(DriftError) -> Double {
        try reference.requireValues("reference")
        try current.requireValues("current")
        return index(referenceShares: bins.proportions(reference), currentShares: bins.proportions(current))
    }

    /// The index over counts per bin (``ReferenceBins/counts(_:)``), in the same bin order.
    public static func index(referenceCounts: [Int], currentCounts: [Int]) -> Double {
        index(referenceShares: shares(of: referenceCounts), currentShares: shares(of: currentCounts))
    }

    /// The index over shares already binned (categories, or counts from ``ReferenceBins/counts(_:)``),
    /// in the same bin order.
    public static func index(referenceShares r: [Double], currentShares c: [Double]) -> Double {
        var total = 0.0
        for (expected, actual) in zip(r, c) {
            let e = Swift.max(expected, floor), a = Swift.max(actual, floor)
            total += (a - e) * log(a / e)
        }
        return total
    }
}
