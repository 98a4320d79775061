/// How long a transaction's body is expected to run: a hint a driver uses to choose where the
/// transaction runs, never a limit.
///
/// On SQLite, where every call blocks its thread, a transaction normally runs on its
/// connection's own thread and the caller suspends meanwhile; reaching that thread and coming
/// back costs two thread switches (about 20 µs on a 2-core machine), more than a look-up of one
/// row takes. A ``brief`` transaction runs on the caller's thread instead, with lock waits
/// turned off: if another process holds the lock it needs, the attempt is rolled back and the
/// transaction runs again on the connection's thread, where waiting is allowed. PostgreSQL
/// ignores the hint (its calls never block a thread).
///
/// Mark brief only what stays well under a millisecond whatever the data: a few statements
/// that each find their rows through an index (one record read or written, a registry
/// mutation, a search that returns a handful of rows). Scans, bulk writes and migrations are
/// ``unbounded``.
public enum SQLTransactionDuration: Sendable, Hashable {
    /// A few index look-ups or small writes: run where the caller is, with no thread switch.
    case brief
    /// Anything else (the default): run where blocking hurts no other task.
    case unbounded
}
