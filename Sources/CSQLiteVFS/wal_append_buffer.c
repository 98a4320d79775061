// A SQLite VFS that hands each transaction's write-ahead-log frames to the file system in one
// write instead of two per page.
//
// Why: SQLite writes a frame as two calls, its 24-byte header and then the page, so a
// transaction that changes five pages costs ten `pwrite` calls, each walking the file system's
// write path for one or two page-cache pages. On the 2-core VMs this project is measured on,
// seven frames cost about 15 µs as separate writes and 5.5 µs as one (Documentation/Benchmarks.md,
// "Registry: one write per transaction"), and the registry's register-and-alias pair is two such
// transactions. No SQLite option does this: the batch-atomic-write interface is for rollback
// journals on F2FS, and the WAL code writes frame by frame.
//
// What it does. The VFS wraps the default one (normally "unix"): every file is the default
// VFS's file, and every call is passed on unchanged, except writes to a write-ahead log while
// its connection holds the log's write lock:
// - A write that continues the run of appends the transaction is making (the first write of a
//   transaction starts the run) is copied into the file's buffer instead of being written.
// - Any other write (SQLite rewriting a frame it wrote earlier in the same transaction, or the
//   checksums after such a rewrite) first writes the buffer, then itself, straight through.
// - The buffer is written out, and its error returned to SQLite, as soon as the page of a
//   commit frame (a frame header whose "database size" field is not zero) is in it, before
//   SQLite publishes the commit in the shared index: no other connection or process can see a
//   commit whose frames are not in the file. It is also written before any read, sync,
//   truncation, size query, file control or close of the log, and when it would pass 120 KiB.
// - The pages of a transaction that rolls back after spilling pages to the log are dropped when
//   it lets go of the write lock (SQLite never reads them: they lie past the last commit).
// - Everything is written straight through, as SQLite's own VFS would, where the buffer could
//   not be kept safely: a log whose database file this VFS did not open or cannot find, a
//   connection that does not take the write lock through the shared index (exclusive locking
//   mode), and a database whose file system does not promise power-safe overwrites (SQLite then
//   pads each commit and syncs in the middle of it, and the bytes after that sync would reach
//   the file only at the shared index's barrier, which cannot report an error).
// - A buffered write that fails is reported by the call that wrote it out, and again by the
//   log's next call if that was the barrier.
//
// Durability is SQLite's own: a frame reaches the operating system before the commit that
// includes it is visible, exactly as without the buffer, and a process killed at any point
// leaves what SQLite would leave (frames of an uncommitted transaction, or none of them).
//
// The WAL layout this relies on (sqlite3WalFrames in SQLite's wal.c): each frame is written as
// a 24-byte header followed by the page at the next offset; a commit frame carries the
// database's size in pages in header bytes 4–7, and zero there means "not a commit"; the
// commit is published by writing the shared index's header after all frames are written. The
// main database file finds its log through `sqlite3_database_file_object()` (SQLite 3.32+), and
// the write lock (shared-memory lock 0) marks where a transaction starts and ends.

#include "mlops_sqlite_vfs.h"

#include <pthread.h>
#include <string.h>
#include <sqlite3.h>

#define WAL_BUFFER_VFS_NAME "mlops-wal-buffer"
#define WAL_FRAME_HEADER_SIZE 24
#define WAL_WRITE_LOCK 0
/// The most one write hands to the default VFS: SQLite's unix VFS masks each write's length with
/// 0x1ffff (seekAndWriteFd) and retries what is left, so a length whose remainder is a multiple
/// of 128 KiB writes nothing and fails as SQLITE_FULL. 120 KiB holds 29 frames of 4 KiB pages.
#define WAL_BUFFER_LIMIT (120 * 1024)

typedef struct BufferedFile BufferedFile;

struct BufferedFile {
    sqlite3_file base;
    /// The default VFS's file, stored right after this struct.
    sqlite3_file *real;
    /// On a database file: its connection's log, while that is open.
    BufferedFile *log;
    /// On a log: the database file it belongs to, while that is open.
    BufferedFile *database;
    /// On a log: the appends not yet written, which belong at `bufferStart`.
    unsigned char *buffer;
    sqlite3_int64 bufferStart;
    int bufferLength;
    int bufferCapacity;
    /// On a log: where the next append goes, or -1 when the next write starts a new run.
    sqlite3_int64 appendEnd;
    /// On a log: the offset of the page that follows a commit frame's header, or -1.
    sqlite3_int64 commitPageOffset;
    /// On a log: how many times the buffer was written out.
    long long flushes;
    /// On a log: a failed write-out that no call could report yet (SQLITE_OK when none).
    int pendingError;
    /// On a log: never buffer (its database does not promise power-safe overwrites).
    int writesThrough;
    /// On a database file: whether this connection holds the log's write lock.
    int holdsWriteLock;
};

