import Foundation
import TensorCore

extension ColumnHistogram {
    /// At most this many categories are drawn; the rest are summed into "(other)".
    static let maxCategories = 15
    /// Equal-width bins drawn for a numeric column.
    static let numericBins = 20

    /// Equal-width bins over both samples' 0.5 %–99.5 % range (values beyond it fall in the end
    /// bins, so one outlier does not squash the plot).
    init?(numericReference reference: SortedSample, current: SortedSample) {
        guard !reference.values.isEmpty, !current.values.isEmpty else { return nil }
        func range(_ sample: SortedSample) -> (Double, Double) {
            let cut = (try? sample.values.withUnsafeBufferPointer { try Statistics.quantiles(sorted: $0, [0.005, 0.995]) }) ?? []
            return (cut.first ?? sample.values[0], cut.last ?? sample.values[sample.values.count - 1])
        }
        let (r, c) = (range(reference), range(current))
        let low = Swift.min(r.0, c.0)
        guard let bins = Self.equalWidthBins(low: low, high: Swift.max(r.1, c.1)) else { return nil }
        self.init(
            labels: Self.labels(low: low, edges: bins.edges),
            edges: bins.edges,
            reference: shares(of: bins.counts(reference)),
            current: shares(of: bins.counts(current))
        )
    }

    /// Equal-width bins over [low, high] (``numericBins`` of them; one when high equals low),
    /// nil when the range is not finite or too narrow to split.
    static func equalWidthBins(low: Double, high: Double) -> ReferenceBins? {
        guard low.isFinite, high.isFinite, high >= low else { return nil }
        let binCount = high > low ? Self.numericBins : 1
        // high/n − low/n rather than (high − low)/n: the difference of extreme doubles overflows.
        let width = high / Double(binCount) - low / Double(binCount)
        guard width.isFinite else { return nil }
        return try? ReferenceBins(edges: (1..<binCount).map { low + Double($0) * width })
    }

    /// One label per bin: its lower edge.
    static func labels(low: Double, edges: [Double]) -> [String] {
        ([low] + edges).map { format($0) }
    }

    /// The most common categories of both samples, the rest summed into "(other)".
    init?(categoricalReference reference: [String: Int], current: [String: Int]) {
        guard !reference.isEmpty || !current.isEmpty else { return nil }
        let referenceTotal = Double(Swift.max(reference.values.reduce(0, +), 1))
        let currentTotal = Double(Swift.max(current.values.reduce(0, +), 1))
        var pooled: [String: Double] = [:]
        for (key, count) in reference { pooled[key, default: 0] += Double(count) / referenceTotal }
        for (key, count) in current { pooled[key, default: 0] += Double(count) / currentTotal }
        let ordered = pooled.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }.map(\.key)
        let shown = Array(ordered.prefix(Self.maxCategories))
        var labels = shown
        var r = shown.map { Double(reference[$0] ?? 0) / referenceTotal }
        var c = shown.map { Double(current[$0] ?? 0) / currentTotal }
        if ordered.count > shown.count {
            labels.append("(other)")
            r.append(Swift.max(0, 1 - r.reduce(0, +)))
            c.append(Swift.max(0, 1 - c.reduce(0, +)))
        }
        self.init(labels: labels, edges: nil, reference: r, current: c)
    }

    /// A short label for a bin edge.
    static func format(_ value: Double) -> String {
        let magnitude = Swift.abs(value)
        if magnitude != 0 && (magnitude >= 1e6 || magnitude < 1e-3) { return String(format: "%.3g", value) }
        return String(format: "%.4g", value)
    }
}
