"""psycopg 3 anchors for PostgreSQL write throughput (issue #14): the same 1,000,000 metric rows as
`pg-lineage-metric-points-1M`, in batches of 10,000 (one transaction each), into a table shaped
like `lineage_metrics` (same columns, same primary key, same two foreign keys), on the same server.

- executemany: `INSERT … VALUES (%s, …)` through `cursor.executemany` (psycopg 3 pipelines it);
- COPY: `COPY … FROM STDIN` through `cursor.copy`, writing rows with `write_row`.

The server comes from MLOPS_BENCH_POSTGRES_URL or MLOPS_TEST_POSTGRES_URL.
"""
import os
import time

TOTAL, BATCH = 1_000_000, 10_000
TABLE = "bench_psycopg_metrics"


def _connect():
    import psycopg
    url = os.environ.get("MLOPS_BENCH_POSTGRES_URL") or os.environ.get("MLOPS_TEST_POSTGRES_URL")
    if not url:
        raise SystemExit("set MLOPS_BENCH_POSTGRES_URL")
    connection = psycopg.connect(url)
    with connection.transaction():
        connection.execute(f"DROP TABLE IF EXISTS {TABLE}, {TABLE}_runs, {TABLE}_keys")
        # The same shape as lineage_metrics: its primary key and its two foreign keys (to the runs
        # and to the metric names), which PostgreSQL checks row by row for every writer.
        connection.execute(f"CREATE TABLE {TABLE}_runs (run_key BIGINT PRIMARY KEY)")
        connection.execute(f"CREATE TABLE {TABLE}_keys (key_id BIGINT PRIMARY KEY)")
        connection.execute(f"INSERT INTO {TABLE}_runs SELECT generate_series(0, 99)")
        connection.execute(f"INSERT INTO {TABLE}_keys VALUES (1)")
        connection.execute(f"""CREATE TABLE {TABLE} (run_key BIGINT NOT NULL REFERENCES {TABLE}_runs (run_key),
            key_id BIGINT NOT NULL REFERENCES {TABLE}_keys (key_id), step BIGINT NOT NULL,
            timestamp BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL, is_nan BIGINT NOT NULL,
            PRIMARY KEY (run_key, key_id, step, timestamp, value, is_nan))""")
    return connection


def _rows(run, start):
    return [(run, 1, i, i, float(i), 0) for i in range(start, start + BATCH)]


def _timed(repetitions, write_batch):
    """Seconds per repetition of writing all rows, a batch per transaction, each run under a new run_key."""
    connection = _connect()
    seconds = []
    for run in range(repetitions):
        began = time.perf_counter()
        for start in range(0, TOTAL, BATCH):
            with connection.transaction(), connection.cursor() as cursor:
                write_batch(cursor, _rows(run, start))
        seconds.append(time.perf_counter() - began)
    connection.close()
    return seconds


COLUMNS = "(run_key, key_id, step, timestamp, value, is_nan)"


def executemany(data_folder, repetitions):
    return _timed(repetitions, lambda cursor, rows: cursor.executemany(
        f"INSERT INTO {TABLE} {COLUMNS} VALUES (%s, %s, %s, %s, %s, %s)", rows))


def copy(data_folder, repetitions):
    def write(cursor, rows):
        with cursor.copy(f"COPY {TABLE} {COLUMNS} FROM STDIN") as writer:
            for row in rows:
                writer.write_row(row)
    return _timed(repetitions, write)
