/*
 * sort_avx2_template.h — the vectorised quicksort, written once over a small
 * set of vector primitives and instantiated by sort_avx2.c for double and
 * int64 (4 lanes of a ymm register) and float (8 lanes), and by
 * sort_avx512.c for double and int64 (8 lanes of a zmm register). Private to
 * the target; included only on x86_64.
 *
 * The instantiating file defines:
 *   S_T, S_V, S_L          element type, vector type, lanes per vector (4 or 8)
 *   S_NAME(x)              name prefix
 *   S_MAXVAL               the largest S_T (padding for partial vectors)
 *   S_TARGET               optional: the functions' target attribute
 *                          (TK_TARGET_AVX2 when not defined)
 *   S_SIZED_PARTITION      optional: the partition qsort_rec calls, with
 *                          partition's arguments (S_NAME(partition) when
 *                          not defined)
 * (all undefined again at the template's end)
 * and these S_TARGET static inline primitives, named through S_NAME:
 *   loadu, storeu, set1, maskload(p, rem), maskstore(p, rem, v)
 *   vmin(a, b) = a < b ? a : b        vmax(a, b) = a > b ? a : b
 *       (with these operand orders an exchange never duplicates one of two
 *        equal-comparing values, so -0.0 and +0.0 both survive)
 *   rev(v)            lanes reversed
 *   sort1(v)          lanes sorted ascending
 *   clean(v)          a bitonic register sorted ascending
 *   transpose(r)      transposes the S_L x S_L block held in r[0..S_L)
 *   mask_ge(x, p)     bit i set when x[i] >= p
 *   mask_gt(x, p)     bit i set when x[i] >  p
 *   compress(x, m)    lanes with bit 0 in m first, then those with bit 1
 *
 * Algorithm (after Bramas 2017, "A Novel Hybrid Quicksort Algorithm
 * Vectorized using AVX-512 on Intel Skylake", IJACSA 8(10); and Intel's
 * x86-simd-sort, github.com/intel/x86-simd-sort, used by numpy):
 *   - partition: in place, vector by vector. U vectors are kept in registers
 *     from each end, which leaves U*L free slots at each end; each further
 *     vector is read from the side with fewer free slots, its lanes are
 *     permuted (LUT indexed by the comparison mask; vpermd, or vpermpd/vpermq
 *     for zmm) so that the "< pivot" lanes come first, and the whole vector
 *     is stored twice: at the left write position (where its first lanes
 *     count) and ending at the right write position (where its last lanes
 *     count). Free slots on
 *     both sides never drop below one vector, so nothing unread is
 *     overwritten.
 *   - pivot: median of 16 samples evenly spaced, sorted by the network.
 *   - duplicates: when nothing is < pivot (pivot is the minimum), a second
 *     pass partitions on "<= pivot"; the left part is all equal and done.
 *     This bounds the work on inputs with few distinct values.
 *   - small ranges (<= 16 vectors): sorting network in registers (column
 *     network + transpose, then bitonic merges), the partial vector padded
 *     with S_MAXVAL through masked loads.
 *   - depth limit 2*log2(n): then heapsort (introsort), so O(n log n).
 */

#ifndef S_TARGET
#define S_TARGET TK_TARGET_AVX2
#endif
#define S_ALWAYS static inline __attribute__((always_inline)) S_TARGET
#ifndef TK_SORT_UNROLL
#define TK_SORT_UNROLL 8
#endif
#ifndef TK_SORT_SMALL_VECS
#define TK_SORT_SMALL_VECS 16
#endif
#define S_UNROLL TK_SORT_UNROLL
#define S_SMALL (TK_SORT_SMALL_VECS * S_L)

S_ALWAYS void S_NAME(coex)(S_V *r, int i, int j) {
    S_V a = r[i], b = r[j];
    r[i] = S_NAME(vmin)(a, b);
    r[j] = S_NAME(vmax)(b, a);
}

/* Sorts each lane ("column") across 8 registers: Knuth's optimal
 * 19-comparator, depth-6 network. */
S_ALWAYS void S_NAME(columns8)(S_V *r) {
    S_NAME(coex)(r, 0, 2); S_NAME(coex)(r, 1, 3); S_NAME(coex)(r, 4, 6); S_NAME(coex)(r, 5, 7);
    S_NAME(coex)(r, 0, 4); S_NAME(coex)(r, 1, 5); S_NAME(coex)(r, 2, 6); S_NAME(coex)(r, 3, 7);
    S_NAME(coex)(r, 0, 1); S_NAME(coex)(r, 2, 3); S_NAME(coex)(r, 4, 5); S_NAME(coex)(r, 6, 7);
    S_NAME(coex)(r, 2, 4); S_NAME(coex)(r, 3, 5);
    S_NAME(coex)(r, 1, 4); S_NAME(coex)(r, 3, 6);
    S_NAME(coex)(r, 1, 2); S_NAME(coex)(r, 3, 4); S_NAME(coex)(r, 5, 6);
}

