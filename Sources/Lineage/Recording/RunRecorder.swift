public import Foundation
import MLOpsStorage
public import ServiceLifecycle
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
/// Metric points go into a bounded in-memory buffer. When the buffer holds ``bufferCapacity``
/// points, the next logging call writes it before it keeps its point (back-pressure, never loss):
/// a logging call that throws has kept nothing, so it can be retried without logging twice. A
/// point is durable once a ``flush()`` (or ``finish(status:)``) that followed it has returned.
///
/// ## Writing in the background
///
/// The recorder is a swift-service-lifecycle `Service`: its ``run()`` writes the buffer every
/// ``flushInterval`` until ``finish(status:)``, a graceful shutdown, or cancellation, and writes
/// it once more before it returns. Nothing runs in the background unless something runs it, so
/// the host owns the work: a service puts the recorder in its `ServiceGroup`, a script runs it
/// beside the loop:
///
/// ```swift
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { try await recorder.run() }
///     for step in 0..<epochs { try await recorder.log("loss", loss, step: Int64(step)) }
///     try await recorder.finish()   // stops run(), waits for its last write, ends the run
/// }
/// ```
///
/// A failed background write keeps its points for the next write and is reported, once, by the
/// next ``log(_:_:step:)``.
public final class RunRecorder: Service, Sendable {
    /// The run being recorded.
    public let runID: RunID
    /// The store written to.
    public let store: any LineageStore
    /// How many points the buffer holds before a logging call writes it.
    public let bufferCapacity: Int
    /// How often ``run()`` writes the buffer.
    public let flushInterval: Duration

    private enum Loop { case notStarted, running, ended }

    private struct State {
        var buffer: [MetricPoint] = []
        /// A background write's error, not yet reported.
        var failure: (any Error)?
        var finished = false
        var loop = Loop.notStarted
    }

