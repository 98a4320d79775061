#ifndef MLOPS_SQLITE_VFS_H
#define MLOPS_SQLITE_VFS_H

#include <sqlite3.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Registers (once per process; later calls return at once) the SQLite VFS that gathers each
/// transaction's write-ahead-log frames into one write, and returns its name for
/// `sqlite3_open_v2`, or NULL when it could not be registered (then open with the default VFS).
///
/// Files it opens are the default VFS's files: the database, its log and its shared index are
/// byte for byte what SQLite writes without it, and other processes may use the file through any
/// VFS. Only the writes to a log are gathered; see wal_append_buffer.c for when they reach the file.
const char *mlops_sqlite_wal_buffer_vfs(void);

/// How many times the write-ahead log of `db`'s main database handed a gathered run of writes to
/// the file system since it was opened (a transaction of several pages costs one), or -1 when that
/// log is not open, or not open through this VFS. Call it where `db` may be used.
long long mlops_sqlite_wal_buffer_log_flushes(sqlite3 *db);

#ifdef __cplusplus
}
#endif

#endif
