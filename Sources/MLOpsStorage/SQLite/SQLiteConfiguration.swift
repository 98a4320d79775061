/// How a ``SQLiteDatabase`` opens and uses its file.
public struct SQLiteConfiguration: Sendable, Hashable {
    /// How long one statement waits for another process's lock before SQLite answers busy.
    public var busyTimeout: Duration
    /// How many read connections may run at once beside the writer.
    public var maximumReaders: Int
    /// How often a busy write transaction is tried again.
    public var retryPolicy: TransactionRetryPolicy
    /// How many prepared statements each connection keeps.
    public var statementCacheSize: Int
    /// Open the file read-only: never created, never switched to WAL, never written. For reading
    /// another tool's database (an MLflow tracking store) without touching it.
    public var readOnly: Bool
    /// Gather each transaction's write-ahead-log frames into one write (the default): SQLite
    /// writes a frame as two calls, its header and its page, and on a small VM a transaction of
    /// seven pages costs about three times as long that way. The files are the same either way,
    /// and a commit's frames always reach the operating system before the commit is visible to
    /// other connections (see `Sources/CSQLiteVFS`). Off: SQLite's default VFS, unchanged.
    public var gathersLogWrites: Bool
    /// Set by ``SQLiteDatabase`` for a read-only open of a file with no side files beside it and
    /// write access to it and its folder: the connection is opened read-write under
    /// `PRAGMA query_only`, so that SQLite, closing the last connection, removes the `-wal` and
    /// `-shm` files a WAL-mode file makes readers create. Statements still cannot write.
    var opensWritableToLeaveNoSideFiles = false
    /// Set by ``SQLiteDatabase`` for a read-only open of a file this process may not write (or
    /// whose folder it may not write) and that has no `-wal` file: SQLite could not create the
    /// `-shm` file a WAL-mode file needs, so the file is opened `immutable` (no locks, no side
    /// files) and read as it is.
    var opensImmutable = false

    /// Creates a configuration. The defaults suit a service and a few command-line processes
    /// sharing one file.
    public init(
        busyTimeout: Duration = .seconds(5), maximumReaders: Int = 4,
        retryPolicy: TransactionRetryPolicy = .standard, statementCacheSize: Int = 64, readOnly: Bool = false,
        gathersLogWrites: Bool = true
    ) {
        self.readOnly = readOnly
        self.gathersLogWrites = gathersLogWrites
        self.busyTimeout = busyTimeout
        self.maximumReaders = max(1, maximumReaders)
        self.retryPolicy = retryPolicy
        self.statementCacheSize = max(1, statementCacheSize)
    }
}
