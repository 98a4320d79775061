#!/usr/bin/env python3
"""Builds the MLflow search fixture: `mlflow.db` (an MLflow SQLite tracking database) and
`expected.json` (what MLflow's own `search_runs` returns for a list of filters and orderings).

Run with the benchmark venv, from anywhere:

    Benchmarks/.venv/bin/python Tests/LineageTests/Fixtures/mlflow-search/make_fixture.py

Everything is seeded and every timestamp is fixed (run ids included: `uuid.uuid4` is replaced by a
seeded generator while the database is built), so running it again gives the same rows, the same ids
and a byte-identical `expected.json`. (The database file itself is not byte-identical from one run to
the next: MLflow's migrations write a few CHECK constraints and indexes of the schema in a varying
order. The rows are the same.) The database is built in a temporary folder (which is also the artifact root), the
artifact paths are rewritten to a fixed `file:///tmp/mlflow-search-fixture` prefix, and the file is
vacuumed into this folder; the searches then run against that final file.

`expected.json` is a list of {"filter", "order_by", "run_ids", "ordered"}: the run ids (32 hex
digits, MLflow's form) in MLflow's order; `ordered` is true when `order_by` is given (compare the
order) and false otherwise (compare as sets). Filters on `datasets.` need dataset inputs, which the
Lineage importer does not bring over. See Documentation/MLflowSearchGrammar.md for the grammar.
"""

import json
import logging
import math
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import uuid
import warnings

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")
os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")
warnings.filterwarnings("ignore")
logging.basicConfig(level=logging.WARNING)
for name in ("mlflow", "alembic", "sqlalchemy"):
    logging.getLogger(name).setLevel(logging.WARNING)

from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param, RunTag  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DB_NAME = "mlflow.db"
SEED = 20240611
FIXED_ARTIFACT_ROOT = "file:///tmp/mlflow-search-fixture"
T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z, milliseconds
HOUR = 3_600_000
EXPERIMENT_TIME = T0 - 24 * HOUR


def quiet():
    for name in ("mlflow", "alembic", "sqlalchemy"):
        logging.getLogger(name).setLevel(logging.WARNING)


