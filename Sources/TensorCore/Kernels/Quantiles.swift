/// How a quantile between two data points is chosen, as numpy's `quantile(method:)`.
public enum QuantileMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// numpy's default: linear interpolation between the two closest ranks (Hyndman & Fan type 7).
    case linear
    /// The closest data point, ties to the even rank (numpy's `nearest`).
    case nearest
    /// The lower of the two closest data points.
    case lower
    /// The higher of the two closest data points.
    case higher
    /// The mean of the two closest data points.
    case midpoint
}

/// Quantiles, histograms and cumulative sums over doubles.
public enum Statistics {
    /// The quantiles `qs` of the non-NaN values of `sorted`, which must be sorted ascending (NaNs last).
    ///
    /// Matches `numpy.quantile(values, qs, method:)` bit for bit for the linear method, including its
    /// choice of interpolation formula on each side of 0.5.
    ///
    /// - Throws: ``TensorError/Code/empty`` when there is no non-NaN value, and
    ///   ``TensorError/Code/invalidArgument`` for a `q` outside [0, 1].
    /// - Complexity: O(k) for k quantiles.
    public static func quantiles(
        sorted: UnsafeBufferPointer<Double>, _ qs: [Double], method: QuantileMethod = .linear
    ) throws(TensorError) -> [Double] {
        var count = sorted.count
        while count > 0 && sorted[count - 1].isNaN { count -= 1 }
        guard count > 0 else {
            throw TensorError(.empty, "A quantile of no values (all \(sorted.count) are NaN or there are none) is undefined", fix: "check the column for missing data first.")
        }
        var result: [Double] = []
        result.reserveCapacity(qs.count)
        for q in qs {
            guard q >= 0 && q <= 1 else {
                throw TensorError(.invalidArgument, "Quantile \(q) is outside [0, 1]", fix: "pass probabilities between 0 and 1; for percentiles divide by 100.")
            }
            let position = Double(count - 1) * q
            let lowerIndex = Int(position.rounded(.down))
            let upperIndex = Swift.min(lowerIndex + 1, count - 1)
            let fraction = position - Double(lowerIndex)
            let a = sorted[lowerIndex], b = sorted[upperIndex]
            switch method {
            case .linear:
                // numpy's _lerp: a + (b-a)·t below one half, b - (b-a)·(1-t) from one half up.
                let difference = b - a
                result.append(fraction >= 0.5 ? b - difference * (1 - fraction) : a + difference * fraction)
            case .nearest:
                let index = Int(position.rounded(.toNearestOrEven))
                result.append(sorted[Swift.min(index, count - 1)])
            case .lower:
                result.append(a)
            case .higher:
                result.append(fraction > 0 ? b : a)
            case .midpoint:
                result.append(fraction > 0 ? (a + b) / 2 : a)
            }
        }
        return result
    }

    /// Counts of values per bin, for bins `[edges[i], edges[i+1])`, the last one closed on the right,
    /// as `numpy.histogram(values, bins: edges)`. Values outside the edges and NaNs are not counted;
    /// they are reported as `outside` and `nanCount`.
    ///
    /// - Throws: ``TensorError/Code/invalidArgument`` when there are fewer than two edges or they do
    ///   not increase.
    /// - Complexity: O(n log b) for b bins; O(n) when the edges are evenly spaced.
    public static func histogram(
        _ values: UnsafeBufferPointer<Double>, edges: [Double]
    ) throws(TensorError) -> (counts: [Int], outside: Int, nanCount: Int) {
        guard edges.count >= 2 else {
            throw TensorError(.invalidArgument, "A histogram needs at least two edges; \(edges.count) given", fix: "pass the left edge of every bin and the right edge of the last.")
        }
        for index in 1..<edges.count where !(edges[index] > edges[index - 1]) {
            throw TensorError(.invalidArgument, "Histogram edges must increase; edge \(index) (\(edges[index])) is not above edge \(index - 1) (\(edges[index - 1]))", fix: "sort the edges and remove duplicates.")
        }
        let bins = edges.count - 1
        var counts = [Int](repeating: 0, count: bins)
        var outside = 0, nanCount = 0
        let low = edges[0], high = edges[bins]
        let width = (high - low) / Double(bins)
        let uniform = edges.indices.allSatisfy { Swift.abs(edges[$0] - (low + width * Double($0))) <= 1e-12 * Swift.max(1, Swift.abs(edges[$0])) }
        edges.withUnsafeBufferPointer { edges in
            for value in values {
                if value.isNaN { nanCount += 1; continue }
                guard value >= low && value <= high else { outside += 1; continue }
                var bin: Int
                if uniform {
                    bin = Swift.min(Int((value - low) / width), bins - 1)
                    // The division can land one bin off near an edge; the edges decide.
                    if value < edges[bin] { bin -= 1 } else if bin + 1 < bins && value >= edges[bin + 1] { bin += 1 }
                } else {
                    // The last edge <= value, by binary search.
                    var lo = 0, hi = bins
                    while hi - lo > 1 {
                        let mid = (lo + hi) / 2
                        if edges[mid] <= value { lo = mid } else { hi = mid }
                    }
                    bin = lo
                }
                counts[bin] += 1
            }
        }
        return (counts, outside, nanCount)
    }

    /// Running sums: element i is the sum of elements 0 through i (NaNs propagate, as in numpy's `cumsum`).
    ///
    /// - Complexity: O(n).
    public static func cumulativeSum(_ values: UnsafeBufferPointer<Double>) -> [Double] {
        var result = [Double](repeating: 0, count: values.count)
        var running = 0.0
        for index in values.indices {
            running += values[index]
            result[index] = running
        }
        return result
    }
}
