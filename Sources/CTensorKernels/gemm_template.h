/*
 * gemm_template.h — the GEMM driver, written once and instantiated for double
 * and float by gemm.c (a C "template": gemm.c defines the macros below and
 * includes this file twice). Private to the target.
 *
 * Required macros:
 *   G_T            element type (double / float)
 *   G_NAME(x)      prefixes a name (tk_d##x / tk_s##x)
 *   G_MR, G_NR     register block (micro-tile) of C
 *   G_MC, G_KC, G_NC  cache blocks (see gemm.c for the rationale)
 *   G_UKR_AVX2     the AVX2+FMA micro-kernel (x86_64 only)
 */

/* Packs the mc x kc block of row-major A (rows i.., columns p..) into
 * micro-panels of G_MR rows: panel r holds, for each of the kc columns,
 * G_MR consecutive values A[r*G_MR + 0..G_MR-1][p]. Rows past mc are zero so
 * that the micro-kernel always computes a full tile. */
static void G_NAME(pack_a)(size_t mc, size_t kc, const G_T *a, size_t lda, G_T *ap) {
    for (size_t i = 0; i < mc; i += G_MR) {
        size_t mr = mc - i < G_MR ? mc - i : G_MR;
        const G_T *rows[G_MR];
        for (size_t r = 0; r < G_MR; r++) rows[r] = a + (i + (r < mr ? r : 0)) * lda;
        if (mr == G_MR) {
            for (size_t p = 0; p < kc; p++) {
                for (size_t r = 0; r < G_MR; r++) ap[r] = rows[r][p];
                ap += G_MR;
            }
        } else {
            for (size_t p = 0; p < kc; p++) {
                for (size_t r = 0; r < G_MR; r++) ap[r] = r < mr ? rows[r][p] : (G_T)0;
                ap += G_MR;
            }
        }
    }
}

/* Packs the kc x nc block of row-major B into micro-panels of G_NR columns:
 * panel j holds, for each of the kc rows, G_NR consecutive values of that
 * row. Columns past nc are zero.
 *
 * A panel reads its kc rows a whole row stride apart (8 KiB for n = 1024),
 * a new page each, which no hardware prefetcher follows: the copy waited on
 * memory (8% of a 1024^3 double product on a Zen 4). Each row's piece is
 * copied whole (memcpy: vector moves, where the element loop compiled to
 * scalar ones) and the piece 24 rows ahead is prefetched: 3-6% off the
 * product. Reading B row by row instead (each row's pieces scattered to
 * panels 32 KiB apart, one cache set) was slower. */
static void G_NAME(pack_b)(size_t kc, size_t nc, const G_T *b, size_t ldb, G_T *bp) {
    for (size_t j = 0; j < nc; j += G_NR) {
        size_t nr = nc - j < G_NR ? nc - j : G_NR;
        const G_T *src = b + j;
        if (nr == G_NR) {
            for (size_t p = 0; p < kc; p++) {
                if (p + 24 < kc) {
                    __builtin_prefetch(src + 24 * ldb);
                    __builtin_prefetch(src + 24 * ldb + G_NR - 1);
                }
                memcpy(bp, src, G_NR * sizeof(G_T));
                src += ldb;
                bp += G_NR;
            }
        } else {
            for (size_t p = 0; p < kc; p++) {
                for (size_t q = 0; q < G_NR; q++) bp[q] = q < nr ? src[q] : (G_T)0;
                src += ldb;
                bp += G_NR;
            }
        }
    }
}

/* Portable micro-kernel: plain C, the compiler vectorises it for the
 * baseline ISA (SSE2 on x86-64, NEON on aarch64). Same contract as the AVX2
 * one: c (row stride ldc) = or += the G_MR x G_NR product of the panels. */
static void G_NAME(ukr_portable)(size_t kc, const G_T *restrict ap, const G_T *restrict bp,
                                 G_T *restrict c, size_t ldc, int add) {
    G_T acc[G_MR][G_NR];
    for (size_t r = 0; r < G_MR; r++)
        for (size_t q = 0; q < G_NR; q++) acc[r][q] = 0;
    for (size_t p = 0; p < kc; p++) {
        for (size_t r = 0; r < G_MR; r++) {
            G_T av = ap[r];
            for (size_t q = 0; q < G_NR; q++) acc[r][q] += av * bp[q];
        }
        ap += G_MR;
        bp += G_NR;
    }
    for (size_t r = 0; r < G_MR; r++) {
        G_T *cr = c + r * ldc;
        if (add)
            for (size_t q = 0; q < G_NR; q++) cr[q] += acc[r][q];
        else
            for (size_t q = 0; q < G_NR; q++) cr[q] = acc[r][q];
    }
}

