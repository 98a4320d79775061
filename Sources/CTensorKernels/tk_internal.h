/*
 * tk_internal.h — private declarations shared by the CTensorKernels sources.
 * Not part of the public API (the public header is include/CTensorKernels.h).
 */
#ifndef TK_INTERNAL_H
#define TK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TK_X86_64 1
/* Functions compiled for AVX2+FMA without global -m flags. */
#define TK_TARGET_AVX2 __attribute__((target("avx2,fma")))
/* Functions compiled for AVX-512F (with AVX2 and FMA). */
#define TK_TARGET_AVX512 __attribute__((target("avx512f,avx2,fma")))
#else
#define TK_X86_64 0
#endif

#if defined(__GNUC__) || defined(__clang__)
#define TK_LIKELY(x) __builtin_expect(!!(x), 1)
#define TK_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define TK_NOINLINE __attribute__((noinline))
#else
#define TK_LIKELY(x) (x)
#define TK_UNLIKELY(x) (x)
#define TK_NOINLINE
#endif

/* 1 when the AVX2+FMA kernels should be used (hardware has them and the
 * test-only force-portable flag is clear). Cheap: two relaxed atomic loads. */
int tk_internal_use_avx2(void);

/* 1 when the AVX-512F kernels (GEMM, the double and int64 sorts) may be
 * used (hardware and OS support them, the AVX2 path is in use, and the
 * test-only AVX2 cap is clear). */
int tk_internal_use_avx512(void);

/* 1 when GEMM takes its AVX-512 kernels: tk_internal_use_avx512(), and the CPU
 * does not split 512-bit operations in two (Zen 4 runs the AVX2 kernels
 * faster; dispatch.c) unless the test-only force flag is set. */
int tk_internal_gemm_avx512(void);

/* 64-byte aligned allocation (NULL on failure or size 0) and its free. */
void *tk_aligned_alloc(size_t bytes);
void tk_aligned_free(void *p);

/* A per-thread buffer of at least `bytes` bytes for `slot` (0 or 1), reused by later calls on the
 * same thread and freed when the thread exits; NULL when none can be had (the caller allocates). */
void *tk_scratch(int slot, size_t bytes);

/* Runs fn(ctx, t) for t in [0, nthreads): t = 0 on the calling thread, the
 * others on pthreads. If a thread cannot be created its share runs on the
 * caller, so the work always completes. Single-threaded on Windows. */
void tk_parallel_run(int nthreads, void (*fn)(void *ctx, int t), void *ctx);

/* The quicksorts' recursion budget, 2 log2(n) + 4: past it a range is
 * heapsorted (introsort), so every sort is O(n log n). */
static inline int tk_sort_depth_limit(size_t n) {
    int d = 0;
    while (n > 1) {
        n >>= 1;
        d++;
    }
    return 2 * d + 4;
}

/* Scalar heapsorts (sort.c), the O(n log n) fallback of both quicksorts.
 * Input must be NaN-free. */
void tk_heapsort_f64(double *v, size_t n);
void tk_heapsort_f32(float *v, size_t n);
void tk_heapsort_i64(int64_t *v, size_t n);

/* ---- AVX2 kernels (defined only on x86_64) ---------------------------- */
#if TK_X86_64
/* GEMM micro-kernels: C(MR x NR tile) (+)= Ap * Bp over kc steps, see gemm.c */
void tk_dgemm_ukr_avx2(size_t kc, const double *ap, const double *bp,
                       double *c, size_t ldc, int add);
void tk_sgemm_ukr_avx2(size_t kc, const float *ap, const float *bp,
                       float *c, size_t ldc, int add);
/* AVX-512F GEMM micro-kernels (gemm_avx512.c), with their own register block. */
void tk_dgemm_ukr_avx512(size_t kc, const double *ap, const double *bp,
                         double *c, size_t ldc, int add);
void tk_sgemm_ukr_avx512(size_t kc, const float *ap, const float *bp,
                         float *c, size_t ldc, int add);
/* Vectorised quicksorts on NaN-free input, see sort_avx2.c */
void tk_qsort_f64_avx2(double *v, size_t n);
void tk_qsort_i64_avx2(int64_t *v, size_t n);
void tk_qsort_f32_avx2(float *v, size_t n);
/* In-place partition of NaN-free v[0..n) around pivot: returns k such that
 * v[0..k) < pivot <= v[k..n) (gt == 0) or v[0..k) <= pivot < v[k..n). */
size_t tk_partition_f64_avx2(double *v, size_t n, double pivot, int gt);
size_t tk_partition_i64_avx2(int64_t *v, size_t n, int64_t pivot, int gt);
size_t tk_partition_f32_avx2(float *v, size_t n, float pivot, int gt);
/* The AVX2 float sort's compress table (sort_avx2.c): for each 8-bit mask, the
 * source lane of each destination lane, clear-bit lanes first. */
extern __attribute__((visibility("hidden"))) const int32_t tk_sort_perm_lut8[256][8];
/* AVX-512F quicksorts and partitions (sort_avx512.c), same contracts. */
void tk_qsort_f64_avx512(double *v, size_t n);
void tk_qsort_i64_avx512(int64_t *v, size_t n);
size_t tk_partition_f64_avx512(double *v, size_t n, double pivot, int gt);
size_t tk_partition_i64_avx512(int64_t *v, size_t n, int64_t pivot, int gt);
#endif

/* GEMM register blocking, shared by the portable and AVX2 micro-kernels so
 * that both use the same packed layout. */
#define TK_DGEMM_MR 6
#define TK_DGEMM_NR 8
#define TK_SGEMM_MR 6
#define TK_SGEMM_NR 16
/* The AVX-512 kernels' register block (12 rows by two zmm vectors). */
#define TK_DGEMM512_MR 12
#define TK_DGEMM512_NR 16
#define TK_SGEMM512_MR 12
#define TK_SGEMM512_NR 32

#endif /* TK_INTERNAL_H */