/* Sorts nr (a compile-time power of two) registers as one sequence of
 * nr * S_L values: first sorted runs are built with a column network and a
 * transpose, then runs of w registers are merged pairwise (bitonic merge)
 * until one run remains. */
S_ALWAYS void S_NAME(network)(S_V *r, const int nr) {
    int w0 = 1;
    if (nr >= 8) {
        for (int g = 0; g < nr; g += 8) {
            S_NAME(columns8)(r + g);
            if (S_L == 8) {
                /* 8 sorted columns -> 8 sorted registers */
                S_NAME(transpose)(r + g);
            } else {
                /* 4 sorted columns of 8 -> 4 runs of 2 registers */
                S_NAME(transpose)(r + g);
                S_NAME(transpose)(r + g + 4);
                S_V t[8];
                for (int j = 0; j < 4; j++) {
                    t[2 * j] = r[g + j];
                    t[2 * j + 1] = r[g + 4 + j];
                }
                for (int j = 0; j < 8; j++) r[g + j] = t[j];
            }
        }
        w0 = 8 / S_L;
    } else {
        for (int i = 0; i < nr; i++) r[i] = S_NAME(sort1)(r[i]);
    }
    for (int w = w0; w < nr; w *= 2) {
        for (int g = 0; g < nr; g += 2 * w) {
            S_V hi[8];
            /* first run vs the reversed second run: lows left, highs right;
             * both halves are then bitonic. */
            for (int i = 0; i < w; i++) {
                S_V a = r[g + i];
                S_V b = S_NAME(rev)(r[g + 2 * w - 1 - i]);
                r[g + i] = S_NAME(vmin)(a, b);
                hi[i] = S_NAME(vmax)(b, a);
            }
            for (int i = 0; i < w; i++) r[g + w + i] = hi[i];
            for (int h = g; h < g + 2 * w; h += w) {
                for (int s = w / 2; s >= 1; s /= 2)
                    for (int i = 0; i < w; i++)
                        if (!(i & s)) S_NAME(coex)(r, h + i, h + i + s);
                for (int i = 0; i < w; i++) r[h + i] = S_NAME(clean)(r[h + i]);
            }
        }
    }
}

/* Sorts nr (a constant power of two) vectors holding n elements at arr. */
S_ALWAYS void S_NAME(small_nr)(S_T *arr, size_t n, const int nr) {
    S_V r[16];
    size_t full = n / S_L, rem = n % S_L;
    for (int i = 0; i < nr; i++) {
        if ((size_t)i < full) r[i] = S_NAME(loadu)(arr + (size_t)i * S_L);
        else if ((size_t)i == full && rem) r[i] = S_NAME(maskload)(arr + (size_t)i * S_L, rem);
        else r[i] = S_NAME(set1)(S_MAXVAL);
    }
    S_NAME(network)(r, nr);
    for (int i = 0; i < nr; i++) {
        if ((size_t)i < full) S_NAME(storeu)(arr + (size_t)i * S_L, r[i]);
        else if ((size_t)i == full && rem) S_NAME(maskstore)(arr + (size_t)i * S_L, rem, r[i]);
    }
}

static TK_NOINLINE S_TARGET void S_NAME(small_sort)(S_T *arr, size_t n) {
    if (n <= S_L) S_NAME(small_nr)(arr, n, 1);
    else if (n <= 2 * S_L) S_NAME(small_nr)(arr, n, 2);
    else if (n <= 4 * S_L) S_NAME(small_nr)(arr, n, 4);
    else if (n <= 8 * S_L) S_NAME(small_nr)(arr, n, 8);
    else S_NAME(small_nr)(arr, n, 16);
}

/* One vector: permute and store at both write positions. */
#define S_PART_STORE(x, m)                                          \
    do {                                                            \
        S_V y_ = S_NAME(compress)((x), (m));                        \
        size_t ge_ = (size_t)__builtin_popcount(m);                 \
        S_NAME(storeu)(arr + lw, y_);                               \
        S_NAME(storeu)(arr + rw - S_L, y_);                         \
        lw += S_L - ge_;                                            \
        rw -= ge_;                                                  \
    } while (0)

/* Partitions arr[0..n): returns k with arr[0..k) "left" and arr[k..n)
 * "right", where right means x >= pivot (gt == 0) or x > pivot (gt != 0). */
