"""Anchors for GPUScheduling's benchmarks: the naive Python replay a team would otherwise write
(gpu_replay.py: GPU counts only, no nodes, no quotas), on the same Philly list."""
import os
import time

import gpu_replay

TRACE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "gpu-traces", "philly-jobs.csv")


def _replay(policy, backfill, repetitions):
    seconds = []
    for _ in range(repetitions):
        began = time.perf_counter()
        submit, duration, gpus = gpu_replay.read_trace(TRACE)
        gpu_replay.simulate(submit, duration, gpus, 512, policy, backfill)
        seconds.append(time.perf_counter() - began)
    return seconds


def replay_fifo_python(data_folder, repetitions):
    return _replay("fifo", "greedy", repetitions)


def replay_sjf_python(data_folder, repetitions):
    return _replay("sjf", "greedy", repetitions)
