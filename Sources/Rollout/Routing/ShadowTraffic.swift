import Synchronization

/// Shadow traffic: the challenger scores the same inputs as the champion, in the background,
/// and its answers never reach the caller; they are only compared.
///
/// The request path calls ``offer(_:champion:)``, which never waits: it enqueues the input into
/// a bounded queue, or drops it (counted) when the queue is full. ``run()`` (a service task)
/// evaluates queued inputs within a CPU budget: a token bucket refilled at ``cpuBudget``
/// seconds of evaluation per second of wall time; when the challenger has used its budget, the
/// next inputs are dropped (counted) rather than slowing the process. A failed shadow evaluation
/// is counted and never propagates.
public final class ShadowTraffic<Input: Sendable, Output: Sendable>: Sendable {
    /// Counts of what happened to offered inputs.
    public struct Counts: Sendable, Hashable, Codable {
        public var offered = 0
        public var evaluated = 0
        public var droppedQueueFull = 0
        public var droppedOverBudget = 0
        public var failed = 0
    }

    /// The most inputs waiting at once.
    public let capacity: Int
    /// Seconds of shadow evaluation allowed per second of wall time (0.25: a quarter of a core).
    public let cpuBudget: Double

    private let evaluate: @Sendable (Input) async throws -> Output
    private let compare: @Sendable (Input, Output, Output) -> Void
    private let stream: AsyncStream<(Input, Output)>
    private let continuation: AsyncStream<(Input, Output)>.Continuation
    private let counts = Mutex(Counts())

    /// Shadow traffic evaluating `challenger` and passing (input, champion's answer, challenger's answer) to `compare`.
    ///
    /// - Throws: ``RolloutError/Code/invalidPlan`` for a capacity below 1 or a budget outside (0, 64].
    public init(
        capacity: Int = 1_024, cpuBudget: Double = 0.25, challenger: @escaping @Sendable (Input) async throws -> Output,
        compare: @escaping @Sendable (Input, Output, Output) -> Void
    ) throws(RolloutError) {
        guard capacity >= 1 else { throw RolloutError(.invalidPlan, "A shadow queue of \(capacity) holds nothing", location: "capacity", fix: "give 1 or more.") }
        guard cpuBudget > 0, cpuBudget <= 64 else {
            throw RolloutError(.invalidPlan, "A CPU budget of \(cpuBudget) cores is not in (0, 64]", location: "cpuBudget", fix: "give a fraction of a core, such as 0.25.")
        }
        self.capacity = capacity
        self.cpuBudget = cpuBudget
        self.evaluate = challenger
        self.compare = compare
        (stream, continuation) = AsyncStream.makeStream(of: (Input, Output).self, bufferingPolicy: .bufferingOldest(capacity))
    }

    /// Offers an input and the champion's answer for shadow evaluation; never waits.
    ///
    /// - Returns: Whether it was queued (false: dropped because the queue is full or shadowing has stopped).
    @discardableResult
    public func offer(_ input: Input, champion: Output) -> Bool {
        let result = continuation.yield((input, champion))
        let queued: Bool
        if case .enqueued = result { queued = true } else { queued = false }
        counts.withLock {
            $0.offered += 1
            if !queued { $0.droppedQueueFull += 1 }
        }
        return queued
    }

    /// The counts now.
    public var currentCounts: Counts { counts.withLock { $0 } }

    /// Stops accepting inputs; ``run()`` returns once the queue is drained.
    public func finish() { continuation.finish() }

    /// Evaluates queued inputs within the budget until ``finish()`` or cancellation.
    public func run() async {
        let clock = ContinuousClock()
        var tokens = cpuBudget  // seconds of evaluation available; refills up to one second's worth
        var last = clock.now
        for await (input, champion) in stream {
            if Task.isCancelled { break }
            let now = clock.now
            tokens = min(cpuBudget, tokens + cpuBudget * Self.seconds(now - last))
            last = now
            guard tokens > 0 else {
                counts.withLock { $0.droppedOverBudget += 1 }
                continue
            }
            let start = clock.now
            do {
                let answer = try await evaluate(input)
                compare(input, champion, answer)
                counts.withLock { $0.evaluated += 1 }
            } catch {
                counts.withLock { $0.failed += 1 }
            }
            tokens -= Self.seconds(clock.now - start)
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, a) = duration.components
        return Double(s) + Double(a) / 1e18
    }
}
