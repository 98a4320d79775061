/// How long a transaction's body is expected to run: a hint a driver uses to choose where the
/// transaction runs, never a limit.
///
/// On SQLite, where every call blocks its thread, a transaction normally runs on its
/// connection's own thread and the caller suspends meanwhile; reaching that thread and coming
/// back costs two thread switches (on a 2-core machine an empty read transaction takes 20–23
/// µs, a brief one 4 µs), more than a look-up of one row takes. A ``brief`` transaction runs on
/// the caller's thread instead, with lock waits turned off: if another process holds the lock
/// it needs, the attempt is rolled back and the transaction runs again on the connection's
/// thread, where waiting is allowed. PostgreSQL ignores the hint (its calls never block a
/// thread).
///
/// A brief transaction computes on the caller's thread, as the caller's own code would; it
/// never waits there (for a lock, or for the fsync of a checkpoint, which runs on the
/// connection's thread after the commit). Mark brief what is a few statements that find their
/// rows through keys and indexes: one record read or written, a registry mutation, a search
/// whose result is the rows it matches. Scans, bulk writes and migrations, whose time grows with
/// the whole database, are ``unbounded``.
public enum SQLTransactionDuration: Sendable, Hashable {
    /// A few index look-ups or small writes: run where the caller is, with no thread switch.
    case brief
    /// Anything else (the default): run where blocking hurts no other task.
    case unbounded
}
