#!/usr/bin/env python3
"""The import graph of src/: prints each top-level module's imports and fails on a circle,
between top-level modules or between the files of one module folder.

    python3 .ci/imports.py [SRC]
"""
import os
import re
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "src"
USE = re.compile(r"\b(?:crate|super)(?:::\w+)+")


def module_of(path):
    """src/a/b/c.rs -> ['a', 'b', 'c']; mod.rs and lib.rs name their folder."""
    parts = os.path.relpath(path, src)[:-3].split(os.sep)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


def strip_tests(text):
    """Drops `#[cfg(test)] mod tests { ... }` blocks and comments: test code may reach anywhere."""
    text = re.sub(r"//[^\n]*", "", text)
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i:m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


files = {}
for root, _, names in os.walk(src):
    for name in names:
        if name.endswith(".rs") and name != "tests.rs":
            path = os.path.join(root, name)
            files[tuple(module_of(path))] = strip_tests(open(path).read())

modules = set(files)


def resolve(here, path):
    """The module an import path names (the longest prefix that is a module)."""
    parts = path.split("::")
    base = [] if parts[0] == "crate" else list(here)
    for p in parts:
        if p == "crate":
            continue
        if p == "super":
            base = base[:-1]
            continue
        base.append(p)
    while base and tuple(base) not in modules:
        base.pop()
    return tuple(base)


edges = {}
for here, text in files.items():
    # `super::` in a mod.rs/lib.rs is relative to the folder's parent, else to the file's.
    scope = here
    for m in USE.finditer(text):
        target = resolve(scope, m.group(0))
        if target and target != here:
            edges.setdefault(here, set()).add(target)
    # `use a::{b, c}` groups under crate/super
    for m in re.finditer(r"\b((?:crate|super)(?:::\w+)*)::\{([^}]*)\}", text):
        for item in m.group(2).split(","):
            item = item.strip().split(" ")[0]
            if item and item != "self":
                target = resolve(scope, m.group(1) + "::" + item)
                if target and target != here:
                    edges.setdefault(here, set()).add(target)


def cycles(graph):
    found, state, stack = [], {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                found.append(stack[stack.index(m):] + [m])
            elif not state.get(m):
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if not state.get(n):
            visit(n)
    return found


top = {}
for a, targets in edges.items():
    for b in targets:
        if a and b and a[0] != b[0]:
            top.setdefault(a[0], set()).add(b[0])
print("top-level imports (module -> what it uses):")
for a in sorted(top):
    print(f"  {a:9} -> {', '.join(sorted(top[a]))}")
problems = [" -> ".join(c) for c in cycles(top)]
folders = {k[0] for k in modules if len(k) > 1}
for folder in sorted(folders):
    inner = {}
    for a, targets in edges.items():
        for b in targets:
            if a[:1] == b[:1] == (folder,) and len(a) > 1 and len(b) > 1 and a[:2] != b[:2]:
                inner.setdefault(a[1], set()).add(b[1])
    problems += [f"{folder}: " + " -> ".join(c) for c in cycles(inner)]
if problems:
    print("import circles:")
    for p in problems:
        print("  " + p)
    sys.exit(1)
print(f"no import circle ({len(modules)} modules)")
