/*
 * dispatch.c — run-time CPU feature detection, the test-only force-portable
 * switch, aligned allocation and the tiny pthread helper used by the
 * threaded entry points.
 */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "tk_internal.h"
#include "CTensorKernels.h"

#include <stdatomic.h>
#include <stdlib.h>

#if !defined(_WIN32)
#include <pthread.h>
#endif

/* Process-wide state (the only mutable globals of the library):
 *  - tk_cpu_cache: lazily computed CPU capability, -1 = not yet known.
 *    Benign race: every thread computes the same value.
 *  - tk_force_portable: test-only switch, see tk_set_force_portable. */
static atomic_int tk_cpu_cache = -1;
static atomic_int tk_force_portable = 0;
static atomic_int tk_avx512_cache = -1;
static atomic_int tk_force_avx2 = 0;
static atomic_int tk_split512_cache = -1;
static atomic_int tk_force_gemm_avx512 = 0;

static int tk_detect_avx2_fma(void) {
#if TK_X86_64
    __builtin_cpu_init();
    /* libgcc / compiler-rt also check that the OS saves the YMM state
     * (OSXSAVE + XGETBV) before reporting AVX/AVX2. */
    return (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 1 : 0;
#else
    return 0;
#endif
}

/* A detected CPU property, computed on first use and cached (benign race: every thread
 * computes the same value). */
static int tk_cached(atomic_int *cache, int (*detect)(void)) {
    int v = atomic_load_explicit(cache, memory_order_relaxed);
    if (TK_UNLIKELY(v < 0)) {
        v = detect();
        atomic_store_explicit(cache, v, memory_order_relaxed);
    }
    return v;
}

int tk_cpu_has_avx2_fma(void) { return tk_cached(&tk_cpu_cache, tk_detect_avx2_fma); }

void tk_set_force_portable(int force) {
    atomic_store_explicit(&tk_force_portable, force ? 1 : 0, memory_order_relaxed);
}

int tk_internal_use_avx2(void) {
    if (atomic_load_explicit(&tk_force_portable, memory_order_relaxed)) return 0;
    return tk_cpu_has_avx2_fma();
}

int tk_uses_avx2_fma(void) { return tk_internal_use_avx2(); }

static int tk_detect_avx512(void) {
#if TK_X86_64
    /* MLOPS_KERNELS_NO_AVX512 (any value) keeps the AVX2 kernels, to compare the two paths
     * on one machine (as OPENBLAS_CORETYPE does for OpenBLAS). */
    if (getenv("MLOPS_KERNELS_NO_AVX512") != NULL) return 0;
    __builtin_cpu_init();
    /* Also checks that the OS saves the ZMM state (XCR0 opmask and upper halves). The AVX-512
     * sort is compiled for POPCNT, BMI and BMI2 as well: every AVX-512F processor has them,
     * but a virtual machine may hide a CPUID bit, so they are checked too. */
    return (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("popcnt") &&
            __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2")) ? 1 : 0;
#else
    return 0;
#endif
}

int tk_cpu_has_avx512(void) { return tk_cached(&tk_avx512_cache, tk_detect_avx512); }

void tk_set_force_avx2(int force) {
    atomic_store_explicit(&tk_force_avx2, force ? 1 : 0, memory_order_relaxed);
}

int tk_internal_use_avx512(void) {
    if (atomic_load_explicit(&tk_force_avx2, memory_order_relaxed)) return 0;
    return tk_internal_use_avx2() && tk_cpu_has_avx512();
}

int tk_uses_avx512(void) { return tk_internal_use_avx512(); }

/* Whether this CPU runs 512-bit instructions as two 256-bit halves: AMD family 19h (Zen 4).
 * There the AVX2 GEMM kernels, whose 6 x 8 tile keeps a B micro-panel and an A micro-panel in
 * the 32 KiB L1 together, ran 3-7% faster than the 12 x 16 zmm kernel (1024^2, double and
 * float, one and two threads, alternating runs, 2026-12-07) and level with OpenBLAS. Zen 5
 * (family 1Ah) and Intel parts have full-width 512-bit units and keep the AVX-512 kernels.
 * MLOPS_KERNELS_GEMM_AVX512 (any value) keeps them on Zen 4 too, to compare the two. */
static int tk_detect_split512(void) {
#if TK_X86_64
    if (getenv("MLOPS_KERNELS_GEMM_AVX512") != NULL) return 0;
    __builtin_cpu_init();
    if (!__builtin_cpu_is("amd")) return 0;
    unsigned int eax, ebx, ecx, edx;
    __asm__ volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(1), "c"(0));
    unsigned int family = (eax >> 8) & 0xf;
    if (family == 0xf) family += (eax >> 20) & 0xff;
    return family == 0x19 ? 1 : 0;
#else
    return 0;
#endif
}

int tk_cpu_splits_512(void) { return tk_cached(&tk_split512_cache, tk_detect_split512); }

void tk_set_force_gemm_avx512(int force) {
    atomic_store_explicit(&tk_force_gemm_avx512, force ? 1 : 0, memory_order_relaxed);
}

int tk_internal_gemm_avx512(void) {
    if (!tk_internal_use_avx512()) return 0;
    if (atomic_load_explicit(&tk_force_gemm_avx512, memory_order_relaxed)) return 1;
    return !tk_cpu_splits_512();
}

int tk_uses_avx512_gemm(void) { return tk_internal_gemm_avx512(); }

void *tk_aligned_alloc(size_t bytes) {
    if (bytes == 0) return NULL;
#if defined(_WIN32)
    return _aligned_malloc(bytes, 64);
#else
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes) != 0) return NULL;
    return p;
