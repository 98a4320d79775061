#ifndef C_ALLOCATION_COUNTER_H
#define C_ALLOCATION_COUNTER_H

/// The number of heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc) this
/// process has made since it started. The benchmarks executable defines those functions itself
/// (forwarding to glibc's), so every allocation of the process is counted; it is how a case shows
/// that a hot path allocates nothing.
unsigned long long mlops_allocation_count(void);

#endif
