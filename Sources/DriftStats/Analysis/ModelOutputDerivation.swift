import TensorCore

/// Derives the confidence column from a model's probability columns, so prediction drift and
/// confidence drift are compared like any other column.
enum ModelOutputDerivation {
    /// `table` with a ``ModelOutputColumns/confidenceColumn`` added: max(p, 1 − p) for one
    /// probability column, the largest probability for several; missing when any input is.
    /// The table comes back unchanged when it lacks a named column or already has one called
    /// "confidence".
    static func adding(to table: FeatureTable, _ outputs: ModelOutputColumns?) -> FeatureTable {
        guard let outputs, !outputs.probabilities.isEmpty, table.column(named: ModelOutputColumns.confidenceColumn) == nil else { return table }
        var probabilities: [DoubleColumn] = []
        for name in outputs.probabilities {
            guard case .double(let column)? = table.column(named: name) else { return table }
            probabilities.append(column)
        }
        var confidence = [Double?](repeating: nil, count: table.rowCount)
        for row in 0..<table.rowCount {
            var best = -Double.infinity
            var complete = true
            for column in probabilities {
                guard let p = column[row], !p.isNaN else {
                    complete = false
                    break
                }
                best = Swift.max(best, p)
            }
            guard complete else { continue }
            confidence[row] = probabilities.count == 1 ? Swift.max(best, 1 - best) : best
        }
        let names = table.columnNames + [ModelOutputColumns.confidenceColumn]
        let columns = table.columns + [.double(DoubleColumn(confidence))]
        return (try? FeatureTable(columns: Array(zip(names, columns)))) ?? table
    }

    /// The role of a column under the model-output settings.
    static func role(of name: String, _ outputs: ModelOutputColumns?) -> ColumnRole {
        guard let outputs else { return .feature }
        if name == outputs.prediction { return .prediction }
        if name == ModelOutputColumns.confidenceColumn && !outputs.probabilities.isEmpty { return .confidence }
        return .feature
    }
}
