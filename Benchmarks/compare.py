#!/usr/bin/env python3
"""Runs each benchmark case on our side and on its anchor's side, in one invocation, on the same
data, and prints medians and ratios. Called by Benchmarks/run; see Documentation/Benchmarks.md.

ratio = anchor median / our median: above 1 means swift-mlops is faster.
"""
import json
import os
import platform
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "baselines"))
import storage  # noqa: E402
import tensor  # noqa: E402
import lineage  # noqa: E402
import drift  # noqa: E402
import registry  # noqa: E402
import gpu  # noqa: E402
import rollout  # noqa: E402
import features  # noqa: E402
import csv_formats  # noqa: E402
import postgres_writes  # noqa: E402
import features_join_engines  # noqa: E402
import whole_process_drift  # noqa: E402

BINARY = sys.argv[1]
DATA = sys.argv[2]
FILTER = sys.argv[3] if len(sys.argv) > 3 else ""

# (title, our case, repetitions, anchor name, anchor function, unit, goal text)
CASES = [
    ("SQLite insert, 100k rows in one transaction", "sqlite-insert-mlops", 7,
     "Python sqlite3 executemany", storage.sqlite_insert_python, "rows", "≥ 500,000 rows/s"),
    ("SQLite insert, 100k rows (raw sqlite3 C API, same run)", "sqlite-insert-raw-c", 7,
     None, None, "rows", "MLOpsStorage within 1.3x of this"),
    ("Artifact put, 1 GiB, zlib-1 at rest", "artifact-put", 3,
     "sha256sum + gzip -1 + sync", storage.artifact_put_coreutils, "bytes", "at least as fast as the anchor, flat memory"),
    ("Artifact get, 1 GiB, verified export", "artifact-get", 3,
     "gzip -dc + sha256sum + sync", storage.artifact_get_coreutils, "bytes", "at least as fast as the anchor, flat memory"),
    ("Sum of 10M doubles (NaN-excluding)", "tensor-sum-10M", 11,
     "numpy sum (no NaN handling)", tensor.sum_numpy, "values", "at least as fast as numpy"),
    ("Summary of 10M doubles: count, mean, var, min, max, NaNs", "tensor-summary-10M", 11,
     "numpy nanmean+nanvar+nanmin+nanmax", tensor.summary_numpy, "values", "at least as fast as numpy"),
    ("Summary of 10M doubles vs numpy mean+var (no NaN handling)", "tensor-summary-10M", 11,
     "numpy mean+var", tensor.summary_numpy_plain, "values", "at least as fast as numpy"),
    ("Sort 10M doubles", "tensor-sort-10M", 5,
     "numpy sort", tensor.sort_numpy, "values", "at least as fast as numpy"),
    ("Matrix product 1024x1024, Float64", "matmul-f64-1024", 15,
     "numpy matmul (OpenBLAS)", tensor.matmul_f64_numpy, "flop", "at least half of OpenBLAS (ratio ≥ 0.5)"),
    ("Matrix product 1024x1024, Float32", "matmul-f32-1024", 15,
     "numpy matmul (OpenBLAS)", tensor.matmul_f32_numpy, "flop", "at least half of OpenBLAS (ratio ≥ 0.5)"),
    ("Read a 1M-row x 20-column numeric CSV into columns", "csv-read-1M-x20", 5,
     "pandas.read_csv", tensor.read_csv_pandas, "rows", "at least 2x faster than pandas"),
    ("Read the same CSV, against polars", "csv-read-1M-x20", 5,
     "polars.read_csv", tensor.read_csv_polars, "rows", "faster than polars (issue #14)"),
] + [
    (f"Read 1M x 10 CSV, {name}", f"csv-read-format-{name}", 5, "polars.read_csv", csv_formats.polars_reader(name), "rows",
     "faster than polars on every numeric format (issue #14)")
    for name in csv_formats.FORMATS
] + [
    ("Drift: two-sample KS, 1M vs 1M, statistic and p-value", "drift-ks-1M", 7,
     "scipy.stats.ks_2samp", tensor.ks_scipy, "tests", "at least 10x faster than scipy"),
    ("Drift: Wasserstein-1, 1M vs 1M", "drift-wasserstein-1M", 7,
     "scipy.stats.wasserstein_distance", tensor.wasserstein_scipy, "tests", "at least 10x faster than scipy"),
    ("Drift: PSI and chi-square, 10 reference bins, 1M vs 1M", "drift-psi-chisquare-1M", 11,
     "numpy quantile+searchsorted+bincount, scipy chi2_contingency", drift.psi_chisquare_numpy, "tests", "at least 3x faster than numpy"),
    ("Drift: full report + HTML, 50 numeric columns x 100k rows", "drift-report-50x100k", 3,
     "Evidently DataDriftPreset + HTML", drift.evidently_report, "reports", "at least 100x faster than Evidently, under 1/4 of its memory"),
    ("Drift: profile ingestion, 5M cells, one core (column batches)", "drift-profile-ingest-5M-cells", 5,
     "whylogs why.log on a DataFrame", drift.whylogs_profile, "cells", "≥ 50M cells/s per core"),
    ("Drift: streaming profiler, 5M cells as 100k rows, 2 tasks", "drift-profile-record-5M-cells", 5,
     None, None, "cells", "no lock waits on the hot path"),
    ("KLL update, 10M doubles, one core", "kll-update-10M", 3,
     None, None, "values", "≥ 20M values/s"),
    ("Lineage: 1M individual log calls (buffered) + flush", "lineage-log-calls", 3,
     "MLflow log_metric, scaled to 1M calls", lineage.log_calls_mlflow, "calls", "≥ 100,000 calls/s and 1,000x MLflow"),
    ("Lineage: 1M metric points into SQLite, batches of 10k", "lineage-metric-points", 3,
     "MLflow log_batch, scaled to 1M points", lineage.metric_points_mlflow, "points", "≥ 1,000,000 points/s"),
    ("PostgreSQL: 1M metric points through Lineage, batches of 10k (needs a server)", "pg-lineage-metric-points-1M", 3,
     "psycopg executemany, same rows and batches", postgres_writes.executemany, "points", "at least 2x executemany"),
    ("PostgreSQL: 1M metric points through Lineage, against COPY", "pg-lineage-metric-points-1M", 3,
     "psycopg COPY FROM STDIN, same rows and batches", postgres_writes.copy, "points", "within 1.5x of COPY (ratio ≥ 0.67)"),
    ("PostgreSQL: 1M metric points through Lineage, against COPY into lineage_metrics", "pg-lineage-metric-points-1M", 3,
     "psycopg COPY FROM STDIN into lineage_metrics itself", postgres_writes.copy_lineage, "points", "within 1.5x of COPY (ratio ≥ 0.67)"),
    ("Lineage: search 100k runs, two-condition filter", "lineage-search-100k", 11,
     None, None, "searches", "under 50 ms"),
    ("Lineage: ancestors of a model, 1M-edge graph", "lineage-ancestors-1M-edges", 11,
     None, None, "walks", "under 10 ms"),
    ("Registry: register a version + set an alias, 1,000 times (SQLite)", "registry-register-alias-1k", 3,
     "MLflow create_model_version + set_registered_model_alias, all 1,000 pairs", registry.register_and_alias_mlflow, "pairs", "≥ 100x MLflow"),
    ("Registry: search 10,000 versions by tag", "registry-search-tag-10k", 11,
     "MLflow search_model_versions tags filter", registry.search_by_tag_mlflow, "searches", "≥ 100x MLflow"),
    ("Registry: resolve an alias 100,000 times (cached)", "registry-resolve-100k", 5,
     "MLflow get_model_version_by_alias, scaled", registry.resolve_alias_mlflow, "resolutions", "≥ 100x MLflow, under 5 µs each"),
    ("Registry: verify a 1,000,000-entry audit chain", "registry-verify-chain-1M", 3,
     "Python hashlib chain check (MLflow has no audit log)", registry.verify_chain_python, "entries", "≥ 1,000,000 entries/s"),
    ("GPU: one pass over 10,000 waiting jobs, 1,000 nodes (8,000 GPUs)", "gpu-decisions-10k-pending", 11,
     None, None, "decisions", "≥ 100,000 decisions/s on one core"),
    ("GPU: replay Philly (82,247 jobs, 512 GPUs), FIFO greedy, read + simulate", "gpu-replay-philly-fifo", 3,
     "naive Python replay (GPU counts only), FIFO greedy", gpu.replay_fifo_python, "jobs", "under 10 s per policy, whole process"),
    ("GPU: replay Philly (82,247 jobs, 512 GPUs), SJF greedy, read + simulate", "gpu-replay-philly-sjf", 3,
     "naive Python replay (GPU counts only), SJF greedy", gpu.replay_sjf_python, "jobs", "under 10 s per policy, whole process"),
    ("Rollout: 10M routing decisions (hash, bucket, variant), 1M users", "rollout-route-10M", 5,
     "GrowthBook's bucketing in pure Python", rollout.route_growthbook_python, "decisions", "under 100 ns each, no allocation"),
    ("Rollout: 10M routing decisions through a RouterHandle", "rollout-route-handle-10M", 5,
     None, None, "decisions", "under 100 ns each, no allocation"),
    ("Rollout: record 10M outcomes (variant, metric, value)", "rollout-record-outcome-10M", 5,
     "per-variant Welford in a Python dict", rollout.record_outcome_python, "outcomes", "under 200 ns each"),
    ("Rollout: analyze 10M events (read CSV + 10,000 looks)", "rollout-analyze-10M", 3,
     "pandas.read_csv + numpy/scipy sequential test", rollout.analyze_pandas, "events", "under 2 s"),
    ("Features: point-in-time join, 1M events x 10M rows, 100k entities, TTL 2d (in memory)", "features-join-1M-10M", 5,
     "pandas merge_asof", features.join_in_memory_pandas, "events", "under 0.5 s, 2x DuckDB (1.0 s in the issue)"),
    ("Features: join whole process, CSV in and out, 1M x 5M", "features-join-whole-1M-5M", 3,
     "pandas read_csv + merge_asof + to_csv", features.join_whole_pandas, "events", "faster than DuckDB (2.0 s, 506 MiB in the issue)"),
    ("Features: point-in-time join in memory, against DuckDB ASOF JOIN", "features-join-1M-10M", 5,
     "DuckDB ASOF LEFT JOIN (tables loaded first)", features_join_engines.duckdb_in_memory, "events", "under 0.5 s, at least 2x DuckDB"),
    ("Features: point-in-time join in memory, against polars join_asof", "features-join-1M-10M", 5,
     "polars join_asof (frames loaded first)", features_join_engines.polars_in_memory, "events", "faster than polars"),
    ("Features: join whole process against DuckDB (CSV in, CSV out)", "features-join-whole-1M-5M", 3,
     "DuckDB read_csv + ASOF JOIN + COPY, one process", features_join_engines.duckdb_whole, "events", "faster than DuckDB with less memory"),
    ("Features: join whole process against polars (CSV in, CSV out)", "features-join-whole-1M-5M", 3,
     "polars read_csv + join_asof + write_csv, one process", features_join_engines.polars_whole, "events", "faster than polars"),
    ("Features: online read, one entity a request, 10,000 requests (SQLite, 100k entities)", "features-online-read-10k", 5,
     "Python sqlite3 point read + json.loads", features.online_reads_sqlite, "reads", "faster than the hand-written Python read"),
] + [
    (f"mlops drift --method {method}, whole process, 2 x 100k x 50 CSV", f"drift-whole-{method}", 3,
     "pandas read_csv + scipy per column", whole_process_drift.pandas_scipy(method), "runs",
     "at least 10x pandas + scipy (issue #14)" if method == "ks" else "at least 5x pandas + scipy (issue #14)")
    for method in whole_process_drift.METHODS
] + [
    ("mlops drift (auto), whole process, against Evidently", "drift-whole-auto", 3,
     "Evidently DataDriftPreset (read_csv + report as JSON)", whole_process_drift.evidently, "runs",
     "at least 5x (issue #14: every method, auto included)"),
]


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def rate(items, seconds, unit):
    per_second = items / seconds
    if unit == "bytes":
        return f"{per_second / 2**20:,.0f} MiB/s"
    if unit == "flop":
        return f"{per_second / 1e9:,.1f} GFLOP/s"
    return f"{per_second:,.0f} {unit}/s"


