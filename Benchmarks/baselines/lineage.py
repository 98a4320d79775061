"""MLflow 3 anchors for Lineage's logging, on a SQLite tracking store (what a team would run)."""
import os
import tempfile
import time
import uuid


def _client(data_folder):
    import mlflow
    from mlflow.tracking import MlflowClient
    path = os.path.join(data_folder, f"mlflow-{uuid.uuid4()}.db")
    mlflow.set_tracking_uri(f"sqlite:///{path}")
    client = MlflowClient()
    experiment = client.create_experiment(f"bench-{uuid.uuid4()}", artifact_location=tempfile.mkdtemp())
    run = client.create_run(experiment)
    return client, run.info.run_id, path


def log_calls_mlflow(data_folder, repetitions, calls=200):
    """MLflow log_metric one call at a time (each is a SQLite transaction). Returns seconds per 1M calls."""
    seconds = []
    for _ in range(repetitions):
        client, run_id, path = _client(data_folder)
        start = time.perf_counter()
        for step in range(calls):
            client.log_metric(run_id, "loss", step * 1e-6, step=step)
        seconds.append((time.perf_counter() - start) * 1_000_000 / calls)
        os.remove(path)
    return seconds


def metric_points_mlflow(data_folder, repetitions, points=20_000):
    """MLflow log_batch with 1,000 metrics per call (its limit). Returns seconds per 1M points."""
    from mlflow.entities import Metric
    seconds = []
    for _ in range(repetitions):
        client, run_id, path = _client(data_folder)
        start = time.perf_counter()
        for first in range(0, points, 1000):
            client.log_batch(run_id, metrics=[Metric("loss", float(i), i, i) for i in range(first, first + 1000)])
        seconds.append((time.perf_counter() - start) * 1_000_000 / points)
        os.remove(path)
    return seconds