S_ALWAYS size_t S_NAME(partition_impl)(S_T *arr, size_t n, S_T pivot, const int gt) {
    size_t left = 0, right = n;
    /* Scalar part: make the middle a whole number of vectors (and handle
     * ranges too short for the vector loop). */
    size_t scalar = n % S_L;
    if (n < 2 * S_UNROLL * S_L) scalar = n;
    for (size_t i = scalar; i > 0; i--) {
        S_T x = arr[left];
        int goes_right = gt ? (x > pivot) : !(x < pivot);
        if (goes_right) {
            arr[left] = arr[right - 1];
            arr[right - 1] = x;
            right--;
        } else {
            left++;
        }
    }
    if (right - left == 0) return left;

    const S_V p = S_NAME(set1)(pivot);
#define S_MASK(x) (gt ? S_NAME(mask_gt)((x), p) : S_NAME(mask_ge)((x), p))
    S_V keep_l[S_UNROLL], keep_r[S_UNROLL];
    for (int u = 0; u < S_UNROLL; u++) {
        keep_l[u] = S_NAME(loadu)(arr + left + (size_t)u * S_L);
        keep_r[u] = S_NAME(loadu)(arr + right - (size_t)(u + 1) * S_L);
    }
    size_t lw = left, rw = right; /* write positions: [lw.. and ..rw) */
    left += S_UNROLL * S_L;
    right -= S_UNROLL * S_L;
    while (right - left >= S_UNROLL * S_L) {
        S_V x[S_UNROLL];
        if ((rw - right) < (left - lw)) {
            right -= S_UNROLL * S_L;
            for (int u = 0; u < S_UNROLL; u++) x[u] = S_NAME(loadu)(arr + right + (size_t)u * S_L);
        } else {
            for (int u = 0; u < S_UNROLL; u++) x[u] = S_NAME(loadu)(arr + left + (size_t)u * S_L);
            left += S_UNROLL * S_L;
        }
        unsigned m[S_UNROLL];
        for (int u = 0; u < S_UNROLL; u++) m[u] = S_MASK(x[u]);
        for (int u = 0; u < S_UNROLL; u++) S_PART_STORE(x[u], m[u]);
    }
    while (right - left != 0) {
        S_V x;
        if ((rw - right) < (left - lw)) {
            right -= S_L;
            x = S_NAME(loadu)(arr + right);
        } else {
            x = S_NAME(loadu)(arr + left);
            left += S_L;
        }
        unsigned m = S_MASK(x);
        S_PART_STORE(x, m);
    }
    for (int u = 0; u < S_UNROLL; u++) {
        unsigned m = S_MASK(keep_l[u]);
        S_PART_STORE(keep_l[u], m);
    }
    for (int u = 0; u < S_UNROLL; u++) {
        unsigned m = S_MASK(keep_r[u]);
        S_PART_STORE(keep_r[u], m);
    }
#undef S_MASK
    return lw;
}

static TK_NOINLINE S_TARGET size_t S_NAME(partition)(S_T *arr, size_t n, S_T pivot, int gt) {
    return gt ? S_NAME(partition_impl)(arr, n, pivot, 1) : S_NAME(partition_impl)(arr, n, pivot, 0);
}

/* Median of 16 evenly spaced samples (n >= 16). */
static S_TARGET S_T S_NAME(pivot)(const S_T *arr, size_t n) {
    S_T s[16];
    size_t step = n / 16;
    for (int i = 0; i < 16; i++) s[i] = arr[step / 2 + (size_t)i * step];
    S_NAME(small_sort)(s, 16);
    return s[8];
}

/* The partition qsort_rec uses: S_NAME(partition) unless the instantiating
 * file names another (S_SIZED_PARTITION, which may pick by size). */
#ifdef S_SIZED_PARTITION
#define S_PARTITION S_SIZED_PARTITION
#else
#define S_PARTITION S_NAME(partition)
#endif

static S_TARGET void S_NAME(qsort_rec)(S_T *arr, size_t n, int depth) {
    while (n > S_SMALL) {
        if (depth-- <= 0) {
            S_NAME(heapsort)(arr, n);
            return;
        }
        S_T pv = S_NAME(pivot)(arr, n);
        size_t k = S_PARTITION(arr, n, pv, 0);
        if (k == 0) {
            /* pv is the minimum: split off the values equal to it. */
            k = S_PARTITION(arr, n, pv, 1);
            arr += k;
            n -= k;
            continue;
        }
        if (k < n - k) {
            S_NAME(qsort_rec)(arr, k, depth);
            arr += k;
            n -= k;
        } else {
            S_NAME(qsort_rec)(arr + k, n - k, depth);
            n = k;
        }
    }
    S_NAME(small_sort)(arr, n);
}

#undef S_PART_STORE
#undef S_PARTITION
#undef S_ALWAYS
#undef S_UNROLL
#undef S_SMALL
/* The instantiating file's parameters too: the next instantiation defines them afresh. */
#undef S_T
#undef S_V
#undef S_L
#undef S_NAME
#undef S_MAXVAL
#undef S_TARGET
#undef S_SIZED_PARTITION
