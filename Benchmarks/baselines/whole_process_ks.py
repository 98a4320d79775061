#!/usr/bin/env python3
"""Issue #14's whole-process KS case: writes two 100,000 x 50 CSV files of normal values with
%.9g (seeded; the current file shifted by 0.02) into DIR if they are missing, then times pandas
read_csv of both plus scipy ks_2samp per column, three runs.

    Benchmarks/.venv/bin/python Benchmarks/baselines/whole_process_ks.py DIR
    /usr/bin/time -f %e .build-release/release/mlops drift DIR/ref.csv DIR/cur.csv --method ks --format json > /dev/null
"""
import os
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats

folder = sys.argv[1] if len(sys.argv) > 1 else "Benchmarks/.data/whole-process-ks"
os.makedirs(folder, exist_ok=True)
reference, current = os.path.join(folder, "ref.csv"), os.path.join(folder, "cur.csv")
if not (os.path.exists(reference) and os.path.exists(current)):
    rng = np.random.default_rng(7)
    for path, shift in [(reference, 0.0), (current, 0.02)]:
        data = rng.normal(shift, 1, size=(100_000, 50))
        np.savetxt(path, data, fmt="%.9g", delimiter=",", header=",".join(f"c{i}" for i in range(50)), comments="")
for _ in range(3):
    start = time.perf_counter()
    a, b = pd.read_csv(reference), pd.read_csv(current)
    p = [stats.ks_2samp(a[c].to_numpy(), b[c].to_numpy()).pvalue for c in a.columns]
    print(f"pandas {pd.__version__} + scipy ks_2samp: {time.perf_counter() - start:.2f} s ({sum(x <= 0.05 for x in p)} of {len(p)} columns p <= 0.05)")