static sqlite3_vfs bufferVFS;
static pthread_once_t registerOnce = PTHREAD_ONCE_INIT;
static int registered = 0;

static sqlite3_vfs *realVFS(void) { return (sqlite3_vfs *)bufferVFS.pAppData; }

// MARK: The log's buffer

/// Writes the buffer to the file and empties it (also when the write fails: the transaction
/// that wrote it fails with the error, and SQLite rolls it back).
static int flushBuffer(BufferedFile *file) {
    if (file->pendingError != SQLITE_OK) {
        int error = file->pendingError;
        file->pendingError = SQLITE_OK;
        file->bufferLength = 0;
        return error;
    }
    if (file->bufferLength == 0) return SQLITE_OK;
    int length = file->bufferLength;
    file->bufferLength = 0;
    file->flushes += 1;
    return file->real->pMethods->xWrite(file->real, file->buffer, length, file->bufferStart);
}

/// Whether the log's appends may be buffered now: it belongs to a database file opened here,
/// whose connection holds the write lock, on a file system with power-safe overwrites.
static int buffers(const BufferedFile *log) {
    return !log->writesThrough && log->database != NULL && log->database->holdsWriteLock;
}

/// Makes room for `more` bytes; 0 when memory ran out (the caller then writes through).
static int reserve(BufferedFile *file, int more) {
    int needed = file->bufferLength + more;
    if (needed <= file->bufferCapacity) return 1;
    int capacity = file->bufferCapacity > 0 ? file->bufferCapacity : 32 * 1024;
    while (capacity < needed) capacity *= 2;
    if (capacity > WAL_BUFFER_LIMIT) capacity = WAL_BUFFER_LIMIT;
    unsigned char *grown = sqlite3_realloc64(file->buffer, (sqlite3_uint64)capacity);
    if (grown == NULL) return 0;
    file->buffer = grown;
    file->bufferCapacity = capacity;
    return 1;
}

static int logWrite(sqlite3_file *handle, const void *data, int amount, sqlite3_int64 offset) {
    BufferedFile *file = (BufferedFile *)handle;
    int endsCommit = file->commitPageOffset >= 0 && offset == file->commitPageOffset;
    file->commitPageOffset = -1;
    if (amount == WAL_FRAME_HEADER_SIZE) {
        const unsigned char *header = data;
        if ((header[4] | header[5] | header[6] | header[7]) != 0) file->commitPageOffset = offset + WAL_FRAME_HEADER_SIZE;
    }
    int rc;
    if (!buffers(file)) {
        rc = flushBuffer(file);
        if (rc != SQLITE_OK) return rc;
        return file->real->pMethods->xWrite(file->real, data, amount, offset);
    }
    int isAppend = file->appendEnd < 0 || offset == file->appendEnd;
    if (!isAppend) {
        // A rewrite of something this transaction wrote: in order, after what came before it.
        rc = flushBuffer(file);
        if (rc != SQLITE_OK) return rc;
        return file->real->pMethods->xWrite(file->real, data, amount, offset);
    }
    file->appendEnd = offset + amount;
    if (file->bufferLength + amount > WAL_BUFFER_LIMIT) {
        rc = flushBuffer(file);
        if (rc != SQLITE_OK) return rc;
    }
    if (amount > WAL_BUFFER_LIMIT || !reserve(file, amount)) {
        rc = flushBuffer(file);
        if (rc != SQLITE_OK) return rc;
        return file->real->pMethods->xWrite(file->real, data, amount, offset);
    }
    if (file->bufferLength == 0) file->bufferStart = offset;
    memcpy(file->buffer + file->bufferLength, data, (size_t)amount);
    file->bufferLength += amount;
    return endsCommit ? flushBuffer(file) : SQLITE_OK;
}

static int logRead(sqlite3_file *handle, void *data, int amount, sqlite3_int64 offset) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xRead(file->real, data, amount, offset);
}

static int logTruncate(sqlite3_file *handle, sqlite3_int64 size) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xTruncate(file->real, size);
}

