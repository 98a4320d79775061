#ifndef MLOPS_FILE_OPS_H
#define MLOPS_FILE_OPS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Renames `from` to `to` only if nothing exists at `to`, in one step: another process that
/// creates `to` at the same moment either sees its file kept (and this call fails with EEXIST)
/// or finds the name taken. Linux's `renameat2(RENAME_NOREPLACE)`, Darwin's
/// `renamex_np(RENAME_EXCL)`.
///
/// Returns 0, or -1 with `errno` set: EEXIST when something is at `to`; EINVAL, ENOSYS or
/// ENOTSUP/EOPNOTSUPP when the system or the file system cannot rename without replacing.
int mlops_rename_noreplace(const char *from, const char *to);

#ifdef __cplusplus
}
#endif

#endif
