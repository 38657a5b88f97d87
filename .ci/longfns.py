#!/usr/bin/env python3
"""Lists the functions over 80 lines under a source folder (`python3 .ci/longfns.py src`).

Test code is left out: files named `tests*.rs` or `*_tests.rs`, files declared behind
`#[cfg(test)]` (`#[cfg(test)] mod name;`), the bodies of inline `#[cfg(test)] mod name { ... }`
modules, and `#[test]` functions. Prints one line per long function (length, file, line,
name), longest first, then their count. Exits 0 always; gate on the count.
"""
import os
import re
import sys

LIMIT = 80
FN = re.compile(r'^(\s*)(pub(\([a-z]+\))? )?(async )?(const )?(unsafe )?fn (\w+)')
MOD_DECL = re.compile(r'^\s*(pub(\([a-z]+\))? )?mod (\w+)\s*;')
MOD_OPEN = re.compile(r'^(\s*)(pub(\([a-z]+\))? )?mod (\w+)\s*\{')


def block_end(lines, i, ind):
    """Index of the line closing the block opened at line `i` with indentation `ind`."""
    j = i + 1
    while j < len(lines) and not (
        lines[j].startswith(' ' * ind + '}')
        and (len(lines[j]) == ind + 1 or lines[j][ind + 1] in ' ;)')
    ):
        j += 1
    return j


def test_files(root):
    """Paths of the files that `#[cfg(test)] mod name;` declarations bring in."""
    found = set()
    for folder, _, files in os.walk(root):
        for f in files:
            if not f.endswith('.rs'):
                continue
            p = os.path.join(folder, f)
            lines = open(p, encoding='utf-8').read().split('\n')
            here = folder if f in ('mod.rs', 'lib.rs', 'main.rs') else os.path.join(folder, f[:-3])
            for k, line in enumerate(lines):
                m = MOD_DECL.match(line)
                if m and k > 0 and is_test_attr(lines, k):
                    name = m.group(3)
                    found.add(os.path.normpath(os.path.join(here, name + '.rs')))
                    found.add(os.path.normpath(os.path.join(here, name, 'mod.rs')))
    return found


def is_test_attr(lines, k):
    """Whether the attributes just above line `k` include `#[cfg(test)]` or `#[test]`."""
    j = k - 1
    while j >= 0 and lines[j].strip().startswith('#['):
        s = lines[j].strip()
        if s.startswith('#[cfg(test)]') or s == '#[test]' or s.startswith('#[tokio::test'):
            return True
        j -= 1
    return False


def is_test_file(path, tests):
    name = os.path.basename(path)
    return (
        name.startswith('tests')
        or name.endswith('_tests.rs')
        or os.path.normpath(path) in tests
        or any(part.startswith('tests') for part in os.path.normpath(path).split(os.sep)[:-1])
    )


def long_functions(root):
    tests = test_files(root)
    res = []
    for folder, _, files in os.walk(root):
        for f in files:
            if not f.endswith('.rs'):
                continue
            p = os.path.join(folder, f)
            if is_test_file(p, tests):
                continue
            lines = open(p, encoding='utf-8').read().split('\n')
            i = 0
            while i < len(lines):
                mod = MOD_OPEN.match(lines[i])
                if mod and is_test_attr(lines, i):
                    i = block_end(lines, i, len(mod.group(1))) + 1
                    continue
                m = FN.match(lines[i])
                if m and not lines[i].rstrip().endswith(';'):
                    ind = len(m.group(1))
                    j = block_end(lines, i, ind)
                    n = j - i + 1
                    if n > LIMIT and not is_test_attr(lines, i):
                        res.append((n, p, i + 1, m.group(7)))
                i += 1
    return res


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    res = long_functions(args[0] if args else 'src')
    for r in sorted(res, reverse=True):
        print(*r)
    print(len(res))
    if '--check' in sys.argv and res:
        print(f'functions over {LIMIT} lines: {len(res)}; split them where a concern separates')
        sys.exit(1)


if __name__ == '__main__':
    main()
