"""Anchors for Rollout's benchmarks: what a Python service or analyst would otherwise run.

* Routing: GrowthBook's published bucketing (hash version 2: 32-bit FNV-1a of the seed and key,
  hashed again, to a number in [0, 1)), in pure Python as its Python SDK computes it, then the
  variant by cumulative weight.
* Recording an outcome: a per-variant running count, mean and sum of squared deviations
  (Welford) kept in a dict, in pure Python.
* Analysing: rollout_analyze.py, the same sequential test with pandas, numpy and scipy.
"""
import os
import time

import rollout_analyze

FNV_PRIME = 0x01000193
FNV_OFFSET = 0x811C9DC5


def _fnv1a32(text):
    h = FNV_OFFSET
    for byte in text.encode():
        h = ((h ^ byte) * FNV_PRIME) & 0xFFFFFFFF
    return h


def _bucket(seed, key):
    return (_fnv1a32(str(_fnv1a32(seed + key))) % 10000) / 10000


def route_growthbook_python(data_folder, repetitions):
    """10M decisions over 1M keys, scaled from 1M decisions (pure Python is slow)."""
    keys = [f"user-{(i * 2654435761) % 1000003}" for i in range(1_000_000)]
    ranges = [(0.0, 0.95), (0.95, 1.0)]
    seconds = []
    for _ in range(repetitions):
        began = time.perf_counter()
        candidate = 0
        for key in keys:
            n = _bucket("ranker-2026-12", key)
            for index, (low, high) in enumerate(ranges):
                if low <= n < high:
                    candidate += index
                    break
        seconds.append((time.perf_counter() - began) * 10)
    return {"seconds": seconds, "note": "anchor ran 1M decisions, scaled ×10"}


def record_outcome_python(data_folder, repetitions):
    """10M outcomes, scaled from 1M."""
    seconds = []
    for _ in range(repetitions):
        stats = {0: [0, 0.0, 0.0], 1: [0, 0.0, 0.0]}
        began = time.perf_counter()
        for i in range(1_000_000):
            s = stats[i & 1]
            value = 1.0 if i % 10 == 0 else 0.0
            s[0] += 1
            delta = value - s[1]
            s[1] += delta / s[0]
            s[2] += delta * (value - s[1])
        seconds.append((time.perf_counter() - began) * 10)
    return {"seconds": seconds, "note": "anchor ran 1M outcomes, scaled ×10"}


def analyze_pandas(data_folder, repetitions):
    path = os.path.join(data_folder, "rollout-events-10M.csv")
    seconds = []
    for _ in range(repetitions):
        began = time.perf_counter()
        result = rollout_analyze.analyze(path, "control", "candidate", "converted")
        seconds.append(time.perf_counter() - began)
        if len(result["looks"]) != 10_000:
            raise RuntimeError(f"the reference took {len(result['looks'])} looks, not 10,000")
    return seconds
