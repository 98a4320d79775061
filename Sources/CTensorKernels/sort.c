/*
 * sort.c — public sort entry points, NaN handling, the portable introsort
 * and the threaded driver (sort_template.h, instantiated per type). The
 * AVX2 quicksort is in sort_avx2.c / sort_avx2_template.h, its AVX-512
 * instantiation for double and int64 in sort_avx512.c.
 *
 * Floating point: NaNs are first moved to the end of the array (their bit
 * patterns kept), then the NaN-free prefix is sorted with the ordinary <,
 * so -0.0 == +0.0 (either order) as in numpy.
 */
#include "tk_internal.h"
#include "CTensorKernels.h"

/* Below this many elements the threaded sort runs on one thread. */
#define TK_SORT_PAR_MIN ((size_t)1 << 16)

/* The kernels' instruction set: 2 AVX-512, 1 AVX2, 0 portable. */
static int tk_sort_level(void) {
    if (tk_internal_use_avx512()) return 2;
    return tk_internal_use_avx2() ? 1 : 0;
}

#define Q_T double
#define Q_NAME(x) tk_##x##_f64
#define Q_ISNAN(x) ((x) != (x))
#define Q_AVX2_SORT tk_qsort_f64_avx2
#define Q_AVX2_PARTITION tk_partition_f64_avx2
#define Q_AVX512_SORT tk_qsort_f64_avx512
#define Q_AVX512_PARTITION tk_partition_f64_avx512
#include "sort_template.h"

#define Q_T float
#define Q_NAME(x) tk_##x##_f32
#define Q_ISNAN(x) ((x) != (x))
#define Q_AVX2_SORT tk_qsort_f32_avx2
#define Q_AVX2_PARTITION tk_partition_f32_avx2
#define Q_AVX512_SORT tk_qsort_f32_avx2
#define Q_AVX512_PARTITION tk_partition_f32_avx2
#include "sort_template.h"

#define Q_T int64_t
#define Q_NAME(x) tk_##x##_i64
#define Q_ISNAN(x) 0
#define Q_AVX2_SORT tk_qsort_i64_avx2
#define Q_AVX2_PARTITION tk_partition_i64_avx2
#define Q_AVX512_SORT tk_qsort_i64_avx512
#define Q_AVX512_PARTITION tk_partition_i64_avx512
#include "sort_template.h"

void tk_sort_f64(double *values, size_t n) { tk_sort_entry_f64(values, n, 1); }
void tk_sort_f32(float *values, size_t n) { tk_sort_entry_f32(values, n, 1); }
void tk_sort_i64(int64_t *values, size_t n) { tk_sort_entry_i64(values, n, 1); }
void tk_sort_f64_mt(double *values, size_t n, int threads) { tk_sort_entry_f64(values, n, threads); }
void tk_sort_f32_mt(float *values, size_t n, int threads) { tk_sort_entry_f32(values, n, threads); }
void tk_sort_i64_mt(int64_t *values, size_t n, int threads) { tk_sort_entry_i64(values, n, threads); }
