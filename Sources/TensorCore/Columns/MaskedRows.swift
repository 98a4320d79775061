/// Picks rows out of a column's values and validity, counting the missing ones: the one loop
/// behind filtering and gathering for every value-plus-validity column.
enum MaskedRows {
    static func select<Value>(
        _ values: [Value], _ validity: [Bool], rows: some Sequence<Int>, capacity: Int
    ) -> (values: [Value], validity: [Bool], nullCount: Int) {
        var v = [Value](), m = [Bool]()
        v.reserveCapacity(capacity)
        m.reserveCapacity(capacity)
        var nulls = 0
        for i in rows {
            v.append(values[i])
            let ok = validity[i]
            m.append(ok)
            if !ok { nulls += 1 }
        }
        return (v, m, nulls)
    }

    /// The row numbers whose mask entry is `true`.
    static func kept(_ mask: [Bool]) -> some Sequence<Int> {
        mask.indices.lazy.filter { mask[$0] }
    }
}