static int logSync(sqlite3_file *handle, int flags) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xSync(file->real, flags);
}

static int logFileSize(sqlite3_file *handle, sqlite3_int64 *size) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xFileSize(file->real, size);
}

static int logFileControl(sqlite3_file *handle, int op, void *argument) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xFileControl(file->real, op, argument);
}

static int logClose(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushBuffer(file);
    if (file->database != NULL && file->database->log == file) file->database->log = NULL;
    sqlite3_free(file->buffer);
    file->buffer = NULL;
    int closed = file->real->pMethods->xClose(file->real);
    return rc != SQLITE_OK ? rc : closed;
}

// MARK: Calls passed on unchanged

static int passRead(sqlite3_file *handle, void *data, int amount, sqlite3_int64 offset) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    return real->pMethods->xRead(real, data, amount, offset);
}
static int passWrite(sqlite3_file *handle, const void *data, int amount, sqlite3_int64 offset) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    return real->pMethods->xWrite(real, data, amount, offset);
}
static int passTruncate(sqlite3_file *handle, sqlite3_int64 size) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    return real->pMethods->xTruncate(real, size);
}
static int passSync(sqlite3_file *handle, int flags) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    return real->pMethods->xSync(real, flags);
}
static int passFileSize(sqlite3_file *handle, sqlite3_int64 *size) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    return real->pMethods->xFileSize(real, size);
}
static int passLock(sqlite3_file *handle, int level) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    return real->pMethods->xLock(real, level);
}
static int passUnlock(sqlite3_file *handle, int level) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    return real->pMethods->xUnlock(real, level);
}
static int passCheckReservedLock(sqlite3_file *handle, int *result) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    return real->pMethods->xCheckReservedLock(real, result);
}
static int passFileControl(sqlite3_file *handle, int op, void *argument) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    return real->pMethods->xFileControl(real, op, argument);
}
static int passSectorSize(sqlite3_file *handle) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    return real->pMethods->xSectorSize(real);
}
static int passDeviceCharacteristics(sqlite3_file *handle) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    return real->pMethods->xDeviceCharacteristics(real);
}
static int passClose(sqlite3_file *handle) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    return real->pMethods->xClose(real);
}
static int passShmLock(sqlite3_file *handle, int offset, int count, int flags) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    if (real->pMethods->iVersion < 2 || real->pMethods->xShmLock == NULL) return SQLITE_IOERR_SHMLOCK;
    return real->pMethods->xShmLock(real, offset, count, flags);
}
static void passShmBarrier(sqlite3_file *handle) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    if (real->pMethods->iVersion >= 2 && real->pMethods->xShmBarrier != NULL) real->pMethods->xShmBarrier(real);
}
static int passShmMap(sqlite3_file *handle, int page, int pageSize, int extend, void volatile **address) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    if (real->pMethods->iVersion < 2 || real->pMethods->xShmMap == NULL) return SQLITE_IOERR_SHMMAP;
    return real->pMethods->xShmMap(real, page, pageSize, extend, address);
}
static int passShmUnmap(sqlite3_file *handle, int deleteFlag) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    if (real->pMethods->iVersion < 2 || real->pMethods->xShmUnmap == NULL) return SQLITE_OK;
    return real->pMethods->xShmUnmap(real, deleteFlag);
}
static int passFetch(sqlite3_file *handle, sqlite3_int64 offset, int amount, void **pointer) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    if (real->pMethods->iVersion < 3 || real->pMethods->xFetch == NULL) {
        *pointer = NULL;
        return SQLITE_OK;
    }
    return real->pMethods->xFetch(real, offset, amount, pointer);
}
static int passUnfetch(sqlite3_file *handle, sqlite3_int64 offset, void *pointer) {
    sqlite3_file *real = ((BufferedFile *)handle)->real;
    if (real->pMethods->iVersion < 3 || real->pMethods->xUnfetch == NULL) return SQLITE_OK;
    return real->pMethods->xUnfetch(real, offset, pointer);
}

// MARK: The database file: the shared index's locks and barrier

