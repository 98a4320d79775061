internal import CSQLite
internal import CSQLiteVFS
import Foundation
import Synchronization

/// One connection to a SQLite file, with a prepared-statement cache and a thread of its own.
///
/// SQLite calls block: a statement computes, and a writer may sleep until another process
/// releases its lock. So each connection owns a serial dispatch queue (as GRDB does): calls hop
/// onto it and suspend the calling task until they are done, and every wait for a lock happens
/// there, so a service's other tasks keep their threads while SQLite waits. The one exception is
/// a brief transaction (``runningInline(isBusy:_:)``), whose statements run on the caller's
/// thread with lock waits off; a checkpoint (which fsyncs) never runs there (see
/// ``SQLiteCheckpointer``).
///
/// Cancelling the calling task interrupts the statement (see ``SQLiteInterruption``) and the
/// call throws `CancellationError`.
///
/// The `@unchecked Sendable` is sound because every touch of the handle and the statement cache
/// happens one call at a time under `calls` (the handle is opened with `SQLITE_OPEN_NOMUTEX`):
/// on `queue`, or, while a brief transaction holds the connection's lease, on the caller's
/// thread. The only calls from elsewhere are `sqlite3_interrupt`, which SQLite allows from any
/// thread and ``SQLiteInterruption`` keeps away from a closed handle, and the open and close
/// (which nothing else can overlap).
final class SQLiteConnection: SQLConnection, @unchecked Sendable {
    private var handle: OpaquePointer?
    let path: String
    private let location: String
    private var cache: [String: OpaquePointer] = [:]
    /// BEGIN and COMMIT, prepared once and never evicted (see ``executeTransactionControl(_:)``).
    private var transactionControl: [String: OpaquePointer] = [:]
    private var cacheOrder: [String] = []
    private let cacheSize: Int
    private let queue: DispatchQueue
    private let interruption: SQLiteInterruption
    /// Runs jobs on the connection's thread: a transaction's body runs here (a task executor
    /// preference), so its statements need no hop to the thread and back.
    let executor: SQLiteConnectionExecutor

    /// Marks a thread as running a connection's queue (the value is the connection's address).
    private static let queueKey = DispatchSpecificKey<UInt>()

    /// Whether the caller runs on this connection's thread.
    private var isOnQueue: Bool {
        DispatchQueue.getSpecific(key: Self.queueKey) == UInt(bitPattern: ObjectIdentifier(self))
    }

    /// Set while a brief transaction runs on its caller's thread (see ``runningInline(isBusy:_:)``):
    /// the connection's calls then run where they are called.
    private let inline = Atomic<Bool>(false)
    /// Held for each call's use of the handle (see ``call(_:operation:cancellable:)``).
    private let calls = Mutex(())
    /// The write-ahead log's size in pages after this connection's last commit.
    private let walGauge = WALGauge()

    /// `SQLITE_TRANSIENT`: a macro Swift cannot import, so it is rebuilt here.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    /// `SQLITE_STATIC` (a null destructor: SQLite neither copies nor frees the bytes).
    private static let staticBytes: sqlite3_destructor_type? = nil

    /// Where a statement's text and blob arguments are copied before they are bound
    /// `SQLITE_STATIC`: SQLite copies a `SQLITE_TRANSIENT` argument into a buffer of its own, one
    /// `malloc` per argument (a registry mutation binds about twenty). Used under ``calls`` only,
    /// and rewritten by the next statement's binding; a statement's arguments are always bound
    /// again before it is stepped again, so SQLite never reads older bytes.
    private var argumentBytes = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    /// Buffers outgrown by ``argumentBytes``: statements may still hold bindings into them (never
    /// read again), so they are freed with the connection, after its statements are finalized.
    private var retiredArgumentBytes: [UnsafeMutableRawBufferPointer] = []
    /// Statements whose text and blob arguments hold more bytes than this bind them
    /// `SQLITE_TRANSIENT` (SQLite copies them and frees its copy): the connection's buffer, kept
    /// for its lifetime, never grows past about twice this for one large record.
    static let bufferedArgumentLimit = 1 << 20

