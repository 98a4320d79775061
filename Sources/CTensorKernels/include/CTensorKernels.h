/*
 * CTensorKernels.h — hot numeric kernels for TensorCore, in C.
 *
 * Why C: a Swift package cannot impose -target-cpu on its users, so the
 * kernels that need AVX2+FMA to compete with numpy/OpenBLAS live here. Each
 * such kernel is compiled twice inside this target, with no global -m flag:
 *   - an AVX2+FMA version (x86_64 only; functions carry
 *     __attribute__((target("avx2,fma"))) and use intrinsics), and
 *   - a portable version in plain C (no intrinsics), built for the baseline
 *     target (x86-64 SSE2, aarch64 NEON through auto-vectorisation).
 * The choice is made at run time, per call, from __builtin_cpu_supports
 * ("avx2" and "fma"), cached in an atomic. tk_set_force_portable(1) forces
 * the portable versions so tests can check both.
 *
 * Algorithms (details and references in the .c files):
 *   GEMM     Goto/BLIS: packed A (MC x KC) and B (KC x NC) blocks, 6x8
 *            (double) / 6x16 (float) FMA micro-kernels; gemm.c.
 *   sort     vectorised in-place quicksort after Bramas (2017) and Intel's
 *            x86-simd-sort: LUT-permute partition, bitonic networks for the
 *            small cases; portable introsort; sort.c, sort_avx2.c, and
 *            sort_avx512.c (double and int64 with 8-lane zmm vectors, where
 *            the CPU has AVX-512F).
 *   argsort  stable LSD radix sort of (key, index) over order-preserving
 *            integer keys, 8-bit digits; argsort.c.
 *   sum      16-lane blocked + pairwise summation skipping NaNs; sum.c.
 *
 * Files: dispatch.c (CPU detection, force flag, threads), gemm.c +
 * gemm_template.h + gemm_avx2.c + gemm_avx512.c, sort.c + sort_template.h +
 * sort_avx2.c + sort_avx512.c + sort_avx2_template.h, argsort.c, sum.c,
 * tk_internal.h (private).
 *
 * Conventions
 *   - Matrices are row-major; element (i, j) of A is a[i * lda + j].
 *   - Nothing here aborts, prints or keeps state between calls, except the
 *     test-only force-portable flag and the CPU-feature cache.
 *   - n == 0 (or m, n, k == 0 for GEMM) is always valid, with NULL pointers.
 *   - Preconditions the caller (the Swift wrapper) checks are stated per
 *     function; they are not checked here.
 *   - Functions are thread-safe and reentrant: different calls may run
 *     concurrently on disjoint outputs.
 *   - The *_mt variants start threads with pthreads (threads <= 1: run on the
 *     calling thread; the count is capped at 64 and at what the problem can
 *     use; small problems run single-threaded). If a thread cannot be
 *     created, its share runs on the caller. On Linux, link -lpthread (part
 *     of libc since glibc 2.34).
 *   - Memory: GEMM packs into buffers of about (MC + NC) * KC elements
 *     (< 8 MiB) that each thread keeps between calls and frees when it
 *     exits (first-touch page faults on fresh buffers cost as much as the
 *     packing); argsort allocates 16 * n bytes per call and frees them
 *     before returning; sorts and sums allocate nothing. If an allocation
 *     fails the functions fall back to slower algorithms that need no
 *     memory, so the result is always computed.
 *   - Results do not depend on the thread count (for the sorts, up to the
 *     order of -0.0 / +0.0 and of NaNs with different payloads). The paths
 *     (portable, AVX2, AVX-512) agree exactly for sorts, argsort and sum, and
 *     up to rounding for GEMM (FMA vs separate multiply and add).
 */
#ifndef CTENSORKERNELS_H
#define CTENSORKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * CPU dispatch
 * ------------------------------------------------------------------------ */

/* 1 if this CPU (and OS) supports AVX2 and FMA, else 0. Always 0 off x86_64.
 * Not affected by tk_set_force_portable. */
int tk_cpu_has_avx2_fma(void);

/* 1 if the kernels will take their AVX2+FMA paths now, that is
 * tk_cpu_has_avx2_fma() and the force-portable flag is clear. */
int tk_uses_avx2_fma(void);

/* TEST-ONLY. force != 0 makes every kernel take its portable path, in the
 * whole process, until called again with 0. It is an atomic flag, read once
 * at the start of each call; calls already running are not affected. Do not
 * use it in production code. */
void tk_set_force_portable(int force);

/* 1 if this CPU (and OS) supports AVX-512F, else 0. Always 0 off x86_64. */
int tk_cpu_has_avx512(void);

/* 1 if the AVX-512 kernels may run now (the double and int64 sorts take
 * them): tk_cpu_has_avx512(), the AVX2 path in use (tk_uses_avx2_fma()), and
 * the AVX2 cap below clear. */
int tk_uses_avx512(void);

/* 1 if GEMM will take its AVX-512 kernels now: tk_uses_avx512(), on a CPU
 * with full-width 512-bit units (not AMD family 19h, Zen 4, which splits
 * them and runs the AVX2 kernels faster), or with the force flag below set. */
int tk_uses_avx512_gemm(void);

/* 1 if this CPU runs 512-bit operations as two 256-bit halves (AMD family
 * 19h), where GEMM keeps its AVX2 kernels. The environment variable
 * MLOPS_KERNELS_GEMM_AVX512 (any value) makes this 0, to compare the two. */
int tk_cpu_splits_512(void);

