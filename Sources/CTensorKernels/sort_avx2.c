/*
 * sort_avx2.c — AVX2 vectorised quicksort for double, int64 and float
 * (x86_64 only, per-function target attribute; chosen at run time by
 * sort.c). The algorithm is in sort_avx2_template.h; this file supplies the
 * vector primitives for each type and instantiates it.
 */
#include "tk_internal.h"

#if TK_X86_64
#include <immintrin.h>
#include <float.h>

#define P_ALWAYS static inline __attribute__((always_inline)) TK_TARGET_AVX2

/* Compress permutations for vpermd, indexed by the comparison mask: the
 * source 32-bit lane of each destination lane, such that the elements whose
 * mask bit is clear come first, then those whose bit is set, each group in
 * order. 64-bit elements use pairs of 32-bit lanes. */
static const int32_t tk_perm_lut4[16][8] __attribute__((aligned(32))) = {
    {0,1,2,3,4,5,6,7}, {2,3,4,5,6,7,0,1}, {0,1,4,5,6,7,2,3}, {4,5,6,7,0,1,2,3},
    {0,1,2,3,6,7,4,5}, {2,3,6,7,0,1,4,5}, {0,1,6,7,2,3,4,5}, {6,7,0,1,2,3,4,5},
    {0,1,2,3,4,5,6,7}, {2,3,4,5,0,1,6,7}, {0,1,4,5,2,3,6,7}, {4,5,0,1,2,3,6,7},
    {0,1,2,3,4,5,6,7}, {2,3,0,1,4,5,6,7}, {0,1,2,3,4,5,6,7}, {0,1,2,3,4,5,6,7},
};
__attribute__((visibility("hidden"))) const int32_t tk_sort_perm_lut8[256][8] __attribute__((aligned(32))) = {
    {0,1,2,3,4,5,6,7}, {1,2,3,4,5,6,7,0}, {0,2,3,4,5,6,7,1}, {2,3,4,5,6,7,0,1}, {0,1,3,4,5,6,7,2}, {1,3,4,5,6,7,0,2},
    {0,3,4,5,6,7,1,2}, {3,4,5,6,7,0,1,2}, {0,1,2,4,5,6,7,3}, {1,2,4,5,6,7,0,3}, {0,2,4,5,6,7,1,3}, {2,4,5,6,7,0,1,3},
    {0,1,4,5,6,7,2,3}, {1,4,5,6,7,0,2,3}, {0,4,5,6,7,1,2,3}, {4,5,6,7,0,1,2,3}, {0,1,2,3,5,6,7,4}, {1,2,3,5,6,7,0,4},
    {0,2,3,5,6,7,1,4}, {2,3,5,6,7,0,1,4}, {0,1,3,5,6,7,2,4}, {1,3,5,6,7,0,2,4}, {0,3,5,6,7,1,2,4}, {3,5,6,7,0,1,2,4},
    {0,1,2,5,6,7,3,4}, {1,2,5,6,7,0,3,4}, {0,2,5,6,7,1,3,4}, {2,5,6,7,0,1,3,4}, {0,1,5,6,7,2,3,4}, {1,5,6,7,0,2,3,4},
    {0,5,6,7,1,2,3,4}, {5,6,7,0,1,2,3,4}, {0,1,2,3,4,6,7,5}, {1,2,3,4,6,7,0,5}, {0,2,3,4,6,7,1,5}, {2,3,4,6,7,0,1,5},
    {0,1,3,4,6,7,2,5}, {1,3,4,6,7,0,2,5}, {0,3,4,6,7,1,2,5}, {3,4,6,7,0,1,2,5}, {0,1,2,4,6,7,3,5}, {1,2,4,6,7,0,3,5},
    {0,2,4,6,7,1,3,5}, {2,4,6,7,0,1,3,5}, {0,1,4,6,7,2,3,5}, {1,4,6,7,0,2,3,5}, {0,4,6,7,1,2,3,5}, {4,6,7,0,1,2,3,5},
    {0,1,2,3,6,7,4,5}, {1,2,3,6,7,0,4,5}, {0,2,3,6,7,1,4,5}, {2,3,6,7,0,1,4,5}, {0,1,3,6,7,2,4,5}, {1,3,6,7,0,2,4,5},
    {0,3,6,7,1,2,4,5}, {3,6,7,0,1,2,4,5}, {0,1,2,6,7,3,4,5}, {1,2,6,7,0,3,4,5}, {0,2,6,7,1,3,4,5}, {2,6,7,0,1,3,4,5},
    {0,1,6,7,2,3,4,5}, {1,6,7,0,2,3,4,5}, {0,6,7,1,2,3,4,5}, {6,7,0,1,2,3,4,5}, {0,1,2,3,4,5,7,6}, {1,2,3,4,5,7,0,6},
    {0,2,3,4,5,7,1,6}, {2,3,4,5,7,0,1,6}, {0,1,3,4,5,7,2,6}, {1,3,4,5,7,0,2,6}, {0,3,4,5,7,1,2,6}, {3,4,5,7,0,1,2,6},
    {0,1,2,4,5,7,3,6}, {1,2,4,5,7,0,3,6}, {0,2,4,5,7,1,3,6}, {2,4,5,7,0,1,3,6}, {0,1,4,5,7,2,3,6}, {1,4,5,7,0,2,3,6},
    {0,4,5,7,1,2,3,6}, {4,5,7,0,1,2,3,6}, {0,1,2,3,5,7,4,6}, {1,2,3,5,7,0,4,6}, {0,2,3,5,7,1,4,6}, {2,3,5,7,0,1,4,6},
    {0,1,3,5,7,2,4,6}, {1,3,5,7,0,2,4,6}, {0,3,5,7,1,2,4,6}, {3,5,7,0,1,2,4,6}, {0,1,2,5,7,3,4,6}, {1,2,5,7,0,3,4,6},
    {0,2,5,7,1,3,4,6}, {2,5,7,0,1,3,4,6}, {0,1,5,7,2,3,4,6}, {1,5,7,0,2,3,4,6}, {0,5,7,1,2,3,4,6}, {5,7,0,1,2,3,4,6},
    {0,1,2,3,4,7,5,6}, {1,2,3,4,7,0,5,6}, {0,2,3,4,7,1,5,6}, {2,3,4,7,0,1,5,6}, {0,1,3,4,7,2,5,6}, {1,3,4,7,0,2,5,6},
    {0,3,4,7,1,2,5,6}, {3,4,7,0,1,2,5,6}, {0,1,2,4,7,3,5,6}, {1,2,4,7,0,3,5,6}, {0,2,4,7,1,3,5,6}, {2,4,7,0,1,3,5,6},
    {0,1,4,7,2,3,5,6}, {1,4,7,0,2,3,5,6}, {0,4,7,1,2,3,5,6}, {4,7,0,1,2,3,5,6}, {0,1,2,3,7,4,5,6}, {1,2,3,7,0,4,5,6},
    {0,2,3,7,1,4,5,6}, {2,3,7,0,1,4,5,6}, {0,1,3,7,2,4,5,6}, {1,3,7,0,2,4,5,6}, {0,3,7,1,2,4,5,6}, {3,7,0,1,2,4,5,6},
    {0,1,2,7,3,4,5,6}, {1,2,7,0,3,4,5,6}, {0,2,7,1,3,4,5,6}, {2,7,0,1,3,4,5,6}, {0,1,7,2,3,4,5,6}, {1,7,0,2,3,4,5,6},
    {0,7,1,2,3,4,5,6}, {7,0,1,2,3,4,5,6}, {0,1,2,3,4,5,6,7}, {1,2,3,4,5,6,0,7}, {0,2,3,4,5,6,1,7}, {2,3,4,5,6,0,1,7},
    {0,1,3,4,5,6,2,7}, {1,3,4,5,6,0,2,7}, {0,3,4,5,6,1,2,7}, {3,4,5,6,0,1,2,7}, {0,1,2,4,5,6,3,7}, {1,2,4,5,6,0,3,7},
    {0,2,4,5,6,1,3,7}, {2,4,5,6,0,1,3,7}, {0,1,4,5,6,2,3,7}, {1,4,5,6,0,2,3,7}, {0,4,5,6,1,2,3,7}, {4,5,6,0,1,2,3,7},
    {0,1,2,3,5,6,4,7}, {1,2,3,5,6,0,4,7}, {0,2,3,5,6,1,4,7}, {2,3,5,6,0,1,4,7}, {0,1,3,5,6,2,4,7}, {1,3,5,6,0,2,4,7},
    {0,3,5,6,1,2,4,7}, {3,5,6,0,1,2,4,7}, {0,1,2,5,6,3,4,7}, {1,2,5,6,0,3,4,7}, {0,2,5,6,1,3,4,7}, {2,5,6,0,1,3,4,7},
    {0,1,5,6,2,3,4,7}, {1,5,6,0,2,3,4,7}, {0,5,6,1,2,3,4,7}, {5,6,0,1,2,3,4,7}, {0,1,2,3,4,6,5,7}, {1,2,3,4,6,0,5,7},
    {0,2,3,4,6,1,5,7}, {2,3,4,6,0,1,5,7}, {0,1,3,4,6,2,5,7}, {1,3,4,6,0,2,5,7}, {0,3,4,6,1,2,5,7}, {3,4,6,0,1,2,5,7},
    {0,1,2,4,6,3,5,7}, {1,2,4,6,0,3,5,7}, {0,2,4,6,1,3,5,7}, {2,4,6,0,1,3,5,7}, {0,1,4,6,2,3,5,7}, {1,4,6,0,2,3,5,7},
    {0,4,6,1,2,3,5,7}, {4,6,0,1,2,3,5,7}, {0,1,2,3,6,4,5,7}, {1,2,3,6,0,4,5,7}, {0,2,3,6,1,4,5,7}, {2,3,6,0,1,4,5,7},
    {0,1,3,6,2,4,5,7}, {1,3,6,0,2,4,5,7}, {0,3,6,1,2,4,5,7}, {3,6,0,1,2,4,5,7}, {0,1,2,6,3,4,5,7}, {1,2,6,0,3,4,5,7},
    {0,2,6,1,3,4,5,7}, {2,6,0,1,3,4,5,7}, {0,1,6,2,3,4,5,7}, {1,6,0,2,3,4,5,7}, {0,6,1,2,3,4,5,7}, {6,0,1,2,3,4,5,7},
    {0,1,2,3,4,5,6,7}, {1,2,3,4,5,0,6,7}, {0,2,3,4,5,1,6,7}, {2,3,4,5,0,1,6,7}, {0,1,3,4,5,2,6,7}, {1,3,4,5,0,2,6,7},
    {0,3,4,5,1,2,6,7}, {3,4,5,0,1,2,6,7}, {0,1,2,4,5,3,6,7}, {1,2,4,5,0,3,6,7}, {0,2,4,5,1,3,6,7}, {2,4,5,0,1,3,6,7},
    {0,1,4,5,2,3,6,7}, {1,4,5,0,2,3,6,7}, {0,4,5,1,2,3,6,7}, {4,5,0,1,2,3,6,7}, {0,1,2,3,5,4,6,7}, {1,2,3,5,0,4,6,7},
    {0,2,3,5,1,4,6,7}, {2,3,5,0,1,4,6,7}, {0,1,3,5,2,4,6,7}, {1,3,5,0,2,4,6,7}, {0,3,5,1,2,4,6,7}, {3,5,0,1,2,4,6,7},
    {0,1,2,5,3,4,6,7}, {1,2,5,0,3,4,6,7}, {0,2,5,1,3,4,6,7}, {2,5,0,1,3,4,6,7}, {0,1,5,2,3,4,6,7}, {1,5,0,2,3,4,6,7},
    {0,5,1,2,3,4,6,7}, {5,0,1,2,3,4,6,7}, {0,1,2,3,4,5,6,7}, {1,2,3,4,0,5,6,7}, {0,2,3,4,1,5,6,7}, {2,3,4,0,1,5,6,7},
    {0,1,3,4,2,5,6,7}, {1,3,4,0,2,5,6,7}, {0,3,4,1,2,5,6,7}, {3,4,0,1,2,5,6,7}, {0,1,2,4,3,5,6,7}, {1,2,4,0,3,5,6,7},
    {0,2,4,1,3,5,6,7}, {2,4,0,1,3,5,6,7}, {0,1,4,2,3,5,6,7}, {1,4,0,2,3,5,6,7}, {0,4,1,2,3,5,6,7}, {4,0,1,2,3,5,6,7},
    {0,1,2,3,4,5,6,7}, {1,2,3,0,4,5,6,7}, {0,2,3,1,4,5,6,7}, {2,3,0,1,4,5,6,7}, {0,1,3,2,4,5,6,7}, {1,3,0,2,4,5,6,7},
    {0,3,1,2,4,5,6,7}, {3,0,1,2,4,5,6,7}, {0,1,2,3,4,5,6,7}, {1,2,0,3,4,5,6,7}, {0,2,1,3,4,5,6,7}, {2,0,1,3,4,5,6,7},
    {0,1,2,3,4,5,6,7}, {1,0,2,3,4,5,6,7}, {0,1,2,3,4,5,6,7}, {0,1,2,3,4,5,6,7},
};
static const int32_t tk_lane_mask32[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
static const int64_t tk_lane_mask64[8] = {-1, -1, -1, -1, 0, 0, 0, 0};

P_ALWAYS __m256i tk_perm4(unsigned m) { return _mm256_load_si256((const __m256i *)(const void *)tk_perm_lut4[m]); }
P_ALWAYS __m256i tk_perm8(unsigned m) { return _mm256_load_si256((const __m256i *)(const void *)tk_sort_perm_lut8[m]); }
/* first rem lanes set (0 < rem < lanes) */
P_ALWAYS __m256i tk_mask64(size_t rem) { return _mm256_loadu_si256((const __m256i *)(const void *)(tk_lane_mask64 + 4 - rem)); }
P_ALWAYS __m256i tk_mask32(size_t rem) { return _mm256_loadu_si256((const __m256i *)(const void *)(tk_lane_mask32 + 8 - rem)); }

/* ------------------------------- double -------------------------------- */
P_ALWAYS __m256d f64_loadu(const double *p) { return _mm256_loadu_pd(p); }
P_ALWAYS void f64_storeu(double *p, __m256d v) { _mm256_storeu_pd(p, v); }
P_ALWAYS __m256d f64_set1(double x) { return _mm256_set1_pd(x); }
P_ALWAYS __m256d f64_maskload(const double *p, size_t rem) {
    __m256i m = tk_mask64(rem);
    return _mm256_blendv_pd(_mm256_set1_pd(__builtin_inf()), _mm256_maskload_pd(p, m), _mm256_castsi256_pd(m));
}
P_ALWAYS void f64_maskstore(double *p, size_t rem, __m256d v) { _mm256_maskstore_pd(p, tk_mask64(rem), v); }
/* vminpd(a, b) = a < b ? a : b ; vmaxpd(a, b) = a > b ? a : b */
P_ALWAYS __m256d f64_vmin(__m256d a, __m256d b) { return _mm256_min_pd(a, b); }
P_ALWAYS __m256d f64_vmax(__m256d a, __m256d b) { return _mm256_max_pd(a, b); }
P_ALWAYS __m256d f64_rev(__m256d v) { return _mm256_permute4x64_pd(v, 0x1B); }
#define F64_LAYER(v, t, imm) _mm256_blend_pd(f64_vmin(v, t), f64_vmax(v, t), imm)
P_ALWAYS __m256d f64_sort1(__m256d v) {
    v = F64_LAYER(v, _mm256_permute_pd(v, 0x5), 0xA);
    v = F64_LAYER(v, f64_rev(v), 0xC);
    v = F64_LAYER(v, _mm256_permute_pd(v, 0x5), 0xA);
    return v;
}
P_ALWAYS __m256d f64_clean(__m256d v) {
    v = F64_LAYER(v, _mm256_permute2f128_pd(v, v, 1), 0xC);
    v = F64_LAYER(v, _mm256_permute_pd(v, 0x5), 0xA);
    return v;
}
P_ALWAYS void f64_transpose(__m256d *r) {
    __m256d t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);
    __m256d t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
    r[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    r[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    r[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    r[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}
P_ALWAYS unsigned f64_mask_ge(__m256d x, __m256d p) { return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(x, p, _CMP_GE_OQ)); }
P_ALWAYS unsigned f64_mask_gt(__m256d x, __m256d p) { return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(x, p, _CMP_GT_OQ)); }
P_ALWAYS __m256d f64_compress(__m256d x, unsigned m) {
    return _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(x), tk_perm4(m)));
}
static void f64_heapsort(double *v, size_t n) { tk_heapsort_f64(v, n); }

