import Foundation
import Lineage
import MLOpsStorage
import ServiceLifecycleTestKit
import Synchronization
import MLOpsTestSupport
import Testing

/// An in-memory store whose metric writes can be made to fail or to take a while, and which
/// counts the writes in flight.
final class ControlledStore: LineageStore {
    let base = InMemoryLineageStore()
    let failing = Atomic<Bool>(false)
    let delayMilliseconds = Atomic<Int>(0)
    let inFlight = Atomic<Int>(0)
    let writes = Atomic<Int>(0)

    func logMetrics(_ points: [MetricPoint], to run: RunID) async throws {
        inFlight.add(1, ordering: .sequentiallyConsistent)
        defer { inFlight.subtract(1, ordering: .sequentiallyConsistent) }
        let delay = delayMilliseconds.load(ordering: .relaxed)
        if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
        if failing.load(ordering: .relaxed) { throw LineageError(.corruptRecord, "the disk is on fire") }
        try await base.logMetrics(points, to: run)
        writes.add(1, ordering: .relaxed)
    }

    func startRun(_ start: RunStart) async throws -> Run { try await base.startRun(start) }
    func logParameters(_ parameters: [String: ParameterValue], to run: RunID) async throws { try await base.logParameters(parameters, to: run) }
    func setTags(_ tags: [String: String], on run: RunID) async throws { try await base.setTags(tags, on: run) }
    func recordArtifact(_ artifact: LineageArtifact, direction: ArtifactDirection, role: String, run: RunID) async throws {
        try await base.recordArtifact(artifact, direction: direction, role: role, run: run)
    }
    func setEnvironment(_ environment: EnvironmentSnapshot, for run: RunID) async throws { try await base.setEnvironment(environment, for: run) }
    func finishRun(_ run: RunID, status: RunStatus, endTime: Date) async throws { try await base.finishRun(run, status: status, endTime: endTime) }
    func importRun(_ run: Run, metrics: [MetricPoint]) async throws -> Bool { try await base.importRun(run, metrics: metrics) }
    func run(_ id: RunID) async throws -> Run { try await base.run(id) }
    func metricHistory(of run: RunID, key: String) async throws -> [MetricPoint] { try await base.metricHistory(of: run, key: key) }
    func searchRuns(_ query: RunQuery) async throws -> RunPage { try await base.searchRuns(query) }
    func artifact(_ digest: Digest) async throws -> LineageArtifact? { try await base.artifact(digest) }
    func ancestors(of digest: Digest) async throws -> ProvenanceGraph { try await base.ancestors(of: digest) }
    func descendants(of digest: Digest) async throws -> ProvenanceGraph { try await base.descendants(of: digest) }
}

@Suite("Run recorder")
struct RunRecorderTests {
    /// A clock that advances one millisecond per reading.
    static func steppingClock() -> @Sendable () -> Date {
        let tick = Atomic<Int64>(1_000)
        return { .ms(tick.add(1, ordering: .relaxed).newValue) }
    }

    @Test("buffered points are all in the store after finish, and the run is finished")
    func recordsEverything() async throws {
        let store = InMemoryLineageStore()
        let recorder = try await RunRecorder.start(
            store: store, experiment: "unit", name: "loop", bufferCapacity: 1000, flushInterval: .seconds(3600), now: Self.steppingClock())
        try await recorder.logParameters(["lr": 0.1])
        for step in 0..<2_500 { try await recorder.log("loss", 1 / Double(step + 1), step: Int64(step)) }
        // Two automatic writes happened when the buffer filled; the rest waits for finish.
        #expect(try await store.metricHistory(of: recorder.runID, key: "loss").count == 2_000)
        try await recorder.finish()
        let history = try await store.metricHistory(of: recorder.runID, key: "loss")
        #expect(history.count == 2_500)
        #expect(history.map(\.step) == (0..<2_500).map(Int64.init))
        let run = try await store.run(recorder.runID)
        #expect(run.status == .finished)
        #expect(run.latestMetrics["loss"]?.step == 2_499)
        // The injected clock: the start read it first, each point once, the end last.
        #expect(run.startTime == .ms(1_001))
        #expect(history.first?.timestamp == .ms(1_002))
        #expect(run.endTime == .ms(1_001 + 2_500 + 1))
        await #expect(throws: LineageError.self) { try await recorder.log("loss", 0) }
    }

    @Test("a bad metric name is refused at once and does not block the points after it")
    func badNameDoesNotBlock() async throws {
        let store = InMemoryLineageStore()
        let recorder = try await RunRecorder.start(store: store, experiment: "unit", name: "bad", flushInterval: .seconds(3600))
        await #expect(throws: LineageError.self) { try await recorder.log("", 1) }
        try await recorder.log("ok", 2)
        try await recorder.finish()
        #expect(try await store.metricHistory(of: recorder.runID, key: "ok").count == 1)
        #expect(try await store.run(recorder.runID).status == .finished)
    }

