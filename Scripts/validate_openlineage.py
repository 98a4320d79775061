#!/usr/bin/env python3
"""Validates OpenLineage RunEvents (a JSON array or JSON Lines file) against the official
schemas in a folder (default: ../shared/data/openlineage next to the repository).

    python3 Scripts/validate_openlineage.py EVENTS.json [SCHEMA_FOLDER]

Each event is checked against OpenLineage.json#/$defs/RunEvent, and each facet that has a schema
in the folder against that facet's own definition. Exit 0 when all are valid; 1 with the errors.
"""
import json
import os
import sys

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

events_path = sys.argv[1]
folder = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "openlineage")

registry = Registry()
schemas = {}
for name in os.listdir(folder):
    if name.endswith(".json"):
        with open(os.path.join(folder, name)) as f:
            schema = json.load(f)
        schemas[name[:-5]] = schema
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))

core = schemas["OpenLineage"]
event_validator = Draft202012Validator({"$ref": core["$id"] + "#/$defs/RunEvent"}, registry=registry, format_checker=FormatChecker())

with open(events_path) as f:
    text = f.read()
events = json.loads(text) if text.lstrip().startswith("[") else [json.loads(line) for line in text.splitlines() if line.strip()]

errors = []
facets_checked = 0


def check_facets(facets, where):
    global facets_checked
    for key, facet in (facets or {}).items():
        url = facet.get("_schemaURL", "")
        for name, schema in schemas.items():
            if name != "OpenLineage" and url.startswith(schema["$id"]):
                validator = Draft202012Validator({"$ref": url}, registry=registry, format_checker=FormatChecker())
                for error in validator.iter_errors(facet):
                    errors.append(f"{where} facet {key}: {error.message}")
                facets_checked += 1


for index, event in enumerate(events):
    for error in event_validator.iter_errors(event):
        errors.append(f"event {index}: {error.json_path}: {error.message}")
    check_facets(event.get("run", {}).get("facets"), f"event {index} run")
    check_facets(event.get("job", {}).get("facets"), f"event {index} job")
    for dataset in event.get("inputs", []) + event.get("outputs", []):
        check_facets(dataset.get("facets"), f"event {index} dataset {dataset.get('name')}")

if errors:
    print("\n".join(errors))
    sys.exit(1)
print(f"{len(events)} events valid; {facets_checked} facets checked against their own schemas")
