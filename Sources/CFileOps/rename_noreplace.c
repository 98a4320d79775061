/*
 * rename_noreplace.c — a rename that never replaces a file.
 *
 * Swift's Glibc module is compiled without _GNU_SOURCE, so it does not declare renameat2
 * (glibc 2.28+), and the system call is reached only through the variadic syscall(), which
 * Swift cannot call; hence this C file. FileIO.publish uses it where link() is not available
 * (file systems without hard links): plain rename() would silently replace a file another
 * process created at the same path after the last check.
 */
#if defined(__linux__)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#elif defined(__APPLE__)
#include <errno.h>
#include <stdio.h>
#endif

#include "mlops_file_ops.h"

int mlops_rename_noreplace(const char *from, const char *to) {
#if defined(__linux__) && defined(RENAME_NOREPLACE)
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
#elif defined(__linux__) && defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 1 /* RENAME_NOREPLACE */);
#elif defined(__APPLE__)
    return renamex_np(from, to, RENAME_EXCL);
#else
    (void)from;
    (void)to;
    errno = ENOSYS;
    return -1;
#endif
}