#endif
}

void tk_aligned_free(void *p) {
#if defined(_WIN32)
    _aligned_free(p);
#else
    free(p);
#endif
}

#if !defined(_WIN32)
/* Per-thread scratch buffers, kept between calls: GEMM's packing buffers are several MiB, and
 * on these machines first-touch page faults on fresh allocations cost as much as the packing
 * itself (about 60 ms per 80 MB). Freed when the thread exits. */
typedef struct {
    void *p[2];
    size_t cap[2];
} tk_scratch_t;

static pthread_key_t tk_scratch_key;
static pthread_once_t tk_scratch_once = PTHREAD_ONCE_INIT;
static int tk_scratch_ready = 0;

static void tk_scratch_destroy(void *v) {
    tk_scratch_t *s = (tk_scratch_t *)v;
    tk_aligned_free(s->p[0]);
    tk_aligned_free(s->p[1]);
    free(s);
}

static void tk_scratch_init(void) {
    tk_scratch_ready = pthread_key_create(&tk_scratch_key, tk_scratch_destroy) == 0;
}

void *tk_scratch(int slot, size_t bytes) {
    if (slot < 0 || slot > 1 || bytes == 0) return NULL;
    pthread_once(&tk_scratch_once, tk_scratch_init);
    if (!tk_scratch_ready) return NULL;
    tk_scratch_t *s = (tk_scratch_t *)pthread_getspecific(tk_scratch_key);
    if (s == NULL) {
        s = (tk_scratch_t *)calloc(1, sizeof *s);
        if (s == NULL) return NULL;
        if (pthread_setspecific(tk_scratch_key, s) != 0) {
            free(s);
            return NULL;
        }
    }
    if (s->cap[slot] < bytes) {
        tk_aligned_free(s->p[slot]);
        s->p[slot] = tk_aligned_alloc(bytes);
        s->cap[slot] = s->p[slot] ? bytes : 0;
    }
    return s->p[slot];
}
#else
void *tk_scratch(int slot, size_t bytes) {
    (void)slot;
    (void)bytes;
    return NULL;
}
#endif

#if !defined(_WIN32)
typedef struct {
    void (*fn)(void *, int);
    void *ctx;
    int t;
} tk_thread_arg;

static void *tk_thread_main(void *p) {
    tk_thread_arg *a = (tk_thread_arg *)p;
    a->fn(a->ctx, a->t);
    return NULL;
}
#endif

#define TK_MAX_THREADS 64

void tk_parallel_run(int nthreads, void (*fn)(void *ctx, int t), void *ctx) {
    if (nthreads > TK_MAX_THREADS) nthreads = TK_MAX_THREADS;
#if defined(_WIN32)
    for (int t = 0; t < nthreads; t++) fn(ctx, t);
#else
    if (nthreads <= 1) {
        fn(ctx, 0);
        return;
    }
    pthread_t tid[TK_MAX_THREADS];
    tk_thread_arg arg[TK_MAX_THREADS];
    int started[TK_MAX_THREADS];
    for (int t = 1; t < nthreads; t++) {
        arg[t].fn = fn;
        arg[t].ctx = ctx;
        arg[t].t = t;
        started[t] = pthread_create(&tid[t], NULL, tk_thread_main, &arg[t]) == 0;
    }
    fn(ctx, 0);
    for (int t = 1; t < nthreads; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else fn(ctx, t); /* could not start a thread: do its share here */
    }
#endif
}
