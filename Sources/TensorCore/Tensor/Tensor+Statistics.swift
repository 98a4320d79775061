/// Statistics of the elements of a Double tensor, all of them taken as one flat column.
extension Tensor where Scalar == Double {
    /// Count, sum, mean, variance, minimum and maximum, NaNs counted and excluded.
    ///
    /// - Complexity: O(n), one pass over memory, both cores for large tensors.
    public func summary() -> SummaryStatistics {
        scalars.withUnsafeBufferPointer { Reductions.summary($0) }
    }

    /// The sum of the non-NaN elements.
    public func sum() -> Double {
        scalars.withUnsafeBufferPointer { Reductions.sum($0).sum }
    }

    /// The mean of the non-NaN elements.
    ///
    /// - Throws: ``TensorError/Code/empty`` when there is none.
    public func mean() throws(TensorError) -> Double {
        let summary = summary()
        guard summary.count > 0 else { throw emptyError("mean") }
        return summary.mean
    }

    /// The variance of the non-NaN elements with `ddof` delta degrees of freedom (numpy's `var`).
    ///
    /// - Throws: ``TensorError/Code/empty`` when there are not more than `ddof` values.
    public func variance(ddof: Int = 0) throws(TensorError) -> Double {
        let summary = summary()
        guard summary.count > ddof else { throw emptyError("variance with ddof \(ddof)") }
        return summary.variance(ddof: ddof)
    }

    /// The index of the smallest non-NaN element (the first one on ties).
    ///
    /// - Throws: ``TensorError/Code/empty`` when every element is NaN or there is none.
    public func argmin() throws(TensorError) -> Int {
        var best: Int? = nil
        for (index, value) in scalars.enumerated() where !value.isNaN {
            if let current = best { if value < scalars[current] { best = index } } else { best = index }
        }
        guard let best else { throw emptyError("argmin") }
        return best
    }

    /// The index of the largest non-NaN element (the first one on ties).
    ///
    /// - Throws: ``TensorError/Code/empty`` when every element is NaN or there is none.
    public func argmax() throws(TensorError) -> Int {
        var best: Int? = nil
        for (index, value) in scalars.enumerated() where !value.isNaN {
            if let current = best { if value > scalars[current] { best = index } } else { best = index }
        }
        guard let best else { throw emptyError("argmax") }
        return best
    }

    /// The elements sorted ascending, NaNs last, as a 1-D tensor.
    public func sorted() -> Tensor {
        var copy = scalars
        copy.withUnsafeMutableBufferPointer { Sorting.sort($0) }
        return Tensor(copy)
    }

    /// The indices that sort the elements (stable, NaNs last).
    public func argsort() -> [Int] {
        scalars.withUnsafeBufferPointer { Sorting.argsort($0) }
    }

    /// Average ranks from 1 to n, as scipy's `rankdata`.
    public func ranks() -> Tensor {
        Tensor(scalars.withUnsafeBufferPointer { Sorting.averageRanks($0) })
    }

    /// Quantiles of the non-NaN elements (numpy's `quantile`).
    ///
    /// - Throws: ``TensorError`` for an empty tensor or a q outside [0, 1].
    /// - Complexity: O(n log n) for the sort.
    public func quantiles(_ qs: [Double], method: QuantileMethod = .linear) throws(TensorError) -> [Double] {
        let sorted = sorted()
        return try sorted.scalars.withUnsafeBufferPointer { buffer throws(TensorError) in
            try Statistics.quantiles(sorted: buffer, qs, method: method)
        }
    }

    /// Counts per bin over the given edges (numpy's `histogram`).
    public func histogram(edges: [Double]) throws(TensorError) -> [Int] {
        try scalars.withUnsafeBufferPointer { buffer throws(TensorError) in try Statistics.histogram(buffer, edges: edges).counts }
    }

    /// Running sums of the elements, as a 1-D tensor.
    public func cumulativeSum() -> Tensor {
        Tensor(scalars.withUnsafeBufferPointer { Statistics.cumulativeSum($0) })
    }

    private func emptyError(_ operation: String) -> TensorError {
        TensorError(.empty, "The \(operation) of a tensor with no non-NaN elements is undefined", fix: "check for empty or all-missing data first.")
    }
}

/// Statistics of a Float tensor, accumulated in Double (the same rules as for Double tensors).
extension Tensor where Scalar == Float {
    /// Count, sum, mean, variance, minimum and maximum, NaNs counted and excluded.
    ///
    /// - Complexity: O(n); the elements are widened to Double once.
    public func summary() -> SummaryStatistics {
        scalars.map(Double.init).withUnsafeBufferPointer { Reductions.summary($0) }
    }

    /// The sum of the non-NaN elements, accumulated in Double.
    public func sum() -> Double {
        scalars.map(Double.init).withUnsafeBufferPointer { Reductions.sum($0).sum }
    }
}
