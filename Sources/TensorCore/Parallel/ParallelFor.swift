import Dispatch
import Foundation

/// A small parallel-for over the machine's cores, for kernels that split their input in chunks.
///
/// Built on `DispatchQueue.concurrentPerform`, which runs the chunks on a pool sized to the
/// machine and returns when all are done; no task or actor hop per element.
public enum ParallelFor {
    /// How many chunks to use for `count` elements: one per core, and none smaller than `minimumChunk`.
    public static func chunkCount(count: Int, minimumChunk: Int) -> Int {
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
    public static func forEach(count: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void) {
        let chunks = chunkCount(count: count, minimumChunk: minimumChunk)
        if chunks == 1 {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendableBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                shared.value(range(chunk, of: chunks, count: count))
            }
        }
    }

    /// Maps disjoint ranges covering `0..<count` to results, in range order.
    public static func map<Result>(count: Int, minimumChunk: Int, _ body: (Range<Int>) -> Result) -> [Result] {
        let chunks = chunkCount(count: count, minimumChunk: minimumChunk)
        if chunks == 1 { return [body(0..<count)] }
        var results = [Result?](repeating: nil, count: chunks)
        results.withUnsafeMutableBufferPointer { slots in
            let output = UncheckedSendableBox(slots)
            withoutActuallyEscaping(body) { body in
                let shared = UncheckedSendableBox(body)
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    // Each chunk writes only its own slot.
                    output.value[chunk] = shared.value(range(chunk, of: chunks, count: count))
                }
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

/// Carries a non-Sendable value into `concurrentPerform`.
///
/// Sound here because every use hands each concurrent iteration a disjoint part of the data
/// (its own output slot, its own input range) and the call returns only after all iterations end.
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

