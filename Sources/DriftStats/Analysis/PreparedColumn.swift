import Foundation
import TensorCore

/// One column made ready for the drift methods: its finite numbers sorted once, or its category
/// counts; missing and non-finite cells counted on the side.
struct PreparedColumn: Sendable {
    enum Values: Sendable {
        case numeric(SortedSample, SummaryStatistics)
        case categorical([String: Int])
        case timestamp(SortedSample)
    }

    let kind: ColumnKind
    let values: Values
    /// Rows in the column.
    let rowCount: Int
    /// Missing cells (and NaNs in a numeric column).
    let missingCount: Int
    /// ±∞ in a numeric column: kept out of the statistics, reported as a quality issue.
    let nonFiniteCount: Int
    /// How many distinct values the column holds (exact).
    let distinctCount: Int

    /// Prepares a column; its sort runs on the calling thread (the analyzer prepares one
    /// column per core).
    init(_ column: Column) {
        rowCount = column.count
        kind = column.kind
        switch column {
        case .double(let doubles):
            var finite: [Double] = []
            var infinite = 0, missing = 0
            // The common case, every cell a finite number, is seen from the summary itself (no
            // NaN, finite extremes): one pass over the column, and no copy here (the sort makes
            // the one copy it needs).
            let whole = doubles.nullCount == 0 ? doubles.values.withUnsafeBufferPointer { Reductions.summary($0) } : nil
            let summary: SummaryStatistics
            if let whole, whole.nanCount == 0, whole.minimum.isFinite, whole.maximum.isFinite {
                finite = doubles.values
                summary = whole
            } else {
                finite.reserveCapacity(doubles.count - doubles.nullCount)
                doubles.values.withUnsafeBufferPointer { values in
                    for (value, valid) in zip(values, doubles.validity) {
                        if !valid || value.isNaN {
                            missing += 1
                        } else if value.isInfinite {
                            infinite += 1
                        } else {
                            finite.append(value)
                        }
                    }
                }
                summary = finite.withUnsafeBufferPointer { Reductions.summary($0) }
            }
            let sample = SortedSample(finite, parallel: false)
            values = .numeric(sample, summary)
            missingCount = missing
            nonFiniteCount = infinite
            distinctCount = Self.distinct(sample)
        case .categorical(let categories):
            var counts = categories.categoryCounts()
            for (category, count) in counts where count == 0 { counts[category] = nil }
            values = .categorical(counts)
            missingCount = categories.nullCount
            nonFiniteCount = 0
            distinctCount = counts.count
        case .timestamp(let stamps):
            var seconds: [Double] = []
            seconds.reserveCapacity(stamps.count - stamps.nullCount)
            for (value, valid) in zip(stamps.values, stamps.validity) where valid { seconds.append(Double(value) / 1e6) }
            let sample = SortedSample(seconds, parallel: false)
            values = .timestamp(sample)
            missingCount = stamps.nullCount
            nonFiniteCount = 0
            distinctCount = Self.distinct(sample)
        }
    }

    /// The sorted finite numbers of a numeric column, or a timestamp column's seconds.
    var numbers: SortedSample? {
        switch values {
        case .numeric(let sample, _), .timestamp(let sample): sample
        case .categorical: nil
        }
    }

    /// The sorted numbers with their population standard deviation.
    var numbersWithDeviation: (SortedSample, Double)? {
        switch values {
        case .numeric(let sample, let summary):
            return (sample, summary.standardDeviation)
        case .timestamp(let sample):
            return (sample, sample.values.withUnsafeBufferPointer { Reductions.summary($0) }.standardDeviation)
        case .categorical:
            return nil
        }
    }

    /// Counts per category: a categorical column's own, or a numeric column's distinct values
    /// written as text (for a numeric column treated as categorical).
    var categoryCounts: [String: Int] {
        switch values {
        case .categorical(let counts):
            return counts
        case .numeric(let sample, _):
            var counts: [String: Int] = [:]
            var index = 0
            let sorted = sample.values
            while index < sorted.count {
                var end = index + 1
                while end < sorted.count && sorted[end] == sorted[index] { end += 1 }
                counts[Self.label(sorted[index]), default: 0] += end - index
                index = end
            }
            return counts
        case .timestamp:
            return [:]
        }
    }

    /// Distinct values of a sorted sample.
    static func distinct(_ sample: SortedSample) -> Int {
        sample.values.withUnsafeBufferPointer { sorted in
            guard var previous = sorted.first else { return 0 }
            var distinct = 1
            for value in sorted where value != previous {
                distinct += 1
                previous = value
            }
            return distinct
        }
    }

    /// The number of usable values (finite numbers, present categories or timestamps).
    var usableCount: Int {
        switch values {
        case .numeric(let sample, _), .timestamp(let sample): sample.count
        case .categorical(let counts): counts.values.reduce(0, +)
        }
    }

    /// A number written as a category label: integers without a fraction.
    static func label(_ value: Double) -> String {
        if value == value.rounded(), Swift.abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