typedef void (*G_NAME(ukr_fn))(size_t, const G_T *, const G_T *, G_T *, size_t, int);

/* Macro-kernel (BLIS "loops 2 and 1"): walks the packed mc x kc block of A
 * and kc x nc block of B in G_MR x G_NR tiles. The jr loop is outside so that
 * one B micro-panel (kc x G_NR) stays in L1 while the A micro-panels stream
 * from L2. Edge tiles are computed into a local tile and the valid part is
 * copied out. */
static void G_NAME(macro_kernel)(G_NAME(ukr_fn) ukr, size_t mc, size_t nc, size_t kc,
                                 const G_T *ap, const G_T *bp, G_T *c, size_t ldc, int add) {
    G_T tile[G_MR * G_NR] __attribute__((aligned(64)));
    for (size_t j = 0; j < nc; j += G_NR) {
        size_t nr = nc - j < G_NR ? nc - j : G_NR;
        const G_T *bpj = bp + j * kc;
        for (size_t i = 0; i < mc; i += G_MR) {
            size_t mr = mc - i < G_MR ? mc - i : G_MR;
            const G_T *api = ap + i * kc;
            G_T *cij = c + i * ldc + j;
            if (mr == G_MR && nr == G_NR) {
                ukr(kc, api, bpj, cij, ldc, add);
            } else {
                ukr(kc, api, bpj, tile, G_NR, 0);
                for (size_t r = 0; r < mr; r++) {
                    G_T *cr = cij + r * ldc;
                    const G_T *tr = tile + r * G_NR;
                    if (add)
                        for (size_t q = 0; q < nr; q++) cr[q] += tr[q];
                    else
                        for (size_t q = 0; q < nr; q++) cr[q] = tr[q];
                }
            }
        }
    }
}

/* Used only when the packing buffers cannot be allocated: slow but correct. */
static void G_NAME(gemm_naive)(size_t m, size_t n, size_t k, const G_T *a, size_t lda,
                               const G_T *b, size_t ldb, G_T *c, size_t ldc, int accumulate) {
    for (size_t i = 0; i < m; i++) {
        G_T *ci = c + i * ldc;
        if (!accumulate)
            for (size_t j = 0; j < n; j++) ci[j] = 0;
        for (size_t p = 0; p < k; p++) {
            G_T av = a[i * lda + p];
            const G_T *bp = b + p * ldb;
            for (size_t j = 0; j < n; j++) ci[j] += av * bp[j];
        }
    }
}

/* Thin shapes (m, n or k <= TK_GEMM_THIN): packing cannot pay for itself, so
 * plain loops are used; the same body is compiled for the baseline and, on
 * x86_64, as an AVX2+FMA clone (auto-vectorised). */