    var dialect: SQLDialect { .sqlite }

    /// Opens (and with `create`, creates) the file on a new thread of its own, refusing a file
    /// that is not SQLite before anything is written to it.
    ///
    /// The file is never opened outside SQLite: closing any other descriptor of it would drop
    /// every POSIX lock this process holds on it, including those of our other connections, and
    /// another process could then checkpoint and delete the write-ahead log under them (lost
    /// commits: see "How To Corrupt An SQLite Database File", section 2.2). SQLite itself checks
    /// the header when the schema is first read, before any write.
    static func open(path: String, location: String, create: Bool, configuration: SQLiteConfiguration) async throws -> SQLiteConnection {
        let queue = DispatchQueue(label: "mlops.sqlite.connection")
        let interruption = SQLiteInterruption(busyTimeout: configuration.busyTimeout)
        let connection = try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result {
                    try SQLiteConnection(
                        path: path, location: location, create: create, configuration: configuration,
                        queue: queue, interruption: interruption)
                })
            }
        }
        queue.setSpecific(key: queueKey, value: UInt(bitPattern: ObjectIdentifier(connection)))
        return connection
    }

    /// Opens the file; runs on `queue`.
    private init(
        path: String, location: String, create: Bool, configuration: SQLiteConfiguration,
        queue: DispatchQueue, interruption: SQLiteInterruption
    ) throws(StorageError) {
        self.path = path
        self.location = location
        self.cacheSize = configuration.statementCacheSize
        self.queue = queue
        self.interruption = interruption
        self.executor = SQLiteConnectionExecutor(queue: queue)
        let readWrite = !configuration.readOnly || configuration.opensWritableToLeaveNoSideFiles
        var flags = (readWrite ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_NOMUTEX
        if create && !configuration.readOnly { flags |= SQLITE_OPEN_CREATE }
        var name = path
        if configuration.readOnly && configuration.opensImmutable {
            flags |= SQLITE_OPEN_URI
            name = Self.immutableURI(path)
        }
        var db: OpaquePointer?
        // The log-gathering VFS only for connections that may write (nil: SQLite's default, also
        // when it could not be registered).
        let vfs = configuration.gathersLogWrites && !configuration.readOnly ? mlops_sqlite_wal_buffer_vfs() : nil
        let code = sqlite3_open_v2(name, &db, flags, vfs)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw SQLiteResultCode.error(code: code, message: message, path: path, sql: nil)
        }
        handle = db
        interruption.attach(db)
        sqlite3_extended_result_codes(db, 1)
        // Our busy handler instead of sqlite3_busy_timeout: it waits the same time, but looks for
        // a cancellation between short sleeps.
        interruption.install(on: db)
        if !configuration.readOnly {
            // Our hook replaces SQLite's automatic checkpoint, which would run (and fsync) inside
            // whichever COMMIT crossed the threshold, on a brief transaction's caller's thread
            // too; SQLiteCheckpointer checkpoints on a connection of its own instead.
            walGauge.install(on: db)
        }
        do {
            // A read-only open that SQLite lets clean up after itself: no statement may write.
            if configuration.readOnly && configuration.opensWritableToLeaveNoSideFiles { try run("PRAGMA query_only = ON") }
            // Reading the schema makes SQLite look at the file: a foreign file answers
            // SQLITE_NOTADB here, before anything has been written to it.
            _ = try scalarQuery("PRAGMA schema_version")
            if !configuration.readOnly {
                try run("PRAGMA foreign_keys = ON")
                try run("PRAGMA synchronous = NORMAL")
                // Deleted and rewritten content is overwritten, not left in free space in the file
                // (a purged model's metadata must not survive there), whatever the library was
                // built with; Debian's libsqlite3 has it on by default, so this costs nothing new.
                try run("PRAGMA secure_delete = ON")
            }
        } catch {
            closeNow()
            throw error
        }
    }

    /// The URI filename that opens the absolute `path` read-only and `immutable=1`: `%`, `?` and
    /// `#` escaped, as SQLite's URI filenames require.
    static func immutableURI(_ path: String) -> String {
        var escaped = ""
        for character in path {
            switch character {
            case "%": escaped += "%25"
            case "?": escaped += "%3f"
            case "#": escaped += "%23"
            default: escaped.append(character)
            }
        }
        return "file:\(escaped)?mode=ro&immutable=1"
    }

    /// Runs `work` on the connection and returns its result: on the connection's thread (the
    /// calling task suspended meanwhile, never blocked), or where it is called when that is the
    /// connection's thread already or a brief transaction holds the connection.
    ///
    /// With `cancellable` (the default), cancelling the task interrupts the work, which then
    /// throws `CancellationError`. COMMIT and ROLLBACK pass `false`: a transaction whose body
    /// finished is committed, and one that failed is rolled back, cancelled or not.
    func perform<Value: Sendable>(
        cancellable: Bool = true, _ work: @escaping @Sendable (SQLiteConnection) throws -> Value
    ) async throws -> Value {
        let operation = interruption.newOperation()
        let interruption = interruption
        if inline.load(ordering: .acquiring) || isOnQueue {
            // Already on the connection's thread (a transaction body running on ``executor``),
            // or in a brief transaction on the caller's: run here, with no thread switch.
            return try await withTaskCancellationHandler {
                try call(work, operation: operation, cancellable: cancellable).get()
            } onCancel: {
                if cancellable { interruption.cancel(operation) }
            }
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                queue.async {
                    continuation.resume(with: self.call(work, operation: operation, cancellable: cancellable))
                }
            }
        } onCancel: {
            if cancellable { interruption.cancel(operation) }
        }
    }

    /// One call of `work` as operation number `operation`, under `calls`: the interruption's
    /// record of the running operation and the handle are used by one call at a time, even when
    /// a transaction body calls the connection from several child tasks at once.
    private func call<Value>(
        _ work: (SQLiteConnection) throws -> Value, operation: UInt64, cancellable: Bool
    ) -> Result<Value, any Error> {
        calls.withLock { _ in
            let cancelledEarly = interruption.begin(cancellable ? operation : 0)
            defer { interruption.end() }
            if cancellable && cancelledEarly { return .failure(CancellationError()) }
            do {
                return .success(try work(self))
            } catch {
                return .failure(cancellable && interruption.isCancelled(operation) ? CancellationError() : error)
            }
        }
    }

    /// The write-ahead log's size in pages as the last commit on this connection left it.
    var walPages: Int { walGauge.pages.load(ordering: .relaxed) }

    /// How many times this connection's write-ahead log was written in gathered runs (nil when
    /// its writes are not gathered; see ``SQLiteConfiguration/gathersLogWrites``). For tests.
    func gatheredLogWrites() async throws -> Int64? {
        try await perform { connection in
            guard let handle = connection.handle else { return nil }
            let count = mlops_sqlite_wal_buffer_log_flushes(handle)
            return count < 0 ? nil : count
        }
    }

    /// Sets ``walPages`` to 0 after this connection checkpointed the log itself.
    func resetWALGauge() { walGauge.pages.store(0, ordering: .relaxed) }

    /// SQLite's default automatic checkpoint threshold, kept (see ``SQLiteCheckpointer``).
    static let checkpointPages = 1_000

    /// Copies the write-ahead log into the database file where no reader still needs it
    /// (`PASSIVE`: never waits for readers or writers), on the connection's thread: the copy
    /// ends with an fsync, which must not block the thread of a brief transaction. A checkpoint
    /// that cannot finish is tried again after the next commit, as SQLite's own would be.
    func checkpoint() async {
        _ = try? await perform(cancellable: false) { try $0.run("PRAGMA wal_checkpoint(PASSIVE)") }
    }

    /// Runs `transaction` (one whole transaction on this connection, which the caller holds the
    /// lease of) on the caller's thread, with lock waits off; `nil` when it failed with an error
    /// that `isBusy` recognizes, which means another process held a lock it needed: it has been
    /// rolled back, and the caller runs it again where waiting is allowed.
    ///
    /// Waiting for another process's lock would block a thread of the cooperative pool for up
    /// to the busy timeout; so here the busy handler gives up at once.
    func runningInline<Result: Sendable>(
        isBusy: (any Error) -> Bool, _ transaction: () async throws -> Result
    ) async throws -> Result? {
        inline.store(true, ordering: .releasing)
        interruption.setWaiting(false)
        defer {
            interruption.setWaiting(true)
            inline.store(false, ordering: .releasing)
        }
        do {
            return try await transaction()
        } catch where isBusy(error) {
            return nil
        }
    }

    /// Switches the file to WAL, retrying while another process is doing the same on a fresh file.
    func enableWriteAheadLog(retryPolicy: TransactionRetryPolicy) async throws {
        try await retryPolicy.run(isRetryable: { ($0 as? StorageError)?.code == .busy }) {
            let mode = try await perform { try $0.scalarQuery("PRAGMA journal_mode = WAL") }
            if case .text(let text) = mode, text.lowercased() != "wal", path != ":memory:" {
                throw StorageError(
                    .cannotOpen, "\(path) could not be switched to WAL journaling (it stays in '\(text)')",
                    location: path, fix: "use a local file system; WAL does not work on network file systems.")
            }
        }
    }

    /// Closes the connection on its own thread, after the work queued before it.
    func close() async {
        _ = try? await perform(cancellable: false) { $0.closeNow() }
    }

    /// Finalizes the cached statements and closes the handle; runs through ``perform`` (or in
    /// `init` and `deinit`, when nothing else can touch the connection).
    private func closeNow() {
        for statement in cache.values { sqlite3_finalize(statement) }
        for statement in transactionControl.values { sqlite3_finalize(statement) }
        cache = [:]
        transactionControl = [:]
        cacheOrder = []
        interruption.closeHandle { sqlite3_close_v2($0) }
        handle = nil
        for buffer in retiredArgumentBytes + [argumentBytes] { buffer.deallocate() }
        retiredArgumentBytes = []
        argumentBytes = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }

    deinit { closeNow() }

    // MARK: SQLConnection

    func execute(_ sql: String, _ arguments: [SQLValue]) async throws -> Int {
        try await perform { try $0.executeNow(sql, arguments) }
    }

    func query(_ sql: String, _ arguments: [SQLValue]) async throws -> [SQLRow] {
        try await perform { try $0.queryNow(sql, arguments) }
    }

    func executeBatch(_ sql: String, _ rows: [[SQLValue]]) async throws {
        try await perform { try $0.executeBatchNow(sql, rows) }
    }

    func executeScript(_ sql: String) async throws {
        try await perform { try $0.run(sql) }
    }

    // MARK: Synchronous core (only inside ``perform``'s work)

    private func executeBatchNow(_ sql: String, _ rows: [[SQLValue]]) throws(StorageError) {
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        for arguments in rows {
            try bind(arguments, to: statement, sql: sql)
            let code = sqlite3_step(statement)
            guard code == SQLITE_DONE || code == SQLITE_ROW else { throw error(code, sql: sql) }
            sqlite3_reset(statement)
        }
    }

    /// Runs statements with no arguments through `sqlite3_exec` (several allowed).
    func run(_ sql: String) throws(StorageError) {
        guard let handle else { throw closedError() }
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteResultCode.error(code: code, message: text, path: location, sql: sql)
        }
    }

    /// Runs a BEGIN or COMMIT from statements prepared once per connection, outside the
    /// statement cache (whose oldest entries a busy workload keeps evicting): `sqlite3_exec`
    /// would parse them anew for every transaction, a few microseconds each, which a brief
    /// transaction notices.
    func executeTransactionControl(_ sql: String) throws(StorageError) {
        guard let handle else { throw closedError() }
        let statement: OpaquePointer
        if let prepared = transactionControl[sql] {
            statement = prepared
        } else {
            var prepared: OpaquePointer?
            let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
            guard code == SQLITE_OK, let prepared else { throw error(code, sql: sql) }
            transactionControl[sql] = prepared
            statement = prepared
        }
        defer { sqlite3_reset(statement) }
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else { throw error(code, sql: sql) }
    }

    func executeNow(_ sql: String, _ arguments: [SQLValue]) throws(StorageError) -> Int {
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        try bind(arguments, to: statement, sql: sql)
        var code = sqlite3_step(statement)
        while code == SQLITE_ROW { code = sqlite3_step(statement) }
        guard code == SQLITE_DONE else { throw error(code, sql: sql) }
        return Int(sqlite3_changes(handle))
    }

    func queryNow(_ sql: String, _ arguments: [SQLValue]) throws(StorageError) -> [SQLRow] {
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        try bind(arguments, to: statement, sql: sql)
        let columnCount = sqlite3_column_count(statement)
        var columns: [String] = []
        columns.reserveCapacity(Int(columnCount))
        for index in 0..<columnCount {
            columns.append(sqlite3_column_name(statement, index).map { String(cString: $0) } ?? "column\(index)")
        }
        var rows: [SQLRow] = []
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw error(code, sql: sql) }
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columnCount))
            for index in 0..<columnCount { values.append(value(statement, index)) }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }

    /// Folds the rows of a query into `state` while stepping the statement (inside one
    /// ``perform``).
    func reduceRowsInPlace<State: Sendable>(
        _ sql: String, _ arguments: [SQLValue], into initial: State,
        _ body: @escaping @Sendable (inout State, borrowing SQLRowView) throws -> Bool
    ) async throws -> State {
        try await perform { connection in
            let statement = try connection.prepared(sql)
            defer { sqlite3_reset(statement) }
            try connection.bind(arguments, to: statement, sql: sql)
            var state = initial
            while true {
                let code = sqlite3_step(statement)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else { throw connection.error(code, sql: sql) }
                guard try body(&state, SQLRowView(.sqlite(statement))) else { break }
            }
            return state
        }
    }

    func scalarQuery(_ sql: String) throws(StorageError) -> SQLValue {
        try queryNow(sql, []).first?.values.first ?? .null
    }

    private func value(_ statement: OpaquePointer, _ index: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(statement, index) else { return .text("") }
            let count = Int(sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let bytes = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default:
            return .null
        }
    }

    fileprivate func bind(_ arguments: [SQLValue], to statement: OpaquePointer, sql: String) throws(StorageError) {
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard expected == arguments.count else {
            throw StorageError(
                .sqlFailed, "The statement has \(expected) placeholders but \(arguments.count) arguments were given",
                location: location, sql: sql, fix: "pass one argument per `?`.")
        }
        // Every text and blob argument's bytes, one after another in the connection's buffer.
        var needed = 0
        var holdsBytes = false
        for argument in arguments {
            switch argument {
            case .text(let value):
                needed += value.utf8.count
                holdsBytes = true
            case .blob(let value):
                needed += value.count
                holdsBytes = true
            default: break
            }
        }
        let buffered = needed <= Self.bufferedArgumentLimit
        // Allocated even for empty texts: a null pointer would bind SQL NULL, not "".
        if holdsBytes && buffered && (needed > argumentBytes.count || argumentBytes.baseAddress == nil) {
            if argumentBytes.baseAddress != nil { retiredArgumentBytes.append(argumentBytes) }
            argumentBytes = .allocate(byteCount: max(needed, 2 * argumentBytes.count, 4_096), alignment: 16)
        }
        var used = 0
        for (offset, argument) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch argument {
            case .null: code = sqlite3_bind_null(statement, index)
            case .integer(let value): code = sqlite3_bind_int64(statement, index, value)
            case .real(let value): code = sqlite3_bind_double(statement, index, value)
            case .text(let value) where !buffered:
                var text = value
                code = text.withUTF8 { bytes in
                    guard let base = bytes.baseAddress else { return sqlite3_bind_text(statement, index, "", 0, Self.transient) }
                    return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        sqlite3_bind_text64(statement, index, $0, sqlite3_uint64(bytes.count), Self.transient, UInt8(SQLITE_UTF8))
                    }
                }
            case .blob(let value) where !buffered:
                code = value.withUnsafeBytes { bytes in
                    sqlite3_bind_blob64(statement, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), sqlite3_uint64(bytes.count), Self.transient)
                }
            case .text(let value):
                // With an explicit byte length, so text with a NUL character is stored whole.
                let start = used
                var text = value
                used += text.withUTF8 { bytes in
                    UnsafeMutableRawBufferPointer(rebasing: argumentBytes[start...]).copyMemory(from: UnsafeRawBufferPointer(bytes))
                    return bytes.count
                }
                let pointer = argumentBytes.baseAddress.map { UnsafePointer(($0 + start).assumingMemoryBound(to: CChar.self)) }
                code = sqlite3_bind_text64(statement, index, pointer, sqlite3_uint64(used - start), Self.staticBytes, UInt8(SQLITE_UTF8))
            case .blob(let value):
                let start = used
                value.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: argumentBytes[start...]).copyMemory(from: $0) }
                used += value.count
                let pointer = argumentBytes.baseAddress.map { UnsafeRawPointer($0 + start) }
                code = sqlite3_bind_blob64(statement, index, pointer, sqlite3_uint64(value.count), Self.staticBytes)
            }
            guard code == SQLITE_OK else { throw error(code, sql: sql) }
        }
    }

    /// The cached prepared statement for `sql`, preparing (and evicting the oldest) when needed.
    fileprivate func prepared(_ sql: String) throws(StorageError) -> OpaquePointer {
        guard let handle else { throw closedError() }
        if let statement = cache[sql] { return statement }
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw error(code, sql: sql) }
        if cacheOrder.count >= cacheSize {
            let oldest = cacheOrder.removeFirst()
            if let evicted = cache.removeValue(forKey: oldest) { sqlite3_finalize(evicted) }
        }
        cache[sql] = statement
        cacheOrder.append(sql)
        return statement
    }

    fileprivate func error(_ code: Int32, sql: String?) -> StorageError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "connection closed"
        return SQLiteResultCode.error(code: code, message: message, path: location, sql: sql)
    }

    private func closedError() -> StorageError {
        StorageError(.closed, "The SQLite connection to \(location) is closed", location: location,
                     fix: "open the store again; do not use a connection outside the body it was lent to.")
    }
}

