"""Python anchors for the DriftStats cases: numpy/scipy for PSI and chi-square, Evidently for a
full drift report, whylogs for profile ingestion. Evidently and whylogs each live in their own
virtualenv (Benchmarks/run makes them), because their pandas pins clash with MLflow's.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def _load(data_folder, name):
    return np.fromfile(os.path.join(data_folder, f"{name}.f64"), dtype=np.float64)


def psi_chisquare_numpy(data_folder, repetitions):
    """What a numpy user writes: reference quantile edges, searchsorted + bincount, PSI, and
    scipy's chi2_contingency on the two count rows."""
    from scipy import stats
    x = _load(data_folder, "normal-10M")
    a, b = x[:1_000_000], x[1_000_000:2_000_000] + 0.01
    seconds = []
    for _ in range(repetitions):
        start = time.perf_counter()
        edges = np.unique(np.quantile(a, np.arange(1, 10) / 10))
        r = np.bincount(np.searchsorted(edges, a, side="right"), minlength=edges.size + 1)
        c = np.bincount(np.searchsorted(edges, b, side="right"), minlength=edges.size + 1)
        rs, cs = np.maximum(r / r.sum(), 1e-4), np.maximum(c / c.sum(), 1e-4)
        _psi = float(np.sum((cs - rs) * np.log(cs / rs)))
        _chi2 = stats.chi2_contingency(np.vstack([r, c]))
        seconds.append(time.perf_counter() - start)
    return seconds


def report_tables(data_folder):
    """The 50 x 100k reference and current tables, as the Swift case builds them."""
    import pandas as pd
    x = _load(data_folder, "normal-10M")
    reference, current = {}, {}
    for column in range(50):
        reference[f"f{column}"] = x[column * 100_000:(column + 1) * 100_000]
        c = x[5_000_000 + column * 100_000:5_000_000 + (column + 1) * 100_000]
        if column % 10 == 0:
            c = c * 1.2
        elif column % 5 == 0:
            c = c + 0.1
        current[f"f{column}"] = c
    return pd.DataFrame(reference), pd.DataFrame(current)


def _in_venv(venv, function, data_folder, repetitions):
    """Runs `function` of this file under another virtualenv's Python; returns its result."""
    python = os.path.join(ROOT, "Benchmarks", venv, "bin", "python")
    completed = subprocess.run(
        [python, os.path.abspath(__file__), function, data_folder, str(repetitions)],
        check=True, capture_output=True, text=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def evidently_report(data_folder, repetitions):
    """Evidently's DataDriftPreset report and its HTML, 50 x 100k against 50 x 100k."""
    result = _in_venv(".venv-evidently", "_evidently", data_folder, repetitions)
    return {"seconds": result["seconds"],
            "note": f"Evidently {result['version']}: CPU {result['cpu_seconds']:.1f} s per report, peak RSS {result['peak_rss_mib']:.0f} MiB"}


def whylogs_profile(data_folder, repetitions):
    """whylogs' why.log on a 50 x 100k pandas DataFrame (5M cells)."""
    result = _in_venv(".venv-whylogs", "_whylogs", data_folder, repetitions)
    return {"seconds": result["seconds"], "note": f"whylogs {result['version']}"}


def _peak_rss_mib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _evidently(data_folder, repetitions):
    import evidently
    from evidently import Report
    from evidently.presets import DataDriftPreset
    reference, current = report_tables(data_folder)
    seconds, cpu = [], []
    for _ in range(repetitions):
        start, cpu_start = time.perf_counter(), time.process_time()
        snapshot = Report([DataDriftPreset()]).run(current_data=current, reference_data=reference)
        snapshot.get_html_str(as_iframe=False)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    print(json.dumps({"seconds": seconds, "cpu_seconds": sorted(cpu)[len(cpu) // 2],
                      "peak_rss_mib": _peak_rss_mib(), "version": evidently.__version__}))


def _whylogs(data_folder, repetitions):
    import whylogs
    reference, _ = report_tables(data_folder)
    seconds = []
    for _ in range(repetitions):
        start = time.perf_counter()
        whylogs.log(pandas=reference).profile().view()
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"seconds": seconds, "version": whylogs.__version__}))


if __name__ == "__main__":
    globals()[sys.argv[1]](sys.argv[2], int(sys.argv[3]))
