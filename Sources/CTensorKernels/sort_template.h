/*
 * sort_template.h — portable sort pieces and the (threaded) driver, written
 * once and instantiated by sort.c for double, float and int64. Private.
 *
 * Required macros: Q_T (element type), Q_NAME(x) (name prefix),
 * Q_ISNAN(x) (0 for integers), Q_AVX2_SORT / Q_AVX2_PARTITION (the AVX2
 * kernels, x86_64 only) and Q_AVX512_SORT / Q_AVX512_PARTITION (the AVX-512
 * kernels, or the AVX2 ones again for a type without them).
 *
 * `level` below is the instruction set the kernels use: 0 portable, 1 AVX2,
 * 2 AVX-512 (tk_sort_level()). The template undefines these macros at its
 * end, so each instantiation defines them afresh.
 */

static inline int Q_NAME(goes_right)(Q_T x, Q_T p, int gt) { return gt ? (x > p) : !(x < p); }

void Q_NAME(heapsort)(Q_T *v, size_t n) {
    if (n < 2) return;
    /* sift-down heapsort on v[0..n) */
    for (size_t start = n / 2; start-- > 0;) {
        size_t root = start;
        Q_T x = v[root];
        for (;;) {
            size_t child = 2 * root + 1;
            if (child >= n) break;
            if (child + 1 < n && v[child] < v[child + 1]) child++;
            if (!(x < v[child])) break;
            v[root] = v[child];
            root = child;
        }
        v[root] = x;
    }
    for (size_t end = n - 1; end > 0; end--) {
        Q_T x = v[end];
        v[end] = v[0];
        size_t root = 0;
        for (;;) {
            size_t child = 2 * root + 1;
            if (child >= end) break;
            if (child + 1 < end && v[child] < v[child + 1]) child++;
            if (!(x < v[child])) break;
            v[root] = v[child];
            root = child;
        }
        v[root] = x;
    }
}