/// Reading a column of the current row of a stepped statement (for ``SQLRowView``).
enum SQLiteRowReading {
    static func integer(_ statement: OpaquePointer, _ index: Int) -> Int64? {
        guard sqlite3_column_type(statement, Int32(index)) == SQLITE_INTEGER else { return nil }
        return sqlite3_column_int64(statement, Int32(index))
    }

    static func isNull(_ statement: OpaquePointer, _ index: Int) -> Bool {
        sqlite3_column_type(statement, Int32(index)) == SQLITE_NULL
    }

    static func text(_ statement: OpaquePointer, _ index: Int) -> UnsafeRawBufferPointer? {
        guard sqlite3_column_type(statement, Int32(index)) == SQLITE_TEXT else { return nil }
        let bytes = sqlite3_column_text(statement, Int32(index))
        let count = Int(sqlite3_column_bytes(statement, Int32(index)))
        guard let bytes else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: bytes, count: count)
    }
}

/// The task executor of a SQLite connection: jobs run on the connection's serial queue. A
/// transaction body that is not brief runs with this executor preferred
/// (`withTaskExecutorPreference`), so each statement it runs is a plain call on that thread
/// instead of two thread switches, and the cooperative pool never runs its SQLite.
final class SQLiteConnectionExecutor: TaskExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    init(queue: DispatchQueue) {
        self.queue = queue
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // `self` is held until the job has run: the connection that owns this executor may be
        // released by the very job that runs on it.
        queue.async { [self] in job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// The size of a connection's write-ahead log after each of its commits, as SQLite reports it to
/// the WAL hook (which replaces the automatic checkpoint: see ``SQLiteCheckpointer``).
final class WALGauge: Sendable {
    /// Pages in the log after the last commit.
    let pages = Atomic<Int>(0)

    func install(on handle: OpaquePointer) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_wal_hook(handle, { context, _, _, pages in
            guard let context else { return SQLITE_OK }
            Unmanaged<WALGauge>.fromOpaque(context).takeUnretainedValue().pages.store(Int(pages), ordering: .relaxed)
            return SQLITE_OK
        }, context)
    }
}
