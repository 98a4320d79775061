/*
 * sort_avx512.c — AVX-512F vectorised quicksort for double and int64
 * (x86_64 only, per-function target attribute; chosen at run time by sort.c
 * where the CPU and OS support AVX-512F). The algorithm is the one of
 * sort_avx2_template.h, here with 8 lanes of a zmm register: the partition
 * moves 8 values per permute and the sorting networks hold up to 128 values
 * in 16 registers (64 with AVX2).
 *
 * The partition permutes each vector with vpermpd and the same 256-entry
 * table as the AVX2 float sort (its 32-bit lane numbers widened to 64 bits),
 * not with AVX-512's compress: the store form of vcompresspd is microcoded
 * and slow on AMD Zen 4, which is what makes numpy's AVX-512 sort slower there
 * than its AVX2 one. Float keeps the AVX2 sort (16 lanes would need a table
 * of 65,536 entries or compress).
 */
#include "tk_internal.h"

#if TK_X86_64
#include <immintrin.h>

#define Z_TARGET __attribute__((target("avx512f,avx2,fma,popcnt,bmi,bmi2")))
#define Z_ALWAYS static inline __attribute__((always_inline)) Z_TARGET

/* Lanes with a clear mask bit first, then those with a set bit: the table's
 * lane numbers, widened for 64-bit lanes. */
Z_ALWAYS __m512i z_perm(unsigned m) {
    return _mm512_cvtepu32_epi64(_mm256_load_si256((const __m256i *)(const void *)tk_sort_perm_lut8[m]));
}
/* The first rem lanes (0 < rem < 8). */
Z_ALWAYS __mmask8 z_first(size_t rem) { return (__mmask8)((1u << rem) - 1u); }

/* Shuffles shared by both types (on the double view of a register). */
Z_ALWAYS __m512d z_swap1(__m512d v) { return _mm512_permute_pd(v, 0x55); }        /* 1 0 3 2 5 4 7 6 */
Z_ALWAYS __m512d z_swap2(__m512d v) { return _mm512_permutex_pd(v, 0x4E); }       /* 2 3 0 1 6 7 4 5 */
Z_ALWAYS __m512d z_rev4(__m512d v) { return _mm512_permutex_pd(v, 0x1B); }        /* 3 2 1 0 7 6 5 4 */
Z_ALWAYS __m512d z_swap4(__m512d v) { return _mm512_shuffle_f64x2(v, v, 0x4E); }  /* 4..7 0..3 */
Z_ALWAYS __m512d z_rev8(__m512d v) { return _mm512_permutexvar_pd(_mm512_set_epi64(0, 1, 2, 3, 4, 5, 6, 7), v); }

/* Transposes the 8 x 8 block held in r[0..8) (on the double view). */
Z_ALWAYS void z_transpose(__m512d *r) {
    const __m512i lo = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
    const __m512i hi = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
    __m512d t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm512_unpacklo_pd(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_pd(r[i], r[i + 1]);
    }
    /* u[0] = columns 0 | 4 of rows 0-3, u[1] = 2 | 6, u[2] = 1 | 5, u[3] = 3 | 7;
     * u[4..8) the same for rows 4-7. */
    for (int h = 0; h < 8; h += 4) {
        u[h] = _mm512_permutex2var_pd(t[h], lo, t[h + 2]);
        u[h + 1] = _mm512_permutex2var_pd(t[h], hi, t[h + 2]);
        u[h + 2] = _mm512_permutex2var_pd(t[h + 1], lo, t[h + 3]);
        u[h + 3] = _mm512_permutex2var_pd(t[h + 1], hi, t[h + 3]);
    }
    r[0] = _mm512_shuffle_f64x2(u[0], u[4], 0x44);
    r[4] = _mm512_shuffle_f64x2(u[0], u[4], 0xEE);
    r[2] = _mm512_shuffle_f64x2(u[1], u[5], 0x44);
    r[6] = _mm512_shuffle_f64x2(u[1], u[5], 0xEE);
    r[1] = _mm512_shuffle_f64x2(u[2], u[6], 0x44);
    r[5] = _mm512_shuffle_f64x2(u[2], u[6], 0xEE);
    r[3] = _mm512_shuffle_f64x2(u[3], u[7], 0x44);
    r[7] = _mm512_shuffle_f64x2(u[3], u[7], 0xEE);
}

