/*
 * gemm_avx2.c — AVX2+FMA GEMM micro-kernels (x86_64 only; compiled with a
 * per-function target attribute, chosen at run time by gemm.c).
 *
 * Both compute the MR x NR tile  C = Ap * Bp  (add == 0) or  C += Ap * Bp
 * (add != 0) from packed panels (see gemm_template.h for the layout):
 *   ap: kc groups of MR values (one column of the A micro-panel)
 *   bp: kc groups of NR values (one row of the B micro-panel), 64-byte aligned
 * The accumulators are 12 ymm registers; 2 hold B, 1 the broadcast A value.
 */
#include "tk_internal.h"

#if TK_X86_64
#include <immintrin.h>

#define TK_D_STEP(off)                                              \
    do {                                                            \
        __m256d b0 = _mm256_load_pd(bp + (off) * 8);                \
        __m256d b1 = _mm256_load_pd(bp + (off) * 8 + 4);            \
        __m256d av;                                                 \
        av = _mm256_broadcast_sd(ap + (off) * 6 + 0);               \
        c00 = _mm256_fmadd_pd(av, b0, c00);                         \
        c01 = _mm256_fmadd_pd(av, b1, c01);                         \
        av = _mm256_broadcast_sd(ap + (off) * 6 + 1);               \
        c10 = _mm256_fmadd_pd(av, b0, c10);                         \
        c11 = _mm256_fmadd_pd(av, b1, c11);                         \
        av = _mm256_broadcast_sd(ap + (off) * 6 + 2);               \
        c20 = _mm256_fmadd_pd(av, b0, c20);                         \
        c21 = _mm256_fmadd_pd(av, b1, c21);                         \
        av = _mm256_broadcast_sd(ap + (off) * 6 + 3);               \
        c30 = _mm256_fmadd_pd(av, b0, c30);                         \
        c31 = _mm256_fmadd_pd(av, b1, c31);                         \
        av = _mm256_broadcast_sd(ap + (off) * 6 + 4);               \
        c40 = _mm256_fmadd_pd(av, b0, c40);                         \
        c41 = _mm256_fmadd_pd(av, b1, c41);                         \
        av = _mm256_broadcast_sd(ap + (off) * 6 + 5);               \
        c50 = _mm256_fmadd_pd(av, b0, c50);                         \
        c51 = _mm256_fmadd_pd(av, b1, c51);                         \
    } while (0)

TK_TARGET_AVX2 void tk_dgemm_ukr_avx2(size_t kc, const double *ap, const double *bp,
                                      double *c, size_t ldc, int add) {
    __m256d c00 = _mm256_setzero_pd(), c01 = _mm256_setzero_pd();
    __m256d c10 = _mm256_setzero_pd(), c11 = _mm256_setzero_pd();
    __m256d c20 = _mm256_setzero_pd(), c21 = _mm256_setzero_pd();
    __m256d c30 = _mm256_setzero_pd(), c31 = _mm256_setzero_pd();
    __m256d c40 = _mm256_setzero_pd(), c41 = _mm256_setzero_pd();
    __m256d c50 = _mm256_setzero_pd(), c51 = _mm256_setzero_pd();
    for (int r = 0; r < 6; r++) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
    size_t p = 0;
    for (; p + 4 <= kc; p += 4) {
        _mm_prefetch((const char *)(ap + 48), _MM_HINT_T0);
        TK_D_STEP(0);
        TK_D_STEP(1);
        TK_D_STEP(2);
        TK_D_STEP(3);
        ap += 24;
        bp += 32;
    }
    for (; p < kc; p++) {
        TK_D_STEP(0);
        ap += 6;
        bp += 8;
    }
#define TK_D_OUT(r, x0, x1)                                                       \
    do {                                                                          \
        double *cr = c + (r) * ldc;                                               \
        if (add) {                                                                \
            x0 = _mm256_add_pd(x0, _mm256_loadu_pd(cr));                          \
            x1 = _mm256_add_pd(x1, _mm256_loadu_pd(cr + 4));                      \
        }                                                                         \
        _mm256_storeu_pd(cr, x0);                                                 \
        _mm256_storeu_pd(cr + 4, x1);                                             \
    } while (0)
    TK_D_OUT(0, c00, c01);
    TK_D_OUT(1, c10, c11);
    TK_D_OUT(2, c20, c21);
    TK_D_OUT(3, c30, c31);
    TK_D_OUT(4, c40, c41);
    TK_D_OUT(5, c50, c51);
#undef TK_D_OUT
}

