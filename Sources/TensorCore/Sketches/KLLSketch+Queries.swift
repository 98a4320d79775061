import Foundation

extension KLLSketch {
    private func requireNonEmpty(_ query: String) throws(SketchError) {
        guard count > 0 else {
            throw SketchError(
                .emptySketch,
                "Cannot compute \(query) of an empty KLL sketch (it has seen \(nanCount) NaN values and no other values); check isEmpty before querying.")
        }
    }

    private static func validateFraction(_ q: Double) throws(SketchError) {
        guard q >= 0 && q <= 1 else {
            throw SketchError(
                .invalidArgument,
                "Quantile fraction \(q) is not in [0, 1]; pass e.g. 0.5 for the median or 0.99 for the 99th percentile.")
        }
    }

    /// Returns the approximate `q`-quantile: the smallest retained value whose estimated
    /// normalized rank (fraction of values `<=` it) is at least `q`.
    ///
    /// `quantile(0)` and `quantile(1)` return the exact ``min`` and ``max``. For other `q`,
    /// the true normalized rank of the result is within `q ± rankErrorBound` with 99 %
    /// confidence (the result is always a value that was in the stream).
    ///
    /// - Parameter q: The fraction, in `[0, 1]`.
    /// - Returns: The estimated quantile.
    /// - Throws: ``SketchError/Code/emptySketch`` when ``count`` is 0;
    ///   ``SketchError/Code/invalidArgument`` when `q` is NaN or outside `[0, 1]`.
    /// - Complexity: O(r log r) for r = ``retainedCount`` (builds a sorted view).
    public func quantile(_ q: Double) throws(SketchError) -> Double {
        try quantiles([q])[0]
    }

    /// Returns several quantiles, building the sorted view once.
    ///
    /// - Parameter fractions: Fractions in `[0, 1]`, in any order.
    /// - Returns: `quantile(q)` for each fraction, in the same order.
    /// - Throws: As ``quantile(_:)``.
    /// - Complexity: O(r log r + f log r) for r retained items and f fractions.
    public func quantiles(_ fractions: some Sequence<Double>) throws(SketchError) -> [Double] {
        try requireNonEmpty("quantiles")
        let qs = Array(fractions)
        for q in qs { try KLLSketch.validateFraction(q) }
        let view = KLLSortedView(self)
        var result: [Double] = []
        result.reserveCapacity(qs.count)
        for q in qs {
            if q == 0 {
                result.append(minValue)
            } else if q == 1 {
                result.append(maxValue)
            } else {
                let naturalRank = Int((q * Double(count)).rounded(.up))
                let v = view.value(atNaturalRank: naturalRank) ?? maxValue
                // Clamp to the exact extremes (retained values always lie between them).
                result.append(Swift.min(Swift.max(v, minValue), maxValue))
            }
        }
        return result
    }

    /// Returns the estimated normalized rank of `value`: the fraction of values `<= value`
    /// (inclusive) or `< value` (exclusive).
    ///
    /// Values below ``min`` or above ``max`` give exactly 0 or 1; otherwise the result is
    /// within ``rankErrorBound`` of the true rank with 99 % confidence.
    ///
    /// - Parameters:
    ///   - value: The value to rank; may be ±infinity but not NaN.
    ///   - inclusive: Whether values equal to `value` count (default `true`).
    /// - Returns: A fraction in `[0, 1]`.
    /// - Throws: ``SketchError/Code/emptySketch`` when empty;
    ///   ``SketchError/Code/invalidArgument`` when `value` is NaN.
    /// - Complexity: O(r log r) for r = ``retainedCount``.
    public func rank(_ value: Double, inclusive: Bool = true) throws(SketchError) -> Double {
        try cdf(at: [value], inclusive: inclusive)[0]
    }

