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


def online_reads_sqlite(data_folder, repetitions, entities=100_000, reads=10_000):
    """The serving read by hand in Python: the same table shape as the SQLite online store
    (primary key (feature_view, entity), values as a JSON text), 100,000 entities of five numeric
    features, WAL; each of 10,000 requests reads one entity's row and parses its values with
    json.loads (what Feast's SQLite online store does underneath, without its protobuf layer).
    Returns seconds per 10,000 reads."""
    import json
    import sqlite3
    import uuid
    path = os.path.join(data_folder, f"online-py-{uuid.uuid4()}.sqlite")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE online_features (feature_view TEXT NOT NULL, entity TEXT NOT NULL, feature_time REAL NOT NULL, "
               "feature_values TEXT NOT NULL, PRIMARY KEY (feature_view, entity))")
    db.execute("BEGIN")
    db.executemany("INSERT INTO online_features VALUES ('bench', ?, ?, ?)", (
        (f"e{i}", 1_790_000_000 + i % 86_400, json.dumps({f"f{k}": (i * 5 + k) / 7 for k in range(5)}, sort_keys=True))
        for i in range(entities)))
    db.execute("COMMIT")
    seconds = []
    for _ in range(repetitions):
        start = time.perf_counter()
        found = 0
        for request in range(reads):
            entity = f"e{request * 7919 % entities}"
            db.execute("BEGIN")
            rows = db.execute("SELECT entity, feature_time, feature_values FROM online_features WHERE feature_view = ? AND entity IN (?)",
                              ("bench", entity)).fetchall()
            db.execute("COMMIT")
            for row in rows:
                json.loads(row[2])
                found += 1
        seconds.append(time.perf_counter() - start)
        assert found == reads
    db.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return seconds