#define TK_S_STEP(off)                                              \
    do {                                                            \
        __m256 b0 = _mm256_load_ps(bp + (off) * 16);                \
        __m256 b1 = _mm256_load_ps(bp + (off) * 16 + 8);            \
        __m256 av;                                                  \
        av = _mm256_broadcast_ss(ap + (off) * 6 + 0);               \
        c00 = _mm256_fmadd_ps(av, b0, c00);                         \
        c01 = _mm256_fmadd_ps(av, b1, c01);                         \
        av = _mm256_broadcast_ss(ap + (off) * 6 + 1);               \
        c10 = _mm256_fmadd_ps(av, b0, c10);                         \
        c11 = _mm256_fmadd_ps(av, b1, c11);                         \
        av = _mm256_broadcast_ss(ap + (off) * 6 + 2);               \
        c20 = _mm256_fmadd_ps(av, b0, c20);                         \
        c21 = _mm256_fmadd_ps(av, b1, c21);                         \
        av = _mm256_broadcast_ss(ap + (off) * 6 + 3);               \
        c30 = _mm256_fmadd_ps(av, b0, c30);                         \
        c31 = _mm256_fmadd_ps(av, b1, c31);                         \
        av = _mm256_broadcast_ss(ap + (off) * 6 + 4);               \
        c40 = _mm256_fmadd_ps(av, b0, c40);                         \
        c41 = _mm256_fmadd_ps(av, b1, c41);                         \
        av = _mm256_broadcast_ss(ap + (off) * 6 + 5);               \
        c50 = _mm256_fmadd_ps(av, b0, c50);                         \
        c51 = _mm256_fmadd_ps(av, b1, c51);                         \
    } while (0)

TK_TARGET_AVX2 void tk_sgemm_ukr_avx2(size_t kc, const float *ap, const float *bp, float *c,
                                      size_t ldc, int add) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    for (int r = 0; r < 6; r++) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
    size_t p = 0;
    for (; p + 4 <= kc; p += 4) {
        _mm_prefetch((const char *)(ap + 48), _MM_HINT_T0);
        TK_S_STEP(0);
        TK_S_STEP(1);
        TK_S_STEP(2);
        TK_S_STEP(3);
        ap += 24;
        bp += 64;
    }
    for (; p < kc; p++) {
        TK_S_STEP(0);
        ap += 6;
        bp += 16;
    }
#define TK_S_OUT(r, x0, x1)                                                       \
    do {                                                                          \
        float *cr = c + (r) * ldc;                                                \
        if (add) {                                                                \
            x0 = _mm256_add_ps(x0, _mm256_loadu_ps(cr));                          \
            x1 = _mm256_add_ps(x1, _mm256_loadu_ps(cr + 8));                      \
        }                                                                         \
        _mm256_storeu_ps(cr, x0);                                                 \
        _mm256_storeu_ps(cr + 8, x1);                                             \
    } while (0)
    TK_S_OUT(0, c00, c01);
    TK_S_OUT(1, c10, c11);
    TK_S_OUT(2, c20, c21);
    TK_S_OUT(3, c30, c31);
    TK_S_OUT(4, c40, c41);
    TK_S_OUT(5, c50, c51);
#undef TK_S_OUT
}

#else
/* ISO C wants at least one declaration per translation unit. */
typedef int tk_gemm_avx2_unit;
#endif /* TK_X86_64 */