static inline __attribute__((always_inline)) void
G_NAME(thin_body)(size_t m, size_t n, size_t k, const G_T *a, size_t lda, const G_T *b,
                  size_t ldb, G_T *c, size_t ldc, int accumulate) {
    if (!accumulate)
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++) c[i * ldc + j] = 0;
    if (m <= TK_GEMM_THIN && m <= n) {
        /* few rows: C rows += a[i][p] * B row p, in column blocks that keep
         * the m rows of C within 16 KiB of L1 */
        size_t jb = 16384 / sizeof(G_T) / m;
        for (size_t j0 = 0; j0 < n; j0 += jb) {
            size_t jn = n - j0 < jb ? n - j0 : jb;
            for (size_t p = 0; p < k; p++) {
                const G_T *bp = b + p * ldb + j0;
                for (size_t i = 0; i < m; i++) {
                    G_T av = a[i * lda + p];
                    G_T *ci = c + i * ldc + j0;
                    for (size_t j = 0; j < jn; j++) ci[j] += av * bp[j];
                }
            }
        }
    } else if (n > TK_GEMM_THIN) {
        /* small k (outer-product like): row by row, C row += a[i][p] * B row p */
        for (size_t i = 0; i < m; i++) {
            G_T *ci = c + i * ldc;
            for (size_t p = 0; p < k; p++) {
                G_T av = a[i * lda + p];
                const G_T *bp = b + p * ldb;
                for (size_t j = 0; j < n; j++) ci[j] += av * bp[j];
            }
        }
    } else {
        /* few columns: dot products of A rows with B columns, the columns
         * copied to contiguous chunks; 16 partial sums per dot */
        G_T col[TK_GEMM_THIN][512];
        for (size_t p0 = 0; p0 < k; p0 += 512) {
            size_t pn = k - p0 < 512 ? k - p0 : 512;
            for (size_t j = 0; j < n; j++)
                for (size_t p = 0; p < pn; p++) col[j][p] = b[(p0 + p) * ldb + j];
            for (size_t i = 0; i < m; i++) {
                const G_T *ai = a + i * lda + p0;
                for (size_t j = 0; j < n; j++) {
                    G_T acc[16] = {0};
                    size_t p = 0;
                    for (; p + 16 <= pn; p += 16)
                        for (size_t l = 0; l < 16; l++) acc[l] += ai[p + l] * col[j][p + l];
                    for (; p < pn; p++) acc[0] += ai[p] * col[j][p];
                    G_T sum = 0;
                    for (size_t l = 0; l < 16; l++) sum += acc[l];
                    c[i * ldc + j] += sum;
                }
            }
        }
    }
}