/* TEST-ONLY. force != 0 keeps GEMM and the sorts on their AVX2 paths (never
 * AVX-512), in the whole process, until called again with 0; like
 * tk_set_force_portable. */
void tk_set_force_avx2(int force);

/* TEST-ONLY. force != 0 makes GEMM take its AVX-512 kernels wherever the CPU
 * has AVX-512F (also on a CPU that splits 512-bit operations), so that they
 * stay tested there; the AVX2 cap and force-portable flag still win. */
void tk_set_force_gemm_avx512(int force);

/* ------------------------------------------------------------------------
 * GEMM (row-major):  C = A * B   (accumulate == 0)
 *                    C += A * B  (accumulate != 0)
 * A is m x k, B is k x n, C is m x n.
 *
 * Preconditions (checked by the caller): lda >= k, ldb >= n, ldc >= n; the
 * buffers hold (m-1)*lda + k, (k-1)*ldb + n and (m-1)*ldc + n elements; C
 * does not overlap A or B. With accumulate == 0 the previous contents of C
 * are never read (NaNs in C do not propagate). k == 0 sets C to zero
 * (accumulate == 0) or leaves it unchanged.
 *
 * Accuracy: each element is a sum of k products accumulated in blocks of KC
 * (FMA on the AVX2 path), so results differ from a naive loop by rounding
 * only (relative ~ k * eps in the worst case).
 * ------------------------------------------------------------------------ */

/* Single-threaded, on the calling thread. To parallelise with your own
 * threads, give each thread a disjoint block of rows r0..<r1:
 *   tk_dgemm(r1 - r0, n, k, a + r0*lda, lda, b, ldb, c + r0*ldc, ldc, acc);
 * (or of columns, offsetting b and c by c0). Each call packs the B it uses. */
void tk_dgemm(size_t m, size_t n, size_t k,
              const double *a, size_t lda,
              const double *b, size_t ldb,
              double *c, size_t ldc, int accumulate);

void tk_sgemm(size_t m, size_t n, size_t k,
              const float *a, size_t lda,
              const float *b, size_t ldb,
              float *c, size_t ldc, int accumulate);

/* Same, on `threads` threads (the calling one included; 0 or fewer means
 * one, more than 64 means 64): C is split into blocks of whole rows (or
 * whole columns when n is the larger dimension), one per thread. Problems
 * under ~2 MFLOP run on the calling thread. */
void tk_dgemm_mt(size_t m, size_t n, size_t k,
                 const double *a, size_t lda,
                 const double *b, size_t ldb,
                 double *c, size_t ldc, int accumulate, int threads);

void tk_sgemm_mt(size_t m, size_t n, size_t k,
                 const float *a, size_t lda,
                 const float *b, size_t ldb,
                 float *c, size_t ldc, int accumulate, int threads);

/* ------------------------------------------------------------------------
 * Sorting, ascending, in place, not stable (equal values are
 * indistinguishable except +0.0 / -0.0, which compare equal and may come
 * out in either order — as in numpy).
 * Floating point: NaNs (any sign or payload) go to the end, like numpy; the
 * NaN bit patterns are kept. No memory is allocated.
 * Worst case O(n log n) (introsort-style depth limit with heapsort).
 * ------------------------------------------------------------------------ */

void tk_sort_f64(double *values, size_t n);
void tk_sort_f32(float *values, size_t n);
void tk_sort_i64(int64_t *values, size_t n);

/* Same, on up to `threads` threads: one partition pass per level splits the
 * array in two halves that are sorted concurrently. Below ~64k elements,
 * single-threaded. */
void tk_sort_f64_mt(double *values, size_t n, int threads);
void tk_sort_f32_mt(float *values, size_t n, int threads);
void tk_sort_i64_mt(int64_t *values, size_t n, int threads);

/* ------------------------------------------------------------------------
 * Stable argsort of doubles: indices_out[0..<n] receives the permutation
 * that sorts `values` ascending, exactly as numpy's
 * np.argsort(values, kind="stable"): equal values keep their original
 * order, -0.0 and +0.0 are equal, NaNs (any sign or payload) come last in
 * their original order. `values` is not modified.
 * Preconditions: indices_out holds n elements and does not overlap values.
 * Temporary memory: 16 * n bytes (24 * n when n >= 2^32), freed before
 * returning; indices_out is used as scratch too.
 * ------------------------------------------------------------------------ */

void tk_argsort_f64(const double *values, size_t n, int64_t *indices_out);
/* (Radix sorting is scalar code, so argsort has one path for every ISA.) */

/* Same, each radix pass split over up to `threads` threads (each thread
 * keeps at least 64k elements). */
void tk_argsort_f64_mt(const double *values, size_t n, int64_t *indices_out, int threads);

/* ------------------------------------------------------------------------
 * Sum of the non-NaN values: 16 lane accumulators over blocks of 2048
 * values, block sums combined pairwise (numpy-style pairwise summation;
 * error O(eps * (128 + log2 n)) times the sum of magnitudes). The order of
 * operations is fixed, so the AVX2 and portable paths agree bitwise.
 * If nan_count is not NULL it receives the number of NaNs skipped.
 * +-inf are summed normally (inf + -inf = NaN, as IEEE says). n == 0
 * gives +0.0.
 * ------------------------------------------------------------------------ */

double tk_sum_f64(const double *values, size_t n, size_t *nan_count);

#ifdef __cplusplus
}
#endif

#endif /* CTENSORKERNELS_H */
