"""numpy anchors for TensorCore's kernels, on the same files the Swift side reads."""
import os
import time

import numpy as np


def _load(data_folder, name):
    return np.fromfile(os.path.join(data_folder, f"{name}.f64"), dtype=np.float64)


def _timed(repetitions, body, prepare=None):
    seconds = []
    for _ in range(repetitions):
        argument = prepare() if prepare else None
        start = time.perf_counter()
        body(argument)
        seconds.append(time.perf_counter() - start)
    return seconds


def summary_numpy(data_folder, repetitions):
    """nanmean + nanvar + nanmin + nanmax + isnan count: the same figures our summary gives, NaN-safe."""
    x = _load(data_folder, "normal-10M")
    return _timed(repetitions, lambda _: (np.nanmean(x), np.nanvar(x), np.nanmin(x), np.nanmax(x), np.isnan(x).sum()))


def summary_numpy_plain(data_folder, repetitions):
    """mean + var without NaN handling: numpy's fastest path."""
    x = _load(data_folder, "normal-10M")
    return _timed(repetitions, lambda _: (x.mean(), x.var()))


def sum_numpy(data_folder, repetitions):
    """numpy.sum (pairwise, no NaN handling)."""
    x = _load(data_folder, "normal-10M")
    return _timed(repetitions, lambda _: x.sum())


def sort_numpy(data_folder, repetitions):
    """numpy.sort (AVX2 vectorised quicksort on this machine)."""
    x = _load(data_folder, "normal-10M")
    return _timed(repetitions, lambda a: a.sort(), prepare=lambda: x.copy())


def _matmul(dtype, repetitions):
    rng = np.random.default_rng(1)
    a = (rng.random((1024, 1024)) * 2 - 1).astype(dtype)
    b = (rng.random((1024, 1024)) * 2 - 1).astype(dtype)
    a @ b  # warm up the BLAS threads
    return _timed(repetitions, lambda _: a @ b)


def matmul_f64_numpy(data_folder, repetitions):
    """numpy matmul (OpenBLAS, both cores), float64, 1024x1024."""
    return _matmul(np.float64, repetitions)


def matmul_f32_numpy(data_folder, repetitions):
    """numpy matmul (OpenBLAS, both cores), float32, 1024x1024."""
    return _matmul(np.float32, repetitions)


def read_csv_pandas(data_folder, repetitions):
    """pandas.read_csv of the same file (its default C engine)."""
    import pandas
    path = os.path.join(data_folder, "numeric-1M-x20.csv")
    return _timed(repetitions, lambda _: pandas.read_csv(path))


def read_csv_polars(data_folder, repetitions):
    """polars.read_csv of the same file (multithreaded Rust reader)."""
    import polars
    path = os.path.join(data_folder, "numeric-1M-x20.csv")
    return _timed(repetitions, lambda _: polars.read_csv(path))


def _drift_samples(data_folder):
    x = _load(data_folder, "normal-10M")
    return x[:1_000_000], x[1_000_000:2_000_000] + 0.01


def ks_scipy(data_folder, repetitions):
    """scipy.stats.ks_2samp (auto: asymptotic at this size)."""
    from scipy import stats
    a, b = _drift_samples(data_folder)
    return _timed(repetitions, lambda _: stats.ks_2samp(a, b))


def wasserstein_scipy(data_folder, repetitions):
    """scipy.stats.wasserstein_distance."""
    from scipy import stats
    a, b = _drift_samples(data_folder)
    return _timed(repetitions, lambda _: stats.wasserstein_distance(a, b))
