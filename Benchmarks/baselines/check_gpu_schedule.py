#!/usr/bin/env python3
"""Independent checker for a GPU schedule written by `mlops gpu simulate`. Standard library only.

    python3 check_gpu_schedule.py --trace TRACE --schedule SCHEDULE.csv --report REPORT.json --gpus N

TRACE: Philly-style CSV (timestamp,duration,num_gpus,gpu_time,cluster; timestamp
'YYYY-MM-DD HH:MM:SS' UTC); job id = 0-based data row number.
SCHEDULE.csv: header `job,start,end,gpus[,more columns ignored]`, one row per stretch a job ran
(a preempted job has several rows); times in seconds from the trace's earliest submit; gpus may be
fractional.
REPORT.json: the simulator's report; read at jct_seconds.{average,median,p99},
queueing_delay_seconds.{average,median,p99}, utilization.average and jobs.finished.

Checks:
  (a) capacity: at no instant do the running stretches hold more than N GPUs (sweep line; a
      stretch ending at t and one starting at t do not overlap);
  (b) no stretch starts before its job's submit time (and every stretch has end >= start and a
      job id that exists in the trace);
  (c) a job's stretches do not overlap one another, and their total length reaches the trace
      duration (1e-6 relative tolerance); jobs that fall short are listed;
  (d) recomputed metrics match the report (relative tolerance 1e-6, absolute 1e-6 near zero):
      JCT = max end - submit, queueing delay = JCT - total running time (average, median, p99
      over finished jobs, percentiles as numpy.percentile's default linear method),
      utilization = sum gpus*(end-start) / (N * max end), jobs.finished = number of distinct
      scheduled jobs whose total running time reaches their duration.

With --allow-unfinished, jobs whose running time falls short of their duration (a run cut off
at a horizon) are listed but do not fail (c); they are left out of the JCT/queueing statistics
either way. Exit status 1 if any check fails, 0 otherwise (2 for unreadable inputs).
"""
import argparse
import csv
import json
import math
import sys
from datetime import date

TOL = 1e-6
SHOW = 10  # offending items printed per check


def close(a, b, rel=TOL, abs_=TOL):
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


def read_trace(path):
    """(submit_seconds_relative, duration) lists indexed by row."""
    submit, duration = [], []
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader)]
        it, id_ = header.index("timestamp"), header.index("duration")
        for row in reader:
            if not row:
                continue
            ts = row[it].strip()
            d = date(int(ts[0:4]), int(ts[5:7]), int(ts[8:10])).toordinal()
            submit.append(d * 86400 + int(ts[11:13]) * 3600 + int(ts[14:16]) * 60 + int(ts[17:19]))
            duration.append(float(row[id_]))
    origin = min(submit) if submit else 0
    return [s - origin for s in submit], duration