    /// Returns the estimated cumulative distribution at each split point: entry `i` is the
    /// normalized rank of `splitPoints[i]` (as ``rank(_:inclusive:)``), followed by a final
    /// entry 1.
    ///
    /// - Parameters:
    ///   - splitPoints: Strictly increasing, non-NaN values (±infinity allowed).
    ///   - inclusive: Whether values equal to a split point count as below it.
    /// - Returns: `splitPoints.count + 1` non-decreasing fractions ending in 1.
    /// - Throws: ``SketchError/Code/emptySketch`` when empty;
    ///   ``SketchError/Code/invalidArgument`` when a split point is NaN or out of order.
    /// - Complexity: O(r log r + s log r) for r retained items and s split points.
    public func cdf(at splitPoints: [Double], inclusive: Bool = true) throws(SketchError) -> [Double] {
        try requireNonEmpty("a rank or CDF")
        for (i, x) in splitPoints.enumerated() {
            guard !x.isNaN else {
                throw SketchError(
                    .invalidArgument,
                    "Split point \(i) is NaN; remove NaN values from the split points.")
            }
            if i > 0 && !(splitPoints[i - 1] < x) {
                throw SketchError(
                    .invalidArgument,
                    "Split points must be strictly increasing but point \(i) (\(x)) is not greater than point \(i - 1) (\(splitPoints[i - 1])); sort and deduplicate them.")
            }
        }
        let view = KLLSortedView(self)
        let n = Double(count)
        var result: [Double] = []
        result.reserveCapacity(splitPoints.count + 1)
        for x in splitPoints {
            let r: Double
            if inclusive ? x >= maxValue : x > maxValue {
                r = 1
            } else if inclusive ? x < minValue : x <= minValue {
                r = 0
            } else {
                r = Double(view.weight(below: x, inclusive: inclusive)) / n
            }
            result.append(r)
        }
        result.append(1)
        return result
    }

    /// Returns the estimated probability mass in each interval delimited by the split
    /// points: `(-inf, s0]`, `(s0, s1]`, …, `(s_last, +inf)` (half-open the other way when
    /// `inclusive` is `false`).
    ///
    /// Each entry is within ``pmfErrorBound`` of the truth with 99 % confidence.
    ///
    /// - Parameters:
    ///   - splitPoints: Strictly increasing, non-NaN values.
    ///   - inclusive: Whether a split point belongs to the interval it closes.
    /// - Returns: `splitPoints.count + 1` fractions summing to 1.
    /// - Throws: As ``cdf(at:inclusive:)``.
    /// - Complexity: As ``cdf(at:inclusive:)``.
    public func pmf(at splitPoints: [Double], inclusive: Bool = true) throws(SketchError) -> [Double] {
        let c = try cdf(at: splitPoints, inclusive: inclusive)
        var result = c
        for i in stride(from: c.count - 1, to: 0, by: -1) { result[i] = c[i] - c[i - 1] }
        return result
    }
}

extension KLLSketch {
    /// The sketch's estimate of the distribution as a step function: its retained values in
    /// ascending order, each with the cumulative normalized rank (inclusive) at that value.
    ///
    /// The sketch's CDF changes only at these values, so comparing two sketches at the union of
    /// their retained values finds the largest gap between their CDFs exactly (as a two-sample
    /// Kolmogorov–Smirnov statistic computed from sketches needs).
    ///
    /// - Returns: An empty array for an empty sketch.
    /// - Complexity: O(r log r) for r = ``retainedCount``.
    public func cumulativeSteps() -> [(value: Double, rank: Double)] {
        guard count > 0 else { return [] }
        let view = KLLSortedView(self)
        let total = Double(view.cumulativeWeights.last ?? 1)
        var steps: [(value: Double, rank: Double)] = []
        steps.reserveCapacity(view.values.count)
        for (value, weight) in zip(view.values, view.cumulativeWeights) {
            if let last = steps.last, last.value == value {
                steps[steps.count - 1].rank = Double(weight) / total
            } else {
                steps.append((value, Double(weight) / total))
            }
        }
        return steps
    }
}
