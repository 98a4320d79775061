#!/usr/bin/env python3
"""DuckDB and polars doing the point-in-time join of the FeatureParity benchmarks, on the same files.

In memory: the tables are loaded first (not timed); the join of 1M events against 10M feature rows
(TTL 2 days, every event kept, in its order) is timed. Whole process: read both CSV files, join,
write CSV, in a child process whose peak memory is reported on standard error.

    python3 features_join_engines.py whole duckdb|polars EVENTS FEATURES OUT   (one run, prints {"seconds": s})

DuckDB's ASOF LEFT JOIN has no tolerance: the TTL is applied to the matched row's values. Both
engines are timed for speed only; the reference for correctness is pandas (features_join.py).
"""
import json
import os
import subprocess
import sys
import time
import warnings

# polars cannot check sortedness within "by" groups; both sides are sorted by time here.
warnings.filterwarnings("ignore", message="Sortedness of columns")

TTL = 2 * 86400
FEATURES = ["amount_7d", "txn_count", "segment"]


def duckdb_sql(events, features):
    picked = ", ".join(f"CASE WHEN e.event_time - f.feature_time <= {TTL} THEN f.{c} END AS {c}" for c in FEATURES)
    return (f"SELECT e.entity, e.event_time, e.label, {picked} FROM {events} e "
            f"ASOF LEFT JOIN {features} f ON e.entity = f.entity AND e.event_time >= f.feature_time ORDER BY e.row")


def duckdb_in_memory(data_folder, repetitions):
    import duckdb
    folder = os.path.join(data_folder, "feature-join-1M-10M")
    con = duckdb.connect()
    con.execute(f"CREATE TABLE ev AS SELECT row_number() OVER () AS row, * FROM read_csv('{folder}/events.csv', types={{'entity': 'VARCHAR'}})")
    con.execute(f"CREATE TABLE fe AS SELECT * FROM read_csv('{folder}/features.csv', types={{'entity': 'VARCHAR'}})")
    seconds = []
    for _ in range(repetitions):
        began = time.perf_counter()
        con.execute("CREATE OR REPLACE TEMP TABLE joined AS " + duckdb_sql("ev", "fe"))
        seconds.append(time.perf_counter() - began)
    rows = con.execute("SELECT count(*) FROM joined").fetchone()[0]
    assert rows == 1_000_000, rows
    return seconds


def polars_in_memory(data_folder, repetitions):
    import polars as pl
    folder = os.path.join(data_folder, "feature-join-1M-10M")
    events = pl.read_csv(f"{folder}/events.csv", schema_overrides={"entity": pl.String}).with_row_index("row")
    features = pl.read_csv(f"{folder}/features.csv", schema_overrides={"entity": pl.String})
    seconds = []
    for _ in range(repetitions):
        began = time.perf_counter()
        joined = (events.sort("event_time").join_asof(features.sort("feature_time"), left_on="event_time", right_on="feature_time",
                                                      by="entity", strategy="backward", tolerance=TTL).sort("row"))
        seconds.append(time.perf_counter() - began)
    assert joined.height == 1_000_000
    return seconds


def whole(engine, events_path, features_path, out_path):
    began = time.perf_counter()
    if engine == "duckdb":
        import duckdb
        con = duckdb.connect()
        events = f"(SELECT row_number() OVER () AS row, * FROM read_csv('{events_path}', types={{'entity': 'VARCHAR'}}))"
        features = f"read_csv('{features_path}', types={{'entity': 'VARCHAR'}})"
        con.execute(f"COPY ({duckdb_sql(events, features)}) TO '{out_path}' (HEADER, DELIMITER ',')")
    else:
        import polars as pl
        events = pl.read_csv(events_path, schema_overrides={"entity": pl.String}).with_row_index("row")
        features = pl.read_csv(features_path, schema_overrides={"entity": pl.String})
        joined = (events.sort("event_time").join_asof(features.sort("feature_time"), left_on="event_time", right_on="feature_time",
                                                      by="entity", strategy="backward", tolerance=TTL).sort("row"))
        joined.drop(["row", "feature_time"]).write_csv(out_path)
    return time.perf_counter() - began


def whole_process(engine):
    def measure(data_folder, repetitions):
        folder = os.path.join(data_folder, "feature-join-1M-5M")
        seconds, peaks = [], []
        for _ in range(repetitions):
            # The child times itself from before its engine's import to the end of the write (the
            # interpreter's own start is left out); /usr/bin/time gives its peak memory.
            done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, __file__, "whole", engine,
                                   f"{folder}/events.csv", f"{folder}/features.csv", f"{folder}/{engine}.csv"],
                                  check=True, capture_output=True, text=True)
            seconds.append(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])
            peaks.append(int(done.stderr.strip().splitlines()[-1]) / 1024)
        print(f"  {engine} whole process: peak RSS {max(peaks):.0f} MiB", file=sys.stderr)
        return seconds
    return measure


duckdb_whole = whole_process("duckdb")
polars_whole = whole_process("polars")

if __name__ == "__main__" and len(sys.argv) == 6 and sys.argv[1] == "whole":
    print(json.dumps({"seconds": whole(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])}))
