import Foundation
import MLOpsTestSupport
import Synchronization
@testable import MLOpsStorage
import Testing

/// A query that computes for minutes unless it is interrupted.
///
/// The time bounds below are loose on purpose (the suite runs in parallel on 2 cores, and a
/// cancelled task must still get a thread to resume on): each is far below how long the work
/// would take without the interruption, which is what the test shows.
private let longQuery = """
    WITH RECURSIVE counter(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counter WHERE n < 20000000000)
    SELECT count(*) FROM counter
    """

@Suite("SQLite cancellation")
struct SQLiteCancellationTests {
    @Test("a cancelled long query returns promptly with CancellationError")
    func cancelledQuery() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("long.sqlite"))
            let task = Task {
                try await database.read { db in try await db.queryScalar(Int.self, longQuery) }
            }
            try await Task.sleep(for: .milliseconds(200))
            let cancelledAt = ContinuousClock.now
            task.cancel()
            let result = await task.result
            let elapsed = ContinuousClock.now - cancelledAt
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(elapsed < .seconds(20), "the query went on for \(elapsed) after the cancellation")
            // The connection is usable afterwards: the interrupt does not stick to the next call.
            let one = try await database.read { db in try await db.queryScalar(Int.self, "SELECT 1") }
            #expect(one == 1)
            try await database.close()
        }
    }

    @Test("a brief transaction runs on the caller's thread and still stops when cancelled, rolled back, with the connection usable afterwards")
    func cancelledBriefTransaction() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("brief.sqlite"))
            _ = try await database.write { db in try await db.execute("CREATE TABLE t (n INTEGER)") }
            // Misusing .brief for a long statement: the interrupt must still reach it.
            let task = Task.detached {
                try await database.write(serializedBy: "t", expecting: .brief) { db in
                    try await db.execute("INSERT INTO t VALUES (1)")
                    _ = try await db.query(longQuery)
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            let count = try await database.read(expecting: .brief) { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM t") }
            #expect(count == 0)
            _ = try await database.write(serializedBy: "t", expecting: .brief) { db in try await db.execute("INSERT INTO t VALUES (2)") }
            let after = try await database.read(expecting: .brief) { db in try await db.queryScalar(Int.self, "SELECT sum(n) FROM t") }
            #expect(after == 2)
            try await database.close()
        }
    }

    @Test("a cancelled write rolls back and leaves the database as it was")
    func cancelledWriteRollsBack() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("rollback.sqlite"))
            _ = try await database.write { db in try await db.execute("CREATE TABLE t (n INTEGER)") }
            let task = Task {
                try await database.write { db in
                    try await db.execute("INSERT INTO t VALUES (1)")
                    _ = try await db.query(longQuery)
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            let count = try await database.read { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM t") }
            #expect(count == 0)
            // And the writer is free again.
            _ = try await database.write { db in try await db.execute("INSERT INTO t VALUES (2)") }
            try await database.close()
        }
    }

    @Test("a writer waiting for another process's lock stops waiting when cancelled")
    func cancelledBusyWait() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.file("busy.sqlite")
            // Two databases on one file stand for two processes: the second waits on SQLite's lock.
            let holder = try await SQLiteDatabase(path: path, configuration: SQLiteConfiguration(busyTimeout: .seconds(30)))
            let waiter = try await SQLiteDatabase(path: path, configuration: SQLiteConfiguration(busyTimeout: .seconds(30)))
            _ = try await holder.write { db in try await db.execute("CREATE TABLE t (n INTEGER)") }
            let holding = Task {
                try await holder.write { db in
                    try await db.execute("INSERT INTO t VALUES (1)")
                    try await Task.sleep(for: .seconds(15))
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            let waiting = Task {
                try await waiter.write { db in try await db.execute("INSERT INTO t VALUES (2)") }
            }
            try await Task.sleep(for: .milliseconds(200))
            let cancelledAt = ContinuousClock.now
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            #expect(ContinuousClock.now - cancelledAt < .seconds(10), "the waiter waited for the holder to finish")
            try await holding.value
            let rows = try await holder.read { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM t") }
            #expect(rows == 1)
            try await holder.close()
            try await waiter.close()
        }
    }

    @Test("a task waiting for a pooled connection stops waiting when cancelled")
    func cancelledPoolWait() async throws {
        let pool = ResourcePool<Void>()
        let (entered, enteredSignal) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await pool.withLock {
                enteredSignal.yield()
                try await Task.sleep(for: .seconds(60))
            }
        }
        var iterator = entered.makeAsyncIterator()
        await iterator.next()
        let waiter = Task { try await pool.withLock { "got it" } }
        try await Task.sleep(for: .milliseconds(100))
        let cancelledAt = ContinuousClock.now
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(ContinuousClock.now - cancelledAt < .seconds(20))
        holder.cancel()
        _ = await holder.result
        // The lock is free again and still serves waiters in order.
        #expect(try await pool.withLock { 42 } == 42)
    }

    @Test("a lock serves one holder at a time")
    func lockIsExclusive() async throws {
        let pool = ResourcePool<Void>()
        let counter = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    try await pool.withLock {
                        let inside = counter.enter()
                        #expect(inside == 1)
                        try await Task.sleep(for: .milliseconds(2))
                        counter.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

/// Counts the tasks inside a critical section.
private final class Counter: Sendable {
    private let value = Mutex(0)
    func enter() -> Int { value.withLock { $0 += 1; return $0 } }
    func leave() { value.withLock { $0 -= 1 } }
}
