/// Adjusting p-values when many columns are tested at once, so the dataset-level decision keeps
/// its error rate: testing 50 columns at 5% each would flag about 2.5 healthy columns per run.
public enum MultipleTesting {
    /// How to adjust.
    public enum Method: String, Sendable, Hashable, Codable, CaseIterable {
        /// Benjamini–Hochberg: controls the false discovery rate (the share of flagged columns
        /// that did not drift), as `scipy.stats.false_discovery_control(method="bh")`.
        case benjaminiHochberg = "bh"
        /// Bonferroni: controls the chance of any false flag; p · m, capped at 1.
        case bonferroni
    }

    /// The adjusted p-values, in the order given. NaN p-values (columns without a test) stay NaN
    /// and do not count among the tests.
    ///
    /// - Complexity: O(m log m).
    public static func adjusted(_ pValues: [Double], method: Method) -> [Double] {
        let tested = pValues.indices.filter { !pValues[$0].isNaN }
        let m = Double(tested.count)
        var result = pValues
        switch method {
        case .bonferroni:
            for index in tested { result[index] = Swift.min(1, pValues[index] * m) }
        case .benjaminiHochberg:
            // p(i) · m / i for the i-th smallest, then a running minimum from the largest down.
            let order = tested.sorted { pValues[$0] < pValues[$1] }
            var running = 1.0
            for (rank, index) in order.enumerated().reversed() {
                running = Swift.min(running, pValues[index] * m / Double(rank + 1))
                result[index] = running
            }
        }
        return result
    }

    /// Which tests are significant at level `alpha` after adjustment.
    public static func rejected(_ pValues: [Double], alpha: Double = 0.05, method: Method = .benjaminiHochberg) -> [Bool] {
        adjusted(pValues, method: method).map { !$0.isNaN && $0 <= alpha }
    }
}
