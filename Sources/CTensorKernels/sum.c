/*
 * sum.c — sum of the non-NaN doubles, with the NaN count.
 *
 * Order of operations (identical on both paths, so the AVX2 and portable
 * results are bitwise equal):
 *   - blocks of TK_SUM_BLOCK elements are summed into 16 lane accumulators,
 *     element i of a block going to lane i % 16 (4 ymm registers on the
 *     AVX2 path); a NaN adds +0.0 to its lane and is counted;
 *   - the lanes are combined as ((l[j] + l[j+4]) + (l[j+8] + l[j+12])) for
 *     j = 0..3, then (t0 + t1) + (t2 + t3);
 *   - block sums are combined pairwise (recursive halving over whole
 *     blocks), like numpy's pairwise summation.
 * Rounding error: O(eps * (TK_SUM_BLOCK / 16 + log2(n / TK_SUM_BLOCK))) times
 * the sum of magnitudes.
 */
#include "tk_internal.h"
#include "CTensorKernels.h"

#define TK_SUM_BLOCK 2048

static inline double tk_lane_reduce(const double l[16]) {
    double t[4];
    for (int j = 0; j < 4; j++) t[j] = (l[j] + l[j + 4]) + (l[j + 8] + l[j + 12]);
    return (t[0] + t[1]) + (t[2] + t[3]);
}

static double tk_sum_block_portable(const double *v, size_t n, size_t *nans) {
    double l[16] = {0};
    size_t bad = 0, i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++) {
            double x = v[i + (size_t)j];
            int ok = x == x;
            l[j] += ok ? x : 0.0;
            bad += (size_t)!ok;
        }
    if (i < n) {
        for (int j = 0; j < 16; j++) {
            double x = i + (size_t)j < n ? v[i + (size_t)j] : 0.0;
            int ok = x == x;
            l[j] += ok ? x : 0.0;
            bad += (size_t)!ok;
        }
    }
    *nans += bad;
    return tk_lane_reduce(l);
}

#if TK_X86_64
#include <immintrin.h>

static TK_TARGET_AVX2 double tk_sum_block_avx2(const double *v, size_t n, size_t *nans) {
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
    __m256d a2 = _mm256_setzero_pd(), a3 = _mm256_setzero_pd();
    __m256i c = _mm256_setzero_si256(); /* per-lane NaN counts (as -1 steps) */
    size_t i = 0;
#define TK_SUM_STEP(acc, off, x)                                        \
    do {                                                                \
        __m256d ok_ = _mm256_cmp_pd((x), (x), _CMP_ORD_Q);              \
        acc = _mm256_add_pd(acc, _mm256_and_pd((x), ok_));              \
        c = _mm256_add_epi64(c, _mm256_castpd_si256(ok_));              \
    } while (0)
    for (; i + 16 <= n; i += 16) {
        __m256d x0 = _mm256_loadu_pd(v + i), x1 = _mm256_loadu_pd(v + i + 4);
        __m256d x2 = _mm256_loadu_pd(v + i + 8), x3 = _mm256_loadu_pd(v + i + 12);
        TK_SUM_STEP(a0, 0, x0);
        TK_SUM_STEP(a1, 4, x1);
        TK_SUM_STEP(a2, 8, x2);
        TK_SUM_STEP(a3, 12, x3);
    }
    size_t processed = i;
    if (i < n) {
        double tail[16];
        for (int j = 0; j < 16; j++) tail[j] = i + (size_t)j < n ? v[i + (size_t)j] : 0.0;
        __m256d x0 = _mm256_loadu_pd(tail), x1 = _mm256_loadu_pd(tail + 4);
        __m256d x2 = _mm256_loadu_pd(tail + 8), x3 = _mm256_loadu_pd(tail + 12);
        TK_SUM_STEP(a0, 0, x0);
        TK_SUM_STEP(a1, 4, x1);
        TK_SUM_STEP(a2, 8, x2);
        TK_SUM_STEP(a3, 12, x3);
        processed += 16;
    }
#undef TK_SUM_STEP
    /* c holds -(number of non-NaN values) summed over lanes */
    int64_t cl[4];
    _mm256_storeu_si256((__m256i *)(void *)cl, c);
    size_t ordered = (size_t)(-(cl[0] + cl[1] + cl[2] + cl[3]));
    *nans += processed - ordered;
    double l[16];
    _mm256_storeu_pd(l, a0);
    _mm256_storeu_pd(l + 4, a1);
    _mm256_storeu_pd(l + 8, a2);
    _mm256_storeu_pd(l + 12, a3);
    return tk_lane_reduce(l);
}
#endif

static double tk_sum_rec(const double *v, size_t n, size_t *nans, int avx2) {
    if (n <= TK_SUM_BLOCK) {
#if TK_X86_64
        if (avx2) return tk_sum_block_avx2(v, n, nans);
#endif
        (void)avx2;
        return tk_sum_block_portable(v, n, nans);
    }
    size_t blocks = (n + TK_SUM_BLOCK - 1) / TK_SUM_BLOCK;
    size_t half = (blocks / 2) * TK_SUM_BLOCK;
    double s0 = tk_sum_rec(v, half, nans, avx2);
    double s1 = tk_sum_rec(v + half, n - half, nans, avx2);
    return s0 + s1;
}

double tk_sum_f64(const double *values, size_t n, size_t *nan_count) {
    size_t nans = 0;
    double s = n ? tk_sum_rec(values, n, &nans, tk_internal_use_avx2()) : 0.0;
    if (nan_count) *nan_count = nans;
    return s;
}