static void Q_NAME(insertion)(Q_T *v, size_t n) {
    for (size_t i = 1; i < n; i++) {
        Q_T x = v[i];
        size_t j = i;
        while (j > 0 && x < v[j - 1]) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Hoare-style partition, same contract as the AVX2 one. */
static size_t Q_NAME(partition_portable)(Q_T *v, size_t n, Q_T p, int gt) {
    size_t i = 0, j = n;
    for (;;) {
        while (i < j && !Q_NAME(goes_right)(v[i], p, gt)) i++;
        while (i < j && Q_NAME(goes_right)(v[j - 1], p, gt)) j--;
        if (i >= j) return i;
        Q_T t = v[i];
        v[i] = v[j - 1];
        v[j - 1] = t;
        i++;
        j--;
    }
}

static Q_T Q_NAME(median3)(Q_T a, Q_T b, Q_T c) {
    if (a < b) return b < c ? b : (a < c ? c : a);
    return a < c ? a : (b < c ? c : b);
}

/* Portable introsort: ninther pivot, the same "split off the minimum"
 * duplicate handling as the vector version, insertion sort below 24. */
static void Q_NAME(qsort_portable)(Q_T *v, size_t n, int depth) {
    while (n > 24) {
        if (depth-- <= 0) {
            Q_NAME(heapsort)(v, n);
            return;
        }
        size_t e = n / 8;
        Q_T p = Q_NAME(median3)(Q_NAME(median3)(v[0], v[e], v[2 * e]),
                                Q_NAME(median3)(v[3 * e], v[n / 2], v[5 * e]),
                                Q_NAME(median3)(v[6 * e], v[7 * e], v[n - 1]));
        size_t k = Q_NAME(partition_portable)(v, n, p, 0);
        if (k == 0) {
            k = Q_NAME(partition_portable)(v, n, p, 1);
            v += k;
            n -= k;
            continue;
        }
        if (k < n - k) {
            Q_NAME(qsort_portable)(v, k, depth);
            v += k;
            n -= k;
        } else {
            Q_NAME(qsort_portable)(v + k, n - k, depth);
            n = k;
        }
    }
    Q_NAME(insertion)(v, n);
}

static void Q_NAME(sort_serial)(Q_T *v, size_t n, int level) {
#if TK_X86_64
    if (level >= 2) {
        Q_AVX512_SORT(v, n);
        return;
    }
    if (level == 1) {
        Q_AVX2_SORT(v, n);
        return;
    }
#endif
    (void)level;
    Q_NAME(qsort_portable)(v, n, tk_sort_depth_limit(n));
}

static size_t Q_NAME(partition_any)(Q_T *v, size_t n, Q_T p, int gt, int level) {
#if TK_X86_64
    if (level >= 2) return Q_AVX512_PARTITION(v, n, p, gt);
    if (level == 1) return Q_AVX2_PARTITION(v, n, p, gt);
#endif
    (void)level;
    return Q_NAME(partition_portable)(v, n, p, gt);
}

typedef struct {
    Q_T *v;
    size_t n;
    int threads, level;
} Q_NAME(task);

static void Q_NAME(sort_par)(Q_T *v, size_t n, int threads, int level);

static void Q_NAME(task_run)(void *ctx, int t) {
    Q_NAME(task) *tasks = (Q_NAME(task) *)ctx;
    Q_NAME(sort_par)(tasks[t].v, tasks[t].n, tasks[t].threads, tasks[t].level);
}

/* Parallel quicksort: partition around the median of 64 samples (a split
 * within a few percent of the middle), then sort both sides concurrently,
 * each with half of the threads. */
static void Q_NAME(sort_par)(Q_T *v, size_t n, int threads, int level) {
    while (threads > 1 && n >= TK_SORT_PAR_MIN) {
        Q_T s[64];
        size_t step = n / 64;
        for (size_t i = 0; i < 64; i++) s[i] = v[step / 2 + i * step];
        Q_NAME(sort_serial)(s, 64, level);
        Q_T p = s[32];
        size_t k = Q_NAME(partition_any)(v, n, p, 0, level);
        if (k == 0) { /* p is the minimum: drop the values equal to it */
            k = Q_NAME(partition_any)(v, n, p, 1, level);
            v += k;
            n -= k;
            continue;
        }
        int tl = threads / 2;
        Q_NAME(task) tasks[2] = {{v, k, tl, level}, {v + k, n - k, threads - tl, level}};
        tk_parallel_run(2, Q_NAME(task_run), tasks);
        return;
    }
    Q_NAME(sort_serial)(v, n, level);
}

/* Moves the NaNs to the end (keeping their bits) and returns how many
 * values are not NaN. The scan is blockwise so that it vectorises. */
static size_t Q_NAME(nans_to_end)(Q_T *v, size_t n) {
    size_t i = 0;
    /* fast path: find the first block containing a NaN */
    for (; i + 64 <= n; i += 64) {
        int any = 0;
        for (size_t j = 0; j < 64; j++) any |= Q_ISNAN(v[i + j]);
        if (any) break;
    }
    for (; i < n && !Q_ISNAN(v[i]); i++) {
    }
    if (i == n) return n;
    /* v[i] is the first NaN; compact the rest */
    size_t end = n;
    while (i < end) {
        if (Q_ISNAN(v[i])) {
            while (end > i + 1 && Q_ISNAN(v[end - 1])) end--;
            end--;
            Q_T t = v[i];
            v[i] = v[end];
            v[end] = t;
            if (end == i) break;
        }
        i++;
    }
    return end;
}

static void Q_NAME(sort_entry)(Q_T *v, size_t n, int threads) {
    if (n < 2) return;
    n = Q_NAME(nans_to_end)(v, n);
    Q_NAME(sort_par)(v, n, threads, tk_sort_level());
}

#undef Q_T
#undef Q_NAME
#undef Q_ISNAN
#undef Q_AVX2_SORT
#undef Q_AVX2_PARTITION
#undef Q_AVX512_SORT
#undef Q_AVX512_PARTITION
