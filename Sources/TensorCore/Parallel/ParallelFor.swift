import Dispatch
import Foundation

/// A small parallel-for over the machine's cores, for kernels that split their input in chunks.
///
/// Built on `DispatchQueue.concurrentPerform`, which runs the chunks on a pool sized to the
/// machine and returns when all are done; no task or actor hop per element.
///
/// `package`: a kernel helper the modules of swift-mlops share, not a supported API. The bodies
/// run on several threads at once, so they are `@Sendable`; a kernel that hands each chunk a
/// part of one buffer wraps the buffer in ``DisjointAccess``.
package enum ParallelFor {
    /// How many chunks to use for `count` elements: one per core, and none smaller than `minimumChunk`.
    package static func chunkCount(count: Int, minimumChunk: Int) -> Int {
        guard count > 0 else { return 1 }
        let cores = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
        return Swift.max(1, Swift.min(cores, count / Swift.max(1, minimumChunk)))
    }

    /// Runs `body` on disjoint ranges that together cover `0..<count`, in parallel when large enough.
    ///
    /// - Parameters:
    ///   - count: the number of elements.
    ///   - minimumChunk: the smallest range worth a thread of its own.
    ///   - body: called once per range, from several threads at once.
    package static func forEach(count: Int, minimumChunk: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let chunks = chunkCount(count: count, minimumChunk: minimumChunk)
        if chunks == 1 {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            body(range(chunk, of: chunks, count: count))
        }
    }

    /// Maps disjoint ranges covering `0..<count` to results, in range order.
    package static func map<Result>(count: Int, minimumChunk: Int, _ body: @Sendable (Range<Int>) -> Result) -> [Result] {
        let chunks = chunkCount(count: count, minimumChunk: minimumChunk)
        if chunks == 1 { return [body(0..<count)] }
        var results = [Result?](repeating: nil, count: chunks)
        results.withUnsafeMutableBufferPointer { slots in
            let output = DisjointAccess(slots)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                // Each chunk writes only its own slot.
                output.value[chunk] = body(range(chunk, of: chunks, count: count))
            }
        }
        return results.compactMap { $0 }
    }

    static func range(_ chunk: Int, of chunks: Int, count: Int) -> Range<Int> {
        let base = count / chunks, extra = count % chunks
        let start = chunk * base + Swift.min(chunk, extra)
        return start..<(start + base + (chunk < extra ? 1 : 0))
    }
}

/// Carries a buffer pointer (or another non-Sendable view of memory) into `ParallelFor`'s
/// concurrent bodies.
///
/// Only sound when every concurrent iteration reads shared memory that nobody writes meanwhile,
/// or writes a part of it no other iteration touches (its own output slot, its own range), and
/// the memory outlives the call, which returns only after every iteration has ended. Each use
/// says which of these holds. `package`, never public.
package struct DisjointAccess<Value>: @unchecked Sendable {
    /// The wrapped view.
    package let value: Value

    /// Wraps `value` for disjoint use by concurrent iterations.
    package init(_ value: Value) { self.value = value }
}

