#!/usr/bin/env python3
"""Issue #14's whole-process drift cases: what a Python user runs instead of
`mlops drift ref.csv cur.csv --method M --format json` on the same two 100,000 x 50 CSV files of
normal values written with %.9g (the current one shifted by 0.02).

- pandas read_csv of both files plus the scipy/numpy function per column, one per method;
- Evidently's DataDriftPreset on the two frames read with pandas, its result as JSON (against our
  `--method auto`, which is what Evidently's preset is: a method chosen per column).

The clock starts after the imports on the Python side; ours includes the process start.

    python3 Benchmarks/baselines/whole_process_drift.py --write DIR   # the two files, if missing
"""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ROWS, COLUMNS, SHIFT = 100_000, 50, 0.02


def files(data_folder):
    folder = os.path.join(data_folder, "drift-whole")
    return os.path.join(folder, "ref.csv"), os.path.join(folder, "cur.csv")


def write(data_folder):
    """Writes the two seeded files where they are missing."""
    import numpy as np
    reference, current = files(data_folder)
    if os.path.exists(reference) and os.path.exists(current):
        return
    os.makedirs(os.path.dirname(reference), exist_ok=True)
    rng = np.random.default_rng(7)
    header = ",".join(f"c{i}" for i in range(COLUMNS))
    for path, shift in [(reference, 0.0), (current, SHIFT)]:
        data = rng.normal(shift, 1, size=(ROWS, COLUMNS))
        np.savetxt(path + ".partial", data, fmt="%.9g", delimiter=",", header=header, comments="")
        os.replace(path + ".partial", path)


def _psi(a, b):
    import numpy as np
    edges = np.quantile(a, np.linspace(0.1, 0.9, 9))
    ra = np.bincount(np.searchsorted(edges, a, side="right"), minlength=10) / len(a)
    rb = np.bincount(np.searchsorted(edges, b, side="right"), minlength=10) / len(b)
    ra, rb = np.maximum(ra, 1e-4), np.maximum(rb, 1e-4)
    return np.sum((rb - ra) * np.log(rb / ra))


# The methods with a scipy/numpy counterpart, in the order the harness runs them.
METHODS = ("ks", "cramervonmises", "andersondarling", "mannwhitney", "ttest", "wasserstein", "energy", "psi")


def _scipy_functions():
    from scipy import stats
    return {
        "ks": ("ks_2samp", lambda a, b: stats.ks_2samp(a, b).pvalue),
        "cramervonmises": ("cramervonmises_2samp", lambda a, b: stats.cramervonmises_2samp(a, b).pvalue),
        "andersondarling": ("anderson_ksamp", lambda a, b: stats.anderson_ksamp([a, b]).pvalue),
        "mannwhitney": ("mannwhitneyu", lambda a, b: stats.mannwhitneyu(a, b).pvalue),
        "ttest": ("ttest_ind, Welch", lambda a, b: stats.ttest_ind(a, b, equal_var=False).pvalue),
        "wasserstein": ("wasserstein_distance", lambda a, b: stats.wasserstein_distance(a, b)),
        "energy": ("energy_distance", lambda a, b: stats.energy_distance(a, b)),
        "psi": ("numpy quantile, searchsorted, bincount", _psi),
    }


def pandas_scipy(method):
    """The anchor for one method: a function (data_folder, repetitions) for compare.py."""
    def measure(data_folder, repetitions):
        import warnings
        import pandas as pd
        import scipy
        warnings.filterwarnings("ignore")  # anderson_ksamp's notes on its floored p-value
        name, function = _scipy_functions()[method]
        reference, current = files(data_folder)
        seconds = []
        for _ in range(repetitions):
            start = time.perf_counter()
            a, b = pd.read_csv(reference), pd.read_csv(current)
            [function(a[c].to_numpy(), b[c].to_numpy()) for c in a.columns]
            seconds.append(time.perf_counter() - start)
        return {"seconds": seconds, "note": f"pandas {pd.__version__} read_csv + scipy {scipy.__version__} {name} per column"}
    return measure


def evidently(data_folder, repetitions):
    """Evidently's DataDriftPreset on the same files, in its own virtualenv."""
    import subprocess
    python = os.path.join(ROOT, "Benchmarks", ".venv-evidently", "bin", "python")
    if not os.access(python, os.X_OK):
        raise RuntimeError(f"{python} is missing: `bash Benchmarks/run` creates Benchmarks/.venv-evidently "
                           "(python3 -m venv --system-site-packages, then pip install 'evidently>=0.7,<0.8' 'pandas<3')")
    completed = subprocess.run([python, os.path.abspath(__file__), "--evidently", data_folder, str(repetitions)],
                               capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"the Evidently side failed (exit {completed.returncode}):\n{completed.stderr}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    return {"seconds": result["seconds"],
            "note": f"Evidently {result['version']} DataDriftPreset, JSON result: peak RSS {result['peak_rss_mib']:.0f} MiB"}


def _evidently(data_folder, repetitions):
    import evidently
    import pandas as pd
    from evidently import Report
    from evidently.presets import DataDriftPreset
    reference, current = files(data_folder)
    seconds = []
    for _ in range(repetitions):
        start = time.perf_counter()
        a, b = pd.read_csv(reference), pd.read_csv(current)
        Report([DataDriftPreset()]).run(current_data=b, reference_data=a).json()
        seconds.append(time.perf_counter() - start)
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": seconds, "peak_rss_mib": peak, "version": evidently.__version__}))


if __name__ == "__main__":
    if sys.argv[1] == "--write":
        write(sys.argv[2])
    elif sys.argv[1] == "--evidently":
        _evidently(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
