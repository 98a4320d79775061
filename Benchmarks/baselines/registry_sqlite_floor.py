"""How fast the registry's register + promote pair can be on SQLite at all: the same statements
our SQL store runs (the reads, the writes, the audit entry; records as ~330-byte texts), through
Python's sqlite3, WAL and synchronous=NORMAL, one transaction per call.

    python3 Benchmarks/baselines/registry_sqlite_floor.py [--schema 3|4] [--four-pages] [--pairs N]

--schema 4 (the default) runs registry schema 4's statements: the version and alias history
WITHOUT ROWID, no latest-version column (read as max(version)), no artifact index, the change
counter carried on the audit entry, one policy look-up. --schema 3 runs the statements before it;
with --four-pages it leaves out the writes schema 4 removed or folded (the floor measured before
that change). SQLite's automatic checkpoint runs in both (ours runs beside the writer). Prints
microseconds a pair. Not part of the harness's table: it bounds what the Swift side could reach (see
Documentation/Benchmarks.md, "Registry again").
"""
import argparse
import hashlib
import os
import sqlite3
import tempfile
import time

SCHEMA = """
CREATE TABLE registry_principals (id TEXT NOT NULL PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE registry_models (name TEXT NOT NULL PRIMARY KEY, risk_class TEXT NOT NULL, latest_version INTEGER NOT NULL, record TEXT NOT NULL);
CREATE TABLE registry_versions (model TEXT NOT NULL REFERENCES registry_models (name), version INTEGER NOT NULL, status TEXT NOT NULL,
    artifact_digest TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (model, version));
{artifact_index}
CREATE TABLE registry_policies (alias TEXT NOT NULL, risk_class TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (alias, risk_class));
CREATE TABLE registry_aliases (model TEXT NOT NULL REFERENCES registry_models (name), alias TEXT NOT NULL, version INTEGER NOT NULL,
    record TEXT NOT NULL, PRIMARY KEY (model, alias));
CREATE TABLE registry_alias_history (model TEXT NOT NULL, alias TEXT NOT NULL, revision INTEGER NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (model, alias, revision));
CREATE TABLE registry_audit (sequence INTEGER NOT NULL PRIMARY KEY, at INTEGER NOT NULL, principal TEXT NOT NULL, action TEXT NOT NULL,
    subject TEXT NOT NULL, before TEXT, after TEXT, reason TEXT NOT NULL, previous_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE registry_state (id INTEGER NOT NULL PRIMARY KEY, change_counter INTEGER NOT NULL);
INSERT INTO registry_state VALUES (1, 0);
INSERT INTO registry_principals VALUES ('ci', '{"id":"ci","roles":["admin"]}');
INSERT INTO registry_models VALUES ('bench/model', 'low', 0, '{"name":"bench/model"}');
"""


def open_database(schema):
    """A fresh file in a temporary folder, WAL and synchronous=NORMAL as ours, with `schema`."""
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "floor.sqlite")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(schema)
    return db, folder, path


def close_database(db, folder, path):
    db.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    os.rmdir(folder)


def run(pairs, four_pages):
    artifact_index = "" if four_pages else "CREATE INDEX registry_versions_artifact ON registry_versions (artifact_digest);"
    db, folder, path = open_database(SCHEMA.replace("{artifact_index}", artifact_index))
    record = "x" * 330
    sequence, head = 0, "0" * 64

    def audit(action, subject, before, after, reason):
        nonlocal sequence, head
        db.execute("SELECT sequence, hash FROM registry_audit ORDER BY sequence DESC LIMIT 1").fetchall()
        sequence += 1
        new = hashlib.sha256((head + after).encode()).hexdigest()
        db.execute("INSERT INTO registry_audit VALUES (?,?,?,?,?,?,?,?,?,?)", (sequence, 0, "ci", action, subject, before, after, reason, head, new))
        head = new

    start = time.perf_counter()
    for i in range(1, pairs + 1):
        db.execute("BEGIN IMMEDIATE")
        db.execute("SELECT record FROM registry_principals WHERE id = ?", ("ci",)).fetchall()
        db.execute("SELECT record, latest_version FROM registry_models WHERE name = ?", ("bench/model",)).fetchall()
        if four_pages:
            db.execute("SELECT max(version) FROM registry_versions WHERE model = ?", ("bench/model",)).fetchall()
        else:
            db.execute("UPDATE registry_models SET latest_version = ? WHERE name = ?", (i, "bench/model"))
        digest = "sha256:" + hashlib.sha256(str(i).encode()).hexdigest()
        db.execute("INSERT INTO registry_versions VALUES (?,?,?,?,?)", ("bench/model", i, "ready", digest, record))
        audit("version.register", f"bench/model@{i}", None, record, "")
        db.execute("COMMIT")
        db.execute("BEGIN IMMEDIATE")
        db.execute("SELECT record FROM registry_principals WHERE id = ?", ("ci",)).fetchall()
        db.execute("SELECT record, latest_version FROM registry_models WHERE name = ?", ("bench/model",)).fetchall()
        db.execute("SELECT record FROM registry_versions WHERE model = ? AND version = ?", ("bench/model", i)).fetchall()
        db.execute("SELECT record FROM registry_aliases WHERE model = ? AND alias = ?", ("bench/model", "production")).fetchall()
        for risk in ("low", "*"):
            db.execute("SELECT record FROM registry_policies WHERE alias = ? AND risk_class = ?", ("production", risk)).fetchall()
        db.execute(
            "INSERT INTO registry_aliases VALUES (?,?,?,?) ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, record = excluded.record",
            ("bench/model", "production", i, record[:150]))
        if not four_pages:
            db.execute("INSERT INTO registry_alias_history VALUES (?,?,?,?)", ("bench/model", "production", i, record[:200]))
            db.execute("UPDATE registry_state SET change_counter = change_counter + 1 WHERE id = 1 RETURNING change_counter").fetchall()
        audit("alias.promote", "bench/model#production", record[:50], record[:50], "bench")
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    close_database(db, folder, path)
    return elapsed / pairs * 1e6


