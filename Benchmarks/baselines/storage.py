"""The anchors a user would otherwise pick for the storage cases, timed on the same data.

Each function returns a list of seconds, one per repetition (median taken by compare.py).
"""
import os
import sqlite3
import subprocess
import time
import uuid

ROWS = 100_000


def sqlite_insert_python(data_folder, repetitions):
    """Python's sqlite3 executemany of the same 100,000 rows, WAL and synchronous=NORMAL."""
    seconds = []
    for _ in range(repetitions):
        path = os.path.join(data_folder, f"py-{uuid.uuid4()}.sqlite")
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("CREATE TABLE bench (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value REAL NOT NULL)")
        start = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO bench (id, name, value) VALUES (?, ?, ?)",
            ((i, f"name-{i % 1000}", i * 0.5) for i in range(ROWS)))
        connection.execute("COMMIT")
        seconds.append(time.perf_counter() - start)
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    return seconds


def _timed_shell(command, repetitions, before=None):
    seconds = []
    for _ in range(repetitions):
        if before:
            subprocess.run(before, shell=True, check=True)
        start = time.perf_counter()
        subprocess.run(command, shell=True, check=True, stdout=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - start)
    return seconds


def artifact_put_coreutils(data_folder, repetitions):
    """`sha256sum FILE` then `gzip -1 -c FILE > FILE.gz` and `sync FILE.gz`: what put does (hash, compress, durable)."""
    source = os.path.join(data_folder, "artifact-1GiB.bin")
    target = os.path.join(data_folder, "anchor.gz")
    return _timed_shell(
        f"sha256sum {source} && gzip -1 -c {source} > {target} && sync {target}", repetitions,
        before=f"rm -f {target}")


def artifact_get_coreutils(data_folder, repetitions):
    """`gzip -dc FILE.gz > OUT`, `sha256sum OUT` and `sync OUT`: what get does (decompress, verify, durable)."""
    source = os.path.join(data_folder, "artifact-1GiB.bin")
    compressed = os.path.join(data_folder, "anchor-get.gz")
    output = os.path.join(data_folder, "anchor-get.out")
    if not os.path.exists(compressed):
        subprocess.run(f"gzip -1 -c {source} > {compressed}", shell=True, check=True)
    return _timed_shell(
        f"gzip -dc {compressed} > {output} && sha256sum {output} && sync {output}", repetitions,
        before=f"rm -f {output}")
