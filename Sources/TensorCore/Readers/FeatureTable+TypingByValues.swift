// Typing a text column after a whole read, by all of its values.
extension FeatureTable {
    /// This table with each named text column typed by the values it holds, when they are all
    /// numbers (none an integer a `Double` would round) or all ISO-8601 times; other columns,
    /// and text columns of other values, are left as they are.
    ///
    /// The readers infer a column's kind from its first rows (``CSVReadOptions/inferenceRowCount``),
    /// and a column with no value there reads as text. When the whole file has been read, this
    /// types such a column by all of its values, as pandas does: blanks for 1,000 rows and
    /// numbers after them make a number column.
    ///
    /// - Parameter names: The columns to look at (names the table lacks are ignored).
    /// - Complexity: O(*n* + *d*) per named text column of *n* rows and *d* distinct values.
    public func typingTextColumns(_ names: some Sequence<String>) -> FeatureTable {
        var columns = self.columns
        var changed = false
        let markers = MissingMarkers(CSVReadOptions.defaultMissingMarkers)
        for name in Set(names) {
            guard let index = columnNames.firstIndex(of: name), case .categorical(let text) = columns[index],
                  let typed = KindInference.refined(text, markers) else { continue }
            columns[index] = typed
            changed = true
        }
        return changed ? FeatureTable(uncheckedNames: columnNames, columns: columns, rowCount: rowCount) : self
    }

    /// The text columns whose first `rows` values (or all, when fewer) are all missing: the
    /// columns a reader typed as text for want of values in the rows it inferred kinds from.
    ///
    /// - Complexity: O(*c* · `rows`).
    public func textColumnsMissingInFirst(_ rows: Int) -> [String] {
        zip(columnNames, columns).compactMap { name, column in
            guard case .categorical(let text) = column, rowCount > 0 else { return nil }
            return text.codes.prefix(rows).allSatisfy { $0 < 0 } ? name : nil
        }
    }
}
