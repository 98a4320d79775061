#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splitting a buffered run of records between two threads, for tables whose columns are all
/// doubles: the second half goes to a ``CSVBlockWorker``, the first is parsed here, then the
/// worker's rows are appended in bulk. Splitting pauses while the other processor is busy.
extension CSVEngine {
    /// The smallest run of buffered bytes worth splitting between two threads.
    static let parallelMinimumBytes = 256 << 10

    /// Parses the complete records buffered at `source.start` in two halves: the second on a
    /// ``CSVBlockWorker`` thread, the first here with the usual paths; then appends the
    /// worker's rows (as many as the chunk still takes).
    ///
    /// - Returns: `false` when the buffered run is not eligible (too short, no record boundary
    ///   outside quotes past its middle, or more records than the chunk takes); nothing was
    ///   consumed then.
    mutating func parallelStep(_ maxRows: Int, _ block: ScratchBlock) throws(TableError) -> Bool {
        let b = source.buffer
        let s = source.start
        let e = source.end
        var lastLF = e - 1
        while lastLF >= s && b[lastLF] != 0x0A { lastLF -= 1 }
        guard lastLF >= s else { return false }
        let regionEnd = lastLF + 1
        guard regionEnd - s >= Self.parallelMinimumBytes,
              Double(maxRows - chunkRows) * bytesPerRow >= Double(regionEnd - s) else {
            parallelDeclined = true
            return false
        }
        // The split is speculative: the first line feed past the middle. Records in quoted
        // fields may hold line feeds, but the split is kept only when this thread's records end
        // exactly there (see below), which the reader's own quoting rules then vouch for;
        // otherwise the worker's rows are dropped and this thread reads on.
        let middle = s + (regionEnd - s) / 2
        guard let midLF = memchr(b + middle, 0x0A, regionEnd - middle) else { return false }
        let mid = UnsafeMutableRawPointer(midLF).assumingMemoryBound(to: UInt8.self) - b + 1
        guard mid < regionEnd else { return false }
        let worker = blockWorker ?? CSVBlockWorker(
            delimiter: delimiter, stops: stops, columnCount: names.count, markers: markers)
        blockWorker = worker
        worker.prepare(
            buffer: b, start: mid, end: regionEnd,
            expectedRows: Int(Double(regionEnd - mid) / max(bytesPerRow, 1) * 1.05) + 16)
        let wallStart = CSVBlockWorker.monotonicSeconds()
        let cpuStart = CSVBlockWorker.threadCPUSeconds()
        guard worker.launch() else {
            parallel = false
            return false
        }
        var thrown: TableError?
        do {
            try streamRun(maxRows, until: mid, block)
        } catch {
            thrown = error
        }
        worker.join()
        parallelSteps += 1
        // When the other processor is busy (another process, or a container's CPU quota), the
        // two threads share one processor and splitting only adds work: pause it for a while.
        let wall = CSVBlockWorker.monotonicSeconds() - wallStart
        let cpu = CSVBlockWorker.threadCPUSeconds() - cpuStart + worker.cpuSeconds
        if wall > 0 && cpu < 1.3 * wall {
            weakParallelSteps += 1
            if weakParallelSteps >= 2 {
                weakParallelSteps = 0
                parallelPauseBlocks = 16
            }
        } else {
            weakParallelSteps = 0
        }
        if let thrown { throw thrown }
        if source.start == s && chunkRows < maxRows {
            // No progress (cannot happen for complete records): continue without splitting.
            parallelDeclined = true
            return false
        }
        guard source.start == mid, chunkRows < maxRows else { return true }
        flushScratch()
        let take = min(worker.rows, maxRows - chunkRows)
        if take > 0 {
            for c in builders.indices {
                builders[c].appendBulk(worker.values[c].prefix(take), worker.validity[c].prefix(take))
            }
            chunkRows += take
        }
        if take == worker.rows {
            source.start = worker.stoppedAt
            line += worker.lines
        } else {
            source.start = worker.rowEnds[take - 1]
            line += worker.rowLines[take - 1]
        }
        return true
    }

    /// Parses the complete records before `limit` (never refilling the buffer,
    /// which a worker is reading), until the chunk holds `maxRows` rows.
    private mutating func streamRun(_ maxRows: Int, until limit: Int, _ block: ScratchBlock) throws(TableError) {
        while chunkRows < maxRows && source.start < limit {
            guard let outcome = takeFastRecord(block) else { continue }
            switch outcome {
            case .needMore, .endOfInput:
                return
            case .slow:
                guard try parseSlow(allowRefill: false) else { return }
            case .accepted, .blank:
                continue   // taken by takeFastRecord
            }
        }
    }
}
