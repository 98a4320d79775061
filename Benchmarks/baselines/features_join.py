#!/usr/bin/env python3
"""The point-in-time join with pandas merge_asof: the reference and the anchor of `mlops features join`.

    python3 features_join.py EVENTS FEATURES OUT --key entity --event-time event_time --feature-time feature_time --ttl-seconds 172800

merge_asof(direction="backward", allow_exact_matches=True, tolerance=ttl) by key; every event row
kept, in its original order (merge_asof needs both sides sorted by time: the events are sorted,
joined, and put back in order). Writes OUT as CSV and prints {"seconds": read + join + write}.
"""
import argparse
import json
import time

import numpy as np
import pandas as pd


def join(events_path, features_path, out_path, key, event_time, feature_time, ttl_seconds):
    began = time.perf_counter()
    events = pd.read_csv(events_path, dtype={key: str})
    features = pd.read_csv(features_path, dtype={key: str})
    def seconds(column):
        if pd.api.types.is_numeric_dtype(column):
            return (column * 1_000_000).round().astype("int64")
        return pd.to_datetime(column, utc=True, format="ISO8601").dt.as_unit("us").astype("int64")  # microseconds
    # Join on microseconds in helper columns, so the output keeps the files' own time columns.
    events["_t"] = seconds(events[event_time])
    events["_row"] = np.arange(len(events))
    features["_t"] = seconds(features[feature_time])
    left = events.sort_values("_t", kind="stable")
    right = features.drop(columns=[feature_time]).sort_values("_t", kind="stable")
    joined = pd.merge_asof(left, right, on="_t", by=key, direction="backward", allow_exact_matches=True,
                           tolerance=int(ttl_seconds * 1_000_000))
    joined = joined.sort_values("_row").drop(columns=["_row", "_t"])
    if out_path:
        joined.to_csv(out_path, index=False)
    return time.perf_counter() - began, joined


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("events")
    parser.add_argument("features")
    parser.add_argument("out")
    parser.add_argument("--key", default="entity")
    parser.add_argument("--event-time", default="event_time")
    parser.add_argument("--feature-time", default="feature_time")
    parser.add_argument("--ttl-seconds", type=int, default=172800)
    args = parser.parse_args()
    seconds, _ = join(args.events, args.features, args.out, args.key, args.event_time, args.feature_time, args.ttl_seconds)
    print(json.dumps({"seconds": seconds}))


if __name__ == "__main__":
    main()
