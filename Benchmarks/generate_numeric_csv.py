"""Writes the 1M-row x 20-column numeric CSV the CSV-reading case uses (seeded; about 174 MB):
integers, decimals with 2-6 places and %g-formatted log-normal values, as exported data looks."""
import sys

import numpy as np

rng = np.random.default_rng(42)
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
columns = 20
with open(sys.argv[1], "w") as out:
    out.write(",".join(f"f{i}" for i in range(columns)) + "\n")
    for start in range(0, rows, 100_000):
        m = min(100_000, rows - start)
        parts = []
        for column in range(columns):
            kind = column % 5
            if kind == 0:
                parts.append(rng.integers(-100000, 100000, m).astype(str))
            elif kind == 1:
                parts.append(np.char.mod("%.4f", rng.normal(0, 100, m)))
            elif kind == 2:
                parts.append(np.char.mod("%.6f", rng.random(m)))
            elif kind == 3:
                parts.append(np.char.mod("%.2f", rng.normal(0, 1e6, m)))
            else:
                parts.append(np.char.mod("%.6g", rng.lognormal(0, 3, m)))
        out.write("\n".join(",".join(row) for row in zip(*parts)) + "\n")
