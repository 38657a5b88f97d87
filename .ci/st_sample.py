#!/usr/bin/env python3
"""Writes a fixed sample of an OpenAPI export's operations as a document of its own, for the
Schemathesis gate: `st_sample.py EXPORT.json OUT.json COUNT SEED` keeps COUNT operations drawn
with random.Random(SEED) from all of them (sorted by path and method first, so the same export and
seed give the same sample), with every component. COUNT 0 keeps every operation."""
import json, random, sys

export, out, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
doc = json.load(open(export))
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
ops = sorted((path, method) for path, item in doc["paths"].items() for method in item if method in METHODS)
chosen = ops if count == 0 or count >= len(ops) else sorted(random.Random(seed).sample(ops, count))
paths = {}
for path, method in chosen:
    item = paths.setdefault(path, {k: v for k, v in doc["paths"][path].items() if k not in METHODS})
    item[method] = doc["paths"][path][method]
doc["paths"] = paths
json.dump(doc, open(out, "w"))
print(f"sample: {len(chosen)} of {len(ops)} operations, seed {seed}")