/* ------------------------------- double -------------------------------- */
Z_ALWAYS __m512d f64z_loadu(const double *p) { return _mm512_loadu_pd(p); }
Z_ALWAYS void f64z_storeu(double *p, __m512d v) { _mm512_storeu_pd(p, v); }
Z_ALWAYS __m512d f64z_set1(double x) { return _mm512_set1_pd(x); }
Z_ALWAYS __m512d f64z_maskload(const double *p, size_t rem) {
    return _mm512_mask_loadu_pd(_mm512_set1_pd(__builtin_inf()), z_first(rem), p);
}
Z_ALWAYS void f64z_maskstore(double *p, size_t rem, __m512d v) { _mm512_mask_storeu_pd(p, z_first(rem), v); }
/* vminpd(a, b) = a < b ? a : b ; vmaxpd(a, b) = a > b ? a : b */
Z_ALWAYS __m512d f64z_vmin(__m512d a, __m512d b) { return _mm512_min_pd(a, b); }
Z_ALWAYS __m512d f64z_vmax(__m512d a, __m512d b) { return _mm512_max_pd(a, b); }
Z_ALWAYS __m512d f64z_rev(__m512d v) { return z_rev8(v); }
/* One layer of a network: lanes in `high` take the larger of each pair. */
#define F64Z_LAYER(v, t, high) _mm512_mask_blend_pd((high), f64z_vmin((v), (t)), f64z_vmax((v), (t)))
Z_ALWAYS __m512d f64z_sort1(__m512d v) {
    v = F64Z_LAYER(v, z_swap1(v), 0xAA);
    v = F64Z_LAYER(v, z_rev4(v), 0xCC);
    v = F64Z_LAYER(v, z_swap1(v), 0xAA);
    v = F64Z_LAYER(v, z_rev8(v), 0xF0);
    v = F64Z_LAYER(v, z_swap2(v), 0xCC);
    v = F64Z_LAYER(v, z_swap1(v), 0xAA);
    return v;
}
Z_ALWAYS __m512d f64z_clean(__m512d v) {
    v = F64Z_LAYER(v, z_swap4(v), 0xF0);
    v = F64Z_LAYER(v, z_swap2(v), 0xCC);
    v = F64Z_LAYER(v, z_swap1(v), 0xAA);
    return v;
}
Z_ALWAYS void f64z_transpose(__m512d *r) { z_transpose(r); }
Z_ALWAYS unsigned f64z_mask_ge(__m512d x, __m512d p) { return (unsigned)_mm512_cmp_pd_mask(x, p, _CMP_GE_OQ); }
Z_ALWAYS unsigned f64z_mask_gt(__m512d x, __m512d p) { return (unsigned)_mm512_cmp_pd_mask(x, p, _CMP_GT_OQ); }
Z_ALWAYS __m512d f64z_compress(__m512d x, unsigned m) { return _mm512_permutexvar_pd(z_perm(m), x); }
static void f64z_heapsort(double *v, size_t n) { tk_heapsort_f64(v, n); }
static size_t f64z_sized_partition(double *v, size_t n, double p, int gt);

#define S_T double
#define S_V __m512d
#define S_L 8
#define S_NAME(x) f64z_##x
#define S_MAXVAL __builtin_inf()
#define S_TARGET Z_TARGET
#define S_SIZED_PARTITION f64z_sized_partition
#include "sort_avx2_template.h"