SCHEMA_4 = """
CREATE TABLE registry_principals (id TEXT NOT NULL PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE registry_models (name TEXT NOT NULL PRIMARY KEY, risk_class TEXT NOT NULL, record TEXT NOT NULL);
CREATE TABLE registry_versions (model TEXT NOT NULL REFERENCES registry_models (name), version INTEGER NOT NULL, status TEXT NOT NULL,
    artifact_digest TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (model, version)) WITHOUT ROWID;
CREATE TABLE registry_policies (alias TEXT NOT NULL, risk_class TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (alias, risk_class));
CREATE TABLE registry_aliases (model TEXT NOT NULL REFERENCES registry_models (name), alias TEXT NOT NULL, version INTEGER NOT NULL,
    record TEXT NOT NULL, PRIMARY KEY (model, alias));
CREATE TABLE registry_alias_history (model TEXT NOT NULL, alias TEXT NOT NULL, revision INTEGER NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (model, alias, revision)) WITHOUT ROWID;
CREATE TABLE registry_audit (sequence INTEGER NOT NULL PRIMARY KEY, at INTEGER NOT NULL, principal TEXT NOT NULL, action TEXT NOT NULL,
    subject TEXT NOT NULL, before TEXT, after TEXT, reason TEXT NOT NULL, previous_hash TEXT NOT NULL, hash TEXT NOT NULL,
    change_counter INTEGER NOT NULL DEFAULT 0);
INSERT INTO registry_principals VALUES ('ci', '{"id":"ci","roles":["admin"]}');
INSERT INTO registry_models VALUES ('bench/model', 'low', '{"name":"bench/model"}');
"""


def run_schema_4(pairs):
    db, folder, path = open_database(SCHEMA_4)
    record = "x" * 330
    sequence, head = 0, "0" * 64
    model = "SELECT record, (SELECT coalesce(max(v.version), 0) FROM registry_versions v WHERE v.model = m.name) FROM registry_models m WHERE name = ?"

    def audit(action, subject, before, after, reason, advance):
        nonlocal sequence, head
        db.execute("SELECT sequence, hash FROM registry_audit ORDER BY sequence DESC LIMIT 1").fetchall()
        sequence += 1
        new = hashlib.sha256((head + after).encode()).hexdigest()
        db.execute(
            "INSERT INTO registry_audit VALUES (?,?,?,?,?,?,?,?,?,?, coalesce((SELECT change_counter FROM registry_audit ORDER BY sequence DESC LIMIT 1), 0) + ?)",
            (sequence, 0, "ci", action, subject, before, after, reason, head, new, advance))
        head = new

    start = time.perf_counter()
    for i in range(1, pairs + 1):
        db.execute("BEGIN IMMEDIATE")
        db.execute("SELECT record FROM registry_principals WHERE id = ?", ("ci",)).fetchall()
        db.execute(model, ("bench/model",)).fetchall()
        digest = "sha256:" + hashlib.sha256(str(i).encode()).hexdigest()
        db.execute("INSERT INTO registry_versions VALUES (?,?,?,?,?)", ("bench/model", i, "ready", digest, record))
        audit("version.register", f"bench/model@{i}", None, record, "", 0)
        db.execute("COMMIT")
        db.execute("BEGIN IMMEDIATE")
        db.execute("SELECT record FROM registry_principals WHERE id = ?", ("ci",)).fetchall()
        db.execute(model, ("bench/model",)).fetchall()
        db.execute("SELECT record FROM registry_versions WHERE model = ? AND version = ?", ("bench/model", i)).fetchall()
        db.execute("SELECT record FROM registry_aliases WHERE model = ? AND alias = ?", ("bench/model", "production")).fetchall()
        db.execute(
            "SELECT record FROM registry_policies WHERE alias = ? AND risk_class IN (?, '*') ORDER BY risk_class = '*' LIMIT 1",
            ("production", "low")).fetchall()
        db.execute(
            "INSERT INTO registry_aliases VALUES (?,?,?,?) ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, record = excluded.record",
            ("bench/model", "production", i, record[:150]))
        db.execute("INSERT INTO registry_alias_history VALUES (?,?,?,?)", ("bench/model", "production", i, record[:200]))
        audit("alias.promote", "bench/model#production", record[:50], record[:50], "bench", 1)
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    close_database(db, folder, path)
    return elapsed / pairs * 1e6


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--schema", type=int, choices=[3, 4], default=4)
    parser.add_argument("--four-pages", action="store_true")
    options = parser.parse_args()
    if options.schema == 4:
        print(f"{run_schema_4(options.pairs):.1f} us a pair (registry schema 4)")
    else:
        print(f"{run(options.pairs, options.four_pages):.1f} us a pair ({'four' if options.four_pages else 'eight'} WAL pages, schema 3)")
