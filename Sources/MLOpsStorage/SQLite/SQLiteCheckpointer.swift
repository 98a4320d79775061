import Synchronization

/// Copies a SQLite file's write-ahead log into the file on a connection of its own, beside the
/// writer, so that no commit waits for a checkpoint's fsyncs.
///
/// SQLite's own automatic checkpoint runs inside the commit that takes the log past 1,000 pages:
/// that commit waits for the copy and two fsyncs (on this project's machines, about a quarter of
/// a short transaction's average time, all of it in the unlucky one). The WAL documentation
/// suggests the alternative used here: "turn off the automatic checkpoints and run checkpoints
/// ... in a separate thread" (https://www.sqlite.org/wal.html, section "Automatic Checkpoint").
///
/// - After a commit leaves the log at 1,000 pages or more (``SQLiteConnection/checkpointPages``),
///   a `PASSIVE` checkpoint starts on this connection, unless one is running, and the commit
///   returns at once. A checkpoint never waits for readers or writers, and the writer goes on
///   appending meanwhile; when it has, another checkpoint follows (after ``chasePause``), until
///   one finds no new frames.
/// - The log restarts from its beginning when a write transaction begins with every frame copied,
///   so a writer that pauses for a checkpoint's time gets a short log again. A writer that
///   commits without pause keeps the last frames uncopied and the log growing: once it reaches
///   ``inlineCheckpointPages``, the committing writer waits for the checkpoint here to finish
///   and checkpoints itself, holding the write lease (as SQLite's own checkpoint would), and its
///   next transaction restarts the log. The log stays under that size plus one transaction's
///   pages as long as other processes' writers pause now and then and no reader (in any
///   process) holds a snapshot from before the last checkpoint: a long read keeps the frames it
///   may need, with SQLite's own checkpoint as with this one.
///
/// Durability is unchanged. The checkpointer's connection has `synchronous = NORMAL` like the
/// writer's, so a checkpoint syncs the log before copying it and the file after: a killed
/// process never loses a commit, and a power loss may lose the commits since the last sync of
/// the log, as before. A process killed in the middle of a checkpoint leaves a log SQLite
/// recovers from on the next open.
final class SQLiteCheckpointer: Sendable {
    /// The log's size at which the committing writer checkpoints itself: four times the point
    /// where a checkpoint starts here (16 MiB of 4 KiB pages).
    static let inlineCheckpointPages = 4 * SQLiteConnection.checkpointPages

    /// The pause before a checkpoint that copies what commits added during the last one: a writer
    /// that never pauses would otherwise get a checkpoint (and its two fsyncs) per commit.
    static let chasePause = Duration.milliseconds(5)

    private struct State {
        /// Opened by the first checkpoint and kept until ``close()``.
        var connection: SQLiteConnection?
        /// The checkpoints in progress (one after another).
        var running: Task<Void, Never>?
        /// The log's size when the current (or last) checkpoint here started.
        var startedAtPages = 0
        /// The log's size as the last commit left it.
        var latestPages = 0
        var closed = false
    }

    private let path: String
    private let configuration: SQLiteConfiguration
    private let state = Mutex(State())
    /// Checkpoints finished here (for tests).
    let completed = Atomic<Int>(0)

    /// A checkpointer for the file at `path`, opened (lazily) with the writer's `configuration`.
    init(path: String, configuration: SQLiteConfiguration) {
        self.path = path
        self.configuration = configuration
    }

    /// Called after each commit with the log's size it left: starts a checkpoint here when one
    /// is due and none is running, and returns whether the writer must checkpoint itself now
    /// (the log has reached ``inlineCheckpointPages``).
    func afterCommit(walPages pages: Int) -> Bool {
        if pages >= Self.inlineCheckpointPages { return true }
        state.withLock { state in
            state.latestPages = pages
            guard !state.closed, state.running == nil, pages >= SQLiteConnection.checkpointPages else { return }
            state.startedAtPages = pages
            state.running = Task.detached { [self] in
                // Again while commits added frames during the last one (and the log did not
                // restart meanwhile), so a burst's last frames are copied too. `checkpointNow`
                // marks the task finished itself when it stops, in the same critical section
                // that looks for new frames, so a commit cannot slip between the two.
                while await checkpointNow() {
                    do {
                        try await Task.sleep(for: Self.chasePause)
                    } catch {
                        // Cancelled by close() or by a writer about to checkpoint itself.
                        self.state.withLock { $0.running = nil }
                        break
                    }
                }
            }
        }
        return false
    }

    /// Whether no checkpoint runs here now (for tests).
    var isIdle: Bool { state.withLock { $0.running == nil } }

    /// Waits until the checkpoint running here, if any, is done, and stops the ones that would
    /// follow it: the writer calling this, holding the write lease, checkpoints itself next.
    func waitUntilIdle() async {
        let running = state.withLock { $0.running }
        running?.cancel()
        await running?.value
    }

    /// Waits for a checkpoint in progress, then closes this connection; no checkpoint starts after.
    func close() async {
        let running = state.withLock { state in
            state.closed = true
            return state.running
        }
        // A checkpoint under way finishes (it is not cancellable); a pause before the next ends.
        running?.cancel()
        await running?.value
        let connection = state.withLock { state in
            defer { state.connection = nil }
            return state.connection
        }
        await connection?.close()
    }

    /// One `PASSIVE` checkpoint on this connection, opening it first when needed; returns whether
    /// another should follow (commits added frames meanwhile), and when none should, marks the
    /// task finished. A connection that cannot be opened, or a checkpoint that fails (another
    /// process's is running), is left to the next commit's, or to the writer's at
    /// ``inlineCheckpointPages``.
    private func checkpointNow() async -> Bool {
        // Closed meanwhile: this task ends (marked finished in the same critical section).
        let (opened, closed) = state.withLock { state in
            if state.closed { state.running = nil }
            return (state.connection, state.closed)
        }
        if closed { return false }
        var connection = opened
        if connection == nil {
            connection = try? await SQLiteConnection.open(path: path, location: path, create: false, configuration: configuration)
            state.withLock { $0.connection = connection }
        }
        guard let connection else {
            state.withLock { $0.running = nil }
            return false
        }
        await connection.checkpoint()
        completed.add(1, ordering: .relaxed)
        return state.withLock { state in
            guard !state.closed, state.latestPages > state.startedAtPages else {
                state.running = nil
                return false
            }
            state.startedAtPages = state.latestPages
            return true
        }
    }
}