    @Test("run() writes in the background without being asked, and finish() stops it")
    func backgroundFlush() async throws {
        let store = InMemoryLineageStore()
        let recorder = try await RunRecorder.start(store: store, experiment: "unit", name: "bg", flushInterval: .milliseconds(20))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await recorder.run() }
            try await recorder.log("accuracy", 0.5)
            var written = 0
            for _ in 0..<200 where written == 0 {
                try await Task.sleep(for: .milliseconds(10))
                written = try await store.metricHistory(of: recorder.runID, key: "accuracy").count
            }
            #expect(written == 1)
            try await recorder.finish()  // ends run(), or the group would never finish
        }
        #expect(try await store.run(recorder.runID).status == .finished)
        await #expect(throws: LineageError.self) { try await recorder.run() }  // once only
    }

    @Test("nothing runs in the background unless run() is called; a full buffer and finish still write")
    func noBackgroundTask() async throws {
        let store = InMemoryLineageStore()
        let recorder = try await RunRecorder.start(store: store, experiment: "unit", name: "quiet", bufferCapacity: 10, flushInterval: .milliseconds(1))
        for step in 0..<5 { try await recorder.log("loss", 1, step: Int64(step)) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await store.metricHistory(of: recorder.runID, key: "loss").isEmpty)
        try await recorder.finish()
        #expect(try await store.metricHistory(of: recorder.runID, key: "loss").count == 5)
    }

    @Test("a graceful shutdown of the host makes run() write the last points and return")
    func gracefulShutdown() async throws {
        let store = InMemoryLineageStore()
        let recorder = try await RunRecorder.start(store: store, experiment: "unit", name: "service", flushInterval: .seconds(3600))
        try await testGracefulShutdown { trigger in
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await recorder.run() }
                for step in 0..<100 { try await recorder.log("loss", Double(step), step: Int64(step)) }
                trigger.triggerGracefulShutdown()
            }
        }
        // run() returned, after its last write: every point is in the store, the run still open.
        #expect(try await store.metricHistory(of: recorder.runID, key: "loss").count == 100)
        #expect(try await store.run(recorder.runID).status == .running)
        try await recorder.finish()
    }

    @Test("finish() waits for the background write it stops, so no write outlives it")
    func finishWaitsForTheLoop() async throws {
        let store = ControlledStore()
        store.delayMilliseconds.store(100, ordering: .relaxed)
        let recorder = try await RunRecorder.start(store: store, experiment: "unit", name: "slow", flushInterval: .milliseconds(5))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await recorder.run() }
            try await recorder.log("loss", 1)
            while store.inFlight.load(ordering: .sequentiallyConsistent) == 0 { try await Task.sleep(for: .milliseconds(1)) }
            try await recorder.log("loss", 2, step: 1)
            try await recorder.finish()
            #expect(store.inFlight.load(ordering: .sequentiallyConsistent) == 0)
        }
        #expect(try await store.metricHistory(of: recorder.runID, key: "loss").map(\.value) == [1, 2])
        #expect(try await store.run(recorder.runID).status == .finished)
    }

    @Test("a log call that throws has kept nothing: retrying it logs the point once")
    func failedLogKeepsNothing() async throws {
        let store = ControlledStore()
        let recorder = try await RunRecorder.start(
            store: store, experiment: "unit", name: "flaky", bufferCapacity: 2, flushInterval: .seconds(3600), now: Self.steppingClock())
        try await recorder.log("loss", 0.9, step: 0)
        try await recorder.log("loss", 0.8, step: 1)  // the buffer is full now
        store.failing.store(true, ordering: .relaxed)
        await #expect(throws: LineageError.self) { try await recorder.log("loss", 0.7, step: 2) }
        store.failing.store(false, ordering: .relaxed)
        try await recorder.log("loss", 0.7, step: 2)  // the retry
        try await recorder.finish()
        let history = try await store.metricHistory(of: recorder.runID, key: "loss")
        #expect(history.map(\.step) == [0, 1, 2])
    }

    @Test("points flushed to SQLite survive closing and reopening the store")
    func durableAfterFlush() async throws {
        let folder = NSTemporaryDirectory() + "recorder-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = "\(folder)/runs.sqlite"
        let runID: RunID
        do {
            let database = try await SQLiteDatabase(path: path)
            let store = try await SQLLineageStore(database: database)
            let recorder = try await RunRecorder.start(store: store, experiment: "durable", name: "r", flushInterval: .seconds(3600))
            for step in 0..<100 { try await recorder.log("loss", Double(step), step: Int64(step)) }
            try await recorder.flush()
            runID = recorder.runID
            try await database.close()
        }
        let reopened = try await SQLLineageStore(database: try await SQLiteDatabase(path: path))
        #expect(try await reopened.metricHistory(of: runID, key: "loss").count == 100)
        #expect(try await reopened.run(runID).status == .running)
    }

    @Test("environment capture records the seeds and never a secret")
    func environmentHasNoSecrets() {
        let capture = EnvironmentCapture(variableNames: ["CUDA_VISIBLE_DEVICES", "AWS_SECRET_ACCESS_KEY", "API_TOKEN", "db_password"], seeds: ["split": 7])
        let snapshot = capture.capture(environment: [
            "CUDA_VISIBLE_DEVICES": "0,1", "AWS_SECRET_ACCESS_KEY": "hunter2", "API_TOKEN": "abc", "db_password": "pw",
        ])
        #expect(snapshot.variables == ["CUDA_VISIBLE_DEVICES": "0,1"])
        #expect(snapshot.seeds == ["split": 7])
        #expect(snapshot.swiftVersion != nil)
        #expect(snapshot.cpu?.contains("cores") == true)
    }
}
