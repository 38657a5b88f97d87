#!/usr/bin/env python3
"""Counts the crate's public API from `cargo doc --no-deps` output: item pages (modules,
types, functions, traits, constants, statics, macros), public fields, enum variants and
inherent methods (trait implementations left out). rustdoc's redirect pages (the path a
re-exported item is defined at) are not items of their own and are not counted.

    cargo doc --no-deps -q && python3 .ci/public_items.py target/doc/mockdown
"""
import collections, os, re, sys

root = sys.argv[1] if len(sys.argv) > 1 else "target/doc/mockdown"
kinds = collections.Counter()
for folder, _, files in os.walk(root):
    for name in files:
        if not name.endswith(".html"):
            continue
        kind = name.split(".")[0]
        text = open(os.path.join(folder, name), encoding="utf-8").read()
        if "<title>Redirection</title>" in text:
            continue
        if name == "index.html":
            kinds["module"] += 1
            continue
        if kind not in ("struct", "enum", "fn", "trait", "constant", "type", "static", "macro"):
            continue
        kinds[kind] += 1
        # The inherent impls come first; trait, auto-trait and blanket impls follow.
        inherent = re.split(r'id="(?:trait|synthetic|blanket)-implementations"', text)[0]
        kinds["field"] += len(set(re.findall(r'id="structfield\.([^"]+)"', inherent)))
        kinds["variant"] += len(set(re.findall(r'id="variant\.([^"]+)"', inherent)))
        kinds["method"] += len(set(re.findall(r'id="method\.([^"]+)"', inherent)))
items = sum(v for k, v in kinds.items() if k not in ("field", "variant", "method"))
print(f"public items: {items} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()) if k not in ('field', 'variant', 'method'))}); "
      f"public fields {kinds['field']}, variants {kinds['variant']}, inherent methods {kinds['method']}; "
      f"all {items + kinds['field'] + kinds['variant'] + kinds['method']}")
