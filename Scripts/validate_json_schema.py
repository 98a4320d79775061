#!/usr/bin/env python3
"""Validates JSON documents against a JSON Schema (draft 2020-12).

    python3 Scripts/validate_json_schema.py SCHEMA.json DOCUMENT.json [DOCUMENT.json ...]

Exit 0 when every document is valid ("N documents valid"); 1 with each error's path and message.
Used by the tests to hold the drift report to Documentation/drift-report.schema.json.
"""
import json
import sys

from jsonschema import Draft202012Validator

with open(sys.argv[1]) as f:
    schema = json.load(f)
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
failures = 0
for path in sys.argv[2:]:
    with open(path) as f:
        document = json.load(f)
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        failures += 1
        print(f"{path}: {'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}")
if failures:
    sys.exit(1)
print(f"{len(sys.argv) - 2} documents valid")
