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

int tk_cpu_has_avx2_fma(void) {
    int v = atomic_load_explicit(&tk_cpu_cache, memory_order_relaxed);
    if (TK_UNLIKELY(v < 0)) {
        v = tk_detect_avx2_fma();
        atomic_store_explicit(&tk_cpu_cache, v, memory_order_relaxed);
    }
    return v;
}

void tk_set_force_portable(int force) {
    atomic_store_explicit(&tk_force_portable, force ? 1 : 0, memory_order_relaxed);
}

int tk_internal_use_avx2(void) {
    if (atomic_load_explicit(&tk_force_portable, memory_order_relaxed)) return 0;
    return tk_cpu_has_avx2_fma();
}

int tk_uses_avx2_fma(void) { return tk_internal_use_avx2(); }

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
