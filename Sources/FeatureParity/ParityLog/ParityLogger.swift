import Synchronization

/// The request path's side of the parity log: samples served feature vectors and buffers them,
/// never waiting on the store; ``flush()`` (or ``run(every:)``, a service task) writes them in
/// batches. The buffer is bounded: past ``capacity`` records a new one is dropped and counted,
/// so a slow store can never slow requests or grow memory.
public final class ParityLogger: Sendable {
    /// The store records go to.
    public let store: any ParityLogStore
    /// The share of requests logged, in (0, 1].
    public let sampleRate: Double
    /// The most records buffered.
    public let capacity: Int

    private struct Buffer {
        var records: [ParityRecord] = []
        var offered = 0
        var sampled = 0
        var dropped = 0
        var written = 0
    }

    private let buffer = Mutex(Buffer())

    /// Counts of what happened to offered records.
    public struct Counts: Sendable, Hashable, Codable {
        public let offered: Int
        public let sampled: Int
        public let dropped: Int
        public let written: Int
        public let buffered: Int
    }

    /// A logger writing to `store`, logging `sampleRate` of requests, buffering at most `capacity`.
    ///
    /// - Throws: ``FeatureParityError/Code/invalidArgument`` for a rate outside (0, 1] or a capacity below 1.
    public init(store: any ParityLogStore, sampleRate: Double = 0.01, capacity: Int = 100_000) throws(FeatureParityError) {
        guard sampleRate > 0, sampleRate <= 1 else {
            throw FeatureParityError(.invalidArgument, "A sample rate of \(sampleRate) is not in (0, 1]", location: "sampleRate", fix: "give a share such as 0.01.")
        }
        guard capacity >= 1 else { throw FeatureParityError(.invalidArgument, "A capacity of \(capacity) holds nothing", location: "capacity", fix: "give 1 or more.") }
        self.store = store
        self.sampleRate = sampleRate
        self.capacity = capacity
    }

    /// Offers one served vector; logged when the request id falls in the sample (a hash of the
    /// id, so the same request is sampled the same way on every replica). The record is built
    /// only for sampled requests.
    ///
    /// - Returns: Whether it was buffered.
    @discardableResult
    public func offer(requestID: String, record: @autoclosure () -> ParityRecord) -> Bool {
        var hasher = FNV1a()
        for byte in requestID.utf8 { hasher.add(byte) }
        let sampled = Double(hasher.value >> 11) / Double(1 << 53) < sampleRate
        guard sampled else {
            buffer.withLock { $0.offered += 1 }
            return false
        }
        let built = record()
        return buffer.withLock { b in
            b.offered += 1
            b.sampled += 1
            // A record without finite times could never be stored: drop it here (counted), so it
            // cannot block every later flush.
            guard built.servedAt.isFinite, built.asOf.isFinite, b.records.count < capacity else {
                b.dropped += 1
                return false
            }
            b.records.append(built)
            return true
        }
    }

    /// Writes the buffered records to the store; on failure they are kept for the next flush.
    public func flush() async throws {
        let batch = buffer.withLock { b -> [ParityRecord] in
            defer { b.records.removeAll(keepingCapacity: true) }
            return b.records
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.append(batch)
            buffer.withLock { $0.written += batch.count }
        } catch {
            buffer.withLock { b in
                let room = Swift.max(0, capacity - b.records.count)
                b.dropped += Swift.max(0, batch.count - room)
                b.records.insert(contentsOf: batch.prefix(room), at: 0)
            }
            throw error
        }
    }

    /// Flushes every `interval` until the task is cancelled, then once more.
    public func run(every interval: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            try? await flush()
        }
        try? await flush()
    }

    /// The counts now.
    public var counts: Counts {
        buffer.withLock { Counts(offered: $0.offered, sampled: $0.sampled, dropped: $0.dropped, written: $0.written, buffered: $0.records.count) }
    }
}

/// 64-bit FNV-1a with a final mix, for sampling decisions that agree across replicas.
struct FNV1a {
    private(set) var state: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ byte: UInt8) { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    var value: UInt64 {
        var h = state
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }
}