static void G_NAME(thin_portable)(size_t m, size_t n, size_t k, const G_T *a, size_t lda,
                                  const G_T *b, size_t ldb, G_T *c, size_t ldc, int accumulate) {
    G_NAME(thin_body)(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
}

#if TK_X86_64
static TK_TARGET_AVX2 void G_NAME(thin_avx2)(size_t m, size_t n, size_t k, const G_T *a,
                                             size_t lda, const G_T *b, size_t ldb, G_T *c,
                                             size_t ldc, int accumulate) {
    G_NAME(thin_body)(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
}
#endif

/* Single-threaded GEMM on one block of C (the Goto/BLIS loop nest):
 *   for jc in n step NC:            (loop 5)  B block kc x nc -> L3
 *     for pc in k step KC:          (loop 4)  pack B[pc.., jc..]
 *       for ic in m step MC:        (loop 3)  pack A[ic.., pc..] -> L2
 *         macro-kernel              (loops 2, 1, micro-kernel)
 * Requires m, n, k > 0. */
static void G_NAME(gemm_serial)(size_t m, size_t n, size_t k, const G_T *a, size_t lda,
                                const G_T *b, size_t ldb, G_T *c, size_t ldc, int accumulate,
                                int avx2) {
    G_NAME(ukr_fn) ukr = G_NAME(ukr_portable);
#if TK_X86_64
    if (avx2) ukr = G_UKR_AVX2;
#endif
    (void)avx2;
    size_t mcap = m < G_MC ? (m + G_MR - 1) / G_MR * G_MR : G_MC;
    size_t ncap = n < G_NC ? (n + G_NR - 1) / G_NR * G_NR : G_NC;
    size_t kcap = k < G_KC ? k : G_KC;
    /* Packing buffers: the thread's reusable scratch when there is one, else fresh ones. */
    G_T *ap = (G_T *)tk_scratch(0, mcap * kcap * sizeof(G_T));
    G_T *bp = (G_T *)tk_scratch(1, ncap * kcap * sizeof(G_T));
    int owned = 0;
    if (ap == NULL || bp == NULL) {
        owned = 1;
        ap = (G_T *)tk_aligned_alloc(mcap * kcap * sizeof(G_T));
        bp = (G_T *)tk_aligned_alloc(ncap * kcap * sizeof(G_T));
    }
    if (ap == NULL || bp == NULL) {
        tk_aligned_free(ap);
        tk_aligned_free(bp);
        G_NAME(gemm_naive)(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        return;
    }
    for (size_t jc = 0; jc < n; jc += G_NC) {
        size_t nc = n - jc < G_NC ? n - jc : G_NC;
        for (size_t pc = 0; pc < k; pc += G_KC) {
            size_t kc = k - pc < G_KC ? k - pc : G_KC;
            int add = accumulate || pc > 0;
            G_NAME(pack_b)(kc, nc, b + pc * ldb + jc, ldb, bp);
            for (size_t ic = 0; ic < m; ic += G_MC) {
                size_t mc = m - ic < G_MC ? m - ic : G_MC;
                G_NAME(pack_a)(mc, kc, a + ic * lda + pc, lda, ap);
                G_NAME(macro_kernel)(ukr, mc, nc, kc, ap, bp, c + ic * ldc + jc, ldc, add);
            }
        }
    }
    if (owned) {
        tk_aligned_free(ap);
        tk_aligned_free(bp);
    }
}

static void G_NAME(gemm_entry)(size_t m, size_t n, size_t k, const G_T *a, size_t lda,
                               const G_T *b, size_t ldb, G_T *c, size_t ldc, int accumulate,
                               int avx2) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        if (!accumulate)
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < n; j++) c[i * ldc + j] = 0;
        return;
    }
    if (m <= TK_GEMM_THIN || n <= TK_GEMM_THIN || k <= TK_GEMM_THIN) {
#if TK_X86_64
        if (avx2) {
            G_NAME(thin_avx2)(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
            return;
        }
#endif
        G_NAME(thin_portable)(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        return;
    }
    G_NAME(gemm_serial)(m, n, k, a, lda, b, ldb, c, ldc, accumulate, avx2);
}

/* ---- threads: C is cut into independent blocks of whole rows (or whole
 * columns), each computed by gemm_serial with its own packing buffers. ---- */
typedef struct {
    size_t m, n, k, lda, ldb, ldc;
    const G_T *a, *b;
    G_T *c;
    int accumulate, parts, by_rows, avx2, thin;
} G_NAME(gemm_job);

static void G_NAME(gemm_job_run)(void *ctx, int t) {
    const G_NAME(gemm_job) *j = (const G_NAME(gemm_job) *)ctx;
    size_t unit = j->by_rows ? G_MR : G_NR;
    size_t total = j->by_rows ? j->m : j->n;
    size_t tiles = (total + unit - 1) / unit;
    size_t lo = tiles * (size_t)t / (size_t)j->parts * unit;
    size_t hi = tiles * (size_t)(t + 1) / (size_t)j->parts * unit;
    if (hi > total) hi = total;
    if (lo >= hi) return;
    /* A block of a product that is not thin takes the packed path even when the block itself is
     * thin (the last few rows or columns): each entry of C is then summed in the same order
     * whatever the thread count, as CTensorKernels.h promises. */
    void (*run)(size_t, size_t, size_t, const G_T *, size_t, const G_T *, size_t, G_T *, size_t, int, int) =
        j->thin ? G_NAME(gemm_entry) : G_NAME(gemm_serial);
    if (j->by_rows)
        run(hi - lo, j->n, j->k, j->a + lo * j->lda, j->lda, j->b, j->ldb, j->c + lo * j->ldc, j->ldc,
            j->accumulate, j->avx2);
    else
        run(j->m, hi - lo, j->k, j->a, j->lda, j->b + lo, j->ldb, j->c + lo, j->ldc, j->accumulate, j->avx2);
}

static void G_NAME(gemm_threaded)(size_t m, size_t n, size_t k, const G_T *a, size_t lda,
                                  const G_T *b, size_t ldb, G_T *c, size_t ldc, int accumulate,
                                  int threads) {
    if (m == 0 || n == 0) return;
    int avx2 = tk_internal_use_avx2(); /* read once: all threads agree */
    /* Below ~2 MFLOP a thread costs more than it saves. */
    double flops = 2.0 * (double)m * (double)n * (double)k;
    size_t mt = (m + G_MR - 1) / G_MR, nt = (n + G_NR - 1) / G_NR;
    int by_rows = mt >= nt;
    size_t tiles = by_rows ? mt : nt;
    if (threads < 1) threads = 1; /* a count of 0 or below means one thread, never skipped rows */
    if (threads > 64) threads = 64;
    if ((size_t)threads > tiles) threads = (int)tiles;
    if (threads <= 1 || k == 0 || flops < 2.0e6) {
        G_NAME(gemm_entry)(m, n, k, a, lda, b, ldb, c, ldc, accumulate, avx2);
        return;
    }
    int thin = m <= TK_GEMM_THIN || n <= TK_GEMM_THIN || k <= TK_GEMM_THIN;
    G_NAME(gemm_job) job = {m, n, k, lda, ldb, ldc, a, b, c, accumulate, threads, by_rows, avx2, thin};
    tk_parallel_run(threads, G_NAME(gemm_job_run), &job);
}
