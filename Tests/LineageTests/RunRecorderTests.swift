import Foundation
import Lineage
import MLOpsStorage
import Synchronization
import Testing

@Suite("Run recorder")
struct RunRecorderTests {
    /// A clock that advances one millisecond per reading.
    static func steppingClock() -> @Sendable () -> Int64 {
        let tick = Atomic<Int64>(1_000)
        return { tick.add(1, ordering: .relaxed).newValue }
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

    @Test("the background writer flushes without being asked")
    func backgroundFlush() async throws {
        let store = InMemoryLineageStore()
        let recorder = try await RunRecorder.start(store: store, experiment: "unit", name: "bg", flushInterval: .milliseconds(20))
        try await recorder.log("accuracy", 0.5)
        var written = 0
        for _ in 0..<200 where written == 0 {
            try await Task.sleep(for: .milliseconds(10))
            written = try await store.metricHistory(of: recorder.runID, key: "accuracy").count
        }
        #expect(written == 1)
        try await recorder.finish()
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
