#!/usr/bin/env python3
"""Writes a seeded rollout events file: timestamp,unit,variant,<metric>[,covariate].

    python3 generate_rollout_events.py OUT --events N [--seed S] [--baseline 0.1] [--effect -0.05]
        [--kind proportion|mean] [--split 50/50] [--units U] [--control NAME] [--candidate NAME]

Units are user-0 … user-(U-1), each sticky to one variant (by a seeded coin with the split's
odds); events arrive one per 0.01 s in time order. A proportion metric is a Bernoulli draw with
the variant's rate (baseline, or baseline × (1 + effect) for the candidate); a mean metric is
normal with standard deviation 1 and a covariate correlated 0.7 with it (for CUPED).
"""
import argparse

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline", type=float, default=0.1)
    parser.add_argument("--effect", type=float, default=0.0)
    parser.add_argument("--kind", default="proportion")
    parser.add_argument("--split", default="50/50")
    parser.add_argument("--units", type=int, default=None)
    parser.add_argument("--control", default="control")
    parser.add_argument("--candidate", default="candidate")
    parser.add_argument("--metric", default="converted")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.events
    units = args.units or max(1, n // 5)
    c, t = (float(s) for s in args.split.split("/"))
    unit_arm = rng.random(units) < t / (c + t)
    unit = rng.integers(0, units, n)
    arm = unit_arm[unit]
    rate = np.where(arm, args.baseline * (1 + args.effect), args.baseline)
    if args.kind == "proportion":
        y = (rng.random(n) < rate).astype(np.int8)
        metric_text = y.astype(str)
        extra = None
    else:
        x = rng.standard_normal(n)
        y = rate + 0.7 * x + np.sqrt(1 - 0.49) * rng.standard_normal(n)
        metric_text = np.char.mod("%.6f", y)
        extra = np.char.mod("%.6f", x)
    ts = np.char.mod("%.2f", 1_765_000_000 + np.arange(n) * 0.01)
    names = np.where(arm, args.candidate, args.control)
    units_text = np.char.add("user-", unit.astype(str))
    columns = [ts, units_text, names, metric_text] + ([extra] if extra is not None else [])
    header = "timestamp,unit,variant," + args.metric + (",covariate" if extra is not None else "")
    with open(args.out, "w") as out:
        out.write(header + "\n")
        chunk = 1_000_000
        for start in range(0, n, chunk):
            parts = [c[start:start + chunk] for c in columns]
            rows = parts[0]
            for part in parts[1:]:
                rows = np.char.add(np.char.add(rows, ","), part)
            out.write("\n".join(rows.tolist()))
            out.write("\n")


if __name__ == "__main__":
    main()
