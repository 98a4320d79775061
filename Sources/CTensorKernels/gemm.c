/*
 * gemm.c — row-major DGEMM / SGEMM (C = A*B or C += A*B).
 *
 * Design: the Goto/BLIS algorithm (K. Goto & R. van de Geijn, "Anatomy of
 * High-Performance Matrix Multiplication", ACM TOMS 34(3), 2008; F. Van Zee &
 * R. van de Geijn, "BLIS: A Framework for Rapidly Instantiating BLAS
 * Functionality", ACM TOMS 41(3), 2015). Five loops around a register-blocked
 * micro-kernel (gemm_template.h):
 *
 *   loop 5  jc: n in steps of NC   B block (KC x NC) lives in L3
 *   loop 4  pc: k in steps of KC   pack B block into NR-wide micro-panels
 *   loop 3  ic: m in steps of MC   pack A block (MC x KC) into MR-high panels, L2
 *   loop 2  jr: NC in steps of NR  one B micro-panel (KC x NR) stays in L1
 *   loop 1  ir: MC in steps of MR  micro-kernel: MR x NR tile of C in registers
 *
 * Micro-kernels (gemm_avx2.c): double 6x8 = 12 ymm accumulators, float 6x16
 * = 12 ymm accumulators; per k step 2 B vectors are loaded and 6 A values
 * broadcast, 12 FMAs. With 2 FMA pipes this is latency-hidden (12 independent
 * chains >= 2 pipes x 4-5 cycles). This is BLIS's haswell/zen register block.
 *
 * Cache blocks (defaults below, overridable with -D for tuning):
 *   double: MC=120 KC=256 NC=2040: B micro-panel 256*8*8 B = 16 KiB (L1 is
 *           32-48 KiB), A block 120*256*8 B = 240 KiB (L2 is 0.5-2 MiB),
 *           B block 256*2040*8 B = 4 MiB (shared L3).
 *   float:  MC=120 KC=384 NC=4080: B micro-panel 384*16*4 B = 24 KiB,
 *           A block 120*384*4 B = 180 KiB, B block 384*4080*4 B = 6 MiB.
 * They were tuned on an AMD EPYC (Zen 5, 48 KiB L1d, 1 MiB L2) and are
 * within BLIS's haswell/zen ranges, so they suit other AVX2 parts too.
 *
 * Thin shapes (m, n or k <= 4: vector-matrix, matrix-vector, outer
 * products) skip packing: they are memory-bound and packing would
 * cost more than the compute (e.g. 1 x 2000 x 2000 ran 4x slower packed).
 *
 * Edge handling: the packing routines pad A panels to MR rows and B panels
 * to NR columns with zeros; edge tiles are computed into a local tile and
 * only the valid part is written to C. lda/ldb/ldc may exceed the widths.
 *
 * Threads (tk_?gemm_mt): C is cut into `threads` blocks of whole rows (when
 * m has at least as many MR-tiles as n has NR-tiles) or whole columns, each
 * computed independently with its own packing buffers. The price is that
 * each thread packs the part of the other operand it needs (B for a row
 * split), which is O(k*n) work against O(m*n*k/threads) flops: about 2-3%
 * at n = 1024. In exchange there is no barrier and no shared buffer, and the
 * same contract lets a caller with its own thread pool call tk_dgemm on
 * disjoint row blocks (offset a and c by row0*lda and row0*ldc).
 */
#include "tk_internal.h"
#include "CTensorKernels.h"
#include <string.h>

#ifndef TK_DGEMM_MC
#define TK_DGEMM_MC 120
#endif
#ifndef TK_DGEMM_KC
#define TK_DGEMM_KC 256
#endif
#ifndef TK_DGEMM_NC
#define TK_DGEMM_NC 2040
#endif
#ifndef TK_SGEMM_MC
#define TK_SGEMM_MC 120
#endif
#ifndef TK_SGEMM_KC
#define TK_SGEMM_KC 384
#endif
#ifndef TK_SGEMM_NC
#define TK_SGEMM_NC 4080
#endif

#ifndef TK_DGEMM512_MC
#define TK_DGEMM512_MC 120
#endif
#ifndef TK_DGEMM512_KC
#define TK_DGEMM512_KC 256
#endif
#ifndef TK_DGEMM512_NC
#define TK_DGEMM512_NC 2048
#endif
#ifndef TK_SGEMM512_MC
#define TK_SGEMM512_MC 120
#endif
#ifndef TK_SGEMM512_KC
#define TK_SGEMM512_KC 256
#endif
#ifndef TK_SGEMM512_NC
#define TK_SGEMM512_NC 4096
#endif

/* m, n or k at most this: plain loops instead of packing (gemm_template.h) */
#define TK_GEMM_THIN 4

#if (TK_DGEMM_MC % TK_DGEMM_MR) || (TK_DGEMM_NC % TK_DGEMM_NR) || \
    (TK_SGEMM_MC % TK_SGEMM_MR) || (TK_SGEMM_NC % TK_SGEMM_NR)
#error "MC must be a multiple of MR and NC a multiple of NR"
#endif

