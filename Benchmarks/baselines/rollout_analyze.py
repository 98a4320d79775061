#!/usr/bin/env python3
"""The rollout sequential test written with pandas/numpy/scipy: the anchor of `mlops rollout analyze`.

Benchmark anchor (speed) and reference (decisions) for `mlops rollout analyze`: the same events
file, the same looks, the same always-valid confidence sequence, written the way a data scientist
would with pandas, numpy and scipy (vectorised cumulative sums, one row per look).

    python3 rollout_analyze.py EVENTS --control NAME --candidate NAME --metric COLUMN
        [--kind proportion|mean] [--lower-is-better] [--alpha A] [--look-every N]
        [--expected-split 50/50] [--minimum-samples N] [--maximum-samples N]
        [--srm-alpha P] [--tuning-sample-size N]

EVENTS is CSV with columns timestamp,unit,variant,<metric>. The rules, in order, at each look:
no observations -> hold; SRM chi-square p < srm_alpha -> hold; fewer than minimum_samples in an
arm -> hold; for a proportion, fewer than 5 events of the rarer outcome expected in the smaller
arm at the pooled rate -> hold; the confidence sequence of candidate - control (sign-adjusted so positive is
better) entirely below 0 -> rollback, entirely above 0 -> promote; both arms at maximum_samples
-> hold; else continue. The first promote or rollback ends the replay.

Confidence sequence (Waudby-Smith et al. 2024, Theorem 2.2, Gaussian mixture; the two-sample
form GrowthBook documents): with N = n_c + n_t, V = s_c^2/n_c + s_t^2/n_t (sample variances,
ddof=1; for a proportion each arm's variance is p~(1 - p~)/n with p~ = (x + 1)/(n + 2), Agresti and
Caffo's adjustment), rho = sqrt((-2 ln a + ln(-2 ln a + 1)) / N*),
half-width = sqrt(V N) * sqrt(2 (N rho^2 + 1) / (N^2 rho^2) * ln(sqrt(N rho^2 + 1) / a)).

Prints one JSON object: decision, decided_after_events, srm {p_value, observed}, looks (events,
estimate, interval, decision), seconds (read + analyse, time.perf_counter).
"""
import argparse
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats


def analyze(events, control, candidate, metric, lower_is_better=False, alpha=0.05, look_every=1000, expected_split="50/50",
            minimum_samples=1000, maximum_samples=None, srm_alpha=0.001, tuning_sample_size=10000):
    """Reads EVENTS and replays it; returns the result as a dict (what main prints)."""
    args = argparse.Namespace(
        events=events, control=control, candidate=candidate, metric=metric, lower_is_better=lower_is_better, alpha=alpha,
        look_every=look_every, expected_split=expected_split, minimum_samples=minimum_samples, maximum_samples=maximum_samples,
        srm_alpha=srm_alpha, tuning_sample_size=tuning_sample_size)
    return _analyze(args)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("events")
    parser.add_argument("--control", required=True)
    parser.add_argument("--candidate", required=True)
    parser.add_argument("--metric", required=True)
    parser.add_argument("--kind", default="proportion")
    parser.add_argument("--lower-is-better", action="store_true")
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--look-every", type=int, default=1000)
    parser.add_argument("--expected-split", default="50/50")
    parser.add_argument("--minimum-samples", type=int, default=1000)
    parser.add_argument("--maximum-samples", type=int, default=None)
    parser.add_argument("--srm-alpha", type=float, default=0.001)
    parser.add_argument("--tuning-sample-size", type=float, default=10000)
    args = parser.parse_args()
    print(json.dumps(_analyze(args)))


