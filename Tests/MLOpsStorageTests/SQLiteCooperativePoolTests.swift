import Foundation
@testable import MLOpsStorage
import Synchronization
import XCTest

/// Whether SQLite keeps its hands off the Swift cooperative thread pool.
///
/// An XCTest case on purpose: `swift test` runs the XCTest cases one at a time, before the Swift
/// Testing suites, which run in parallel. A latency bound only means something when no other
/// test keeps the pool's threads busy, so this test must not run beside them.
final class SQLiteCooperativePoolTests: XCTestCase {
    /// Four writers contend for one file for several seconds, each holding the lock while it
    /// computes; the others wait on SQLite's lock. An unrelated task that sleeps 1 ms in a loop
    /// must never wait more than 20 ms: with SQLite on the pool's threads, the waiting writers
    /// would hold both threads of a 2-core machine for as long as the lock is held.
    ///
    /// A stall holds the sleeping task for as long as a writer holds the lock (hundreds of
    /// milliseconds); a busy machine can add tens of milliseconds to one wake-up now and then.
    /// So the scenario runs up to three times, and the bound must hold in one of them: a real
    /// stall fails all three.
    func testContendedWritersNeverStallOtherTasks() async throws {
        var runs: [(worst: Duration, committed: Int, wakeUps: Int)] = []
        for _ in 1...3 {
            let run = try await contendedWriters()
            runs.append(run)
            if run.worst < .milliseconds(20) { break }
        }
        let best = try XCTUnwrap(runs.min { $0.worst < $1.worst })
        for run in runs {
            XCTAssertGreaterThan(run.committed, 8, "the writers made too little progress to contend")
            // 3.8 s of 1 ms sleeps is about 3,500 wake-ups; far fewer means the task hardly ran.
            XCTAssertGreaterThan(run.wakeUps, 500, "the sleeping task woke only \(run.wakeUps) times in 3.8 s")
        }
        XCTAssertLessThan(
            best.worst, .milliseconds(20),
            "a 1 ms sleep waited \(runs.map(\.worst)) extra in \(runs.count) runs while \(best.committed) writes contended")
    }

    /// One run of the contended-writers scenario: the worst lateness of the sleeping task, the
    /// writes committed, and the wake-ups counted.
    private func contendedWriters() async throws -> (worst: Duration, committed: Int, wakeUps: Int) {
        let folder = NSTemporaryDirectory() + "mlops-pool-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/contended.sqlite"
        var writers: [SQLiteDatabase] = []
        for _ in 0..<4 {
            writers.append(try await SQLiteDatabase(path: path, configuration: SQLiteConfiguration(busyTimeout: .seconds(30))))
        }
        _ = try await writers[0].write { db in try await db.execute("CREATE TABLE IF NOT EXISTS t (writer INTEGER, n INTEGER)") }

        let started = ContinuousClock.now
        let deadline = started + .seconds(4)
        let measured = Measurements()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, writer) in writers.enumerated() {
                group.addTask {
                    var n = 0
                    while ContinuousClock.now < deadline {
                        n += 1
                        let step = n
                        try await writer.write { db in
                            try await db.execute("INSERT INTO t VALUES (?, ?)", [.integer(Int64(index)), .integer(Int64(step))])
                            // Hold the lock while computing for a while, so the others wait on it.
                            _ = try await db.query(
                                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 600000) SELECT sum(x) FROM c")
                        }
                        measured.commits.withLock { $0 += 1 }
                    }
                }
            }
            group.addTask {
                // Every gap between wake-ups counts once the writers got going (200 ms in),
                // the first one too: a task that cannot get a thread at all shows up as one
                // long gap, or as too few wake-ups.
                let measureFrom = started + .milliseconds(200)
                var previous = started
                while ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(1))
                    let now = ContinuousClock.now
                    if now >= measureFrom {
                        let lateness = now - previous - .milliseconds(1)
                        measured.worstLateness.withLock { $0 = max($0, lateness) }
                        measured.wakeUps.withLock { $0 += 1 }
                    }
                    previous = now
                }
            }
            try await group.waitForAll()
        }
        for writer in writers { try await writer.close() }
        let worst = measured.worstLateness.withLock { $0 }
        let committed = measured.commits.withLock { $0 }
        let wakeUps = measured.wakeUps.withLock { $0 }
        return (worst, committed, wakeUps)
    }
}