#define G_T double
#define G_NAME(x) tk_d##x
#define G_MR TK_DGEMM_MR
#define G_NR TK_DGEMM_NR
#define G_MC TK_DGEMM_MC
#define G_KC TK_DGEMM_KC
#define G_NC TK_DGEMM_NC
#define G_UKR_AVX2 tk_dgemm_ukr_avx2
#include "gemm_template.h"
#undef G_T
#undef G_NAME
#undef G_MR
#undef G_NR
#undef G_MC
#undef G_KC
#undef G_NC
#undef G_UKR_AVX2

#define G_T float
#define G_NAME(x) tk_s##x
#define G_MR TK_SGEMM_MR
#define G_NR TK_SGEMM_NR
#define G_MC TK_SGEMM_MC
#define G_KC TK_SGEMM_KC
#define G_NC TK_SGEMM_NC
#define G_UKR_AVX2 tk_sgemm_ukr_avx2
#include "gemm_template.h"
#undef G_T
#undef G_NAME
#undef G_MR
#undef G_NR
#undef G_MC
#undef G_KC
#undef G_NC
#undef G_UKR_AVX2

/* The AVX-512 instantiations: the same driver around the 12 x 16 (double) and
 * 12 x 32 (float) kernels of gemm_avx512.c, taken where tk_internal_gemm_avx512() says
 * (AVX-512F, and not a CPU that splits 512-bit operations in two: see dispatch.c). Their "avx2" flag selects the
 * AVX-512 kernel (and the AVX2 clones of the thin-shape loops). Cache blocks:
 * a B micro-panel of KC x NR is 256 x 16 x 8 B = 32 KiB (double) and
 * 256 x 32 x 4 B = 32 KiB (float), inside a 48 KiB L1d; NC is a multiple of
 * NR. Only on x86_64. */
#if TK_X86_64
#if (TK_DGEMM512_MC % TK_DGEMM512_MR) || (TK_DGEMM512_NC % TK_DGEMM512_NR) || \
    (TK_SGEMM512_MC % TK_SGEMM512_MR) || (TK_SGEMM512_NC % TK_SGEMM512_NR)
#error "MC must be a multiple of MR and NC a multiple of NR"
#endif
#define G_T double
#define G_NAME(x) tk_dz##x
#define G_MR TK_DGEMM512_MR
#define G_NR TK_DGEMM512_NR
#define G_MC TK_DGEMM512_MC
#define G_KC TK_DGEMM512_KC
#define G_NC TK_DGEMM512_NC
#define G_UKR_AVX2 tk_dgemm_ukr_avx512
#include "gemm_template.h"
#undef G_T
#undef G_NAME
#undef G_MR
#undef G_NR
#undef G_MC
#undef G_KC
#undef G_NC
#undef G_UKR_AVX2

#define G_T float
#define G_NAME(x) tk_sz##x
#define G_MR TK_SGEMM512_MR
#define G_NR TK_SGEMM512_NR
#define G_MC TK_SGEMM512_MC
#define G_KC TK_SGEMM512_KC
#define G_NC TK_SGEMM512_NC
#define G_UKR_AVX2 tk_sgemm_ukr_avx512
#include "gemm_template.h"
#endif

void tk_dgemm(size_t m, size_t n, size_t k, const double *a, size_t lda, const double *b,
              size_t ldb, double *c, size_t ldc, int accumulate) {
#if TK_X86_64
    if (tk_internal_gemm_avx512()) {
        tk_dzgemm_entry(m, n, k, a, lda, b, ldb, c, ldc, accumulate, 1);
        return;
    }
#endif
    tk_dgemm_entry(m, n, k, a, lda, b, ldb, c, ldc, accumulate, tk_internal_use_avx2());
}

void tk_sgemm(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
              size_t ldb, float *c, size_t ldc, int accumulate) {
#if TK_X86_64
    if (tk_internal_gemm_avx512()) {
        tk_szgemm_entry(m, n, k, a, lda, b, ldb, c, ldc, accumulate, 1);
        return;
    }
#endif
    tk_sgemm_entry(m, n, k, a, lda, b, ldb, c, ldc, accumulate, tk_internal_use_avx2());
}

void tk_dgemm_mt(size_t m, size_t n, size_t k, const double *a, size_t lda, const double *b,
                 size_t ldb, double *c, size_t ldc, int accumulate, int threads) {
#if TK_X86_64
    if (tk_internal_gemm_avx512()) {
        tk_dzgemm_threaded(m, n, k, a, lda, b, ldb, c, ldc, accumulate, threads);
        return;
    }
#endif
    tk_dgemm_threaded(m, n, k, a, lda, b, ldb, c, ldc, accumulate, threads);
}

void tk_sgemm_mt(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                 size_t ldb, float *c, size_t ldc, int accumulate, int threads) {
#if TK_X86_64
    if (tk_internal_gemm_avx512()) {
        tk_szgemm_threaded(m, n, k, a, lda, b, ldb, c, ldc, accumulate, threads);
        return;
    }
#endif
    tk_sgemm_threaded(m, n, k, a, lda, b, ldb, c, ldc, accumulate, threads);
}
