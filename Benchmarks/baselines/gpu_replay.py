#!/usr/bin/env python3
"""Naive Python GPU-cluster replay: the simulator a user would otherwise write by hand.

Benchmark anchor for `mlops gpu simulate` (speed and headline figures). Standard library only.

    python3 gpu_replay.py TRACE --gpus N --policy fifo|sjf [--backfill none|greedy]

TRACE is a Philly-style CSV with columns timestamp,duration,num_gpus,gpu_time,cluster
(timestamp 'YYYY-MM-DD HH:MM:SS' UTC, duration in seconds). Rows need not be sorted; the job id
is the 0-based data row number.

Model: a pool of N interchangeable GPUs (counts only: no nodes, no placement). A job needing g
GPUs starts as soon as it is chosen and g GPUs are free, and runs for its trace duration without
preemption. Event-driven: a heap of completions, arrivals in (submit, row) order. All events that
share a timestamp are applied (completions before arrivals) before one scheduling pass runs.

Queue order: fifo = (submit, row); sjf = (duration, submit, row).
Backfill: none   = strict: start jobs in queue order, stop at the first that does not fit;
          greedy = skip a job that does not fit and keep trying later ones.
Jobs with g > N can never run: they are counted as unschedulable and left out.

Prints one JSON object: policy, backfill, gpus, jobs, unschedulable,
jct_seconds{average,median,p99} (finish - submit), queueing_delay_seconds{...} (start - submit),
utilization (sum g*duration / (N * makespan)), makespan_seconds (last finish - earliest submit
in the trace), wall_seconds (read + simulate, time.perf_counter).
Times are seconds from the trace's earliest submit time.
"""
import argparse
import csv
import heapq
import json
import sys
import time
from collections import deque
from datetime import date


def read_trace(path):
    """Returns (submit_seconds, duration, gpus) lists indexed by row; submit is relative to the
    earliest submit in the file."""
    day_cache = {}
    submit, duration, gpus = [], [], []
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        col = {name.strip(): i for i, name in enumerate(header)}
        it, id_, ig = col["timestamp"], col["duration"], col["num_gpus"]
        for row in reader:
            if not row:
                continue
            ts = row[it].strip()
            day = ts[:10]
            base = day_cache.get(day)
            if base is None:
                base = date.fromisoformat(day).toordinal() * 86400
                day_cache[day] = base
            submit.append(base + int(ts[11:13]) * 3600 + int(ts[14:16]) * 60 + int(ts[17:19]))
            duration.append(float(row[id_]))
            gpus.append(int(float(row[ig])))
    if submit:
        origin = min(submit)
        submit = [s - origin for s in submit]
    return submit, duration, gpus


def percentile(sorted_values, q):
    """numpy.percentile(values, q) with the default 'linear' method, on pre-sorted values."""
    n = len(sorted_values)
    if n == 0:
        return None
    pos = (n - 1) * (q / 100.0)
    lo = int(pos)
    hi = min(lo + 1, n - 1)
    t = pos - lo
    a, b = sorted_values[lo], sorted_values[hi]
    diff = b - a
    return b - diff * (1.0 - t) if t >= 0.5 else a + diff * t


def summary(values):
    values = sorted(values)
    if not values:
        return {"average": None, "median": None, "p99": None}
    return {
        "average": sum(values) / len(values),
        "median": percentile(values, 50),
        "p99": percentile(values, 99),
    }


def simulate(submit, duration, gpus, capacity, policy, backfill):
    """Returns (start, finish, unschedulable_count); start/finish are dicts keyed by job id."""
    jobs = [j for j in range(len(submit)) if gpus[j] <= capacity]
    unschedulable = len(submit) - len(jobs)
    jobs.sort(key=lambda j: (submit[j], j))  # arrival order

    # Waiting jobs are kept in one bucket per GPU count, each in queue order. The next job of
    # the whole queue is the smallest head among the buckets; the next job that *fits* is the
    # smallest head among buckets with g <= free. Greedy backfill (scan the queue in order,
    # start every job that fits) is exactly "repeatedly start the first job that fits".
    fifo = policy == "fifo"
    buckets = {}  # g -> deque of job ids (fifo) or heap of (duration, submit, job) (sjf)
    greedy = backfill == "greedy"

    free = capacity
    running = []  # heap of (finish, job)
    start, finish = {}, {}
    i, n = 0, len(jobs)

    def head_key(g):
        b = buckets[g]
        if fifo:
            j = b[0]
            return (submit[j], j)
        return b[0]

    while i < n or running:
        # Next event time.
        t = running[0][0] if running else None
        if i < n:
            ta = submit[jobs[i]]
            if t is None or ta < t:
                t = ta
        # Completions at t, then arrivals at t.
        while running and running[0][0] <= t:
            _, j = heapq.heappop(running)
            free += gpus[j]
        while i < n and submit[jobs[i]] <= t:
            j = jobs[i]
            i += 1
            g = gpus[j]
            b = buckets.get(g)
            if b is None:
                b = deque() if fifo else []
                buckets[g] = b
            if fifo:
                b.append(j)
            else:
                heapq.heappush(b, (duration[j], submit[j], j))
        # Scheduling pass.
        while True:
            best_g, best_key = None, None
            for g, b in buckets.items():
                if not b or (greedy and g > free):
                    continue
                k = head_key(g)
                if best_key is None or k < best_key:
                    best_g, best_key = g, k
            if best_g is None or best_g > free:
                break  # queue empty, nothing fits (greedy), or the head does not fit (strict)
            b = buckets[best_g]
            j = b.popleft() if fifo else heapq.heappop(b)[2]
            free -= best_g
            start[j] = t
            f = t + duration[j]
            finish[j] = f
            heapq.heappush(running, (f, j))
    return start, finish, unschedulable


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trace")
    parser.add_argument("--gpus", type=int, required=True)
    parser.add_argument("--policy", choices=["fifo", "sjf"], default="fifo")
    parser.add_argument("--backfill", choices=["none", "greedy"], default="none")
    args = parser.parse_args(argv)
    if args.gpus <= 0:
        parser.error("--gpus must be positive")

    began = time.perf_counter()
    submit, duration, gpus = read_trace(args.trace)
    start, finish, unschedulable = simulate(submit, duration, gpus, args.gpus,
                                            args.policy, args.backfill)
    wall = time.perf_counter() - began

    jct = [finish[j] - submit[j] for j in finish]
    wait = [start[j] - submit[j] for j in start]
    makespan = max(finish.values()) if finish else 0.0  # origin = earliest submit = 0
    busy = sum(gpus[j] * duration[j] for j in finish)
    result = {
        "policy": args.policy,
        "backfill": args.backfill,
        "gpus": args.gpus,
        "jobs": len(finish),
        "unschedulable": unschedulable,
        "jct_seconds": summary(jct),
        "queueing_delay_seconds": summary(wait),
        "utilization": busy / (args.gpus * makespan) if makespan > 0 else 0.0,
        "makespan_seconds": makespan,
        "wall_seconds": wall,
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