def _analyze(args):
    start = time.perf_counter()
    # The unit column is not needed by the test: read only what it uses (as the Swift side does).
    frame = pd.read_csv(args.events, usecols=["timestamp", "variant", args.metric], dtype={"variant": str})
    frame = frame.sort_values("timestamp", kind="stable")
    variant = frame["variant"].to_numpy()
    y = frame[args.metric].to_numpy(dtype=float)
    n = len(y)
    is_c = variant == args.control
    is_t = variant == args.candidate
    has = ~np.isnan(y)
    yc = np.where(is_c & has, y, 0.0)
    yt = np.where(is_t & has, y, 0.0)
    looks_at = np.arange(args.look_every, n + args.look_every, args.look_every)
    looks_at[-1] = min(looks_at[-1], n)
    looks_at = np.unique(np.minimum(looks_at, n))
    idx = looks_at - 1

    def cum(a):
        return np.cumsum(a)[idx]

    assigned_c, assigned_t = cum(is_c.astype(np.int64)), cum(is_t.astype(np.int64))
    nc, nt = cum((is_c & has).astype(np.int64)), cum((is_t & has).astype(np.int64))
    sc, st = cum(yc), cum(yt)
    qc, qt = cum(yc * yc), cum(yt * yt)
    with np.errstate(divide="ignore", invalid="ignore"):
        mc, mt = sc / nc, st / nt
        vc = (qc - sc * mc) / (nc - 1)
        vt = (qt - st * mt) / (nt - 1)
        if args.kind == "proportion":
            # Agresti and Caffo's adjustment: each arm's variance at (x + 1) / (n + 2).
            pc, pt = (sc + 1) / (nc + 2), (st + 1) / (nt + 2)
            var = pc * (1 - pc) / nc + pt * (1 - pt) / nt
        else:
            var = vc / nc + vt / nt
        total = nc + nt
        pooled = (sc + st) / total
        expected_rarer = np.minimum(nc, nt) * np.minimum(pooled, 1 - pooled)
        a = args.alpha
        rho = np.sqrt((-2 * np.log(a) + np.log(-2 * np.log(a) + 1)) / args.tuning_sample_size)
        nr2 = total * rho * rho
        half = np.sqrt(var * total) * np.sqrt(2 * (nr2 + 1) / (total * total * rho * rho) * np.log(np.sqrt(nr2 + 1) / a))
        estimate = mt - mc
    split = [float(s) for s in args.expected_split.split("/")]
    shares = np.array(split) / sum(split)
    observed = np.stack([assigned_c, assigned_t], axis=1)
    totals = observed.sum(axis=1)
    expected = totals[:, None] * shares[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = ((observed - expected) ** 2 / expected).sum(axis=1)
    srm_p = np.where(totals > 0, stats.chi2.sf(chi2, 1), 1.0)
    sign = -1.0 if args.lower_is_better else 1.0

    looks = []
    decision = "hold"
    for k in range(len(idx)):
        if nc[k] + nt[k] == 0:
            d = "hold"
        elif srm_p[k] < args.srm_alpha:
            d = "hold"
        elif nc[k] < args.minimum_samples or nt[k] < args.minimum_samples:
            d = "hold"
        elif args.kind == "proportion" and expected_rarer[k] < 5:
            d = "hold"
        elif sign * estimate[k] + half[k] < 0:
            d = "rollback"
        elif sign * estimate[k] - half[k] > 0:
            d = "promote"
        elif args.maximum_samples is not None and nc[k] >= args.maximum_samples and nt[k] >= args.maximum_samples:
            d = "hold"
        else:
            d = "continue"
        both = nc[k] > 0 and nt[k] > 0
        looks.append({
            "events": int(looks_at[k]),
            "estimate": float(estimate[k]) if both else None,
            "interval": [float(estimate[k] - half[k]), float(estimate[k] + half[k])] if both and np.isfinite(half[k]) else None,
            "decision": d,
        })
        decision = d
        if d in ("promote", "rollback"):
            break
    seconds = time.perf_counter() - start
    last = len(looks) - 1
    return {
        "decision": decision,
        "decided_after_events": looks[-1]["events"] if looks else 0,
        "srm": {"p_value": float(srm_p[last]) if looks else 1.0, "observed": [int(assigned_c[last]), int(assigned_t[last])] if looks else [0, 0]},
        "looks": looks,
        "seconds": seconds,
    }


if __name__ == "__main__":
    sys.exit(main())