class SeededUUIDs:
    """A stand-in for uuid.uuid4 that draws from its own seeded generator."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.original = uuid.uuid4

    def __call__(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def __enter__(self):
        uuid.uuid4 = self
        return self

    def __exit__(self, *exc):
        uuid.uuid4 = self.original


def build(db_path, artifact_dir):
    """Creates the experiments and runs; returns facts the filters below refer to."""
    rng = random.Random(SEED)
    client = MlflowClient(tracking_uri=f"sqlite:///{db_path}")
    quiet()
    experiments = {
        name: client.create_experiment(name, artifact_location=f"file://{artifact_dir}/{name}")
        for name in ("search-fixture-a", "search-fixture-b")
    }
    exp_names = list(experiments)

    runs = []
    statuses = ["FINISHED"] * 10 + ["FAILED"] * 4 + ["KILLED"] * 3 + ["RUNNING"] * 3
    for i in range(102):
        exp = experiments[exp_names[rng.random() < 0.45]]
        # Few distinct start times, so several runs tie and MLflow's run_uuid tie-break shows.
        start = T0 + rng.randint(0, 40) * HOUR
        status = rng.choice(statuses)
        kind = rng.random()
        if kind < 0.30:
            name = f"nightly-2023-11-{10 + i % 20:02d}-{i}"
        elif kind < 0.35:
            name = f"Nightly-{i}"
        elif kind < 0.55:
            name = f"sweep_{i}"
        else:
            name = f"adhoc-{i}"
        tags = {}
        user = rng.choice(["alice", "bob", None])
        if user:
            tags["mlflow.user"] = user  # becomes the run's user_id; "unknown" otherwise
        run = client.create_run(exp, start_time=start, tags=tags, run_name=name)
        rid = run.info.run_id

        model = rng.choice(["gbt", "rf", "lr"])
        params = [Param("model", model)]
        if rng.random() < 0.9:
            params.append(Param("lr", rng.choice(["0.1", "0.01", "0.001"])))
        if model != "lr":
            params.append(Param("depth", str(rng.randint(2, 12))))  # "10" < "3" as text
        if rng.random() < 0.7:
            params.append(Param("optimizer", rng.choice(["Adam", "adam", "SGD", "sgd"])))
        if rng.random() < 0.2:
            params.append(Param("train.frac", rng.choice(["0.8", "0.9"])))

        metrics = []
        ts = start + 1000
        if i in (7, 41):
            metrics.append(Metric("auc", float("nan"), ts, 0))
        elif rng.random() < 0.88:
            # Several steps: the latest (largest step) is what filters and orderings see.
            steps = rng.randint(1, 3)
            for step in range(steps):
                metrics.append(Metric("auc", round(rng.uniform(0.5, 0.99), 4), ts + step * 1000, step))
        if i == 13:
            # Same step and timestamp twice: MLflow's latest is the larger value.
            metrics += [Metric("auc", 0.61, ts + 9000, 5), Metric("auc", 0.97, ts + 9000, 5)]
        if i == 19:
            # A later timestamp on an earlier step: the larger step still wins.
            metrics += [Metric("auc", 0.55, ts + 50_000, 0), Metric("auc", 0.88, ts + 10_000, 4)]
        if i == 23:
            metrics.append(Metric("loss", float("nan"), ts, 0))
        elif rng.random() < 0.8:
            metrics.append(Metric("loss", round(rng.uniform(0.05, 1.5), 4), ts, 0))
        if rng.random() < 0.4:
            metrics.append(Metric("val/auc", round(rng.uniform(0.5, 0.95), 4), ts, 0))

        run_tags = []
        if rng.random() < 0.85:
            run_tags.append(RunTag("team", rng.choice(["fraud", "risk"])))
        if rng.random() < 0.5:
            run_tags.append(RunTag("data.version", rng.choice(["v1", "v2", "V2"])))
        if rng.random() < 0.3:
            run_tags.append(RunTag("mlflow.note", rng.choice(["weekly retrain", "hotfix", "Retrain after drift"])))
        if rng.random() < 0.15:
            run_tags.append(RunTag("release channel", rng.choice(["beta", "stable"])))
        client.log_batch(rid, metrics=metrics, params=params, tags=run_tags)

        if rng.random() < 0.15:
            ds_name = rng.choice(["train-set", "eval-set"])
            digest = rng.choice(["d0c0ffee", "d15ea5e0"])
            context = "training" if ds_name == "train-set" else "evaluation"
            client.log_inputs(rid, datasets=[DatasetInput(
                Dataset(name=ds_name, digest=digest, source_type="local", source=f"file:///data/{ds_name}.csv"),
                tags=[InputTag("mlflow.data.context", context)])])

        if status != "RUNNING":
            client.set_terminated(rid, status=status, end_time=start + rng.randint(60, 7200) * 1000)
        runs.append(rid)

    # Two runs deleted: MLflow's default search (active only) never returns them.
    client.delete_run(runs[3])
    client.delete_run(runs[60])
    return {"runs": runs, "deleted": {runs[3], runs[60]}, "experiments": list(experiments.values())}


def normalize(db_path, artifact_dir):
    """Fixed times for what MLflow stamps with the clock, and a fixed artifact prefix."""
    prefix = f"file://{artifact_dir}"
    db = sqlite3.connect(db_path)
    db.execute("UPDATE experiments SET creation_time = ?, last_update_time = ?", (EXPERIMENT_TIME, EXPERIMENT_TIME))
    db.execute("UPDATE runs SET deleted_time = ? WHERE deleted_time IS NOT NULL", (T0 + 100 * HOUR,))
    for table, column in (("experiments", "artifact_location"), ("runs", "artifact_uri")):
        db.execute(f"UPDATE {table} SET {column} = replace({column}, ?, ?)", (prefix, FIXED_ARTIFACT_ROOT))
    # The default experiment's root is a local path (not a file:// URI) under the build folder.
    db.execute("UPDATE experiments SET artifact_location = ? WHERE experiment_id = 0", (f"{FIXED_ARTIFACT_ROOT}/0",))
    db.commit()
    db.close()


def all_runs_of(client, experiment_ids):
    """Values read back from MLflow, for filters that need a real id, time or value."""
    runs = client.search_runs(experiment_ids, max_results=1000, order_by=["attributes.run_id"])
    return runs


def main():
    out_folder = sys.argv[1] if len(sys.argv) > 1 else HERE
    out_db = os.path.join(out_folder, DB_NAME)
    out_json = os.path.join(out_folder, "expected.json")
    with tempfile.TemporaryDirectory(prefix="mlflow-search-") as tmp:
        artifact_dir = os.path.join(tmp, "artifacts")
        os.makedirs(artifact_dir)
        build_db = os.path.join(tmp, DB_NAME)
        cwd = os.getcwd()
        os.chdir(tmp)  # the default experiment's artifact root lands here
        try:
            with SeededUUIDs(SEED + 1):
                facts = build(build_db, artifact_dir)
        finally:
            os.chdir(cwd)
        normalize(build_db, artifact_dir)
        for suffix in ("", "-journal", "-wal", "-shm"):
            if os.path.exists(out_db + suffix):
                os.remove(out_db + suffix)
        # Most of the file is MLflow's empty tables and indexes (a page each at least): small
        # pages keep it small.
        db = sqlite3.connect(build_db)
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("PRAGMA page_size = 1024")
        db.execute("VACUUM")
        db.close()
        shutil.copyfile(build_db, out_db)

    client = MlflowClient(tracking_uri=f"sqlite:///{out_db}")
    quiet()
    exp_ids = facts["experiments"]
    all_runs = all_runs_of(client, exp_ids)
    by_id = {r.info.run_id: r for r in all_runs}
    ids = sorted(by_id)
    assert len(ids) == 100, len(ids)
    assert not facts["deleted"] & set(ids)

    # Values picked from the data so the filters below select something.
    aucs = sorted(r.data.metrics["auc"] for r in all_runs if "auc" in r.data.metrics and not math.isnan(r.data.metrics["auc"]))
    some_auc = aucs[len(aucs) // 2]
    starts = sorted(r.info.start_time for r in all_runs)
    mid_start = starts[len(starts) // 2]
    ends = sorted(r.info.end_time for r in all_runs if r.info.end_time)
    mid_end = ends[len(ends) // 2]
    nightly = sorted(r.info.run_name for r in all_runs if r.info.run_name.startswith("nightly-"))[0]
    adhoc = sorted(r.info.run_name for r in all_runs if r.info.run_name.startswith("adhoc-"))[0]
    pick = [ids[5], ids[17], ids[42], ids[77]]
    deleted = sorted(facts["deleted"])[0]
    first_hex = ids[50][0]
    exp_a_location = client.get_experiment(exp_ids[0]).artifact_location

    filters = [
        "",
        # metrics (numbers only; = != < <= > >=)
        "metrics.auc > 0.8",
        "metric.auc <= 0.7",
        "metrics.auc >= 0.75 AND metrics.loss < 0.5",
        f"metrics.auc = {some_auc}",
        "metrics.auc != 0.9",
        "metrics.loss != 0.5",
        "metrics.auc = 0",
        "metrics.loss > -1",
        "metrics.loss < 1e0",
        "metrics.auc > .9",
        "metrics.`val/auc` > 0.7",
        "`metrics`.`auc` > 0.9",
        'metrics."auc" < 0.6',
        "metrics.auc > 0.9 AND metrics.auc < 0.95",
        "metrics.auc>0.6 and metrics.loss<=0.4",
        # params (strings only; = != LIKE ILIKE IS NULL IS NOT NULL)
        "params.model = 'gbt'",
        'params.model = "rf"',
        "param.model != 'lr'",
        "parameters.model LIKE '%b%'",
        "parameter.model ILIKE 'GB_'",
        "params.lr = '0.01'",
        "params.lr != '0.1'",
        "params.depth = '10'",
        "params.optimizer LIKE 'A%'",
        "params.optimizer ILIKE 'a%'",
        "params.optimizer = 'adam'",
        "params.`train.frac` = '0.8'",
        "params.train.frac = '0.9'",
        "params.lr IS NULL",
        "params.optimizer IS NOT NULL",
        # tags (strings only; same comparators as params)
        "tags.team = 'fraud'",
        "tag.team != 'risk'",
        "tags.team ILIKE 'FR%'",
        "tags.team LIKE 'FR%'",
        "tags.`data.version` = 'v2'",
        'tags."data.version" ILIKE \'v2\'',
        "tags.data.version = 'v1'",
        "tags.mlflow.note LIKE '%retrain%'",
        "tags.`mlflow.note` ILIKE '%retrain%'",
        "tags.`release channel` = 'beta'",
        'tags."release channel" != \'beta\'',
        "tags.team IS NULL",
        "tags.`data.version` IS NOT NULL",
        "tags.`mlflow.user` = 'alice'",
        "tags.`mlflow.runName` LIKE 'sweep%'",
        # status (stored upper-case; = and != are case-sensitive)
        "attributes.status = 'FAILED'",
        "status = 'KILLED'",
        "attributes.status = 'failed'",
        "attr.status != 'RUNNING'",
        "run.status ILIKE 'finished'",
        "attribute.status LIKE 'F%'",
        "status LIKE 'f%'",
        # run_id (the only attribute with IN / NOT IN)
        f"run_id IN ('{pick[0]}', '{pick[1]}', '{pick[2]}')",
        f'attributes.run_id IN ("{pick[3]}")',
        f"attributes.run_id NOT IN ('{pick[0]}', '{pick[1]}')",
        f"run_id = '{pick[2]}'",
        f"run_id = '{deleted}'",
        f"attributes.run_id != '{pick[3]}'",
        f"run_id LIKE '{first_hex}%'",
        # run_name (matched against the mlflow.runName tag)
        f"run_name = '{nightly}'",
        "attributes.run_name LIKE 'nightly-%'",
        "run_name ILIKE 'nightly-%'",
        "`Run name` LIKE 'sweep_1%'",
        f'"run name" != \'{adhoc}\'',
        "attributes.`Run Name` ILIKE '%-1_'",
        # times (numbers only, milliseconds; created / Created = start_time)
        f"start_time > {mid_start}",
        f"attributes.start_time <= {mid_start}",
        f"start_time = {mid_start}",
        f"created >= {mid_start}",
        f"Created < {mid_start}",
        f"attributes.created != {mid_start}",
        f"end_time < {mid_end}",
        f"attributes.end_time >= {mid_end}",
        f"end_time > 0",
        # user_id, artifact_uri
        "user_id = 'alice'",
        "attributes.user_id = 'unknown'",
        "user_id ILIKE 'B%'",
        f"artifact_uri LIKE '{exp_a_location}/%'",
        "artifact_uri LIKE '%search-fixture-b%'",
        # datasets (name, digest, context; = != LIKE ILIKE IN NOT IN)
        "datasets.name = 'train-set'",
        "dataset.name LIKE 'eval%'",
        "datasets.digest IN ('d0c0ffee')",
        "datasets.context = 'training'",
        "datasets.name NOT IN ('train-set')",
        "datasets.digest != 'd0c0ffee'",
        # combinations, lower-case keywords
        "metrics.auc > 0.7 and params.model = 'gbt' and tags.team = 'fraud' and status = 'FINISHED'",
        "params.model like 'g%' and metrics.loss <= 0.3",
        f"run_name LIKE 'nightly-%' AND start_time >= {mid_start} AND metrics.auc > 0.6",
        "params.lr = '0.1' AND tags.team != 'fraud' AND attributes.status != 'FAILED'",
    ]

    orderings = [
        ("", ["metrics.auc DESC"]),
        ("", ["metrics.auc ASC"]),
        ("", ["metrics.auc"]),
        ("", ["metrics.loss ASC"]),
        ("", ["metrics.loss DESC"]),
        ("", ["metric.auc desc"]),
        ("", ["`metrics`.`auc` DESC"]),
        ("", ['metrics."auc" ASC']),
        ("", ["metrics.`val/auc` DESC"]),
        ("", ["params.lr"]),
        ("", ["params.lr DESC"]),
        ("", ["params.depth DESC"]),
        ("", ["params.optimizer"]),
        ("", ["tags.team"]),
        ("", ["tags.team DESC"]),
        ("", ["tags.`data.version` DESC"]),
        ("", ["tags.data.version"]),
        ("", ["attributes.start_time DESC"]),
        ("", ["start_time ASC"]),
        ("", ["created DESC"]),
        ("", ["attributes.end_time"]),
        ("", ["end_time DESC"]),
        ("", ["run_name"]),
        ("", ["attributes.run_name DESC"]),
        ("", ["status", "metrics.auc DESC"]),
        ("", ["user_id", "run_id"]),
        ("", ["attributes.run_id DESC"]),
        ("", ["params.model", "metrics.loss DESC"]),
        ("", ["tags.team DESC", "params.lr ASC", "metrics.auc"]),
        ("params.model = 'gbt'", ["metrics.auc DESC"]),
        ("tags.team = 'fraud' AND metrics.loss < 1", ["metrics.loss"]),
        ("status != 'RUNNING'", ["end_time DESC", "run_name"]),
        ("", []),
    ]

    cases = [(f, []) for f in filters] + orderings
    expected = []
    for filter_string, order_by in cases:
        try:
            result = client.search_runs(exp_ids, filter_string=filter_string, order_by=order_by, max_results=1000)
        except Exception as error:  # every case here must be one MLflow accepts
            sys.exit(f"MLflow refused {filter_string!r} order_by={order_by}: {error}")
        assert result.token is None
        expected.append({
            "filter": filter_string,
            "order_by": order_by,
            "run_ids": [r.info.run_id for r in result],
            "ordered": bool(order_by),
        })

    # One case a line: small, and a diff shows which case changed.
    with open(out_json, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(e) for e in expected) + "\n]\n")

    empty = [e["filter"] for e in expected if not e["run_ids"]]
    full = [e["filter"] for e in expected if len(e["run_ids"]) == 100]
    print(f"{len(expected)} cases ({len(filters)} filters, {len(orderings)} orderings); "
          f"empty: {empty}; all 100: {full}")
    print(f"{out_db}: {os.path.getsize(out_db)} bytes; {out_json}: {os.path.getsize(out_json)} bytes")


if __name__ == "__main__":
    main()
