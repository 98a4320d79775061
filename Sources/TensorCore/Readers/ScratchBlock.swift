/// Fixed-size, column-major scratch memory into which readers parse a block of rows before
/// appending it to the chunk's arrays in bulk.
///
/// Writing a row's values at a row index, and advancing that index only when the whole row
/// has been accepted, makes rolling back a bad or incomplete row free; bulk appends avoid the
/// per-value bookkeeping of `Array.append`. Column `c` owns the slots `c * rows ..< (c + 1) * rows`
/// of each region; a region a column's kind does not use is never touched.
final class ScratchBlock {
    /// Rows per block.
    let rows: Int
    /// Double values.
    let doubles: UnsafeMutablePointer<Double>
    /// Timestamp microseconds.
    let longs: UnsafeMutablePointer<Int64>
    /// Categorical codes.
    let codes: UnsafeMutablePointer<Int32>
    /// Validity flags.
    let valid: UnsafeMutablePointer<Bool>

    /// Allocates room for `rows` rows of `columns` columns.
    init(columns: Int, rows: Int) {
        let slots = max(columns, 1) * rows
        self.rows = rows
        doubles = .allocate(capacity: slots)
        longs = .allocate(capacity: slots)
        codes = .allocate(capacity: slots)
        valid = .allocate(capacity: slots)
    }

    deinit {
        doubles.deallocate()
        longs.deallocate()
        codes.deallocate()
        valid.deallocate()
    }
}
