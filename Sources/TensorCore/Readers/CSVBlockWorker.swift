#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses the second half of a buffered run of CSV records on its own thread while the reader
/// parses the first half, for tables whose columns are all doubles.
///
/// The reader only hands over a run that ends with a line feed and holds no quote character,
/// so every line feed in it ends a record and no byte of it is rewritten. The worker uses only
/// the fast path: it stops before the first record that would need the slow path (a wrong field
/// count, a value that does not fit), which the reader then handles itself, in order, with the
/// exact error or skip. Everything the worker produces is private to it until ``join()``.
final class CSVBlockWorker: @unchecked Sendable {
    // @unchecked: the inputs are immutable; the outputs are written by the worker thread only
    // before `join()` returns and read by the reader only after it.

    /// The buffer holding the run (read only).
    private var buffer: UnsafeMutablePointer<UInt8>?
    /// The run's first byte.
    private(set) var start = 0
    /// One past the run's last byte (just after a line feed).
    private(set) var end = 0
    /// The field delimiter.
    private let delimiter: UInt8
    /// The field-ending byte table.
    private let stops: UnsafeMutablePointer<Bool>
    /// The number of columns.
    let columnCount: Int
    /// The missing markers.
    private let markers: MissingMarkers
    /// Rows the run probably holds, for reserving capacity.
    private var expectedRows = 0
    /// The worker's scratch block, kept from run to run.
    private let scratch: ScratchBlock

    /// The parsed values, per column (capacity is kept from run to run).
    private(set) var values: [[Double]]
    /// The validity flags, per column.
    private(set) var validity: [[Bool]]
    /// The end offset of each accepted record.
    private(set) var rowEnds: [Int] = []
    /// The physical lines consumed up to and including each accepted record.
    private(set) var rowLines: [Int] = []
    /// Where the worker stopped (`end`, or the start of a record it left to the reader).
    private(set) var stoppedAt = 0
    /// The physical lines consumed up to ``stoppedAt``.
    private(set) var lines = 0
    /// The processor time the last run took on the worker thread, in seconds.
    private(set) var cpuSeconds = 0.0
    /// The worker thread, while it runs.
    private var thread: pthread_t?

    /// Creates a worker for a table of `columnCount` double columns; ``prepare(buffer:start:end:expectedRows:)``
    /// gives it each run.
    init(delimiter: UInt8, stops: UnsafeMutablePointer<Bool>, columnCount: Int, markers: MissingMarkers) {
        self.delimiter = delimiter
        self.stops = stops
        self.columnCount = columnCount
        self.markers = markers
        self.scratch = ScratchBlock(columns: columnCount, rows: CSVEngine.blockRows)
        self.values = [[Double]](repeating: [], count: columnCount)
        self.validity = [[Bool]](repeating: [], count: columnCount)
    }

    /// Sets the run to parse next, `buffer[start ..< end]`, and clears the previous results
    /// (keeping their memory, which saves page faults).
    func prepare(buffer: UnsafeMutablePointer<UInt8>, start: Int, end: Int, expectedRows: Int) {
        self.buffer = buffer
        self.start = start
        self.end = end
        self.expectedRows = expectedRows
        for c in 0..<columnCount {
            values[c].removeAll(keepingCapacity: true)
            validity[c].removeAll(keepingCapacity: true)
        }
        rowEnds.removeAll(keepingCapacity: true)
        rowLines.removeAll(keepingCapacity: true)
        stoppedAt = start
        lines = 0
    }

    /// The number of accepted records.
    var rows: Int { rowEnds.count }

    /// Starts the worker thread.
    ///
    /// - Returns: `false` when no thread could be created (nothing was parsed then).
    func launch() -> Bool {
        let context = Unmanaged.passRetained(self).toOpaque()
        var handle = pthread_t()
        let status = pthread_create(&handle, nil, { raw in
            guard let raw else { return nil }
            let worker = Unmanaged<CSVBlockWorker>.fromOpaque(raw).takeRetainedValue()
            worker.run()
            return nil
        }, context)
        if status != 0 {
            Unmanaged<CSVBlockWorker>.fromOpaque(context).release()
            return false
        }
        thread = handle
        return true
    }

    /// Waits for the worker thread to finish.
    func join() {
        if let thread {
            pthread_join(thread, nil)
            self.thread = nil
        }
    }

    /// Parses the run (on the worker thread).
    func run() {
        let cpuStart = Self.threadCPUSeconds()
        defer { cpuSeconds = Self.threadCPUSeconds() - cpuStart }
        guard let buffer else { return }
        let blockRows = CSVEngine.blockRows
        let scratch = self.scratch
        let doubles = scratch.doubles, valid = scratch.valid
        let markers = self.markers
        for c in 0..<columnCount {
            values[c].reserveCapacity(expectedRows)
            validity[c].reserveCapacity(expectedRows)
        }
        rowEnds.reserveCapacity(expectedRows)
        rowLines.reserveCapacity(expectedRows)
        var slot = 0
        var p = start
        var lines = 0
        parsing: while p < end {
            if let next = CSVEngine.parseNumericRecord(
                buffer, end, p, stops, delimiter, columnCount, doubles, valid, blockRows, slot,
                emptyIsMissing: markers.includesEmpty) {
                lines += 1
                rowEnds.append(next)
                rowLines.append(lines)
                p = next
                slot += 1
                if slot == blockRows {
                    flush(scratch, slot)
                    slot = 0
                }
                continue
            }
            let outcome = CSVEngine.parseRecord(
                buffer, end, false, p, stops, delimiter, columnCount,
                { _ in true },
                { c, value in
                    let index = c &* blockRows &+ slot
                    doubles[index] = value
                    valid[index] = true
                },
                { c, fp, n in
                    let index = c &* blockRows &+ slot
                    return ColumnBuilder.encodeDoubleText(fp, n, markers, doubles + index, valid + index)
                })
            switch outcome {
            case .accepted(let next, let newlines):
                lines += 1 + newlines
                rowEnds.append(next)
                rowLines.append(lines)
                p = next
                slot += 1
                if slot == blockRows {
                    flush(scratch, slot)
                    slot = 0
                }
            case .blank(let next):
                lines += 1
                p = next
            case .slow, .needMore, .endOfInput:
                break parsing
            }
        }
        flush(scratch, slot)
        stoppedAt = p
        self.lines = lines
    }

    /// The processor time the calling thread has used, in seconds.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Seconds on a monotonic clock.
    static func monotonicSeconds() -> Double {
        var time = timespec()
        guard clock_gettime(CLOCK_MONOTONIC, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Appends the scratch block's first `count` rows to the outputs.
    private func flush(_ scratch: ScratchBlock, _ count: Int) {
        guard count > 0 else { return }
        for c in 0..<columnCount {
            let offset = c * scratch.rows
            values[c].append(contentsOf: UnsafeBufferPointer(start: scratch.doubles + offset, count: count))
            validity[c].append(contentsOf: UnsafeBufferPointer(start: scratch.valid + offset, count: count))
        }
    }
}