def main():
    print(f"# machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'case':58} {'ours (median)':>16} {'anchor (median)':>16} {'ratio':>7}  notes")
    results = {}
    for title, case, repetitions, anchor_name, anchor, unit, goal in CASES:
        if FILTER and FILTER not in case:
            continue
        completed = subprocess.run(
            [BINARY, "--case", case, "--data", DATA, "--repeat", str(repetitions)],
            check=True, capture_output=True, text=True)
        ours = json.loads(completed.stdout.strip().splitlines()[-1])
        results[case] = ours
        ours_seconds = ours["median_seconds"]
        notes = f"{rate(ours['items'], ours_seconds, unit)}; {ours_seconds / ours['items'] * 1e9:,.1f} ns each; peak RSS {ours['peak_rss_mib']:.0f} MiB; goal: {goal}"
        if "mlops_peak_rss_mib" in ours:
            notes += f"; mlops peak RSS {ours['mlops_peak_rss_mib']:.0f} MiB"
        if "allocations" in ours:
            notes += f"; {ours['allocations']:.0f} heap allocations while timed"
        if anchor is not None:
            measured = anchor(DATA, repetitions)
            if isinstance(measured, dict):
                notes += f"; {measured['note']}"
                measured = measured["seconds"]
            anchor_seconds = median(measured)
            ratio = anchor_seconds / ours_seconds
            print(f"{title:58} {ours_seconds * 1000:13.1f} ms {anchor_seconds * 1000:13.1f} ms {ratio:6.2f}x  {notes} (anchor: {anchor_name})")
        else:
            print(f"{title:58} {ours_seconds * 1000:13.1f} ms {'—':>16} {'':>7}  {notes}")
    if "sqlite-insert-mlops" in results and "sqlite-insert-raw-c" in results:
        overhead = results["sqlite-insert-mlops"]["median_seconds"] / results["sqlite-insert-raw-c"]["median_seconds"]
        print(f"MLOpsStorage / raw C API time: {overhead:.2f}x (goal ≤ 1.30x)")


if __name__ == "__main__":
    main()
