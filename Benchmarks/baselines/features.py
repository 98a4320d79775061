"""Anchors for FeatureParity's benchmarks: pandas merge_asof on the same files (features_join.py);
DuckDB and polars in features_join_engines.py."""
import os
import time

import pandas as pd

import features_join


def join_in_memory_pandas(data_folder, repetitions):
    """merge_asof alone (sorting included), the frames read beforehand."""
    folder = os.path.join(data_folder, "feature-join-1M-10M")
    events = pd.read_csv(os.path.join(folder, "events.csv"), dtype={"entity": str})
    features = pd.read_csv(os.path.join(folder, "features.csv"), dtype={"entity": str})
    seconds = []
    for _ in range(repetitions):
        began = time.perf_counter()
        left = events.assign(_row=range(len(events))).sort_values("event_time", kind="stable")
        right = features.sort_values("feature_time", kind="stable")
        joined = pd.merge_asof(left, right, left_on="event_time", right_on="feature_time", by="entity", direction="backward",
                               allow_exact_matches=True, tolerance=2 * 86400)
        joined.sort_values("_row")
        seconds.append(time.perf_counter() - began)
    return seconds


def join_whole_pandas(data_folder, repetitions):
    folder = os.path.join(data_folder, "feature-join-1M-5M")
    seconds = []
    for _ in range(repetitions):
        elapsed, _ = features_join.join(os.path.join(folder, "events.csv"), os.path.join(folder, "features.csv"),
                                        os.path.join(folder, "pandas.csv"), "entity", "event_time", "feature_time", 2 * 86400)
        seconds.append(elapsed)
    return seconds