#define S_T double
#define S_V __m256d
#define S_L 4
#define S_NAME(x) f64_##x
#define S_MAXVAL __builtin_inf()
#include "sort_avx2_template.h"

/* ------------------------------- int64 --------------------------------- */
P_ALWAYS __m256i i64_loadu(const int64_t *p) { return _mm256_loadu_si256((const __m256i *)(const void *)p); }
P_ALWAYS void i64_storeu(int64_t *p, __m256i v) { _mm256_storeu_si256((__m256i *)(void *)p, v); }
P_ALWAYS __m256i i64_set1(int64_t x) { return _mm256_set1_epi64x(x); }
P_ALWAYS __m256i i64_maskload(const int64_t *p, size_t rem) {
    __m256i m = tk_mask64(rem);
    return _mm256_blendv_epi8(_mm256_set1_epi64x(INT64_MAX), _mm256_maskload_epi64((const long long *)p, m), m);
}
P_ALWAYS void i64_maskstore(int64_t *p, size_t rem, __m256i v) { _mm256_maskstore_epi64((long long *)p, tk_mask64(rem), v); }
P_ALWAYS __m256i i64_vmin(__m256i a, __m256i b) { return _mm256_blendv_epi8(b, a, _mm256_cmpgt_epi64(b, a)); }
P_ALWAYS __m256i i64_vmax(__m256i a, __m256i b) { return _mm256_blendv_epi8(b, a, _mm256_cmpgt_epi64(a, b)); }
P_ALWAYS __m256i i64_rev(__m256i v) { return _mm256_permute4x64_epi64(v, 0x1B); }
#define I64_LAYER(v, t, imm) _mm256_blend_epi32(i64_vmin(v, t), i64_vmax(v, t), imm)
P_ALWAYS __m256i i64_sort1(__m256i v) {
    v = I64_LAYER(v, _mm256_shuffle_epi32(v, 0x4E), 0xCC);
    v = I64_LAYER(v, i64_rev(v), 0xF0);
    v = I64_LAYER(v, _mm256_shuffle_epi32(v, 0x4E), 0xCC);
    return v;
}
P_ALWAYS __m256i i64_clean(__m256i v) {
    v = I64_LAYER(v, _mm256_permute2x128_si256(v, v, 1), 0xF0);
    v = I64_LAYER(v, _mm256_shuffle_epi32(v, 0x4E), 0xCC);
    return v;
}
P_ALWAYS void i64_transpose(__m256i *r) {
    __m256i t0 = _mm256_unpacklo_epi64(r[0], r[1]), t1 = _mm256_unpackhi_epi64(r[0], r[1]);
    __m256i t2 = _mm256_unpacklo_epi64(r[2], r[3]), t3 = _mm256_unpackhi_epi64(r[2], r[3]);
    r[0] = _mm256_permute2x128_si256(t0, t2, 0x20);
    r[1] = _mm256_permute2x128_si256(t1, t3, 0x20);
    r[2] = _mm256_permute2x128_si256(t0, t2, 0x31);
    r[3] = _mm256_permute2x128_si256(t1, t3, 0x31);
}
P_ALWAYS unsigned i64_mask_ge(__m256i x, __m256i p) {
    return ~(unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(p, x))) & 0xFu;
}
P_ALWAYS unsigned i64_mask_gt(__m256i x, __m256i p) {
    return (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(x, p)));
}
P_ALWAYS __m256i i64_compress(__m256i x, unsigned m) {
    return _mm256_permutevar8x32_epi32(x, tk_perm4(m));
}
static void i64_heapsort(int64_t *v, size_t n) { tk_heapsort_i64(v, n); }