def read_schedule(path):
    """List of (line_number, job, start, end, gpus)."""
    stretches = []
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader)]
        if header[:4] != ["job", "start", "end", "gpus"]:
            raise ValueError(f"schedule header must start with job,start,end,gpus; got {header}")
        for line, row in enumerate(reader, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            stretches.append((line, int(row[0]), float(row[1]), float(row[2]), float(row[3])))
    return stretches


def percentile(sorted_values, q):
    """numpy.percentile(values, q), default 'linear' method, on pre-sorted values."""
    n = len(sorted_values)
    pos = (n - 1) * (q / 100.0)
    lo = int(math.floor(pos))
    hi = min(lo + 1, n - 1)
    t = pos - lo
    a, b = sorted_values[lo], sorted_values[hi]
    diff = b - a
    return b - diff * (1.0 - t) if t >= 0.5 else a + diff * t


def stats(values):
    values = sorted(values)
    if not values:
        return None
    return {"average": math.fsum(values) / len(values),
            "median": percentile(values, 50),
            "p99": percentile(values, 99)}


class Results:
    def __init__(self):
        self.failed = 0

    def report(self, ok, name, detail, items=()):
        if not ok:
            self.failed += 1
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
        for item in list(items)[:SHOW]:
            print(f"        {item}")
        if len(items) > SHOW:
            print(f"        ... and {len(items) - SHOW} more")


def lookup(report, path):
    """report[path[0]][path[1]]...; raises KeyError naming the missing path."""
    node = report
    for depth, key in enumerate(path):
        if not isinstance(node, dict):
            where = ".".join(path[:depth]) or "report"
            raise KeyError(f"{'.'.join(path[: depth + 1])} ({where} is {node!r}, not an object)")
        if key not in node:
            raise KeyError(".".join(path[: depth + 1]))
        node = node[key]
    return node


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trace", required=True)
    parser.add_argument("--schedule", required=True)
    parser.add_argument("--report", required=True)
    parser.add_argument("--gpus", type=float, required=True)
    parser.add_argument("--allow-unfinished", action="store_true",
                        help="list jobs that ran less than their duration without failing")
    args = parser.parse_args(argv)
    capacity = args.gpus

    try:
        submit, duration = read_trace(args.trace)
        stretches = read_schedule(args.schedule)
        with open(args.report) as handle:
            report = json.load(handle)
    except (OSError, ValueError, IndexError, StopIteration) as error:
        print(f"FAIL  inputs: {error}")
        return 2

    res = Results()
    print(f"trace: {len(submit)} jobs; schedule: {len(stretches)} stretches; capacity {capacity:g} GPUs")

    # (b) well-formed stretches, start >= submit.
    unknown = [f"line {ln}: job {j}" for ln, j, s, e, g in stretches if not 0 <= j < len(submit)]
    backwards = [f"line {ln}: job {j} start {s} end {e}" for ln, j, s, e, g in stretches if e < s]
    negative = [f"line {ln}: job {j} gpus {g}" for ln, j, s, e, g in stretches if g < 0]
    res.report(not unknown, "(b) job ids exist in the trace", f"{len(unknown)} unknown", unknown)
    res.report(not backwards and not negative, "(b) stretches well formed (end >= start, gpus >= 0)",
               f"{len(backwards)} reversed, {len(negative)} negative gpus", backwards + negative)
    stretches = [x for x in stretches if 0 <= x[1] < len(submit)]
    early = []
    for ln, j, s, e, g in stretches:
        if s < submit[j] - max(TOL, TOL * abs(submit[j])):
            early.append(f"line {ln}: job {j} starts {s} before submit {submit[j]}")
    res.report(not early, "(b) no stretch starts before its job's submit", f"{len(early)} early", early)

    # (a) capacity sweep: ends before starts at equal times.
    events = []
    for ln, j, s, e, g in stretches:
        if e > s:
            events.append((s, 1, g))
            events.append((e, 0, -g))
    events.sort(key=lambda x: (x[0], x[1]))
    in_use, running, peak, peak_at, over = 0.0, 0, 0.0, None, []
    k = 0
    while k < len(events):
        t = events[k][0]
        while k < len(events) and events[k][0] == t:
            in_use += events[k][2]
            running += 1 if events[k][1] else -1
            k += 1
        if running == 0:
            in_use = 0.0  # drop accumulated rounding when the cluster empties
        if in_use > peak:
            peak, peak_at = in_use, t
        if in_use > capacity + max(TOL, TOL * capacity):
            over.append(f"t={t}: {in_use:.6g} GPUs in use")
    res.report(not over, "(a) capacity never exceeded",
               f"peak {peak:.6g} of {capacity:g} GPUs at t={peak_at}; {len(over)} instants over", over)

    # (c) per job: no self-overlap, total run >= duration.
    by_job = {}
    for ln, j, s, e, g in stretches:
        by_job.setdefault(j, []).append((s, e, g))
    self_overlap, short, long_ = [], [], []
    finished = {}  # job -> (finish, total run)
    for j, parts in by_job.items():
        parts.sort()
        for (s0, e0, _), (s1, e1, _) in zip(parts, parts[1:]):
            if s1 < e0 - max(TOL, TOL * abs(e0)):
                self_overlap.append(f"job {j}: [{s0}, {e0}] overlaps [{s1}, {e1}]")
        total = math.fsum(e - s for s, e, _ in parts)
        need = duration[j]
        if total < need - TOL * abs(need):
            short.append(f"job {j}: ran {total:.6g} s of {need:.6g} s")
        else:
            if total > need + max(TOL, TOL * abs(need)):
                long_.append(f"job {j}: ran {total:.6g} s for a {need:.6g} s job")
            finished[j] = (max(e for _, e, _ in parts), total)
    res.report(not self_overlap, "(c) a job's stretches do not overlap",
               f"{len(self_overlap)} overlaps", self_overlap)
    res.report(not short or args.allow_unfinished, "(c) every scheduled job ran its full duration",
               f"{len(finished)} of {len(by_job)} scheduled jobs complete, {len(short)} short"
               + (" (allowed)" if short and args.allow_unfinished else ""), short)
    missing = len(submit) - len(by_job)
    print(f"INFO  {missing} trace jobs never scheduled; {len(long_)} jobs ran longer than their "
          f"duration (restarts/overheads)")
    for item in long_[:SHOW]:
        print(f"        {item}")

    # (d) metrics vs the report.
    jct = [f - submit[j] for j, (f, _) in finished.items()]
    wait = [f - submit[j] - total for j, (f, total) in finished.items()]
    max_end = max((e for _, _, _, e, _ in stretches), default=0.0)
    busy = math.fsum(g * (e - s) for _, _, s, e, g in stretches)
    utilization = busy / (capacity * max_end) if max_end > 0 and capacity > 0 else 0.0

    def compare(path, ours):
        name = "(d) report." + ".".join(path)
        try:
            theirs = lookup(report, path)
        except KeyError as missing_key:
            res.report(False, name, f"missing key {missing_key.args[0]} (recomputed {ours!r})")
            return
        if ours is None:
            res.report(theirs is None, name, f"report {theirs!r}, nothing to recompute (no finished jobs)")
            return
        if isinstance(theirs, bool) or not isinstance(theirs, (int, float)):
            res.report(False, name, f"report value {theirs!r} is not a number (recomputed {ours!r})")
            return
        res.report(close(float(theirs), float(ours)), name, f"report {theirs!r}, recomputed {ours!r}")

    jct_stats, wait_stats = stats(jct), stats(wait)
    for key in ("average", "median", "p99"):
        compare(("jct_seconds", key), jct_stats[key] if jct_stats else None)
    for key in ("average", "median", "p99"):
        compare(("queueing_delay_seconds", key), wait_stats[key] if wait_stats else None)
    compare(("utilization", "average"), utilization)
    try:
        reported = lookup(report, ("jobs", "finished"))
        res.report(reported == len(finished) and not isinstance(reported, bool),
                   "(d) report.jobs.finished", f"report {reported!r}, recomputed {len(finished)}")
    except KeyError as missing_key:
        res.report(False, "(d) report.jobs.finished",
                   f"missing key {missing_key.args[0]} (recomputed {len(finished)})")

    print(f"{'FAILED' if res.failed else 'OK'}: {res.failed} check(s) failed")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