/// Taking the write lock starts a transaction's run of appends; letting it go drops what a
/// rolled-back transaction left in the buffer (a committed one left nothing).
static int databaseShmLock(sqlite3_file *handle, int offset, int count, int flags) {
    BufferedFile *file = (BufferedFile *)handle;
    int writeLock = offset <= WAL_WRITE_LOCK && WAL_WRITE_LOCK < offset + count && (flags & SQLITE_SHM_EXCLUSIVE);
    if (writeLock && (flags & SQLITE_SHM_UNLOCK)) {
        file->holdsWriteLock = 0;
        // A committed transaction left nothing in the buffer; a rolled-back one left pages past
        // the last commit, which nothing reads.
        if (file->log != NULL) file->log->bufferLength = 0;
    }
    int rc = passShmLock(handle, offset, count, flags);
    if (writeLock && (flags & SQLITE_SHM_LOCK) && rc == SQLITE_OK) file->holdsWriteLock = 1;
    if (writeLock && file->log != NULL) {
        // Taking or letting go of the write lock ends a run of appends: the next write starts one.
        file->log->appendEnd = -1;
        file->log->commitPageOffset = -1;
    }
    return rc;
}

/// A commit's frames are written before its header is (see logWrite); this only makes sure of it.
static void databaseShmBarrier(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    if (file->log != NULL && file->log->bufferLength > 0) {
        int rc = flushBuffer(file->log);
        if (rc != SQLITE_OK) file->log->pendingError = rc;
    }
    passShmBarrier(handle);
}

static int databaseClose(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    if (file->log != NULL && file->log->database == file) file->log->database = NULL;
    file->log = NULL;
    return passClose(handle);
}

static const sqlite3_io_methods databaseMethods = {
    3, databaseClose, passRead, passWrite, passTruncate, passSync, passFileSize, passLock, passUnlock,
    passCheckReservedLock, passFileControl, passSectorSize, passDeviceCharacteristics,
    passShmMap, databaseShmLock, databaseShmBarrier, passShmUnmap, passFetch, passUnfetch,
};

/// For a database file whose real file has no shared memory (a locking style without it): the
/// same calls, and no shared-memory methods, so SQLite does not choose WAL mode for it.
static const sqlite3_io_methods databaseMethodsWithoutSharedMemory = {
    1, databaseClose, passRead, passWrite, passTruncate, passSync, passFileSize, passLock, passUnlock,
    passCheckReservedLock, passFileControl, passSectorSize, passDeviceCharacteristics,
    NULL, NULL, NULL, NULL, NULL, NULL,
};

static const sqlite3_io_methods logMethods = {
    3, logClose, logRead, logWrite, logTruncate, logSync, logFileSize, passLock, passUnlock,
    passCheckReservedLock, logFileControl, passSectorSize, passDeviceCharacteristics,
    passShmMap, passShmLock, passShmBarrier, passShmUnmap, passFetch, passUnfetch,
};

/// Any other file (a rollback journal, a temporary file): every call passed on.
static const sqlite3_io_methods otherMethods = {
    3, passClose, passRead, passWrite, passTruncate, passSync, passFileSize, passLock, passUnlock,
    passCheckReservedLock, passFileControl, passSectorSize, passDeviceCharacteristics,
    passShmMap, passShmLock, passShmBarrier, passShmUnmap, passFetch, passUnfetch,
};

// MARK: The VFS

static int bufferOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *handle, int flags, int *outFlags) {
    (void)vfs;
    BufferedFile *file = (BufferedFile *)handle;
    memset(file, 0, sizeof(BufferedFile));
    file->real = (sqlite3_file *)(file + 1);
    file->appendEnd = -1;
    file->commitPageOffset = -1;
    int rc = realVFS()->xOpen(realVFS(), name, file->real, flags, outFlags);
    if (file->real->pMethods == NULL) {
        // Nothing was opened, and SQLite will not call xClose.
        file->base.pMethods = NULL;
        return rc;
    }
    if (flags & SQLITE_OPEN_MAIN_DB) {
        const sqlite3_io_methods *real = file->real->pMethods;
        int sharedMemory = real->iVersion >= 2 && real->xShmMap != NULL && real->xShmLock != NULL;
        file->base.pMethods = sharedMemory ? &databaseMethods : &databaseMethodsWithoutSharedMemory;
    } else if (flags & SQLITE_OPEN_WAL) {
        file->base.pMethods = &logMethods;
        sqlite3_file *database = name != NULL ? sqlite3_database_file_object(name) : NULL;
        if (database != NULL && database->pMethods == &databaseMethods) {
            file->database = (BufferedFile *)database;
            file->database->log = file;
            sqlite3_file *real = file->database->real;
            file->writesThrough = (real->pMethods->xDeviceCharacteristics(real) & SQLITE_IOCAP_POWERSAFE_OVERWRITE) == 0;
        }
    } else {
        file->base.pMethods = &otherMethods;
    }
    return rc;
}