#define S_T int64_t
#define S_V __m256i
#define S_L 4
#define S_NAME(x) i64_##x
#define S_MAXVAL INT64_MAX
#include "sort_avx2_template.h"

/* ------------------------------- float --------------------------------- */
P_ALWAYS __m256 f32_loadu(const float *p) { return _mm256_loadu_ps(p); }
P_ALWAYS void f32_storeu(float *p, __m256 v) { _mm256_storeu_ps(p, v); }
P_ALWAYS __m256 f32_set1(float x) { return _mm256_set1_ps(x); }
P_ALWAYS __m256 f32_maskload(const float *p, size_t rem) {
    __m256i m = tk_mask32(rem);
    return _mm256_blendv_ps(_mm256_set1_ps(__builtin_inff()), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
P_ALWAYS void f32_maskstore(float *p, size_t rem, __m256 v) { _mm256_maskstore_ps(p, tk_mask32(rem), v); }
P_ALWAYS __m256 f32_vmin(__m256 a, __m256 b) { return _mm256_min_ps(a, b); }
P_ALWAYS __m256 f32_vmax(__m256 a, __m256 b) { return _mm256_max_ps(a, b); }
P_ALWAYS __m256 f32_rev(__m256 v) { return _mm256_permutevar8x32_ps(v, _mm256_setr_epi32(7, 6, 5, 4, 3, 2, 1, 0)); }
#define F32_LAYER(v, t, imm) _mm256_blend_ps(f32_vmin(v, t), f32_vmax(v, t), imm)
P_ALWAYS __m256 f32_sort1(__m256 v) {
    v = F32_LAYER(v, _mm256_permute_ps(v, 0xB1), 0xAA);
    v = F32_LAYER(v, _mm256_permute_ps(v, 0x1B), 0xCC);
    v = F32_LAYER(v, _mm256_permute_ps(v, 0xB1), 0xAA);
    v = F32_LAYER(v, f32_rev(v), 0xF0);
    v = F32_LAYER(v, _mm256_permute_ps(v, 0x4E), 0xCC);
    v = F32_LAYER(v, _mm256_permute_ps(v, 0xB1), 0xAA);
    return v;
}
P_ALWAYS __m256 f32_clean(__m256 v) {
    v = F32_LAYER(v, _mm256_permute2f128_ps(v, v, 1), 0xF0);
    v = F32_LAYER(v, _mm256_permute_ps(v, 0x4E), 0xCC);
    v = F32_LAYER(v, _mm256_permute_ps(v, 0xB1), 0xAA);
    return v;
}
P_ALWAYS void f32_transpose(__m256 *r) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}
P_ALWAYS unsigned f32_mask_ge(__m256 x, __m256 p) { return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(x, p, _CMP_GE_OQ)); }
P_ALWAYS unsigned f32_mask_gt(__m256 x, __m256 p) { return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(x, p, _CMP_GT_OQ)); }
P_ALWAYS __m256 f32_compress(__m256 x, unsigned m) {
    return _mm256_permutevar8x32_ps(x, tk_perm8(m));
}
static void f32_heapsort(float *v, size_t n) { tk_heapsort_f32(v, n); }

