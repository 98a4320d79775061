#!/usr/bin/env python3
"""Writes seeded point-in-time join inputs: events.csv (entity,event_time,label) and
features.csv (entity,feature_time,amount_7d,txn_count,segment).

    python3 generate_feature_join.py OUT_DIR --events N --features M --entities E [--seed S] [--days D] [--iso]

Times are epoch seconds (integers) spread over D days, or ISO 8601 text with --iso. Feature rows
are written in time order (as a log would be); events in time order too. Entities are e0 … e(E-1).
"""
import argparse
import os

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--features", type=int, required=True)
    parser.add_argument("--entities", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=float, default=30)
    parser.add_argument("--iso", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    start = 1_764_547_200  # 2025-12-01T00:00:00Z
    span = int(args.days * 86400)

    def times(n):
        t = np.sort(rng.integers(start, start + span, n))
        if args.iso:
            return np.datetime_as_string(t.astype("datetime64[s]"), unit="s").astype(object) + "Z"
        return t.astype(str)

    def write(path, header, columns):
        n = len(columns[0])
        with open(path, "w") as out:
            out.write(header + "\n")
            chunk = 1_000_000
            for s in range(0, n, chunk):
                rows = columns[0][s:s + chunk].astype(str)
                for c in columns[1:]:
                    rows = np.char.add(np.char.add(rows, ","), c[s:s + chunk].astype(str))
                out.write("\n".join(rows.tolist()))
                out.write("\n")

    fe = np.char.add("e", rng.integers(0, args.entities, args.features).astype(str))
    ft = times(args.features)
    amount = np.char.mod("%.4f", rng.gamma(2.0, 50.0, args.features))
    count = rng.integers(0, 40, args.features).astype(str)
    segment = np.array(["retail", "premium", "business"])[rng.integers(0, 3, args.features)]
    write(os.path.join(args.out, "features.csv"), "entity,feature_time,amount_7d,txn_count,segment", [fe, ft, amount, count, segment])
    ee = np.char.add("e", rng.integers(0, int(args.entities * 1.02), args.events).astype(str))  # 2% unseen entities
    et = times(args.events)
    label = rng.integers(0, 2, args.events).astype(str)
    write(os.path.join(args.out, "events.csv"), "entity,event_time,label", [ee, et, label])


if __name__ == "__main__":
    main()