    private let state: Mutex<State>
    /// One write at a time, so the buffer's order is the store's order.
    private let writeLock = ResourcePool<Void>()
    /// Asks ``run()`` to stop: fired by ``finish(status:)`` and by a graceful shutdown.
    private let stopRequested = RecorderSignal()
    /// Fired when ``run()`` has returned, after its last write.
    private let loopEnded = RecorderSignal()
    private let now: @Sendable () -> Date

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
    ///   - bufferCapacity: how many metric points the buffer holds before a logging call writes it.
    ///   - flushInterval: how often ``run()`` writes the buffer.
    ///   - now: the clock (inject one for deterministic tests); stores keep its times to the millisecond.
    /// - Throws: what the store throws for the new run (``LineageError/Code/invalidArgument`` for
    ///   names ``LineageValidation`` refuses).
    public static func start(
        store: any LineageStore, experiment: String, name: String, owner: String? = nil, parentRunID: RunID? = nil,
        tags: [String: String] = [:], environment: EnvironmentCapture? = nil, bufferCapacity: Int = 65_536,
        flushInterval: Duration = .seconds(1), now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> RunRecorder {
        let run = try await store.startRun(RunStart(
            experiment: experiment, name: name, startTime: now(), owner: owner, parentRunID: parentRunID, tags: tags))
        if let environment {
            try await store.setEnvironment(environment.capture(), for: run.id)
        }
        return RunRecorder(runID: run.id, store: store, bufferCapacity: bufferCapacity, flushInterval: flushInterval, now: now)
    }

    private init(runID: RunID, store: any LineageStore, bufferCapacity: Int, flushInterval: Duration, now: @escaping @Sendable () -> Date) {
        self.runID = runID
        self.store = store
        self.bufferCapacity = max(1, bufferCapacity)
        self.flushInterval = flushInterval
        self.now = now
        var initial = State()
        initial.buffer.reserveCapacity(self.bufferCapacity)
        state = Mutex(initial)
    }

    /// Logs one metric value. Returns at once unless the buffer is full; then it writes the
    /// buffer first.
    ///
    /// A call that throws has kept nothing: retrying it logs the point once.
    ///
    /// - Parameters:
    ///   - key: the metric's name.
    ///   - value: the value (NaN is kept as NaN).
    ///   - step: the training step.
    /// - Throws: ``LineageError/Code/invalidArgument`` for a name ``LineageValidation`` refuses;
    ///   the error of a failed background write (once); the error of the write a full buffer
    ///   needed; ``LineageError/Code/runFinished`` after ``finish(status:)``.
    public func log(_ key: String, _ value: Double, step: Int64 = 0) async throws {
        // Checked here, not at the write: one bad point must not block every later one.
        try LineageValidation.checkMetricKey(key, of: runID)
        let point = MetricPoint(key: key, value: value, step: step, timestamp: now())
        while true {
            let kept = try state.withLock { state throws -> Bool in
                if let failure = state.failure {
                    state.failure = nil
                    throw failure
                }
                guard !state.finished else { throw finishedError() }
                guard state.buffer.count < bufferCapacity else { return false }
                state.buffer.append(point)
                return true
            }
            if kept { return }
            // Full: write, then keep. If the write fails this call throws having kept nothing.
            try await flush()
        }
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
    ///
    /// - Throws: the store's error; the points stay buffered and go first in the next write.
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
                state.withLock { $0.buffer.insert(contentsOf: batch, at: 0) }
                throw error
            }
            // Written: a background failure before this one no longer matters.
            state.withLock { $0.failure = nil }
        }
    }

    /// Writes the buffer every ``flushInterval`` until ``finish(status:)``, a graceful shutdown
    /// or cancellation, then once more, and returns.
    ///
    /// Run it once, from the task that owns the recorder's lifetime (a `ServiceGroup`, or a
    /// child task beside the training loop). A write that fails in the loop keeps its points
    /// and is reported by the next ``log(_:_:step:)``. When the task is cancelled rather than
    /// shut down gracefully, the last write may fail; its points stay buffered for ``finish(status:)``.
    ///
    /// - Throws: the last write's error; ``LineageError/Code/invalidArgument`` when `run()` was
    ///   called before.
    public func run() async throws {
        let first = state.withLock { state -> Bool in
            guard state.loop == .notStarted else { return false }
            state.loop = .running
            return true
        }
        guard first else {
            throw LineageError(.invalidArgument, "The recorder of run \(runID) was run before", fix: "call run() once, from the service group or task that owns the recorder.")
        }
        defer {
            state.withLock { $0.loop = .ended }
            loopEnded.fire()
        }
        let stopRequested = self.stopRequested
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.writePeriodically() }
                // finish(), a graceful shutdown, or the cancellation of this task.
                await stopRequested.wait()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            stopRequested.fire()
        }
        try await flush()
    }

    /// The loop of ``run()``: sleep, write, until cancelled.
    private func writePeriodically() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: flushInterval)
            } catch {
                return
            }
            do {
                try await flush()
            } catch is CancellationError {
                return
            } catch {
                state.withLock { $0.failure = error }
            }
        }
    }

    /// Stops ``run()`` and waits for its last write, writes what is left, and ends the run with
    /// `status`.
    ///
    /// - Parameter status: the final status; `finished` by default.
    /// - Throws: the store's error (the points stay buffered: call `finish` again);
    ///   ``LineageError/Code/runFinished`` when the run had already ended.
    public func finish(status: RunStatus = .finished) async throws {
        // Closed to new points first, so nothing logged concurrently is left unwritten.
        let loopRunning = state.withLock { state -> Bool in
            state.finished = true
            return state.loop == .running
        }
        stopRequested.fire()
        if loopRunning { await loopEnded.wait() }
        try await flush()
        try await store.finishRun(runID, status: status, endTime: now())
    }

    private func finishedError() -> LineageError {
        LineageError(.runFinished, "Run \(runID) was finished; nothing more can be logged to it", fix: "start a new recorder for new results.")
    }
}