#define S_T float
#define S_V __m256
#define S_L 8
#define S_NAME(x) f32_##x
#define S_MAXVAL __builtin_inff()
#include "sort_avx2_template.h"

/* ------------------------------ exports -------------------------------- */
TK_TARGET_AVX2 void tk_qsort_f64_avx2(double *v, size_t n) { f64_qsort_rec(v, n, tk_sort_depth_limit(n)); }
TK_TARGET_AVX2 void tk_qsort_i64_avx2(int64_t *v, size_t n) { i64_qsort_rec(v, n, tk_sort_depth_limit(n)); }
TK_TARGET_AVX2 void tk_qsort_f32_avx2(float *v, size_t n) { f32_qsort_rec(v, n, tk_sort_depth_limit(n)); }
TK_TARGET_AVX2 size_t tk_partition_f64_avx2(double *v, size_t n, double p, int gt) { return f64_partition(v, n, p, gt); }
TK_TARGET_AVX2 size_t tk_partition_i64_avx2(int64_t *v, size_t n, int64_t p, int gt) { return i64_partition(v, n, p, gt); }
TK_TARGET_AVX2 size_t tk_partition_f32_avx2(float *v, size_t n, float p, int gt) { return f32_partition(v, n, p, gt); }

#else
/* ISO C wants at least one declaration per translation unit. */
typedef int tk_sort_avx2_unit;
#endif /* TK_X86_64 */
