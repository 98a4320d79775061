#!/usr/bin/env python3
"""Issue #14's per-method whole-process case: pandas read_csv of the two files written by
whole_process_ks.py plus one scipy/numpy computation per column, for each method `mlops drift`
offers with a scipy counterpart. Run from the folder holding ref.csv and cur.csv:

    cd DIR && ../path/to/Benchmarks/.venv/bin/python .../whole_process_methods.py
"""
import time, numpy as np, pandas as pd
from scipy import stats
def psi(a, b):
    edges = np.quantile(a, np.linspace(0.1, 0.9, 9))
    ra = np.bincount(np.searchsorted(edges, a, side='right'), minlength=10) / len(a)
    rb = np.bincount(np.searchsorted(edges, b, side='right'), minlength=10) / len(b)
    ra, rb = np.maximum(ra, 1e-4), np.maximum(rb, 1e-4)
    return np.sum((rb - ra) * np.log(rb / ra))
methods = {
  "ks": lambda a, b: stats.ks_2samp(a, b).pvalue,
  "cramervonmises": lambda a, b: stats.cramervonmises_2samp(a, b).pvalue,
  "andersondarling": lambda a, b: stats.anderson_ksamp([a, b]).pvalue,
  "mannwhitney": lambda a, b: stats.mannwhitneyu(a, b).pvalue,
  "ttest": lambda a, b: stats.ttest_ind(a, b, equal_var=False).pvalue,
  "wasserstein": lambda a, b: stats.wasserstein_distance(a, b),
  "energy": lambda a, b: stats.energy_distance(a, b),
  "psi": psi,
}
for name, f in methods.items():
    t = time.perf_counter()
    a = pd.read_csv("ref.csv"); b = pd.read_csv("cur.csv")
    [f(a[c].to_numpy(), b[c].to_numpy()) for c in a.columns]
    print(f"{name}: {time.perf_counter() - t:.2f} s", flush=True)
