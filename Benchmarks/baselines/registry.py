"""MLflow 3 Model Registry anchors for Registry's benchmarks, on a SQLite tracking + registry store
(what a team would run), and a pure-Python hash-chain check for the audit log MLflow lacks.

Every MLflow function makes a fresh store per repetition (``mlflow-registry-<uuid>.db`` in the data
folder, removed afterwards); creating it and running MLflow's migrations is left out of the timing.
MLflow does not allow '/' in a registered model's name, so the model is ``bench-model``.
"""
import hashlib
import os
import sqlite3
import tempfile
import time
import uuid

MODEL = "bench-model"


def _store(data_folder):
    """A fresh SQLite tracking + registry store and a client on it (untimed: migrations are slow)."""
    import mlflow
    from mlflow.tracking import MlflowClient
    path = os.path.join(data_folder, f"mlflow-registry-{uuid.uuid4()}.db")
    uri = f"sqlite:///{path}"
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    return client, path


def _remove(path):
    for suffix in ("", "-journal", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def register_and_alias_mlflow(data_folder, repetitions, pairs=1_000):
    """MLflow ``create_model_version`` (run_id=None, a local source path) then
    ``set_registered_model_alias(name, "production", version)``, one pair at a time (each call is
    its own SQLite transaction), after one untimed warm-up pair on another model. The whole 1,000
    pairs are measured, not a sample scaled up: MLflow's alias call slows as the model gains
    versions (about 6 ms over the first hundred, about 19 ms over the tenth, on a 2-core machine),
    so a shorter run would flatter it. A smaller ``pairs`` is still scaled linearly to 1,000.
    Returns seconds per 1,000 pairs."""
    seconds = []
    for _ in range(repetitions):
        client, path = _store(data_folder)
        artifacts = tempfile.mkdtemp()
        client.create_registered_model("warm-up")
        version = client.create_model_version("warm-up", os.path.join(artifacts, "warm-up"), run_id=None)
        client.set_registered_model_alias("warm-up", "production", version.version)
        client.create_registered_model(MODEL)
        start = time.perf_counter()
        for i in range(1, pairs + 1):
            version = client.create_model_version(MODEL, os.path.join(artifacts, f"model-{i}"), run_id=None)
            client.set_registered_model_alias(MODEL, "production", version.version)
        seconds.append((time.perf_counter() - start) * 1_000 / pairs)
        assert str(client.get_model_version_by_alias(MODEL, "production").version) == str(pairs)
        os.rmdir(artifacts)
        _remove(path)
    return seconds


def _populate_versions(path, versions, shards):
    """Writes one registered model with ``versions`` READY versions straight into MLflow's own
    tables, each with the tag ``shard`` = str(i % shards), as ``create_model_version`` would have."""
    now = int(time.time() * 1000)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(
            "INSERT INTO registered_models (name, creation_time, last_updated_time, description, workspace) "
            "VALUES (?, ?, ?, NULL, 'default')", (MODEL, now, now + versions))
        connection.executemany(
            "INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, "
            "current_stage, source, run_id, status, status_message, run_link, storage_location, workspace) "
            "VALUES (?, ?, ?, ?, NULL, NULL, 'None', ?, NULL, 'READY', NULL, NULL, ?, 'default')",
            ((MODEL, v, now + v, now + v, f"/mlruns/models/m-{v:08x}/artifacts", f"/mlruns/models/m-{v:08x}/artifacts")
             for v in range(1, versions + 1)))
        connection.executemany(
            "INSERT INTO model_version_tags (key, value, name, version, workspace) VALUES ('shard', ?, ?, ?, 'default')",
            ((str(v % shards), MODEL, v) for v in range(1, versions + 1)))
    connection.close()


def search_by_tag_mlflow(data_folder, repetitions, versions=10_000, shards=100):
    """MLflow ``search_model_versions("name = 'bench-model' AND tags.shard = '7'")`` over one
    registered model with 10,000 versions, each tagged ``shard`` = i % 100, so 100 match (checked).
    The versions are written straight into MLflow's tables (10,000 client calls would take minutes),
    and one untimed warm-up search opens the connection. Returns seconds per search, all pages
    included (max_results is MLflow's default, 10,000, so there is one page)."""
    seconds = []
    query = f"name = '{MODEL}' AND tags.shard = '7'"
    for _ in range(repetitions):
        client, path = _store(data_folder)
        client.search_registered_models()  # creates the tables (MLflow's migrations)
        _populate_versions(path, versions, shards)
        assert client.get_model_version(MODEL, "7").tags == {"shard": "7"}
        assert len(client.search_model_versions(query)) == versions // shards
        start = time.perf_counter()
        found = []
        page = client.search_model_versions(query)
        found.extend(page)
        while page.token:
            page = client.search_model_versions(query, page_token=page.token)
            found.extend(page)
        seconds.append(time.perf_counter() - start)
        assert len(found) == versions // shards, len(found)
        _remove(path)
    return seconds


def resolve_alias_mlflow(data_folder, repetitions, calls=2_000):
    """MLflow ``get_model_version_by_alias(name, "production")`` (one SQLite query each; MLflow keeps
    no cache), on a model with 10 versions and the alias on the last. Measures ``calls`` calls after
    one untimed warm-up call and scales linearly to the full workload. Returns seconds per 100,000
    resolutions."""
    seconds = []
    for _ in range(repetitions):
        client, path = _store(data_folder)
        client.create_registered_model(MODEL)
        for i in range(10):
            version = client.create_model_version(MODEL, f"/mlruns/models/m-{i:08x}/artifacts", run_id=None)
        client.set_registered_model_alias(MODEL, "production", version.version)
        assert str(client.get_model_version_by_alias(MODEL, "production").version) == "10"
        start = time.perf_counter()
        for _ in range(calls):
            client.get_model_version_by_alias(MODEL, "production")
        seconds.append((time.perf_counter() - start) * 100_000 / calls)
        _remove(path)
    return seconds


GENESIS = "0" * 64


def _field(parts, text):
    """One field as AuditEntry.computeHash writes it: UTF-8 byte count, ':', the bytes, '\\n';
    an absent value is '-\\n'."""
    if text is None:
        parts.append(b"-\n")
    else:
        data = text.encode()
        parts.append(b"%d:%s\n" % (len(data), data))


def _entry_hash(sequence, at, principal, action, subject, before, after, reason, previous_hash):
    parts = [b"mlops-audit-v1\n"]
    _field(parts, str(sequence))
    _field(parts, str(at))
    _field(parts, principal)
    _field(parts, action)
    _field(parts, subject)
    _field(parts, before)
    _field(parts, after)
    _field(parts, reason)
    _field(parts, previous_hash)
    return hashlib.sha256(b"".join(parts)).hexdigest()


def _audit_chain(entries):
    """``entries`` audit entries shaped like the registry's: odd ones register a version (no
    before, the version's canonical JSON after), even ones promote the 'production' alias (the
    assignment before and after, with a reason). Each is a tuple (sequence, at_ms, principal,
    action, subject, before, after, reason, previous_hash, hash)."""
    chain = []
    previous = GENESIS
    at = 1_767_225_600_000
    digest = "ab" * 32
    for sequence in range(1, entries + 1):
        version = (sequence + 1) // 2
        at += 3
        if sequence % 2:
            before = None
            after = (
                f'{{"artifact_digest":"{digest}","author":"ci-bot","card":null,"created_at":{at},'
                f'"description":"","digest":"{digest}","feature_set_hash":null,"metrics":{{"auc":0.91}},'
                f'"model":"fraud/scorer","run_id":null,"signature":null,"source":"s3://models/fraud/{version}",'
                f'"status":"ready","status_reason":null,"tags":{{"shard":"{version % 100}"}},"version":{version}}}')
            action, subject, reason = "version.register", f"fraud/scorer@{version}", ""
        else:
            before = None if version == 1 else (
                f'{{"alias":"production","assigned_at":{at - 6},"assigned_by":"ci-bot","model":"fraud/scorer",'
                f'"revision":{version - 1},"version":{version - 1}}}')
            after = (
                f'{{"alias":"production","assigned_at":{at},"assigned_by":"ci-bot","model":"fraud/scorer",'
                f'"revision":{version},"version":{version}}}')
            action, subject, reason = "alias.promote", "fraud/scorer#production", "nightly promotion"
        fields = (sequence, at, "ci-bot", action, subject, before, after, reason, previous)
        previous = _entry_hash(*fields)
        chain.append(fields + (previous,))
    return chain


def _verify(chain):
    """What a user would write: walk the entries in order, check the sequence has no gap, each
    entry links to the one before, and its hash matches its fields."""
    expected_previous = GENESIS
    expected_sequence = 1
    for sequence, at, principal, action, subject, before, after, reason, previous_hash, entry_hash in chain:
        if sequence != expected_sequence:
            raise ValueError(f"entry {expected_sequence} is missing or out of order")
        if previous_hash != expected_previous:
            raise ValueError(f"entry {sequence} does not link to the entry before it")
        if _entry_hash(sequence, at, principal, action, subject, before, after, reason, previous_hash) != entry_hash:
            raise ValueError(f"entry {sequence} was changed after it was written")
        expected_previous = entry_hash
        expected_sequence += 1
    return expected_sequence - 1, expected_previous


def verify_chain_python(data_folder, repetitions, entries=1_000_000):
    """Pure-Python hashlib check of a 1,000,000-entry SHA-256 audit chain laid out byte for byte as
    AuditEntry.computeHash hashes it (header, then each field as length:bytes). The entries are
    built once in memory (untimed; no reading from a database is timed), then each repetition
    recomputes every hash and checks every sequence number and previous-hash link. Returns seconds
    per 1,000,000 entries."""
    chain = _audit_chain(entries)
    seconds = []
    for _ in range(repetitions):
        start = time.perf_counter()
        count, head = _verify(chain)
        seconds.append(time.perf_counter() - start)
        assert count == entries and head == chain[-1][-1]
    return seconds
