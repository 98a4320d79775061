import Foundation
public import MLOpsStorage
import Synchronization

/// Records one run from a training loop: parameters, metrics buffered and written in batches,
/// artifacts read and written, the environment, and the final status.
///
/// ```swift
/// let recorder = try await RunRecorder.start(store: store, experiment: "fraud", name: "gbt-42",
///                                           environment: EnvironmentCapture(seeds: ["split": 42]))
/// try await recorder.logParameters(["model": "gbt", "depth": 6, "lr": 0.05])
/// try await recorder.recordInput(trainingSet, role: "training-data")
/// for step in 0..<epochs {
///     try await recorder.log("loss", loss, step: Int64(step))   // buffered: no store round trip
/// }
/// try await recorder.recordOutput(model, role: "model")
/// try await recorder.finish()                                  // flushes, then marks the run finished
/// ```
///
/// Metric points go into a bounded in-memory buffer. A background task writes the buffer every
/// ``flushInterval``; when the buffer reaches ``bufferCapacity`` the logging call itself waits for
/// a write (back-pressure, never loss). A point is durable once a ``flush()`` (or ``finish(status:)``)
/// that followed it has returned; a failed background write is reported by the next call.
public final class RunRecorder: Sendable {
    /// The run being recorded.
    public let runID: RunID
    /// The store written to.
    public let store: any LineageStore
    /// How many points the buffer holds before a logging call waits for a write.
    public let bufferCapacity: Int
    /// How often the background task writes the buffer.
    public let flushInterval: Duration

    private struct State {
        var buffer: [MetricPoint] = []
        var failure: (any Error)?
        var finished = false
    }

    private let state: Mutex<State>
    private let writeLock = AsyncLock()
    private let now: @Sendable () -> Int64
    private let flusher: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// Starts a run in `store` and returns its recorder.
    ///
    /// - Parameters:
    ///   - store: the store the run and its metrics are written to.
    ///   - experiment: the experiment's name (created on first use).
    ///   - name: the run's name.
    ///   - owner: who started the run.
    ///   - parentRunID: the run this one belongs to (a sweep's parent, say).
    ///   - tags: tags recorded with the run.
    ///   - environment: when given, the environment is captured and stored with the run.
    ///   - bufferCapacity: how many metric points the buffer holds before a logging call waits
    ///     for a write.
    ///   - flushInterval: how often the background task writes the buffer.
    ///   - now: the clock, in milliseconds since the Unix epoch (inject one for deterministic tests).
    public static func start(
        store: any LineageStore, experiment: String, name: String, owner: String? = nil, parentRunID: RunID? = nil,
        tags: [String: String] = [:], environment: EnvironmentCapture? = nil, bufferCapacity: Int = 65_536,
        flushInterval: Duration = .seconds(1), now: @escaping @Sendable () -> Int64 = RunRecorder.wallClockMilliseconds
    ) async throws -> RunRecorder {
        let run = try await store.startRun(RunStart(
            experiment: experiment, name: name, startTime: now(), owner: owner, parentRunID: parentRunID, tags: tags))
        if let environment {
            try await store.setEnvironment(environment.capture(), for: run.id)
        }
        let recorder = RunRecorder(runID: run.id, store: store, bufferCapacity: bufferCapacity, flushInterval: flushInterval, now: now)
        recorder.startFlusher()
        return recorder
    }

    private init(runID: RunID, store: any LineageStore, bufferCapacity: Int, flushInterval: Duration, now: @escaping @Sendable () -> Int64) {
        self.runID = runID
        self.store = store
        self.bufferCapacity = max(1, bufferCapacity)
        self.flushInterval = flushInterval
        self.now = now
        var initial = State()
        initial.buffer.reserveCapacity(self.bufferCapacity)
        state = Mutex(initial)
    }

    deinit {
        flusher.withLock { $0?.cancel() }
    }

    /// The current time in milliseconds since the Unix epoch.
    @Sendable public static func wallClockMilliseconds() -> Int64 {
        Int64((Date.now.timeIntervalSince1970 * 1000).rounded())
    }

    /// Logs one metric value. Returns at once unless the buffer is full.
    ///
    /// - Throws: the error of a failed background write, or ``LineageError/Code/runFinished``
    ///   after ``finish(status:)``.
    public func log(_ key: String, _ value: Double, step: Int64 = 0) async throws {
        // Checked here, not at the write: one bad point must not block every later one.
        guard !key.isEmpty, !key.utf8.contains(0) else {
            throw LineageError(.invalidArgument, "A metric of run \(runID) has an empty name or a NUL character", fix: "name every metric with printable text.")
        }
        let point = MetricPoint(key: key, value: value, step: step, timestamp: now())
        let full = try state.withLock { state throws -> Bool in
            if let failure = state.failure { throw failure }
            guard !state.finished else { throw finishedError() }
            state.buffer.append(point)
            return state.buffer.count >= bufferCapacity
        }
        if full { try await flush() }
    }

    /// Logs parameters straight to the store.
    public func logParameters(_ parameters: [String: ParameterValue]) async throws {
        try await store.logParameters(parameters, to: runID)
    }

    /// Sets tags straight in the store.
    public func setTags(_ tags: [String: String]) async throws {
        try await store.setTags(tags, on: runID)
    }

    /// Records an artifact the run read.
    public func recordInput(_ artifact: LineageArtifact, role: String) async throws {
        try await store.recordArtifact(artifact, direction: .input, role: role, run: runID)
    }

    /// Records an artifact the run wrote.
    public func recordOutput(_ artifact: LineageArtifact, role: String) async throws {
        try await store.recordArtifact(artifact, direction: .output, role: role, run: runID)
    }

    /// Writes every buffered point; when it returns, they are in the store.
    public func flush() async throws {
        try await writeLock.withLock {
            let batch = state.withLock { state -> [MetricPoint] in
                defer { state.buffer.removeAll(keepingCapacity: true) }
                return state.buffer
            }
            guard !batch.isEmpty else { return }
            do {
                try await store.logMetrics(batch, to: runID)
            } catch {
                // Keep the points: they go first in the next write, nothing acknowledged is dropped.
                state.withLock { state in
                    state.buffer.insert(contentsOf: batch, at: 0)
                    state.failure = error
                }
                throw error
            }
            state.withLock { $0.failure = nil }
        }
    }

    /// Flushes, stops the background writer and ends the run with `status`.
    public func finish(status: RunStatus = .finished) async throws {
        flusher.withLock { $0?.cancel() }
        // Closed to new points first, so nothing logged concurrently is left unwritten.
        state.withLock { $0.finished = true }
        try await flush()
        try await store.finishRun(runID, status: status, endTime: now())
    }

    private func startFlusher() {
        let interval = flushInterval
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, !Task.isCancelled else { return }
                try? await self.flush()
            }
        }
        flusher.withLock { $0 = task }
    }

    private func finishedError() -> LineageError {
        LineageError(.runFinished, "Run \(runID) was finished; nothing more can be logged to it", fix: "start a new recorder for new results.")
    }
}
