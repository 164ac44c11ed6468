#!/usr/bin/env python3
"""check_layers.py - the folder layout is the architecture: checks it.

  - layers point down: shm <- common <- worker, exporter <- supervisor. A
    file includes headers of its own folder and of the layers below it
    only (worker and exporter never each other);
  - no circle between the files of the product: file A depends on file B
    when A's object uses a symbol B's object defines (nm); any set of files
    that depend on each other in a loop is reported.

Prints one line per check, "ok <what>" or "FAIL <what>"; exits 1 on any
failure. Usage: check_layers.py REPO_ROOT OBJ_DIR
"""
import os
import re
import subprocess
import sys

ROOT, OBJ = sys.argv[1], sys.argv[2]
BELOW = {"shm": set(), "common": {"shm"}, "worker": {"shm", "common"}, "exporter": {"shm", "common"},
         "supervisor": {"shm", "common", "worker", "exporter"}}
failures = 0


def report(what, ok):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += not ok


def sources():
    for folder in BELOW:
        for name in sorted(os.listdir(os.path.join(ROOT, folder))):
            if name.endswith((".c", ".h")):
                yield folder, os.path.join(folder, name)


def includes():
    bad = []
    for folder, path in sources():
        with open(os.path.join(ROOT, path)) as fh:
            for n, line in enumerate(fh, 1):
                m = re.match(r'\s*#\s*include\s+"(?:\.\./)?([a-z]+)/', line)
                if m and m.group(1) != folder and m.group(1) not in BELOW[folder]:
                    bad.append("%s:%d includes %s/" % (path, n, m.group(1)))
    report("every include points down the layers (%s)" % ("; ".join(bad) or "none up or across"), not bad)


def symbols(obj):
    out = subprocess.run(["nm", "--defined-only", obj], capture_output=True, text=True).stdout
    defined = {l.split()[2] for l in out.splitlines() if len(l.split()) == 3 and l.split()[1] in "TDBRVW"}
    out = subprocess.run(["nm", "--undefined-only", obj], capture_output=True, text=True).stdout
    used = {l.split()[-1] for l in out.splitlines() if l.strip()}
    return defined, used


def circles():
    objs = {}
    for folder, path in sources():
        o = os.path.join(OBJ, path[:-2] + ".o")
        if path.endswith(".c") and os.path.exists(o):
            objs[path] = symbols(o)
    report("object files found (%d)" % len(objs), len(objs) > 10)
    owner = {s: p for p, (d, _) in objs.items() for s in d}
    edges = {p: {owner[s] for s in u if s in owner and owner[s] != p} for p, (_, u) in objs.items()}
    # Tarjan's strongly connected components
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    report("no circle between files (%s)" % ("; ".join(" <-> ".join(c) for c in sccs) or "none"), not sccs)


includes()
circles()
sys.exit(1 if failures else 0)
