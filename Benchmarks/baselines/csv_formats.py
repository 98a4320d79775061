"""The numeric formats of issue #14's CSV goal, one 1,000,000 × 10 file each (seeded), and polars
reading them: integers, fixed decimals (4 places), 9 and 17 significant digits, exponent forms,
quoted fields, and 10% missing values.

    python3 csv_formats.py DATA_FOLDER        (writes DATA_FOLDER/csv-format-NAME.csv when missing)
"""
import os
import sys
import time

import numpy as np

FORMATS = ["integers", "fixed", "sig9", "sig17", "exponents", "quoted", "missing"]
ROWS, COLUMNS = 1_000_000, 10


def path(data_folder, name):
    return os.path.join(data_folder, f"csv-format-{name}.csv")


def write(data_folder):
    rng = np.random.default_rng(14)
    for name in FORMATS:
        target = path(data_folder, name)
        if os.path.exists(target):
            continue
        values = rng.standard_normal((ROWS, COLUMNS)) * 1000
        header = ",".join(f"c{i}" for i in range(COLUMNS))
        if name == "integers":
            np.savetxt(target, np.round(values).astype(np.int64), fmt="%d", delimiter=",", header=header, comments="")
        elif name == "fixed":
            np.savetxt(target, values, fmt="%.4f", delimiter=",", header=header, comments="")
        elif name == "sig9":
            np.savetxt(target, values, fmt="%.9g", delimiter=",", header=header, comments="")
        elif name == "sig17":
            np.savetxt(target, values, fmt="%.17g", delimiter=",", header=header, comments="")
        elif name == "exponents":
            np.savetxt(target, values * 1e-7, fmt="%.6e", delimiter=",", header=header, comments="")
        elif name == "quoted":
            np.savetxt(target, values, fmt='"%.6f"', delimiter=",", header=header, comments="")
        elif name == "missing":
            with open(target, "w") as out:
                out.write(header + "\n")
                mask = rng.random((ROWS, COLUMNS)) < 0.1
                for row, holes in zip(values, mask):
                    out.write(",".join("" if hole else f"{v:.6f}" for v, hole in zip(row, holes)) + "\n")


def polars_reader(name):
    def measure(data_folder, repetitions):
        import polars
        write(data_folder)
        seconds = []
        for _ in range(repetitions):
            began = time.perf_counter()
            frame = polars.read_csv(path(data_folder, name))
            seconds.append(time.perf_counter() - began)
        assert frame.height == ROWS
        return seconds
    return measure


if __name__ == "__main__":
    write(sys.argv[1] if len(sys.argv) > 1 else "Benchmarks/.data")
