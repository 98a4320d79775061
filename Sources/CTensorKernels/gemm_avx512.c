/*
 * gemm_avx512.c — AVX-512F GEMM micro-kernels (x86_64 only; compiled with a
 * per-function target attribute, chosen at run time by gemm.c when the CPU and
 * OS support AVX-512F).
 *
 * Same contract as the AVX2 kernels (gemm_avx2.c): C = or += Ap * Bp for one
 * MR x NR tile from packed panels. With 32 zmm registers the tile is 12 rows
 * by two vectors: double 12 x 16 and float 12 x 32, 24 accumulators, 2
 * registers for B and 1 for the broadcast A value; 24 FMAs per k step keep
 * both 512-bit FMA pipes of a Zen 5 (or Skylake-SP and later) busy.
 */
#include "tk_internal.h"

#if TK_X86_64
#include <immintrin.h>

/* One k step of the double kernel: row r of C += a[r] * (b0 | b1). */
#define TK_Z_ROW(r)                                                     \
    av = _mm512_set1_pd(ap[(r)]);                                       \
    c##r##a = _mm512_fmadd_pd(av, b0, c##r##a);                         \
    c##r##b = _mm512_fmadd_pd(av, b1, c##r##b)

#define TK_Z_DECLARE(r) __m512d c##r##a = _mm512_setzero_pd(), c##r##b = _mm512_setzero_pd()

#define TK_Z_OUT(r)                                                     \
    do {                                                                \
        double *cr = c + (r) * ldc;                                     \
        if (add) {                                                      \
            c##r##a = _mm512_add_pd(c##r##a, _mm512_loadu_pd(cr));      \
            c##r##b = _mm512_add_pd(c##r##b, _mm512_loadu_pd(cr + 8));  \
        }                                                               \
        _mm512_storeu_pd(cr, c##r##a);                                  \
        _mm512_storeu_pd(cr + 8, c##r##b);                              \
    } while (0)

TK_TARGET_AVX512 void tk_dgemm_ukr_avx512(size_t kc, const double *ap, const double *bp,
                                          double *c, size_t ldc, int add) {
    TK_Z_DECLARE(0); TK_Z_DECLARE(1); TK_Z_DECLARE(2); TK_Z_DECLARE(3);
    TK_Z_DECLARE(4); TK_Z_DECLARE(5); TK_Z_DECLARE(6); TK_Z_DECLARE(7);
    TK_Z_DECLARE(8); TK_Z_DECLARE(9); TK_Z_DECLARE(10); TK_Z_DECLARE(11);
    for (int r = 0; r < 12; r++) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
    for (size_t p = 0; p < kc; p++) {
        __m512d b0 = _mm512_loadu_pd(bp);
        __m512d b1 = _mm512_loadu_pd(bp + 8);
        __m512d av;
        _mm_prefetch((const char *)(ap + 96), _MM_HINT_T0);
        TK_Z_ROW(0); TK_Z_ROW(1); TK_Z_ROW(2); TK_Z_ROW(3);
        TK_Z_ROW(4); TK_Z_ROW(5); TK_Z_ROW(6); TK_Z_ROW(7);
        TK_Z_ROW(8); TK_Z_ROW(9); TK_Z_ROW(10); TK_Z_ROW(11);
        ap += 12;
        bp += 16;
    }
    TK_Z_OUT(0); TK_Z_OUT(1); TK_Z_OUT(2); TK_Z_OUT(3);
    TK_Z_OUT(4); TK_Z_OUT(5); TK_Z_OUT(6); TK_Z_OUT(7);
    TK_Z_OUT(8); TK_Z_OUT(9); TK_Z_OUT(10); TK_Z_OUT(11);
}

/* The float kernel: 12 x 32. */
#define TK_Y_ROW(r)                                                     \
    av = _mm512_set1_ps(ap[(r)]);                                       \
    s##r##a = _mm512_fmadd_ps(av, b0, s##r##a);                         \
    s##r##b = _mm512_fmadd_ps(av, b1, s##r##b)

#define TK_Y_DECLARE(r) __m512 s##r##a = _mm512_setzero_ps(), s##r##b = _mm512_setzero_ps()

#define TK_Y_OUT(r)                                                     \
    do {                                                                \
        float *cr = c + (r) * ldc;                                      \
        if (add) {                                                      \
            s##r##a = _mm512_add_ps(s##r##a, _mm512_loadu_ps(cr));      \
            s##r##b = _mm512_add_ps(s##r##b, _mm512_loadu_ps(cr + 16)); \
        }                                                               \
        _mm512_storeu_ps(cr, s##r##a);                                  \
        _mm512_storeu_ps(cr + 16, s##r##b);                             \
    } while (0)

TK_TARGET_AVX512 void tk_sgemm_ukr_avx512(size_t kc, const float *ap, const float *bp, float *c,
                                          size_t ldc, int add) {
    TK_Y_DECLARE(0); TK_Y_DECLARE(1); TK_Y_DECLARE(2); TK_Y_DECLARE(3);
    TK_Y_DECLARE(4); TK_Y_DECLARE(5); TK_Y_DECLARE(6); TK_Y_DECLARE(7);
    TK_Y_DECLARE(8); TK_Y_DECLARE(9); TK_Y_DECLARE(10); TK_Y_DECLARE(11);
    for (int r = 0; r < 12; r++) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
    for (size_t p = 0; p < kc; p++) {
        __m512 b0 = _mm512_loadu_ps(bp);
        __m512 b1 = _mm512_loadu_ps(bp + 16);
        __m512 av;
        _mm_prefetch((const char *)(ap + 96), _MM_HINT_T0);
        TK_Y_ROW(0); TK_Y_ROW(1); TK_Y_ROW(2); TK_Y_ROW(3);
        TK_Y_ROW(4); TK_Y_ROW(5); TK_Y_ROW(6); TK_Y_ROW(7);
        TK_Y_ROW(8); TK_Y_ROW(9); TK_Y_ROW(10); TK_Y_ROW(11);
        ap += 12;
        bp += 32;
    }
    TK_Y_OUT(0); TK_Y_OUT(1); TK_Y_OUT(2); TK_Y_OUT(3);
    TK_Y_OUT(4); TK_Y_OUT(5); TK_Y_OUT(6); TK_Y_OUT(7);
    TK_Y_OUT(8); TK_Y_OUT(9); TK_Y_OUT(10); TK_Y_OUT(11);
}

#else
/* ISO C wants at least one declaration per translation unit. */
typedef int tk_gemm_avx512_unit;
#endif /* TK_X86_64 */