static int passDelete(sqlite3_vfs *vfs, const char *name, int syncDirectory) {
    (void)vfs;
    return realVFS()->xDelete(realVFS(), name, syncDirectory);
}
static int passAccess(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
    (void)vfs;
    return realVFS()->xAccess(realVFS(), name, flags, result);
}
static int passFullPathname(sqlite3_vfs *vfs, const char *name, int size, char *output) {
    (void)vfs;
    return realVFS()->xFullPathname(realVFS(), name, size, output);
}
static void *passDlOpen(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return realVFS()->xDlOpen(realVFS(), name);
}
static void passDlError(sqlite3_vfs *vfs, int size, char *message) {
    (void)vfs;
    realVFS()->xDlError(realVFS(), size, message);
}
static void (*passDlSym(sqlite3_vfs *vfs, void *library, const char *symbol))(void) {
    (void)vfs;
    return realVFS()->xDlSym(realVFS(), library, symbol);
}
static void passDlClose(sqlite3_vfs *vfs, void *library) {
    (void)vfs;
    realVFS()->xDlClose(realVFS(), library);
}
static int passRandomness(sqlite3_vfs *vfs, int size, char *output) {
    (void)vfs;
    return realVFS()->xRandomness(realVFS(), size, output);
}
static int passSleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return realVFS()->xSleep(realVFS(), microseconds);
}
static int passCurrentTime(sqlite3_vfs *vfs, double *now) {
    (void)vfs;
    return realVFS()->xCurrentTime(realVFS(), now);
}
static int passGetLastError(sqlite3_vfs *vfs, int size, char *message) {
    (void)vfs;
    return realVFS()->xGetLastError ? realVFS()->xGetLastError(realVFS(), size, message) : 0;
}
static int passCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
    (void)vfs;
    return realVFS()->xCurrentTimeInt64(realVFS(), now);
}
static int passSetSystemCall(sqlite3_vfs *vfs, const char *name, sqlite3_syscall_ptr call) {
    (void)vfs;
    return realVFS()->xSetSystemCall(realVFS(), name, call);
}
static sqlite3_syscall_ptr passGetSystemCall(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return realVFS()->xGetSystemCall(realVFS(), name);
}
static const char *passNextSystemCall(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return realVFS()->xNextSystemCall(realVFS(), name);
}

static void registerVFS(void) {
    sqlite3_vfs *real = sqlite3_vfs_find(NULL);
    // Version 2 is the first with xCurrentTimeInt64, version 3 the first with the system-call hooks.
    if (real == NULL || real->iVersion < 3) return;
    bufferVFS = (sqlite3_vfs){
        .iVersion = 3,
        .szOsFile = (int)sizeof(BufferedFile) + real->szOsFile,
        .mxPathname = real->mxPathname,
        .zName = WAL_BUFFER_VFS_NAME,
        .pAppData = real,
        .xOpen = bufferOpen,
        .xDelete = passDelete,
        .xAccess = passAccess,
        .xFullPathname = passFullPathname,
        .xDlOpen = passDlOpen,
        .xDlError = passDlError,
        .xDlSym = passDlSym,
        .xDlClose = passDlClose,
        .xRandomness = passRandomness,
        .xSleep = passSleep,
        .xCurrentTime = passCurrentTime,
        .xGetLastError = passGetLastError,
        .xCurrentTimeInt64 = passCurrentTimeInt64,
        .xSetSystemCall = passSetSystemCall,
        .xGetSystemCall = passGetSystemCall,
        .xNextSystemCall = passNextSystemCall,
    };
    registered = sqlite3_vfs_register(&bufferVFS, 0) == SQLITE_OK;
}

const char *mlops_sqlite_wal_buffer_vfs(void) {
    if (pthread_once(&registerOnce, registerVFS) != 0) return NULL;
    return registered ? WAL_BUFFER_VFS_NAME : NULL;
}

long long mlops_sqlite_wal_buffer_log_flushes(sqlite3 *db) {
    sqlite3_file *log = NULL;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &log) != SQLITE_OK) return -1;
    if (log == NULL || log->pMethods != &logMethods) return -1;
    return ((BufferedFile *)log)->flushes;
}