extension SQLiteCooperativePoolTests {
    /// Brief writes run on the caller's thread, but never wait there: while another connection
    /// holds the write lock for a second, brief writers from four other databases (as other
    /// processes would be; more than the pool has threads, each with its own writer
    /// connection) wait for it on their connections' threads, every one of them commits, and a
    /// task sleeping 1 ms in a loop is never held up.
    ///
    /// The 1 ms bound must hold in one of up to three runs (see
    /// ``testContendedWritersNeverStallOtherTasks()``); everything else in every run.
    func testBriefWritersWaitForAHeldLockOffThePool() async throws {
        var gaps: [Duration] = []
        for _ in 1...3 {
            let gap = try await briefWritersRun()
            gaps.append(gap)
            if gap < .milliseconds(20) { break }
        }
        XCTAssertLessThan(
            gaps.min() ?? .zero, .milliseconds(20), "a 1 ms sleep waited \(gaps) extra in \(gaps.count) runs while brief writers waited for the lock")
    }

    /// One run of the brief-writers scenario, its outcome checked; returns the sleeping task's
    /// worst extra wait.
    private func briefWritersRun() async throws -> Duration {
        let folder = NSTemporaryDirectory() + "mlops-brief-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/brief.sqlite"
        let holder = try await SQLiteDatabase(path: path)
        var opened: [SQLiteDatabase] = []
        for _ in 0..<4 { opened.append(try await SQLiteDatabase(path: path, configuration: SQLiteConfiguration(busyTimeout: .seconds(30)))) }
        let briefs = opened
        _ = try await holder.write { db in try await db.execute("CREATE TABLE t (n INTEGER)") }

        let lockTaken = AsyncStream<Void>.makeStream()
        let started = ContinuousClock.now
        let measured = Measurements()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await holder.write { db in
                    try await db.execute("INSERT INTO t VALUES (0)")
                    lockTaken.continuation.yield()
                    // Holds the write lock for a second (on its own connection's thread).
                    _ = try await db.query(
                        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT sum(x) FROM c")
                    try await Task.sleep(for: .milliseconds(700))
                }
            }
            for await _ in lockTaken.stream { break }
            let lockedAt = ContinuousClock.now
            for index in 1...8 {
                group.addTask {
                    try await briefs[index % briefs.count].write(serializedBy: "test", expecting: .brief) { db in
                        _ = try await db.execute("INSERT INTO t VALUES (?)", [.integer(Int64(index))])
                    }
                    measured.commits.withLock { $0 += 1 }
                    measured.worstLateness.withLock { $0 = max($0, ContinuousClock.now - lockedAt) }
                }
            }
            group.addTask {
                var previous = ContinuousClock.now
                var worst = Duration.zero
                while ContinuousClock.now < started + .seconds(2) {
                    try await Task.sleep(for: .milliseconds(1))
                    let now = ContinuousClock.now
                    worst = max(worst, now - previous - .milliseconds(1))
                    previous = now
                }
                measured.wakeUps.withLock { $0 = Int(worst / .microseconds(1)) }
            }
            try await group.waitForAll()
        }
        let count = try await briefs[0].read(expecting: .brief) { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM t") }
        try await holder.close()
        for database in briefs { try await database.close() }
        XCTAssertEqual(measured.commits.withLock { $0 }, 8)
        XCTAssertEqual(count, 9, "every brief write committed once, after the held lock")
        // The mechanism, not only the outcome (Linux's dispatch adds threads when the pool's are
        // blocked, so a stall alone might not show): writers that met the held lock moved to
        // their connections' threads to wait.
        let fallbacks = briefs.map { $0.briefFallbacks.load(ordering: .relaxed) }.reduce(0, +)
        XCTAssertGreaterThanOrEqual(fallbacks, 4, "only \(fallbacks) brief writes moved off the caller's thread to wait")
        // The brief writers could only commit once the holder let go (about 0.7 s or more after it took the lock).
        XCTAssertGreaterThan(measured.worstLateness.withLock { $0 }, .milliseconds(500))
        return Duration.microseconds(Int64(measured.wakeUps.withLock { $0 }))
    }
}

/// What the contended-writers test counts, shared by its tasks.
private final class Measurements: Sendable {
    let commits = Mutex(0)
    let worstLateness = Mutex(Duration.zero)
    let wakeUps = Mutex(0)
}