/* ------------------------------- int64 --------------------------------- */
Z_ALWAYS __m512d z_pd(__m512i v) { return _mm512_castsi512_pd(v); }
Z_ALWAYS __m512i z_si(__m512d v) { return _mm512_castpd_si512(v); }
Z_ALWAYS __m512i i64z_loadu(const int64_t *p) { return _mm512_loadu_si512((const void *)p); }
Z_ALWAYS void i64z_storeu(int64_t *p, __m512i v) { _mm512_storeu_si512((void *)p, v); }
Z_ALWAYS __m512i i64z_set1(int64_t x) { return _mm512_set1_epi64(x); }
Z_ALWAYS __m512i i64z_maskload(const int64_t *p, size_t rem) {
    return _mm512_mask_loadu_epi64(_mm512_set1_epi64(INT64_MAX), z_first(rem), (const void *)p);
}
Z_ALWAYS void i64z_maskstore(int64_t *p, size_t rem, __m512i v) { _mm512_mask_storeu_epi64((void *)p, z_first(rem), v); }
Z_ALWAYS __m512i i64z_vmin(__m512i a, __m512i b) { return _mm512_min_epi64(a, b); }
Z_ALWAYS __m512i i64z_vmax(__m512i a, __m512i b) { return _mm512_max_epi64(a, b); }
Z_ALWAYS __m512i i64z_rev(__m512i v) { return z_si(z_rev8(z_pd(v))); }
#define I64Z_LAYER(v, t, high) _mm512_mask_blend_epi64((high), i64z_vmin((v), (t)), i64z_vmax((v), (t)))
Z_ALWAYS __m512i i64z_sort1(__m512i v) {
    v = I64Z_LAYER(v, z_si(z_swap1(z_pd(v))), 0xAA);
    v = I64Z_LAYER(v, z_si(z_rev4(z_pd(v))), 0xCC);
    v = I64Z_LAYER(v, z_si(z_swap1(z_pd(v))), 0xAA);
    v = I64Z_LAYER(v, z_si(z_rev8(z_pd(v))), 0xF0);
    v = I64Z_LAYER(v, z_si(z_swap2(z_pd(v))), 0xCC);
    v = I64Z_LAYER(v, z_si(z_swap1(z_pd(v))), 0xAA);
    return v;
}
Z_ALWAYS __m512i i64z_clean(__m512i v) {
    v = I64Z_LAYER(v, z_si(z_swap4(z_pd(v))), 0xF0);
    v = I64Z_LAYER(v, z_si(z_swap2(z_pd(v))), 0xCC);
    v = I64Z_LAYER(v, z_si(z_swap1(z_pd(v))), 0xAA);
    return v;
}
Z_ALWAYS void i64z_transpose(__m512i *r) {
    __m512d d[8];
    for (int i = 0; i < 8; i++) d[i] = z_pd(r[i]);
    z_transpose(d);
    for (int i = 0; i < 8; i++) r[i] = z_si(d[i]);
}
Z_ALWAYS unsigned i64z_mask_ge(__m512i x, __m512i p) { return (unsigned)_mm512_cmpge_epi64_mask(x, p); }
Z_ALWAYS unsigned i64z_mask_gt(__m512i x, __m512i p) { return (unsigned)_mm512_cmpgt_epi64_mask(x, p); }
Z_ALWAYS __m512i i64z_compress(__m512i x, unsigned m) { return _mm512_permutexvar_epi64(z_perm(m), x); }
static void i64z_heapsort(int64_t *v, size_t n) { tk_heapsort_i64(v, n); }
static size_t i64z_sized_partition(int64_t *v, size_t n, int64_t p, int gt);

#define S_T int64_t
#define S_V __m512i
#define S_L 8
#define S_NAME(x) i64z_##x
#define S_MAXVAL INT64_MAX
#define S_TARGET Z_TARGET
#define S_SIZED_PARTITION i64z_sized_partition
#include "sort_avx2_template.h"

/* ------------------------------ exports -------------------------------- */
/* Ranges longer than this (1 MiB of doubles, the L2 cache of a Zen 4 core)
 * are partitioned by the AVX2 kernel. Measured on an AMD EPYC (Zen 4), 10M
 * doubles per case, one thread: the AVX-512 partition is the faster one while
 * its range fits the cache, and about four times slower on a range streamed
 * from memory. Sorting blocks of 100k values took 77 ms against the AVX2
 * sort's 103 ms; one 10M sort 135 ms with the AVX-512 partition throughout,
 * 99 ms with this split (AVX2: 125 ms); the threshold mattered little from
 * 32k to 256k. */
#ifndef TK_SORT512_LARGEST
#define TK_SORT512_LARGEST ((size_t)1 << 17)
#endif

static size_t f64z_sized_partition(double *v, size_t n, double p, int gt) {
    return n > TK_SORT512_LARGEST ? tk_partition_f64_avx2(v, n, p, gt) : f64z_partition(v, n, p, gt);
}
static size_t i64z_sized_partition(int64_t *v, size_t n, int64_t p, int gt) {
    return n > TK_SORT512_LARGEST ? tk_partition_i64_avx2(v, n, p, gt) : i64z_partition(v, n, p, gt);
}

Z_TARGET void tk_qsort_f64_avx512(double *v, size_t n) { f64z_qsort_rec(v, n, tk_sort_depth_limit(n)); }
Z_TARGET void tk_qsort_i64_avx512(int64_t *v, size_t n) { i64z_qsort_rec(v, n, tk_sort_depth_limit(n)); }
Z_TARGET size_t tk_partition_f64_avx512(double *v, size_t n, double p, int gt) { return f64z_sized_partition(v, n, p, gt); }
Z_TARGET size_t tk_partition_i64_avx512(int64_t *v, size_t n, int64_t p, int gt) { return i64z_sized_partition(v, n, p, gt); }

#else
/* ISO C wants at least one declaration per translation unit. */
typedef int tk_sort_avx512_unit;
#endif /* TK_X86_64 */
